"""libmpg123's notes are kept off descriptor 2; every other byte written there survives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qc.audio.decoder_noise import DecoderNoise, split_decoder_lines
from tests.builders import ffmpeg_encode

NOTES = (
    b"Note: Illegal Audio-MPEG-Header 0xff8652c4 at offset 5033.\n"
    b"Note: Trying to resync...\n"
    b"[src/libmpg123/layer3.c:1234] error: part2_3_length (3360) too large for available bit"
    b" count (3240)\n"
    b"Warning: big change from first (MPEG version, layer, rate). Frankenstein stream?\n"
)


def test_split_keeps_other_lines_in_order() -> None:
    other = b"50% |#####     | checking\nNote without colon\n"
    rest, dropped = split_decoder_lines(NOTES[:60] + NOTES[60:] + other + b"partial")
    assert (rest, dropped) == (other + b"partial", 4)


def test_capture_on_the_real_descriptor(capfd: pytest.CaptureFixture[str]) -> None:
    noise = DecoderNoise(enabled=True)
    for _ in range(3):  # reused: one temporary file, emptied after each call
        with noise:
            os.write(2, NOTES)
            os.write(2, b"another thread's line\n")
    noise.close()
    noise.close()
    assert noise.messages == 12
    err = capfd.readouterr().err
    assert err == "another thread's line\n" * 3
    os.write(2, b"after\n")  # descriptor 2 is back where it was
    assert capfd.readouterr().err == "after\n"


def test_disabled_touches_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    noise = DecoderNoise(enabled=False)
    with noise:
        os.write(2, b"Note: printed as it is\n")
    assert capfd.readouterr().err == "Note: printed as it is\n"
    assert noise.messages == 0


@pytest.mark.ffmpeg
def test_damaged_mp3_is_one_line(tmp_path: Path, ffmpeg: str) -> None:
    good = ffmpeg_encode(ffmpeg, tmp_path / "good.mp3", "-c:a", "libmp3lame", seconds=2)
    data = bytearray(good.read_bytes())
    for i in range(2000, len(data), 37):  # every 37th byte past the first frames
        data[i] = (data[i] * 131 + 7) % 256
    bad = tmp_path / "damaged.mp3"
    bad.write_bytes(bytes(data))
    env = dict(os.environ, NO_COLOR="1")
    cmd = [sys.executable, "-m", "qc", "check", "--format", "json", bad.name]
    proc = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.rstrip("\n")], proc.stderr
    assert proc.stderr.startswith("mixdesk: damaged.mp3: "), proc.stderr
    assert "decoder notes" in proc.stderr
