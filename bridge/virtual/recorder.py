"""Live automation recording, as REAPER's write modes do it; pure state, no clock, no I/O.

Per track, an automation mode (REAPER's words): ``trim`` (the default: nothing
is recorded and recorded lanes are not played), ``read``, ``touch``, ``latch``
or ``write``. The volume and pan of a track are recorded while the transport
rolls, and so are its plugin parameters (``fx/N/param/M``, in the
parameter's units) and send levels (``send/N/level_db``, dB), by the same
rules (only volume and pan have touch messages):

* **write**: from play (or from switching to write while playing) until stop;
* **touch**: while the control is touched (``touch 1`` … ``touch 0``);
* **latch**: from the first touch, or the first value change, until stop.

Recording happens in *passes*. A pass starts with a point at the punch-in
position holding the parameter's current value, adds a point ``(position,
value)`` for every value received, and ends at the punch-out position (stop,
release in touch mode, locate, or a mode change) with a point holding the
current value. Closing a pass replaces the points an earlier pass left inside
its span ``[punch-in, punch-out]`` (both ends included); points outside it are
kept. A point less than :data:`THIN_S` after the pass's previous point replaces
that point's value (its time is kept), so a pass holds at most one point per
millisecond whatever the message rate. The mode is kept after stop.

Lanes interpolate linearly between points (:class:`RecordedLane`, stored in
:mod:`bridge.virtual.recorded` with the pass bookkeeping of each parameter).

The caller serialises calls (the server holds its lock).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Final

from bridge.virtual.errors import VirtualDawError
from bridge.virtual.recorded import FLOOR_DB, THIN_S, Points, RecordedLane

__all__ = [
    "FLOOR_DB",
    "MODES",
    "RECORDABLE",
    "THIN_S",
    "RecordedLane",
    "Recorder",
    "recordable",
]

MODES: Final = ("trim", "read", "touch", "latch", "write")
"""REAPER's automation modes; ``trim`` is off."""

RECORDABLE: Final = ("volume_db", "pan")
"""The parameters touched and recorded from play in write mode (REAPER's stock touch
patterns cover these two); plugin parameters and sends are recorded too (:func:`recordable`)."""

_DYNAMIC: Final = re.compile(r"^(fx/[1-9]\d{0,8}/param/[1-9]\d{0,8}|send/[1-9]\d{0,8}/level_db)$")


def recordable(param: str) -> bool:
    """Whether ``param`` is recorded: volume_db, pan, fx/N/param/M or send/N/level_db."""
    return param in RECORDABLE or _DYNAMIC.match(param) is not None


Key = tuple[str, str]  # (track, param)


