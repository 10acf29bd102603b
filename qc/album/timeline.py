"""The album timeline: where each pre-gap and track falls, in samples.

At 44.1 kHz the timeline is the disc's: every gap is rounded up to whole CD
frames (588 samples, IEC 60908) and every track is padded with silence to a
whole frame, so every ``INDEX 00`` and ``INDEX 01`` falls on a frame and no
audio is ever cut. At any other rate it is exact to the sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qc.measure.album import CD_FRAME_SAMPLES, CD_RATE, cd_frames

__all__ = ["Slot", "layout", "msf"]


@dataclass(frozen=True)
class Slot:
    """One track's place on the timeline, samples per channel from the album's start.

    Attributes:
        pregap: Where its pre-gap (``INDEX 00``) starts.
        start: Where its audio (``INDEX 01``) starts.
        frames: Its audio's length.
        end: Where the next pre-gap starts (after the padding).
    """

    pregap: int
    start: int
    frames: int
    end: int

    @property
    def padding(self) -> int:
        """Silence after the audio to the end of its CD frame, samples."""
        return self.end - self.start - self.frames


def layout(frames: Sequence[int], gaps_s: Sequence[float], rate: int) -> tuple[Slot, ...]:
    """Lay tracks end to end with their gaps.

    Args:
        frames: Each track's length, samples per channel (0 if unreadable).
        gaps_s: The pause before each track, s.
        rate: Sample rate, Hz; at 44,100 Hz everything falls on CD frames.

    Returns:
        One slot per track, in order.
    """
    cd = rate == CD_RATE
    slots = []
    at = 0
    for n, gap_s in zip(frames, gaps_s, strict=True):
        gap = round(gap_s * rate)
        if cd:
            gap = cd_frames(gap) * CD_FRAME_SAMPLES
        start = at + gap
        end = start + (cd_frames(n) * CD_FRAME_SAMPLES if cd else n)
        slots.append(Slot(at, start, n, end))
        at = end
    return tuple(slots)


def msf(samples: int) -> str:
    """A CD position ``MM:SS:FF`` (75 frames a second) of a sample offset at 44.1 kHz.

    Args:
        samples: Offset, samples per channel; a whole number of CD frames.

    Returns:
        Minutes, seconds and frames, as a CUE sheet writes them.
    """
    frames = samples // CD_FRAME_SAMPLES
    return f"{frames // 4500:02d}:{frames // 75 % 60:02d}:{frames % 75:02d}"
