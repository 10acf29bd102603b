"""Musical time: a tempo and a meter turn ``"bar:beat"`` positions into seconds.

Bars and beats count from 1, as a DAW's ruler does: ``"1:1"`` is 0 s, and at
120 BPM in 4/4 ``"2:1"`` is 2.0 s and ``"1:2.5"`` (half way through beat 2)
is 0.75 s. A beat is a quarter note's worth of the tempo's beats per minute; the
tempo is constant for the whole song.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Final

from bridge.automation.errors import AutomationError

__all__ = ["Position", "Tempo", "to_seconds"]

Position = str | float
"""A time: seconds (a number, or a string such as ``"12.5"``) or ``"bar:beat[.frac]"``."""

_BAR_BEAT: Final = re.compile(r"^\s*(\d+):(\d+(?:\.\d*)?)\s*$")


@dataclass(frozen=True)
class Tempo:
    """A constant tempo and meter.

    Attributes:
        bpm: Beats per minute, finite and above 0.
        beats_per_bar: Beats in a bar (4 for 4/4, 3 for 3/4), at least 1.

    Raises:
        AutomationError: On construction, if either is out of range.

    Example:
        >>> Tempo(120).seconds("2:3")
        3.0
    """

    bpm: float
    beats_per_bar: int = 4

    def __post_init__(self) -> None:
        bpm = self.bpm
        if isinstance(bpm, bool) or not isinstance(bpm, numbers.Real) or not 0 < bpm < math.inf:
            raise AutomationError(f"tempo {bpm!r} BPM is not a positive number")
        bpb = self.beats_per_bar
        if isinstance(bpb, bool) or not isinstance(bpb, int) or bpb < 1:
            raise AutomationError(f"beats_per_bar {bpb!r} is not a whole number of at least 1")

    @property
    def beat_s(self) -> float:
        """The length of one beat, in s."""
        return 60.0 / float(self.bpm)

    @property
    def bar_s(self) -> float:
        """The length of one bar, in s."""
        return self.beat_s * self.beats_per_bar

    def seconds(self, pos: Position) -> float:
        """Return a position in s from the start of the song.

        Args:
            pos: ``"bar:beat"`` or ``"bar:beat.frac"`` (1-based), or seconds as a
                number or a numeric string.

        Raises:
            AutomationError: The position is malformed, before ``"1:1"``, or names a
                beat the bar does not have (``"3:5"`` in 4/4).
        """
        return to_seconds(pos, self)

    def position(self, seconds: float) -> str:
        """Return ``"bar:beat"`` for a time in s, with the beat's fraction if any.

        Example:
            >>> Tempo(120).position(0.75)
            '1:2.5'
        """
        beats = round(seconds / self.beat_s, 9)
        bar, beat = divmod(beats, self.beats_per_bar)
        text = f"{beat + 1:.6f}".rstrip("0").rstrip(".")
        return f"{int(bar) + 1}:{text}"

    @staticmethod
    def parse_time(pos: Position, tempo: Tempo | None = None) -> float:
        """Return a position in s, reading ``"bar:beat"`` with ``tempo``.

        Args:
            pos: Seconds (a number or a numeric string) or ``"bar:beat[.frac]"``.
            tempo: Needed for ``"bar:beat"`` positions only.

        Raises:
            AutomationError: The position is malformed or negative, or it is in
                bars and beats and there is no tempo.
        """
        return to_seconds(pos, tempo)


def to_seconds(pos: Position, tempo: Tempo | None = None) -> float:
    """Return a position in s; see :meth:`Tempo.parse_time`."""
    if isinstance(pos, bool):
        raise AutomationError(f"time {pos!r} is not seconds or 'bar:beat'")
    if isinstance(pos, numbers.Real):
        return _check_seconds(float(pos), pos)
    if not isinstance(pos, str):
        raise AutomationError(f"time {pos!r} is not seconds or 'bar:beat'")
    m = _BAR_BEAT.match(pos)
    if m is None:
        try:
            value = float(pos)
        except ValueError:
            raise AutomationError(
                f"time {pos!r} is neither seconds nor 'bar:beat' (e.g. '5:1' or '5:2.5')"
            ) from None
        return _check_seconds(value, pos)
    if tempo is None:
        raise AutomationError(f"time {pos!r} is in bars and beats, which needs a tempo")
    bar, beat = int(m.group(1)), float(m.group(2))
    if bar < 1 or beat < 1:
        raise AutomationError(f"time {pos!r}: bars and beats are numbered from 1 ('1:1' = 0 s)")
    if beat >= tempo.beats_per_bar + 1:
        raise AutomationError(
            f"time {pos!r}: a bar of {tempo.beats_per_bar} beats has no beat {m.group(2)}"
        )
    return ((bar - 1) * tempo.beats_per_bar + (beat - 1)) * tempo.beat_s


def _check_seconds(value: float, given: object) -> float:
    if not math.isfinite(value) or value < 0:
        raise AutomationError(f"time {given!r} is not a finite number of seconds ≥ 0")
    return value