class Recorder:
    """Automation modes, touch state and recorded points of every track.

    Args:
        tracks: The track names (every track starts in ``trim``).
        current: Returns a track parameter's current value, for the points at
            punch-in and punch-out: ``current(track, param)``.
    """

    def __init__(self, tracks: Iterable[str], current: Callable[[str, str], float]) -> None:
        self._modes = dict.fromkeys(tracks, "trim")
        self._current = current
        self._points: dict[Key, Points] = {}
        self._touched: set[Key] = set()
        self._latched: set[Key] = set()
        self._playing = False

    # ---- state ----
    def mode(self, track: str) -> str:
        """Return the track's automation mode, one of :data:`MODES`."""
        return self._modes[track]

    def lane(self, track: str, param: str) -> RecordedLane | None:
        """Return what is recorded for a track parameter (the open pass included), or None."""
        p = self._points.get((track, param))
        if p is None:
            return None
        times, values = p.merged()
        return RecordedLane(track, param, times, values) if times.size else None

    def lanes(self, track: str) -> dict[str, RecordedLane]:
        """Return the track's recorded lanes by parameter."""
        params = [
            *RECORDABLE,
            *sorted({p for t, p in self._points if t == track} - set(RECORDABLE)),
        ]
        out = {param: self.lane(track, param) for param in params}
        return {param: lane for param, lane in out.items() if lane is not None}

    def points(self, track: str) -> dict[str, list[tuple[float, float]]]:
        """Return the track's recorded points, ``param → [(time in s, value), ...]``."""
        return {param: lane.points() for param, lane in self.lanes(track).items()}

    # ---- recording primitives ----
    def record(self, track: str, param: str, position_s: float, value: float) -> None:
        """Add a point to the track parameter's open pass, opening one if needed.

        Args:
            track: Track name.
            param: A :func:`recordable` parameter.
            position_s: Transport position in s.
            value: dB (``-inf`` allowed), pan -1..+1, or a plugin value in units.

        Raises:
            VirtualDawError: Unknown track or parameter, or a NaN.
        """
        self._check(track, param)
        if math.isnan(position_s) or math.isnan(value):
            raise VirtualDawError(f"{track} {param}: cannot record NaN")
        self._points.setdefault((track, param), Points()).add(position_s, value)

    def clear(self, track: str) -> None:
        """Forget the track's recorded points."""
        for key in [k for k in self._points if k[0] == track]:
            del self._points[key]

    def rename(self, old: str, new: str) -> None:
        """Move a track's mode, touch state and points to its new name."""
        self._modes[new] = self._modes.pop(old)
        for keys in (self._touched, self._latched):
            for key in [k for k in keys if k[0] == old]:
                keys.discard(key)
                keys.add((new, key[1]))
        # Rebuild in order so the dict keeps its insertion order (nothing else moves).
        self._points = {((new, k[1]) if k[0] == old else k): v for k, v in self._points.items()}

    # ---- events from the control surface and the transport ----
    def set_mode(self, track: str, mode: str, position_s: float) -> None:
        """Set the track's mode; a pass in progress ends, and one starts if the new mode writes."""
        if mode not in MODES:
            raise VirtualDawError(f"unknown automation mode {mode!r}; use one of {MODES}")
        self._check(track, RECORDABLE[0])
        for key in [k for k in self._points if k[0] == track]:
            self._punch_out(key, position_s)
        self._modes[track] = mode
        self._punch_in_armed(position_s, track)

    def touch(self, track: str, param: str, on: bool, position_s: float) -> None:
        """A control was touched (``on``) or released."""
        self._check(track, param)
        key = (track, param)
        if on:
            self._touched.add(key)
            if self._playing and self._modes[track] == "latch":
                self._latched.add(key)
            self._punch_in_armed(position_s, track)
        else:
            self._touched.discard(key)
            if self._modes[track] == "touch":
                self._punch_out(key, position_s)

    def changed(
        self, track: str, param: str, position_s: float, value: float, before: float | None = None
    ) -> None:
        """A parameter got a new value from the control surface; record it if armed.

        Args:
            track: Track name.
            param: The parameter (not :func:`recordable` ones are ignored).
            position_s: Transport position in s.
            value: The new value.
            before: The value before this change. A pass of a plugin parameter or
                send that this change opens starts with it, :data:`THIN_S` earlier
                (their passes do not open at play).
        """
        if not recordable(param):
            return
        key = (track, param)
        if self._playing and self._modes[track] == "latch":
            self._latched.add(key)  # latch also starts on the first change
        p = self._points.get(key)
        open_pass = p is not None and p.pass_start is not None
        if open_pass or (self._playing and self._armed(key)):
            fresh = not open_pass and param not in RECORDABLE and before is not None
            if fresh and position_s >= THIN_S and before != value:
                assert before is not None
                self.record(track, param, position_s - THIN_S, before)
            self.record(track, param, position_s, value)

    def play(self, position_s: float) -> None:
        """The transport started rolling at ``position_s``."""
        self._playing = True
        self._punch_in_armed(position_s)

    def stop(self, position_s: float) -> None:
        """The transport stopped at ``position_s``: every pass ends, latches are released."""
        for key in list(self._points):
            self._punch_out(key, position_s)
        self._playing = False
        self._latched.clear()

    def locate(self, from_s: float, to_s: float) -> None:
        """The play position jumped while rolling: passes end at ``from_s``, restart at ``to_s``."""
        if not self._playing:
            return
        for key in list(self._points):
            self._punch_out(key, from_s)
        self._punch_in_armed(to_s)

    # ---- internals ----
    def _check(self, track: str, param: str) -> None:
        if track not in self._modes:
            raise VirtualDawError(f"no track {track!r} to automate")
        if not recordable(param):
            raise VirtualDawError(
                f"cannot record {param!r}; recorded: volume_db, pan, fx/N/param/M, send/N/level_db"
            )

    def _armed(self, key: Key) -> bool:
        mode = self._modes[key[0]]
        return (
            mode == "write"
            or (mode == "touch" and key in self._touched)
            or (mode == "latch" and (key in self._touched or key in self._latched))
        )

    def _punch_in_armed(self, position_s: float, track: str | None = None) -> None:
        if not self._playing:
            return
        for name in self._modes if track is None else (track,):
            for param in RECORDABLE:
                p = self._points.get((name, param))
                if self._armed((name, param)) and (p is None or p.pass_start is None):
                    self.record(name, param, position_s, self._current(name, param))

    def _punch_out(self, key: Key, position_s: float) -> None:
        p = self._points.get(key)
        if p is None or p.pass_start is None:
            return
        p.add(max(position_s, p.pass_times[-1]), self._current(*key))
        p.close(position_s)
