"""Fixtures shared by the virtual DAW's OSC tests: two short stems, a server, a client.

A module that needs other stems or server settings defines its own fixture of the
same name, which takes precedence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge.virtual.osc_client import Client

RATE = 48000
"""Sample rate of the shared stems and server, Hz."""


@pytest.fixture(scope="module")
def stems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(0.25 * RATE)) / RATE
    sf.write(folder / "Bass.wav", 0.3 * np.sin(2 * np.pi * 60 * t), RATE, subtype="PCM_24")
    sf.write(folder / "Lead.wav", 0.3 * np.sin(2 * np.pi * 600 * t), RATE, subtype="PCM_24")
    return folder


@pytest.fixture
def daw(stems_dir: Path, tmp_path: Path) -> Iterator[VirtualDaw]:
    server = VirtualDaw(
        load_stems(stems_dir, RATE), rate=RATE, render_dir=tmp_path / "out", port=0, feedback=None
    )
    with server:
        yield server


@pytest.fixture
def client(daw: VirtualDaw) -> Iterator[Client]:
    c = Client(daw)
    yield c
    c.close()
