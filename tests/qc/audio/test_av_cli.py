"""PyAV through the CLI: hostile M4A/MP4 files, the missing extra, and no import of av
for files that do not need it. Real subprocesses; files made by ffmpeg."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 48000

BLOCK_AV = """
import sys
class _NoAv:
    def find_spec(self, name, path=None, target=None):
        if name == "av" or name.startswith("av."):
            raise ImportError("No module named 'av' (blocked by the test)")
        return None
sys.meta_path.insert(0, _NoAv())
from qc.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

SHOW_MODULES = """
import sys
from qc.cli.main import main
try:
    code = main(sys.argv[1:])
finally:
    print("AV-IMPORTED" if "av" in sys.modules else "AV-NOT-IMPORTED", file=sys.stderr)
sys.exit(code)
"""


def mixdesk(code: str, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def m4a(tmp_path: Path, ffmpeg: str) -> Path:
    t = np.arange(2 * RATE) / RATE
    x = 0.4 * np.sin(2 * np.pi * 440 * t)
    sf.write(tmp_path / "master.wav", np.stack([x, x], axis=1), RATE, subtype="PCM_16")
    out = tmp_path / "gentle.m4a"
    subprocess.run([ffmpeg, "-v", "error", "-i", str(tmp_path / "master.wav"), "-c:a", "aac",
                    "-b:a", "256k", "-movflags", "+faststart", str(out)], check=True)  # fmt: skip
    return out


def test_m4a_is_checked_with_numbers(m4a: Path) -> None:
    proc = mixdesk(SHOW_MODULES, "check", "--format", "text", m4a.name, cwd=m4a.parent)
    assert proc.returncode == 1, proc.stderr  # FMT001: a lossy delivery
    assert "mp4/aac" in proc.stdout
    assert "integrated" in proc.stdout
    assert "FMT003" not in proc.stdout
    assert "AV-IMPORTED" in proc.stderr


def test_plain_check_does_not_import_av(tmp_path: Path) -> None:
    t = np.arange(RATE) / RATE
    sf.write(tmp_path / "a.wav", np.stack([np.sin(2 * np.pi * 440 * t) * 0.3] * 2, axis=1), RATE)
    proc = mixdesk(SHOW_MODULES, "check", "--format", "json", "a.wav", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "AV-NOT-IMPORTED" in proc.stderr
    assert '"codec preview skipped: not asked for' in proc.stdout


def _one_line(proc: subprocess.CompletedProcess[str], name: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert name in lines[0]
    return lines[0]


def test_missing_av_names_the_extra_for_an_m4a(m4a: Path) -> None:
    proc = mixdesk(BLOCK_AV, "check", "--format", "text", m4a.name, cwd=m4a.parent)
    assert proc.returncode == 2
    line = _one_line(proc, "gentle.m4a")
    assert line.endswith("decoding mp4 (aac) needs PyAV: pip install 'mixdesk[codecs]'")


def test_missing_av_names_the_extra_for_a_preview(tmp_path: Path) -> None:
    sf.write(tmp_path / "a.wav", np.zeros((RATE, 2)), RATE)
    proc = mixdesk(BLOCK_AV, "check", "--codec-preview", "aac-256", "a.wav", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = _one_line(proc, "mixdesk: codec preview needs PyAV")
    assert line == "mixdesk: codec preview needs PyAV: pip install 'mixdesk[codecs]'"


@pytest.mark.parametrize("spec", ["aac", "aac-9999", "flac-256", "opus-5", ",,x-1"])
def test_bad_codec_spec_is_one_line(tmp_path: Path, spec: str) -> None:
    sf.write(tmp_path / "a.wav", np.zeros((RATE, 2)), RATE)
    proc = mixdesk(SHOW_MODULES, "check", "--codec-preview", spec, "a.wav", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--codec-preview" in proc.stderr
    assert "codec preview" in proc.stderr


def _hostile(m4a: Path) -> dict[str, bytes]:
    data = m4a.read_bytes()
    mdat = data.index(b"mdat")
    noise = np.random.default_rng(7).integers(0, 256, len(data) - mdat - 4, dtype=np.uint8)
    noise = noise.tobytes()
    return {
        "head-only.m4a": data[:64],
        "half.m4a": data[: len(data) // 2],  # faststart: the index says more than is there
        "no-mdat.m4a": data[: mdat - 4],
        "garbage-mdat.m4a": data[: mdat + 4] + noise,
        "moov-zeroed.m4a": data.replace(b"moov", b"\0\0\0\0", 1),
        "ftyp-only.m4a": data[:32],
    }


def test_hostile_m4a_files_exit_2_with_one_line(m4a: Path) -> None:
    for name, data in _hostile(m4a).items():
        (m4a.parent / name).write_bytes(data)
        proc = mixdesk(SHOW_MODULES, "check", "--format", "text", name, cwd=m4a.parent)
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("AV-")]
        assert len(lines) == 1, (name, proc.stderr)
        assert lines[0].startswith(f"mixdesk: {name}: "), (name, lines[0])
        assert "Traceback" not in proc.stderr


def test_missing_av_names_the_extra_for_a_watch_preview(tmp_path: Path) -> None:
    proc = mixdesk(BLOCK_AV, "watch", str(tmp_path), "--codec-preview", "aac-256", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = _one_line(proc, "mixdesk: codec preview needs PyAV")
    assert line == "mixdesk: codec preview needs PyAV: pip install 'mixdesk[codecs]'"
