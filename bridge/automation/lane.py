"""Automation lanes: one parameter of one track, as points on a timeline in seconds.

A lane is a tuple of :class:`Point` values, strictly increasing in time. Each
point carries the curve *from* it to the next point (see
:mod:`bridge.automation.curves`); the last point's curve is never used. Before
the first point a lane has the first point's value, after the last point the
last point's value. Lanes are frozen and validated when they are made, so a
lane that exists is a lane a DAW can play.
"""

from __future__ import annotations

import bisect
import math
import numbers
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt

from bridge.automation.curves import CURVES, Curve, Floats, interpolate, interpolate_one
from bridge.automation.errors import AutomationError
from bridge.automation.params import check_param_value, param_kind

__all__ = ["SLICE_PIECES", "AutomationError", "Lane", "Point", "TrackRef"]

TrackRef = str | int
"""A track by name, by 1-based number, or ``"master"``."""

SLICE_PIECES: Final = 32
"""Linear pieces that stand for the cut part of an s-curve or exponential segment."""


@dataclass(frozen=True)
class Point:
    """One automation point.

    Attributes:
        time_s: When, in s from the start of the song.
        value: The value there: dB for dB parameters, else in the parameter's range.
        curve: The curve from this point to the next one.
    """

    time_s: float
    value: float
    curve: Curve = "linear_db"


