"""Test inputs built by hand or by ffmpeg, shared by the test modules."""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip locally, fail under CI=true (e.g. an encoder missing from this ffmpeg build)."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def ffmpeg_encode(exe: str, out: Path, *args: str, seconds: float = 0.5) -> Path:
    """Encode a 440 Hz sine of ``seconds`` at 48 kHz to ``out`` with the ffmpeg at ``exe``."""
    source = f"sine=frequency=440:duration={seconds}:sample_rate=48000"
    cmd = [exe, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, *args, str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        unavailable(f"ffmpeg {' '.join(args)} failed: {proc.stderr.strip()[:300]}")
    return out


def hand_wav(
    channels: int,
    rate: int,
    data: bytes = b"\0" * 400,
    declared: int | None = None,
    *,
    riff_from_declared: bool = False,
) -> bytes:
    """PCM_16 WAV bytes built by hand.

    Args:
        channels: Channel count written in ``fmt `` (may be 0).
        rate: Sample rate written in ``fmt `` (may be 0).
        data: The sample bytes.
        declared: Overrides the ``data`` chunk size.
        riff_from_declared: Make the RIFF size agree with ``declared`` (capped
            at 4 GiB) instead of with the bytes present.
    """
    align = max(channels, 1) * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, 16)
    size = len(data) if declared is None else declared
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", size) + data
    riff = min(4 + 8 + len(fmt) + 8 + size, 0xFFFFFFFF) if riff_from_declared else len(body)
    return b"RIFF" + struct.pack("<I", riff) + body
