"""The headless Ardour each CLI test module runs against, with the module's TRACKS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.hosts import HeadlessArdour
from tests.bridge.cli import reset_mixer, running_ardour


@pytest.fixture(scope="module")
def ardour(
    ardour_bin: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[HeadlessArdour]:
    """One Ardour per test module, with the tracks named by the module's ``TRACKS``."""
    with running_ardour(ardour_bin, tmp_path_factory, request.module.TRACKS) as daw:
        yield daw


@pytest.fixture
def daw(ardour: HeadlessArdour) -> HeadlessArdour:
    """The module's Ardour with every strip reset to 0 dB, centre, unmuted, unsoloed."""
    reset_mixer(ardour)
    return ardour
