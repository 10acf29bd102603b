"""Writers that behave like DAWs and file managers, on real files.

Every writer produces a PCM_16 WAV whose final bytes are known in advance, so a
test can compare the BLAKE2b of what the daemon checked with the final content.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import time
from pathlib import Path

import numpy as np

HEADER_BYTES = 44
PLACEHOLDER = 0xFFFFFFFF


def tone(seconds: float, rate: int = 8000, channels: int = 1, *, freq: float = 440.0) -> bytes:
    """PCM_16 sample bytes of a sine at -12 dBFS (different ``freq`` → different content)."""
    t = np.arange(round(seconds * rate)) / rate
    x = 0.25 * np.sin(2 * np.pi * freq * t)
    frames = np.repeat(x[:, None], channels, axis=1)
    return (np.round(frames * 32767).astype("<i2")).tobytes()


def header(channels: int, rate: int, data_bytes: int, riff_bytes: int | None = None) -> bytes:
    """A 44-byte PCM_16 WAV header; pass placeholders to mimic a writer mid-stream."""
    align = channels * 2
    riff = 36 + data_bytes if riff_bytes is None else riff_bytes
    return (
        b"RIFF" + struct.pack("<I", riff) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * align, align, 16)
        + b"data" + struct.pack("<I", data_bytes)
    )  # fmt: skip


def wav_bytes(data: bytes, rate: int = 8000, channels: int = 1) -> bytes:
    """A complete WAV holding ``data``."""
    return header(channels, rate, len(data)) + data


def blake2b(content: bytes) -> str:
    """The hash the daemon logs for a file with these bytes."""
    return hashlib.blake2b(content, digest_size=32).hexdigest()


def _chunks(data: bytes, n: int) -> list[bytes]:
    size = max(len(data) // n, 2)
    size -= size % 2
    return [data[i : i + size] for i in range(0, len(data), size)]


def progressive(
    path: Path,
    data: bytes,
    *,
    seconds: float = 2.0,
    chunks: int = 40,
    rate: int = 8000,
    channels: int = 1,
    placeholder: int = PLACEHOLDER,
    patch: bool = True,
    stall_s: float = 0.0,
) -> bytes:
    """Write at the final path like REAPER/Ardour: placeholder header, chunks, then patch.

    Args:
        path: The final path.
        data: Sample bytes.
        seconds: How long the writing takes.
        chunks: Number of appends (each flushed and fsynced).
        rate: Sample rate written in the header, Hz.
        channels: Channels written in the header.
        placeholder: The size written until the end (0 or 0xFFFFFFFF).
        patch: Patch the real sizes before closing; ``False`` is an aborted render.
        stall_s: Pause half-way, the file open and unchanged (a slow plugin), s.

    Returns:
        The file's final bytes.
    """
    parts = _chunks(data, chunks)
    with open(path, "wb") as fh:
        fh.write(header(channels, rate, placeholder, placeholder))
        fh.flush()
        for i, part in enumerate(parts):
            time.sleep(seconds / len(parts) + (stall_s if i == len(parts) // 2 else 0.0))
            fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        if patch:
            fh.seek(4)
            fh.write(struct.pack("<I", 36 + len(data)))
            fh.seek(40)
            fh.write(struct.pack("<I", len(data)))
    return path.read_bytes()


def slow_copy(
    src: Path, dest: Path, *, seconds: float = 0.6, chunks: int = 12, stall_s: float = 0.0
) -> bytes:
    """Copy a finished file in chunks, like a file manager on a slow disk or share.

    ``stall_s`` pauses half-way with the file open and unchanged (a network hiccup).
    """
    content = src.read_bytes()
    step = max(len(content) // chunks, 1)
    with open(dest, "wb") as fh:
        for n, i in enumerate(range(0, len(content), step)):
            fh.write(content[i : i + step])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(seconds / chunks + (stall_s if n == chunks // 2 else 0.0))
    return content


def temp_then_rename(path: Path, content: bytes, *, seconds: float = 0.5) -> bytes:
    """Write ``path.part`` progressively (a temp name), then rename it into place."""
    tmp = path.with_name(path.name + ".part")
    slow_tmp = tmp.with_name(tmp.name + ".src")
    slow_tmp.write_bytes(content)
    try:
        slow_copy(slow_tmp, tmp, seconds=seconds)
    finally:
        slow_tmp.unlink()
    os.replace(tmp, path)
    return content


def truncated(path: Path, data: bytes, *, keep: float = 0.5, rate: int = 8000) -> bytes:
    """A render cut short: final sizes in the header, only part of the audio, then closed."""
    full = wav_bytes(data, rate)
    cut = full[: HEADER_BYTES + int(len(data) * keep) // 2 * 2]
    path.write_bytes(cut)
    return cut


def copy_into(src: Path, folder: Path) -> Path:
    """Copy a file into a folder at once (``shutil.copy``)."""
    return Path(shutil.copy(src, folder))
