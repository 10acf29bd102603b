"""Golden output at a fixed width (presentation only; values are tested elsewhere).

Regenerate after an intended change with ``MIXDESK_UPDATE_GOLDEN=1 pytest tests/qc/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

GOLDEN = Path(__file__).parent / "golden"
RATE = 48000


def _bounce(folder: Path) -> str:
    """4 s: 1 s of silence, then a 997 Hz sine driven 6 dB into a clipper, R at -1 dB."""
    n = np.arange(3 * RATE)
    x = np.clip(2.0 * np.sin(2 * np.pi * 997 * n / RATE), -1, 1)
    x = np.concatenate([np.zeros(RATE), x])
    sf.write(folder / "hot mix [v2].wav", np.stack([x, 0.89 * x], 1), RATE, subtype="PCM_24")
    return "hot mix [v2].wav"


@pytest.mark.parametrize("fmt", ["rich", "text", "github"])
def test_golden(tmp_path: Path, fmt: str) -> None:
    name = _bounce(tmp_path)
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", TERM="dumb")
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", "--format", fmt, "--profile", "spotify", name],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    golden = GOLDEN / f"check_{fmt}.txt"
    if os.environ.get("MIXDESK_UPDATE_GOLDEN") == "1":
        golden.write_text(proc.stdout)
    assert proc.stdout == golden.read_text()