@dataclass(frozen=True)
class Lane:
    """The automation of one parameter of one track.

    Attributes:
        track: The track's name, its 1-based number, or ``"master"``.
        param: A parameter path: ``volume_db``, ``pan``, ``width``, ``mute``,
            ``solo``, ``send/N/level_db`` or ``fx/N/param/M`` (N and M numbers
            or names).
        points: At least one point; times finite, ≥ 0 s and strictly increasing;
            values in the parameter's range (dB: ``-inf`` … +24 dB; pan and width
            -1 … +1; mute and solo 0 or 1; plugin parameters in the DAW's units for
            them, any finite number here, checked against the DAW before a pass by
            :func:`~bridge.automation.passplugins.resolve_plugin_lanes`).

    Raises:
        AutomationError: On construction, naming the lane and the point at fault.

    Example:
        >>> lane = Lane("Vocals", "volume_db", (Point(0.0, -6.0), Point(2.0, 0.0)))
        >>> lane.value_at(1.0)
        -3.0
    """

    track: TrackRef
    param: str
    points: tuple[Point, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.points, tuple):
            object.__setattr__(self, "points", tuple(self.points))
        if isinstance(self.track, bool) or not isinstance(self.track, str | int):
            raise AutomationError(f"lane track {self.track!r} is not a name or a number")
        if isinstance(self.track, int) and self.track < 1:
            raise AutomationError(f"lane track {self.track}: tracks are numbered from 1")
        if isinstance(self.track, str) and not self.track:
            raise AutomationError("lane track name is empty")
        try:
            param_kind(self.param)
        except AutomationError as err:
            raise AutomationError(f"lane {self.track!r}: {err}") from None
        if not self.points:
            raise AutomationError(f"{self.label}: a lane needs at least one point")
        previous = -math.inf
        for i, p in enumerate(self.points, start=1):
            problem = _point_problem(self.param, p, previous)
            if problem:
                at = f" at {p.time_s!r} s" if isinstance(p, Point) else ""
                raise AutomationError(f"{self.label}, point {i}{at}: {problem}")
            previous = float(p.time_s)

    @property
    def label(self) -> str:
        """The lane as messages name it: ``lane 'Vocals' volume_db``."""
        return f"lane {self.track!r} {self.param}"

    @property
    def start_s(self) -> float:
        """The first point's time, in s."""
        return float(self.points[0].time_s)

    @property
    def end_s(self) -> float:
        """The last point's time, in s."""
        return float(self.points[-1].time_s)

    @cached_property
    def _time_list(self) -> list[float]:
        return [float(p.time_s) for p in self.points]

    @cached_property
    def _times(self) -> Floats:
        return np.array(self._time_list, dtype=np.float64)

    @cached_property
    def _values(self) -> Floats:
        return np.array([p.value for p in self.points], dtype=np.float64)

    def value_at(self, t: float) -> float:
        """Return the lane's value at ``t`` s (held before the first and after the last point)."""
        i = bisect.bisect_right(self._time_list, t) - 1
        if i < 0:
            return float(self.points[0].value)
        if i >= len(self.points) - 1:
            return float(self.points[-1].value)
        p, q = self.points[i], self.points[i + 1]
        x = (t - p.time_s) / (q.time_s - p.time_s)
        return interpolate_one(p.curve, p.value, q.value, x, param=self.param)

    def values_at(self, times_s: npt.ArrayLike) -> Floats:
        """Return the lane's values at many times at once.

        Args:
            times_s: Times in s, shape ``(n,)``, in any order.

        Returns:
            The values, shape ``(n,)``, float64; equal to :meth:`value_at` at each time.
        """
        t = np.asarray(times_s, dtype=np.float64)
        out = np.empty_like(t)
        seg = np.searchsorted(self._times, t, side="right") - 1
        out[seg < 0] = self._values[0]
        out[seg >= len(self.points) - 1] = self._values[-1]
        if t.size > 1 and bool(np.all(t[1:] >= t[:-1])):  # sorted (a render's block): slices
            bounds = np.searchsorted(t, self._times, side="left")
            for i in range(max(int(seg[0]), 0), min(int(seg[-1]) + 1, len(self.points) - 1)):
                lo, hi = int(bounds[i]), int(bounds[i + 1])
                if lo < hi:
                    p, q = self.points[i], self.points[i + 1]
                    x = (t[lo:hi] - p.time_s) / (q.time_s - p.time_s)
                    out[lo:hi] = interpolate(p.curve, p.value, q.value, x, param=self.param)
            return out
        inside = np.flatnonzero((seg >= 0) & (seg < len(self.points) - 1))
        order = inside[np.argsort(seg[inside], kind="stable")]  # grouped by segment, O(n log n)
        cuts = np.flatnonzero(np.diff(seg[order])) + 1
        for group in np.split(order, cuts) if len(order) else []:
            i = int(seg[group[0]])
            p, q = self.points[i], self.points[i + 1]
            x = (t[group] - p.time_s) / (q.time_s - p.time_s)
            out[group] = interpolate(p.curve, p.value, q.value, x, param=self.param)
        return out

    def sliced(self, start_s: float, end_s: float) -> Lane:
        """Return the part of the lane from ``start_s`` to ``end_s`` (absolute times, in s).

        The result has a point at ``start_s`` and at ``end_s`` with the lane's
        exact values there, and the points in between. A cut ``linear_db``,
        ``linear_amp`` or ``hold`` segment keeps its shape exactly; the cut part
        of an ``s_curve`` or ``exponential`` segment, which no curve expresses, is
        approximated by :data:`SLICE_PIECES` straight pieces, within 0.2 % of the
        segment's range (of its amplitude range for a level curve taken in
        amplitude).

        Raises:
            AutomationError: ``start_s`` is negative or after ``end_s``.
        """
        if not 0.0 <= start_s <= end_s or not math.isfinite(end_s):
            raise AutomationError(f"{self.label}: cannot slice {start_s!r} … {end_s!r} s")
        if start_s == end_s:
            return self._with([Point(start_s, self.value_at(start_s), "hold")])
        inner = [p for p in self.points if start_s < p.time_s < end_s]
        if not inner:
            points = self._pieces(start_s, end_s)
        else:
            points = [
                *self._pieces(start_s, inner[0].time_s),
                *inner[:-1],
                *self._pieces(inner[-1].time_s, end_s),
            ]
        return self._with([*points, Point(end_s, self.value_at(end_s), "hold")])

    def shifted(self, offset_s: float) -> Lane:
        """Return the lane moved by ``offset_s`` s (negative moves it earlier).

        Raises:
            AutomationError: A point would fall before 0 s.
        """
        return self._with([Point(p.time_s + offset_s, p.value, p.curve) for p in self.points])

    # ---- internals ----
    def _with(self, points: list[Point]) -> Lane:
        return Lane(self.track, self.param, tuple(points))

    def _pieces(self, a: float, b: float) -> list[Point]:
        """Points standing for the lane from ``a`` up to ``b`` (excluded), ``a < b``.

        ``[a, b]`` lies within one segment (or before the first or after the last
        point). Returns one point whose curve reproduces the lane there, or
        straight pieces where no curve does.
        """
        i = bisect.bisect_right(self._time_list, a) - 1
        value = self.value_at(a)
        kind = param_kind(self.param)
        if i < 0 or i >= len(self.points) - 1 or kind == "switch":
            return [Point(a, value, "hold")]
        p, q = self.points[i], self.points[i + 1]
        if p.curve == "hold" or (a == p.time_s and b == q.time_s):
            return [Point(a, value, p.curve)]
        in_amplitude = kind == "db" and (
            p.curve in ("linear_amp", "exponential") or math.isinf(p.value) or math.isinf(q.value)
        )
        straight: Curve = "linear_amp" if in_amplitude else "linear_db"
        if p.curve in ("linear_db", "linear_amp"):
            return [Point(a, value, straight)]
        times = np.linspace(a, b, SLICE_PIECES + 1)[:-1]
        return [Point(float(t), self.value_at(float(t)), straight) for t in times]


def _point_problem(param: str, p: object, previous: float) -> str | None:
    """Say what is wrong with one point of a lane, or return None."""
    if not isinstance(p, Point):
        return f"{p!r} is not a Point"
    t = p.time_s
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t):
        return f"time {t!r} is not a finite number of seconds"
    if t < 0:
        return "time is before 0 s"
    if t <= previous:
        return f"times must increase (the previous point is at {previous!r} s)"
    if p.curve not in CURVES:
        return f"unknown curve {p.curve!r} (one of {', '.join(CURVES)})"
    return check_param_value(param, p.value)
