"""Recorded automation as stored: one parameter's points and open pass, and the lanes they give.

A pass (see :mod:`bridge.virtual.recorder` for when one opens and closes) adds
a point ``(position, value)`` for every value received. A point less than
:data:`THIN_S` after the pass's previous point replaces that point's value (its
time is kept), so a pass holds at most one point per millisecond whatever the
message rate; a point earlier than the pass's last (the transport went back)
starts a new pass. Closing a pass replaces the points an earlier pass left
inside its span ``[punch-in, punch-out]`` (both ends included); points outside
it are kept.

Between points a lane interpolates linearly (REAPER records points and
interpolates linearly between them); volume interpolates in dB, with ``-inf``
counting as :data:`FLOOR_DB` (REAPER's OSC floor) and values at or below it
giving ``-inf``. Before the first point and after the last, a lane holds the
end value.

"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["FLOOR_DB", "THIN_S", "Floats", "Points", "RecordedLane"]

THIN_S: Final = 0.001
"""Points of one pass closer than this (s) are merged into one."""

FLOOR_DB: Final = -150.0
"""Volume ``-inf`` counts as this many dB between points."""

Floats = npt.NDArray[np.float64]
"""A float64 array, shape ``(n,)``."""


@dataclass(frozen=True, eq=False)
class RecordedLane:
    """A recorded lane: points ``(times_s[i], values[i])`` with linear interpolation.

    Attributes:
        track: Track name.
        param: ``"volume_db"``, ``"pan"``, ``"fx/N/param/M"`` or ``"send/N/level_db"``.
        times_s: Point times in s, shape ``(n,)``, increasing, ``n >= 1``.
        values: Point values (dB, ``-inf`` allowed; pan -1..+1; a plugin
            parameter in its units), shape ``(n,)``.
    """

    track: str
    param: str
    times_s: Floats
    values: Floats

    @property
    def start_s(self) -> float:
        """Time of the first point in s."""
        return float(self.times_s[0])

    @property
    def end_s(self) -> float:
        """Time of the last point in s."""
        return float(self.times_s[-1])

    def values_at(self, times_s: Floats) -> Floats:
        """Return the lane at ``times_s`` (s, shape ``(n,)``), shape ``(n,)``."""
        if not self.param.endswith(("volume_db", "level_db")):
            out: Floats = np.interp(times_s, self.times_s, self.values)
            return out
        db = np.interp(times_s, self.times_s, np.maximum(self.values, FLOOR_DB))
        db[db <= FLOOR_DB] = -np.inf
        return db

    def value_at(self, t: float) -> float:
        """Return the lane at one time ``t`` in s."""
        return float(self.values_at(np.array([t], dtype=np.float64))[0])

    def points(self) -> list[tuple[float, float]]:
        """Return the points as ``(time in s, value)`` pairs."""
        return list(zip(self.times_s.tolist(), self.values.tolist(), strict=True))


@dataclass
class Points:
    """The points of one track parameter: committed, and the open pass (if any)."""

    times: array[float] = field(default_factory=lambda: array("d"))
    values: array[float] = field(default_factory=lambda: array("d"))
    pass_start: float | None = None
    pass_times: array[float] = field(default_factory=lambda: array("d"))
    pass_values: array[float] = field(default_factory=lambda: array("d"))

    def add(self, t: float, v: float) -> None:
        """Add a point to the open pass (opening one at ``t``), thinning to 1 per ``THIN_S``."""
        if self.pass_start is not None and self.pass_times and t < self.pass_times[-1]:
            self.close(self.pass_times[-1])  # the transport went back: a new pass
        if self.pass_start is None:
            self.pass_start = t
        if self.pass_times and t - self.pass_times[-1] < THIN_S * (1.0 - 1e-9):
            self.pass_values[-1] = v
            return
        self.pass_times.append(t)
        self.pass_values.append(v)

    def merged(self, end_s: float | None = None) -> tuple[Floats, Floats]:
        """Return the points with the open pass merged in as if it ended at ``end_s``."""
        times, values = np.array(self.times, dtype=np.float64), np.array(self.values)
        if self.pass_start is None:
            return times, values
        end = self.pass_times[-1] if end_s is None else end_s
        lo = int(np.searchsorted(times, self.pass_start, side="left"))
        hi = int(np.searchsorted(times, end, side="right"))
        return (
            np.concatenate([times[:lo], np.array(self.pass_times), times[hi:]]),
            np.concatenate([values[:lo], np.array(self.pass_values), values[hi:]]),
        )

    def close(self, end_s: float) -> None:
        """End the open pass at ``end_s``, replacing older points inside its span."""
        if self.pass_start is None:
            return
        times, values = self.merged(max(end_s, self.pass_times[-1]))
        self.times, self.values = array("d", times.tolist()), array("d", values.tolist())
        self.pass_start = None
        self.pass_times, self.pass_values = array("d"), array("d")
