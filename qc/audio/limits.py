"""What mixdesk refuses to measure, and why: channel count, duration, decoded level.

Pure functions and constants; the reader and the engine apply them.

- Channels: at most `MAX_CHANNELS` (64). 7.1.4 is 12 channels, a stem bounce
  24 or 32, third-order ambisonics 16; the meters keep a few numbers per channel
  per 100 ms, so the channel count multiplies what a long file costs.
- Duration: at most `DEFAULT_MAX_DURATION_S` (24 h) unless the caller says
  otherwise; checked from the header, before any sample is read.
- Block size: `block_frames` keeps a block's samples (frames x channels) under
  `BLOCK_SAMPLES`, so one block's memory does not depend on the channel count.
- Decoded level: integer PCM decodes to ``|x| <= 1`` by construction. Float
  files may exceed 0 dBFS, but beyond `MAX_FLOAT_SAMPLE` (+90 dBFS) the bytes
  are not audio. An MPEG decoder's output beyond `MAX_MPEG_SAMPLE` (+16 dBFS)
  comes from damaged data: the hottest valid encodes measured (full-scale
  random +-1 noise through LAME at 8 to 320 kbit/s and 8 to 48 kHz) decode to
  at most +10.5 dBFS; single flipped bytes in a -6 dBFS sine gave +17.5 to
  +88 dBFS.
"""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

__all__ = [
    "BLOCK_SAMPLES",
    "DEFAULT_MAX_DURATION_S",
    "MAX_CHANNELS",
    "MAX_FLOAT_SAMPLE",
    "MAX_MPEG_SAMPLE",
    "block_frames",
    "db",
    "first_insane",
    "fmt_duration",
    "level_problem",
    "parse_duration",
]

MAX_CHANNELS = 64
"""Most channels a file may have (7.1.4 is 12; 64 leaves room for stems and HOA)."""

DEFAULT_MAX_DURATION_S = 24 * 3600.0
"""Longest file measured unless told otherwise, s (24 h)."""

BLOCK_SAMPLES = 65536 * 8
"""Most samples (frames x channels) in one block: 65536 frames of 7.1, 4 MiB as float64."""

MAX_FLOAT_SAMPLE = 2.0**15
"""Largest magnitude of a float file's sample (+90 dBFS); past it the bytes are no signal."""

MAX_MPEG_SAMPLE = 10.0 ** (16 / 20)
"""Largest magnitude an MPEG decoder may output (+16 dBFS, about 6.3 x full scale)."""

_HMS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$")


def db(x: float) -> float:
    """``20 log10(x)``, dBFS for a linear magnitude (``x`` > 0)."""
    return 20.0 * math.log10(x)


def block_frames(channels: int, most: int = 65536) -> int:
    """Frames per block for ``channels`` channels, within the `BLOCK_SAMPLES` budget.

    Args:
        channels: Channel count (>= 1).
        most: Upper limit in frames (the caller's block size).

    Returns:
        ``min(most, BLOCK_SAMPLES // channels)``, at least 1 frame.
    """
    return max(1, min(most, BLOCK_SAMPLES // max(channels, 1)))


def fmt_duration(seconds: float) -> str:
    """Seconds as ``H:MM:SS`` (whole seconds, rounded down): ``149:00:00``."""
    total = int(seconds) if math.isfinite(seconds) else 0
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def parse_duration(text: str) -> float:
    """Parse seconds (``3600``, ``90.5``) or ``H:MM:SS`` / ``MM:SS`` into seconds.

    Args:
        text: The value as typed.

    Returns:
        The duration in seconds, > 0.

    Raises:
        ValueError: Not a positive, finite duration in one of those forms.
    """
    raw = text.strip()
    match = _HMS.match(raw)
    if match:
        hours, minutes, secs = match.groups()
        if (hours is not None and int(minutes) >= 60) or float(secs) >= 60:
            raise ValueError(f"{text!r}: minutes and seconds must be below 60")
        value = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    else:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{text!r} is not seconds or H:MM:SS") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return value


def first_insane(block: npt.NDArray[np.float64], limit: float) -> tuple[int, float] | None:
    """The first frame holding a non-finite sample or one beyond ``limit``.

    Args:
        block: Samples, shape ``(frames, channels)``, full scale 1.0.
        limit: Largest magnitude allowed, linear.

    Returns:
        ``(row, magnitude)`` of the first bad frame (magnitude NaN or Inf if a
        sample there is not finite), or None when every sample is sane.
    """
    with np.errstate(invalid="ignore"):
        sane = (np.abs(block) <= limit).all(axis=1)  # NaN fails the comparison too
    if sane.all():
        return None
    finite = np.isfinite(block).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        bad = block[row][~np.isfinite(block[row])]
        return row, float(np.abs(bad[0])) if not np.isnan(bad[0]) else math.nan
    row = int(np.argmin(sane))
    return row, float(np.abs(block[row]).max())


def level_problem(
    block: npt.NDArray[np.float64], first: int, rate: int, limit: float, kind: str = ""
) -> str | None:
    """Why a decoded block is not audio (a NaN or Inf, or past ``limit``), or None.

    Args:
        block: Samples, shape ``(frames, channels)``, full scale 1.0.
        first: Frame number of the block's first row in the file.
        rate: Sample rate, Hz (to say where, in seconds).
        limit: Largest magnitude allowed, linear.
        kind: What a breach means, e.g. ``corrupt MPEG stream``; empty for a float file.

    Returns:
        One line naming the first bad frame, or None when the block is sane.
    """
    found = first_insane(block, limit)
    if found is None:
        return None
    row, magnitude = found
    at = f"{(first + row) / rate:.3f} s (frame {first + row})"
    if not math.isfinite(magnitude):
        reason = f"NaN or Inf samples at {at}"
    elif not kind:
        reason = (
            f"a sample at {db(magnitude):+.0f} dBFS at {at}: corrupt float data "
            f"(more than {db(MAX_FLOAT_SAMPLE):+.0f} dBFS is no signal)"
        )
    else:
        reason = (
            f"decoded level {db(magnitude):+.0f} dBFS at {at} exceeds the "
            f"{db(limit):+.0f} dBFS any valid stream can reach"
        )
    return f"{kind}: {reason}" if kind else reason
