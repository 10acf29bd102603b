"""Helpers that build the lanes a mix engineer draws by hand: ramps, fades, rides, ducks.

Times are seconds or ``"bar:beat"`` strings (with a :class:`Tempo`). Every
helper returns a validated :class:`Lane`; :func:`merge` joins several of them
for one parameter into one lane.

A helper's last point holds (curve ``"hold"``), so when lanes are merged the
value stays put between one move and the next, and the next move starts from
its own first value.

Example:
    >>> tempo = Tempo(120)
    >>> lanes = merge([fade_in("Pad", "1:1", "3:1", tempo=tempo),
    ...                fade_out("Pad", "9:1", "11:1", tempo=tempo)])
    >>> [p.time_s for p in lanes[0].points]
    [0.0, 4.0, 16.0, 20.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

from bridge.automation.curves import Curve
from bridge.automation.errors import AutomationError
from bridge.automation.lane import Lane, Point, TrackRef
from bridge.automation.params import param_kind
from bridge.automation.timebase import Position, Tempo, to_seconds

__all__ = ["duck", "fade_in", "fade_out", "merge", "ramp", "ride"]


def _span(start: Position, end: Position, tempo: Tempo | None, what: str) -> tuple[float, float]:
    a, b = to_seconds(start, tempo), to_seconds(end, tempo)
    if b <= a:
        raise AutomationError(f"{what}: the end {end!r} is not after the start {start!r}")
    return a, b


def ramp(  # noqa: PLR0917 (the positional order is the documented API)
    track: TrackRef,
    param: str,
    start: Position,
    end: Position,
    from_value: float,
    to_value: float,
    curve: Curve = "linear_db",
    tempo: Tempo | None = None,
) -> Lane:
    """Return a lane that moves ``param`` from one value to another between two times.

    Args:
        track: Track name, 1-based number or ``"master"``.
        param: The parameter path.
        start: When the move starts (s or ``"bar:beat"``).
        end: When it arrives, after ``start``.
        from_value: The value at ``start`` (dB for dB parameters).
        to_value: The value at ``end``.
        curve: The move's curve. Defaults to ``"linear_db"``.
        tempo: Needed for ``"bar:beat"`` times.

    Raises:
        AutomationError: Bad times or values, naming them.
    """
    a, b = _span(start, end, tempo, f"ramp of {track!r} {param}")
    return Lane(track, param, (Point(a, from_value, curve), Point(b, to_value, "hold")))


def _fade_param(param: str) -> str:
    if param_kind(param) != "db":
        raise AutomationError(f"a fade moves a level in dB, not {param!r}")
    return param


def fade_in(
    track: TrackRef,
    start: Position,
    end: Position,
    floor_db: float = -math.inf,
    curve: Curve = "s_curve",
    *,
    to_db: float = 0.0,
    param: str = "volume_db",
    tempo: Tempo | None = None,
) -> Lane:
    """Return a fade from ``floor_db`` at ``start`` up to ``to_db`` at ``end``.

    From ``-inf`` dB the default ``s_curve`` is a raised-cosine amplitude fade
    (see :mod:`bridge.automation.curves`).

    Args:
        track: Track name, 1-based number or ``"master"``.
        start: When the fade starts (s or ``"bar:beat"``).
        end: When it reaches ``to_db``.
        floor_db: The level the fade starts from, in dB. Defaults to ``-inf``.
        curve: The fade's curve. Defaults to ``"s_curve"``.
        to_db: The level it reaches, in dB. Defaults to 0 dB.
        param: A dB parameter. Defaults to ``"volume_db"``.
        tempo: Needed for ``"bar:beat"`` times.
    """
    return ramp(track, _fade_param(param), start, end, floor_db, to_db, curve, tempo)


def fade_out(
    track: TrackRef,
    start: Position,
    end: Position,
    floor_db: float = -math.inf,
    curve: Curve = "s_curve",
    *,
    from_db: float = 0.0,
    param: str = "volume_db",
    tempo: Tempo | None = None,
) -> Lane:
    """Return a fade from ``from_db`` at ``start`` down to ``floor_db`` at ``end``.

    Args:
        track: Track name, 1-based number or ``"master"``.
        start: When the fade starts (s or ``"bar:beat"``).
        end: When it reaches ``floor_db``.
        floor_db: The level the fade ends at, in dB. Defaults to ``-inf``.
        curve: The fade's curve. Defaults to ``"s_curve"``.
        from_db: The level it starts from, in dB. Defaults to 0 dB.
        param: A dB parameter. Defaults to ``"volume_db"``.
        tempo: Needed for ``"bar:beat"`` times.
    """
    return ramp(track, _fade_param(param), start, end, from_db, floor_db, curve, tempo)


def ride(
    track: TrackRef,
    moves: Sequence[tuple[Position, float]],
    curve: Curve = "s_curve",
    param: str = "volume_db",
    *,
    glide_s: float | None = None,
    tempo: Tempo | None = None,
) -> Lane:
    """Return a fader ride: a sequence of targets, each reached smoothly at its time.

    Args:
        track: Track name, 1-based number or ``"master"``.
        moves: ``(time, value)`` targets in time order; the first one is where
            the ride starts.
        curve: The curve of each move. Defaults to ``"s_curve"``.
        param: The parameter ridden. Defaults to ``"volume_db"``.
        glide_s: How long each move takes, in s: the fader holds the previous
            target until ``glide_s`` before the next one's time. None (the
            default) moves all the time from one target to the next.
        tempo: Needed for ``"bar:beat"`` times.

    Raises:
        AutomationError: No moves, times not increasing, or a bad ``glide_s``.

    Example:
        >>> [p.time_s for p in ride("Vox", [(0, -6.0), (10, -3.0)], glide_s=1.0).points]
        [0.0, 9.0, 10.0]
    """
    if not moves:
        raise AutomationError(f"ride of {track!r} {param}: no moves")
    if glide_s is not None and not 0.0 < glide_s < math.inf:
        raise AutomationError(f"ride of {track!r} {param}: glide_s {glide_s!r} is not above 0 s")
    targets = [(to_seconds(t, tempo), v) for t, v in moves]
    points = [Point(targets[0][0], targets[0][1], curve)]
    for (t0, v0), (t1, v1) in itertools.pairwise(targets):
        begin = t0 if glide_s is None else max(t0, t1 - glide_s)
        if begin > t0:  # hold the previous target, then move
            points[-1] = Point(t0, v0, "hold")
            points.append(Point(begin, v0, curve))
        points.append(Point(t1, v1, curve))
    points[-1] = Point(points[-1].time_s, points[-1].value, "hold")
    return Lane(track, param, tuple(points))


def duck(
    track: TrackRef,
    spans: Iterable[tuple[Position, Position]],
    depth_db: float,
    attack_s: float,
    release_s: float,
    *,
    level_db: float = 0.0,
    param: str = "volume_db",
    curve: Curve = "s_curve",
    tempo: Tempo | None = None,
) -> Lane:
    """Return a lane that dips a level while something else plays (a vocal, a solo).

    The level is down by ``depth_db`` from the start of each span, having moved
    during ``attack_s`` before it, and is back at ``level_db`` ``release_s``
    after the span's end. Spans whose moves would meet are joined into one dip.

    Args:
        track: The track to duck.
        spans: ``(start, end)`` times of the other part, in any order.
        depth_db: How far down, in dB (≥ 0).
        attack_s: How long the move down takes, in s (≥ 0; 0 steps).
        release_s: How long the move back up takes, in s (≥ 0; 0 steps).
        level_db: The level outside the spans, in dB. Defaults to 0 dB.
        param: A dB parameter. Defaults to ``"volume_db"``.
        curve: The curve of the moves. Defaults to ``"s_curve"``.
        tempo: Needed for ``"bar:beat"`` times.

    Raises:
        AutomationError: A negative or non-finite depth, attack or release, or a
            span that ends before it starts.
    """
    what = f"duck of {track!r}"
    for name, value in (("depth_db", depth_db), ("attack_s", attack_s), ("release_s", release_s)):
        if not 0.0 <= value < math.inf:
            raise AutomationError(f"{what}: {name} {value!r} is not a finite value ≥ 0")
    low = level_db - depth_db
    dips: list[list[float]] = []  # [down_from, start, end, up_until]
    for a, b in sorted(_span(s, e, tempo, what) for s, e in spans):
        down = max(0.0, a - attack_s)
        if dips and down <= dips[-1][3]:
            dips[-1][2] = max(dips[-1][2], b)
            dips[-1][3] = max(dips[-1][3], b + release_s)
        else:
            dips.append([down, a, b, b + release_s])
    points: list[Point] = []
    for down, a, b, up in dips:
        if down < a:
            points.append(Point(down, level_db, curve))
        points.append(Point(a, low, "hold"))
        if up > b:
            points += [Point(b, low, curve), Point(up, level_db, "hold")]
        else:
            points.append(Point(b, level_db, "hold"))
    if not points:
        points = [Point(0.0, level_db, "hold")]
    elif points[0].value != level_db and points[0].time_s > 0:
        points.insert(0, Point(0.0, level_db, "hold"))
    return Lane(track, _fade_param(param), tuple(points))


def merge(lanes: Iterable[Lane]) -> list[Lane]:
    """Join lanes of the same track and parameter into one lane each.

    Lanes of one parameter must not overlap in time; two may touch when they
    agree on the value where they meet (the later lane's curve goes on).

    Args:
        lanes: Lanes in any order.

    Returns:
        One lane per (track, parameter), in the order each first appears.

    Raises:
        AutomationError: Two lanes of one parameter overlap, naming both spans.
    """
    groups: dict[tuple[TrackRef, str], list[Lane]] = {}
    for lane in lanes:
        groups.setdefault((lane.track, lane.param), []).append(lane)
    merged = []
    for (track, param), group in groups.items():
        group.sort(key=lambda lane: lane.start_s)
        points = list(group[0].points)
        for prev, lane in itertools.pairwise(group):
            meets = lane.start_s == prev.end_s and lane.points[0].value == prev.points[-1].value
            if lane.start_s <= prev.end_s and not meets:
                raise AutomationError(
                    f"cannot merge {lane.label}: {_when(lane)} overlaps {_when(prev)}"
                )
            points = points[:-1] if meets else points
            points += lane.points
        merged.append(Lane(track, param, tuple(points)))
    return merged


def _when(lane: Lane) -> str:
    return f"{lane.start_s:g} … {lane.end_s:g} s"
