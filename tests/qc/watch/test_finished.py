"""Header sizes against file size, on headers from real writers (libsndfile) and by hand."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.audio.sniff import HEAD_BYTES
from qc.watch.finished import completeness, probe
from tests.qc.watch.writers import PLACEHOLDER, header, tone, wav_bytes

DATA = tone(0.25)


def state(content: bytes) -> str:
    return completeness(content[:HEAD_BYTES], len(content)).state


@pytest.mark.parametrize(
    ("fmt", "ext"), [("WAV", "wav"), ("RF64", "rf64"), ("AIFF", "aif"), ("W64", "w64")]
)
def test_libsndfile_mid_write_is_incomplete_and_closed_file_is_complete(
    tmp_path: Path, fmt: str, ext: str
) -> None:
    path = tmp_path / f"x.{ext}"
    with sf.SoundFile(path, "w", 16000, 2, format=fmt, subtype="PCM_24") as f:
        for _ in range(3):
            f.write(np.full((4000, 2), 0.1))
            f.flush()
            mid = completeness(path.read_bytes()[:HEAD_BYTES], path.stat().st_size)
            assert mid.state == "incomplete", mid
            assert "placeholders" in mid.reason
    done = completeness(path.read_bytes()[:HEAD_BYTES], path.stat().st_size)
    assert done.state == "complete", done
    assert done.container == ("aiff" if ext == "aif" else ext)


@pytest.mark.parametrize("placeholder", [0, PLACEHOLDER])
def test_placeholder_sizes_are_incomplete(placeholder: int) -> None:
    content = header(1, 8000, placeholder, placeholder) + DATA
    check = completeness(content, len(content))
    assert check.state == "incomplete"
    assert f"{len(DATA):,} bytes of audio written so far" in check.reason


def test_data_patched_but_riff_not_yet_is_incomplete() -> None:
    content = header(1, 8000, len(DATA), riff_bytes=0) + DATA
    assert state(content) == "incomplete"


def test_copy_in_progress_declares_more_than_present() -> None:
    full = wav_bytes(DATA)
    check = completeness(full[:1000], 1000)
    assert check.state == "incomplete"
    assert f"declares {len(DATA):,} bytes of audio but the file holds {1000 - 44:,}" in check.reason
    assert state(full) == "complete"


def test_riff_size_beyond_the_file_is_incomplete() -> None:
    """Trailing chunks (LIST, cue) still missing: data fits but the container does not."""
    content = header(1, 8000, len(DATA), riff_bytes=36 + len(DATA) + 100) + DATA
    check = completeness(content, len(content))
    assert check.state == "incomplete"
    assert "container" in check.reason


def test_trailing_bytes_after_the_container_are_allowed() -> None:
    assert state(wav_bytes(DATA) + b"ID3\x03\x00" + b"\x00" * 40) == "complete"


def test_missing_pad_byte_is_tolerated() -> None:
    odd = DATA[:-1]
    content = header(1, 8000, len(odd), riff_bytes=36 + len(odd) + 1) + odd
    assert state(content) == "complete"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "incomplete"),  # empty
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "incomplete"),  # header still being written
        (header(1, 8000, 0, 36), "incomplete"),  # header only, no audio yet
        (b"fLaC" + b"\x00" * 100, "unknown"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 100, "unknown"),
        (b"garbage bytes" * 10, "unknown"),
    ],
)
def test_other_shapes(content: bytes, expected: str) -> None:
    assert state(content) == expected


def test_data_chunk_beyond_the_head_cannot_be_judged() -> None:
    junk = b"JUNK" + struct.pack("<I", HEAD_BYTES) + b"\x00" * HEAD_BYTES
    content = b"RIFF" + struct.pack("<I", 4 + len(junk)) + b"WAVE" + junk + b"\x00" * 64
    assert state(content) == "unknown"


def test_probe_reads_a_real_file_and_sees_it_vanish(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(wav_bytes(DATA))
    p = probe(path, wall=lambda: path.stat().st_mtime + 5.0)
    assert p is not None
    assert p.header.state == "complete"
    assert p.size == path.stat().st_size
    assert p.age_s == pytest.approx(5.0)
    path.unlink()
    assert probe(path) is None
    assert probe(tmp_path) is None  # a folder is not a bounce
