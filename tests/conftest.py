"""Shared fixtures: deterministic RNG, tool discovery that never skips silently in CI."""

from __future__ import annotations

import os
import shutil

# As the CLI does (qc/cli/main.py): one BLAS thread, so meters or fix passes that call BLAS
# from several threads do not spin against each other on the two cores. Before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def need_binary(name: str) -> str:
    """Return the path of an external tool, or skip (fail under ``CI=true``)."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not installed (run .ci/system-deps.sh as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator so every test is deterministic."""
    return np.random.default_rng(1770)


@pytest.fixture
def ffmpeg() -> str:
    """Path of ffmpeg (skips locally when absent, fails in CI)."""
    return need_binary("ffmpeg")


@pytest.fixture
def sox() -> str:
    """Path of sox (skips locally when absent, fails in CI)."""
    return need_binary("sox")


@pytest.fixture(scope="session")
def ardour_bin() -> str:
    """Path of ardour7-lua, Ardour 7's headless Lua session host (skips locally, fails in CI)."""
    return need_binary("ardour7-lua")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless-capable Chromium (skips locally, fails in CI)."""
    return need_binary("chromium")


@pytest.fixture(scope="session")
def cuetools() -> str:
    """Path of cuebreakpoints, from Debian's cuetools (skips locally, fails in CI)."""
    return need_binary("cuebreakpoints")


@pytest.fixture(scope="session")
def shntool() -> str:
    """Path of shntool, which splits an image on CUE breakpoints (skips locally, fails in CI)."""
    return need_binary("shntool")
