"""The state mirror: what the DAW last reported, fed by its feedback, waited on with timeouts.

Thread-safe: the OSC receiver thread applies updates while scripts read values
and wait on them. Values are keyed by ``(target, param)`` with the dialect's
track ids (see :mod:`bridge.dialects.base`). Track names map to ids both ways;
a new :class:`~bridge.dialects.base.TrackList` replaces the map and drops the
values of every id whose track changed, because ids shift when tracks are added
or removed (Ardour's strip ids do). Plugin lists and descriptions are kept by
:mod:`bridge.mixer.mirror_plugins`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from bridge.dialects.base import TrackId, TrackList, Update, Value
from bridge.dialects.plugins import PluginList, PluginSpecs
from bridge.mixer.mirror_plugins import PluginStore

__all__ = ["Key", "Mirror"]

Key = tuple[TrackId | None, str]
"""``(target, param)``: where a value lives in the mirror."""


def _close(a: Value, b: Value, tolerance: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, float | int) and isinstance(b, float | int):
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= tolerance
    return a == b


class Mirror:
    """The values a DAW reported, with names and a condition to wait on.

    Args:
        clock: Monotonic clock, in s (injected for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._values: dict[Key, Value] = {}
        self._changed_at: dict[Key, float] = {}
        self._names: dict[int, str] = {}
        self._pending: dict[Key, float] = {}  # key -> until when (monotonic s)
        self._reported: dict[Key, Value] = {}  # what the DAW said while a key was pending
        self._listed = False
        self._plugin_store = PluginStore()
        self.rate: int | None = None
        """The session sample rate in Hz, if the DAW reported it."""
        self.generation = 0
        """Incremented on every applied update (a cheap "anything new?" check)."""
        self.last_update = 0.0
        """Monotonic time (s) of the last update, or 0."""
        self.pending_s = 1.0
        """How long a value we set waits for the DAW to confirm it, in s, before
        a different value the DAW reports replaces it."""

    # ---- writes (receiver thread, or the mixer after a set) ----
    def apply(self, update: Update) -> None:
        """Store one reported value (kept if within the update's tolerance)."""
        key = (update.target, update.param)
        with self._cond:
            self.last_update = self._clock()
            if key in self._pending and not self._settle(key, update):
                self._cond.notify_all()
                return
            old = self._values.get(key)
            if update.tolerance and old is not None and _close(old, update.value, update.tolerance):
                self._cond.notify_all()
                return
            self._values[key] = update.value
            self._changed_at[key] = self.last_update
            if update.param == "name" and isinstance(update.target, int):
                self._rename(update.target, str(update.value))
            self.generation += 1
            self._cond.notify_all()

    def _settle(self, key: Key, update: Update) -> bool:
        """A report for a pending key: True if it may be stored.

        A report that matches the value we set confirms it. One that does not
        may have been sent before the DAW applied our set (REAPER reports a
        track's other values after each change), so it is only noted, until
        the pending time runs out; then the DAW's last word wins.
        """
        assumed = self._values.get(key)
        if _close(assumed, update.value, max(update.tolerance, 1e-6)):
            del self._pending[key]
            self._reported.pop(key, None)
            return False  # confirmed: keep the exact value we set
        if self.last_update < self._pending[key]:
            self._reported[key] = update.value
            return False
        del self._pending[key]
        self._reported.pop(key, None)
        return True

    def _expire(self) -> None:
        """Let the DAW's last report win for pending keys whose time ran out."""
        if not self._pending:
            return
        now = self._clock()
        for key in [k for k, until in self._pending.items() if until <= now]:
            del self._pending[key]
            if key in self._reported:
                self._values[key] = self._reported.pop(key)
                self._changed_at[key] = now
                self.generation += 1

    def apply_list(self, listing: TrackList) -> None:
        """Replace the track list; drop values of ids whose track changed."""
        with self._cond:
            new = dict(listing.tracks)
            for key in list(self._values):
                target = key[0]
                if isinstance(target, int) and self._names.get(target) != new.get(target):
                    del self._values[key]
            self._plugin_store.drop_changed(self._names, new)
            self._names = new
            for tid, name in new.items():
                self._values[(tid, "name")] = name
            self._listed = True
            if listing.rate:
                self.rate = listing.rate
            self.last_update = self._clock()
            self.generation += 1
            self._cond.notify_all()

    def apply_plugins(self, item: PluginList | PluginSpecs) -> None:
        """Store a track's plugin list or one plugin's parameter descriptions.

        Each is numbered with :attr:`generation`, so a reader can wait for one
        newer than its request (:meth:`plugins_since`, :meth:`specs_since`).
        """
        with self._cond:
            self.last_update = self._clock()
            self.generation += 1
            self._plugin_store.store(self.generation, item)
            if isinstance(item, PluginSpecs):
                for spec in item.params:
                    if spec.value is not None:
                        self._values[(item.target, f"fx/{item.fx}/param/{spec.number}")] = (
                            spec.value
                        )
            self._cond.notify_all()

    def plugins_since(self, target: TrackId, generation: int = 0) -> PluginList | None:
        """The track's plugin list, if one arrived after ``generation``."""
        with self._cond:
            return self._plugin_store.plugins_since(target, generation)

    def specs_since(self, target: TrackId, fx: int, generation: int = 0) -> PluginSpecs | None:
        """One plugin's parameter descriptions, if they arrived after ``generation``."""
        with self._cond:
            return self._plugin_store.specs_since(target, fx, generation)

    def assume(self, target: TrackId | None, param: str, value: Value) -> None:
        """Record a value we set that the DAW will not echo on its own address.

        REAPER reports such a change only on other addresses (the volume text,
        for instance), which may round it. The value is stored as set, and
        marked pending until any report of it arrives, so
        :meth:`wait_value` waits for the DAW rather than for ourselves.
        """
        key = (target, param)
        with self._cond:
            self._values[key] = value
            self._changed_at[key] = self._clock()
            self._pending[key] = self._clock() + self.pending_s
            self._reported.pop(key, None)
            if param == "name" and isinstance(target, int):
                self._rename(target, str(value))
            self.generation += 1
            self._cond.notify_all()

    def forget(self, target: TrackId | None, param: str) -> None:
        """Drop a value, so the next report of it is waited for (a confirmation)."""
        with self._cond:
            self._values.pop((target, param), None)
            self._pending.pop((target, param), None)

    def pending(self, target: TrackId | None, param: str) -> bool:
        """True while a value we set has not been reported back by the DAW."""
        with self._cond:
            self._expire()
            return (target, param) in self._pending

    def _rename(self, tid: int, name: str) -> None:
        if name:
            self._names[tid] = name
        else:  # REAPER clears the name of an empty bank slot
            self._names.pop(tid, None)

    # ---- reads ----
    def get(self, target: TrackId | None, param: str, default: Value = None) -> Value:
        """The last reported value (or the value we set, while it is pending), or ``default``."""
        with self._cond:
            self._expire()
            return self._values.get((target, param), default)

    def changed_at(self, target: TrackId | None, param: str) -> float | None:
        """Monotonic time (s) the value last changed, or None if never reported."""
        with self._cond:
            return self._changed_at.get((target, param))

    def has(self, target: TrackId | None, param: str) -> bool:
        """True if the DAW reported this value."""
        with self._cond:
            return (target, param) in self._values

    def tracks(self) -> list[tuple[int, str]]:
        """``(id, name)`` of every known track, in id order."""
        with self._cond:
            return sorted(self._names.items())

    def track_count(self) -> int:
        """How many tracks are known."""
        return len(self._names)

    def has_track(self, tid: int) -> bool:
        """True if a track with this id is known."""
        return tid in self._names

    def track_id(self, name: str) -> int | None:
        """The id of the track called ``name`` (exact match first, then case-insensitive)."""
        with self._cond:
            for tid, n in sorted(self._names.items()):
                if n == name:
                    return tid
            folded = name.casefold()
            for tid, n in sorted(self._names.items()):
                if n.casefold() == folded:
                    return tid
        return None

    def params(self, target: TrackId | None) -> dict[str, Value]:
        """Every reported value of one target, by param."""
        with self._cond:
            return {p: v for (t, p), v in self._values.items() if t == target}

    @property
    def listed(self) -> bool:
        """True once a complete track list arrived (Ardour, Live)."""
        return self._listed

    # ---- waits ----
    def wait_for(
        self,
        predicate: Callable[[Mirror], bool],
        timeout: float,
    ) -> bool:
        """Wait until ``predicate(self)`` holds, or ``timeout`` s pass.

        Returns:
            Whether the predicate held.
        """
        deadline = self._clock() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - self._clock()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def wait_value(
        self,
        target: TrackId | None,
        param: str,
        expected: Value,
        *,
        tolerance: float,
        timeout: float,
    ) -> bool:
        """Wait until the value is ``expected`` (within ``tolerance``)."""
        return self.wait_for(
            lambda m: (
                m.has(target, param)
                and not m.pending(target, param)
                and _close(m.get(target, param), expected, tolerance)
            ),
            timeout,
        )

    def wait_quiet(self, quiet_s: float, timeout: float) -> bool:
        """Wait until no update came for ``quiet_s`` (a dump has ended)."""
        deadline = self._clock() + timeout
        while self._clock() < deadline:
            with self._cond:
                since = self._clock() - self.last_update
            if self.last_update and since >= quiet_s:
                return True
            time.sleep(min(quiet_s / 4, 0.02))
        return False

    def snapshot(self) -> dict[str, Any]:
        """A plain copy of every value, keyed ``"target:param"`` (for debugging and logs)."""
        with self._cond:
            return {f"{t}:{p}": v for (t, p), v in self._values.items()}
