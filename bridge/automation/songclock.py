"""The song position while the DAW plays: the wall clock, steered by the DAW's position feedback.

A DAW reports its play position 10–15 times a second (REAPER's ``/time``,
Ardour's ``/position/samples``), late by the network and its own tick. Between
reports the position is extrapolated on the local monotonic clock. Each new
report is compared with the extrapolation at the moment it arrived: small
errors are corrected by a fraction at a time (so values never jump), large ones
(a locate, a DAW that started late) are taken at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bridge.mixer.mirror import Mirror

__all__ = ["SongClock"]


@dataclass
class _Anchor:
    position_s: float
    at: float


class SongClock:
    """Song position in s, from a start point, the local clock and the DAW's reports.

    Args:
        mirror: Where the DAW's ``position_s`` reports land.
        clock: Monotonic clock in s (injected for tests).
        gain: Fraction of a small error corrected per report (0..1).
        snap_s: Errors larger than this (s) are taken at once.
    """

    def __init__(
        self,
        mirror: Mirror,
        *,
        clock: Callable[[], float] = time.monotonic,
        gain: float = 0.25,
        snap_s: float = 0.25,
    ) -> None:
        self._mirror = mirror
        self._clock = clock
        self._gain = gain
        self._snap_s = snap_s
        self._anchor = _Anchor(0.0, clock())
        self._seen: float | None = None
        self.reports = 0
        """DAW position reports taken into account."""
        self.last_error_s = 0.0
        """The last report's error against the extrapolation, in s (+ = we were behind)."""

    def start(self, position_s: float) -> None:
        """The transport starts rolling from ``position_s`` now."""
        self._anchor = _Anchor(position_s, self._clock())
        self._seen = self._mirror.changed_at(None, "position_s")

    def now(self) -> float:
        """The song position in s at this instant, after steering by any new report."""
        self._steer()
        return self._anchor.position_s + (self._clock() - self._anchor.at)

    def at(self, when: float) -> float:
        """The song position in s at local monotonic time ``when`` (no new steering)."""
        return self._anchor.position_s + (when - self._anchor.at)

    def _steer(self) -> None:
        arrived = self._mirror.changed_at(None, "position_s")
        if arrived is None or arrived == self._seen:
            return
        self._seen = arrived
        reported = self._mirror.get(None, "position_s")
        if not isinstance(reported, float | int) or isinstance(reported, bool):
            return
        expected = self.at(arrived)
        error = float(reported) - expected
        self.reports += 1
        self.last_error_s = error
        if abs(error) > self._snap_s:
            self._anchor = _Anchor(float(reported), arrived)
        else:
            self._anchor = _Anchor(self._anchor.position_s + self._gain * error, self._anchor.at)
