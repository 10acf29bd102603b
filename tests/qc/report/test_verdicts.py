"""Verdicts you can see: an inconclusive dither verdict, in one line with its reason."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from rich.console import Console

from qc.engine import check_file
from qc.profiles import load_profile
from qc.report.rich_report import THEME, file_panel
from qc.report.text_report import render_text

RATE = 48000


def write(path: Path, db: float, subtype: str) -> Path:
    """A 997 Hz stereo sine at ``db`` dBFS peak, 3 s, never quiet: no quiet passage to judge."""
    n = np.arange(3 * RATE)
    x = 10 ** (db / 20) * np.sin(2 * np.pi * 997 * n / RATE)
    sf.write(path, np.stack([x, 0.9 * x], axis=1), RATE, subtype=subtype)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verdicts")
    write(root / "cd.wav", -12.0, "PCM_16")  # 16-bit: DTH001 judges it, but cannot tell
    write(root / "hi.wav", -12.0, "PCM_24")  # 24-bit: DTH001 does not judge it
    return root


def test_text_shows_an_inconclusive_dither_verdict_with_its_reason(folder: Path) -> None:
    result = check_file(str(folder / "cd.wav"), [load_profile("default")])
    assert result.measurements is not None
    d = result.measurements.dither
    assert (d.verdict, d.kind) == ("inconclusive", "no quiet material")
    lines = render_text([result]).splitlines()
    notes = [line for line in lines if "dither" in line]
    assert notes == [
        "  dither: inconclusive (no quiet material): DTH001 cannot tell whether this "
        "16-bit file was dithered"
    ]


def test_no_note_where_the_detector_does_not_judge(folder: Path) -> None:
    result = check_file(str(folder / "hi.wav"), [load_profile("default")])
    assert "dither" not in render_text([result])


def test_rich_shows_the_same_line(folder: Path) -> None:
    result = check_file(str(folder / "cd.wav"), [load_profile("default")])
    out = io.StringIO()
    console = Console(file=out, width=140, color_system=None, theme=THEME)
    console.print(file_panel(result))
    assert "dither: inconclusive (no quiet material): DTH001 cannot tell" in out.getvalue()


def test_a_master_far_below_every_target_warns_from_the_command_line(tmp_path: Path) -> None:
    # A stereo 997 Hz sine reads its peak level in LUFS (BS.1770: K-weighting +0.69 dB at
    # 1 kHz, -0.691 offset, two channels): -34 dBFS peak is about -34.5 LUFS here.
    path = write(tmp_path / "quiet.wav", -34.0, "PCM_24")
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", "--format", "text", str(path)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # a warning does not fail at fail-level error
    [line] = [x for x in proc.stdout.splitlines() if "LUF005" in x]
    assert ": warning LUF005 integrated -34." in line
    assert "below -24.0 LUFS, the quietest delivery target" in line
