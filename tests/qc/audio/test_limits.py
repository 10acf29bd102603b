"""The bounds of issue 17: durations as typed, block sizes, the first insane frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qc.audio.limits import (
    BLOCK_SAMPLES,
    MAX_FLOAT_SAMPLE,
    MAX_MPEG_SAMPLE,
    block_frames,
    first_insane,
    fmt_duration,
    level_problem,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600.0), ("90.5", 90.5), ("1:30", 90.0), ("90:00", 5400.0),
     ("24:00:00", 86400.0), ("149:00:00", 536400.0), ("0:00:01.5", 1.5)],
)  # fmt: skip
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "-1", "nan", "inf", "1e400", "1:00:60", "1:60:00", "x"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_duration(text)


def test_fmt_duration() -> None:
    assert [fmt_duration(s) for s in (0, 59.9, 3600, 536400, 1431655.7)] == [
        "0:00:00", "0:00:59", "1:00:00", "149:00:00", "397:40:55"
    ]  # fmt: skip


@pytest.mark.parametrize("channels", [1, 2, 8, 12, 64, 1024, 1 << 20])
def test_block_frames_budget(channels: int) -> None:
    frames = block_frames(channels)
    assert 1 <= frames <= 65536
    assert frames * channels <= max(BLOCK_SAMPLES, channels)
    assert block_frames(channels, 100) == min(100, frames)


def test_first_insane() -> None:
    block = np.zeros((10, 3))
    assert first_insane(block, 1.0) is None
    block[7, 2] = 5.0
    assert first_insane(block, MAX_MPEG_SAMPLE) is None
    block[6, 0] = 7.0
    assert first_insane(block, MAX_MPEG_SAMPLE) == (6, 7.0)
    block[8, 1] = -np.inf
    assert first_insane(block, MAX_MPEG_SAMPLE) == (8, math.inf)  # non-finite named first
    block[9, 1] = np.nan
    row, value = first_insane(block, MAX_MPEG_SAMPLE) or (0, 0.0)
    assert row == 8
    assert math.isinf(value)


def test_level_problem_names_the_frame_and_the_bound() -> None:
    block = np.zeros((100, 2))
    assert level_problem(block, 0, 48000, MAX_MPEG_SAMPLE, "corrupt MPEG stream") is None
    block[40, 1] = 100.0  # +40 dBFS
    assert level_problem(block, 48000, 48000, MAX_MPEG_SAMPLE, "corrupt MPEG stream") == (
        "corrupt MPEG stream: decoded level +40 dBFS at 1.001 s (frame 48040) "
        "exceeds the +16 dBFS any valid stream can reach"
    )
    assert level_problem(block, 0, 48000, MAX_FLOAT_SAMPLE) is None  # a float file may be hot
    block[30, 0] = np.nan
    assert level_problem(block, 0, 48000, MAX_FLOAT_SAMPLE) == (
        "NaN or Inf samples at 0.001 s (frame 30)"
    )
