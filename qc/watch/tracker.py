"""The per-file state machine: debounce, the three "finished" rules, in-flight files, dedup.

Pure: no threads, no I/O, no clock. Callers pass ``now`` (monotonic seconds)
and the :class:`~qc.watch.finished.Probe` they took, so every rule is tested
with fake times and fake probes.

A file is in one of three phases::

    WAITING ──judge: finished──▶ READY ──take_ready──▶ RUNNING ──finish──▶ (forgotten)
       ▲   └─judge: incomplete / gone──▶ (forgotten, reported)        │
       └────────────── changed during the check ◀────────────────────┘

* Every write event moves a file back to WAITING and re-arms its settle timer
  (debounce: the latest event wins; a hundred ``modified`` events are one entry).
* :meth:`Tracker.judge` applies the rules of the issue. A file is finished when
  the writer closed it or it was renamed into place (and its header does not
  contradict that), or when it has been still for ``settle_s`` and its header is
  complete or cannot be validated. A file whose header still disagrees is
  reported as incomplete once it is still for ``settle_s`` after a close or
  rename, or for ``abort_s`` without one; once per size: an abandoned render
  reported without a close is not reported again when its writer closes it at
  last, unchanged (a write that completes it gets it checked).
* Events that arrive while a file is RUNNING mark it dirty; :meth:`Tracker.finish`
  then sends it back to WAITING instead of forgetting it.
* Memory is bounded and follows the folder, not the number of renders: at most
  ``max_files`` files are tracked at once, and the content hash last checked at
  each path is kept for as long as the file exists (a deleted or renamed-away
  file is forgotten), in an LRU of at most ``seen_capacity`` paths.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from qc.watch.deadlines import Deadlines
from qc.watch.decision import Decision, Gone, Incomplete, Phase, Ready, Taken, Wait
from qc.watch.finished import Probe, Signature
from qc.watch.lru import Lru
from qc.watch.record import Trigger

__all__ = ["DEFAULT_ABORT_S", "DEFAULT_SETTLE_S", "Tracker"]

DEFAULT_SETTLE_S = 2.0
"""Seconds a file must stay still to count as finished without a close or rename."""

DEFAULT_ABORT_S = 10.0
"""Seconds a file whose header disagrees with its size must stay still to be
reported as an aborted render, when no close or rename was seen."""


_GONE_CAPACITY = 1024  # paths reported gone, so late events on their inodes stay quiet


@dataclass
class _Entry:
    phase: Phase = Phase.WAITING
    last_change: float = -math.inf
    signal: Trigger | None = None
    initial: bool = False
    signature: Signature | None = None
    deadline: float = 0.0
    trigger: Trigger | None = None
    ready_at: float = 0.0
    dirty: bool = False


class Tracker:
    """Every file the daemon is waiting for, queueing or checking.

    Args:
        settle_s: Stillness that makes a file finished without a close or rename.
            Defaults to ``DEFAULT_SETTLE_S``.
        abort_s: Stillness after which an inconsistent header is reported
            without a close or rename. Defaults to ``DEFAULT_ABORT_S``.
        max_files: Files tracked at once; more are refused. Defaults to 100,000.
        seen_capacity: Paths whose last checked hash is remembered. Defaults to 10,000.
    """

    def __init__(
        self,
        *,
        settle_s: float = DEFAULT_SETTLE_S,
        abort_s: float = DEFAULT_ABORT_S,
        max_files: int = 100_000,
        seen_capacity: int = 10_000,
    ) -> None:
        if settle_s <= 0 or abort_s < settle_s:
            raise ValueError(f"need 0 < settle_s <= abort_s, got {settle_s} and {abort_s}")
        self.settle_s = settle_s
        self.abort_s = abort_s
        self._max_files = max_files
        self._entries: dict[str, _Entry] = {}
        self._deadlines = Deadlines()
        self._ready: OrderedDict[str, None] = OrderedDict()
        self._seen: Lru[str] = Lru(seen_capacity)  # path → content hash last checked
        self._reported_gone: Lru[bool] = Lru(_GONE_CAPACITY)
        self._reported_incomplete: Lru[int] = Lru(_GONE_CAPACITY)  # path → size

    # --- events -------------------------------------------------------------------

    def changed(self, path: str, now: float) -> bool:
        """A file was created or written to.

        Returns:
            False if the file was refused because ``max_files`` are tracked.
        """
        e = self._entry(path)
        if e is None:
            return False
        e.last_change, e.signal, e.initial = now, None, False
        if e.phase is Phase.RUNNING:
            e.dirty = True
        else:
            self._wait(path, e, now + self.settle_s)
        return True

    def signalled(self, path: str, trigger: Trigger, now: float) -> bool:
        """The writer closed the file, or it was renamed into place.

        Returns:
            False if the file was refused because ``max_files`` are tracked.
        """
        e = self._entry(path)
        if e is None:
            return False
        if e.phase is Phase.READY and trigger is Trigger.CLOSED:
            return True  # closed again without a write: nothing new
        e.last_change, e.signal, e.initial = max(e.last_change, now), trigger, False
        if e.phase is Phase.RUNNING:
            e.dirty = True
        else:
            self._wait(path, e, now)
        return True

    def moved(self, src: str | None, dest: str | None, now: float) -> Gone | None:
        """A file was renamed. Either side may be ``None`` (not a bounce, or outside).

        The hash last checked at ``src`` moves to ``dest``, so renaming a
        checked bounce does not check the same content again.

        Returns:
            :class:`Gone` if ``src`` was waiting for its check, else ``None``.
        """
        digest = self._seen.get(src) if src is not None else None
        gone = self.deleted(src, now) if src is not None else None
        if dest is not None and digest is not None:
            self._seen.set(dest, digest)
        if dest is not None:
            self.signalled(dest, Trigger.RENAMED, now)
        return gone

    def deleted(self, path: str, now: float) -> Gone | None:
        """A file was deleted.

        Returns:
            :class:`Gone` if it was waiting or queued (the caller reports it);
            ``None`` if it was not tracked, or is being checked (the check's
            end decides).
        """
        self._seen.pop(path)  # the table holds files that exist: it follows the folder
        self._reported_incomplete.pop(path)
        e = self._entries.get(path)
        if e is None:
            return None
        if e.phase is Phase.RUNNING:
            e.dirty = True
            e.last_change = max(e.last_change, now)
            return None
        self._drop(path)
        self._reported_gone.set(path, True)
        return Gone(e.trigger)

    def initial(self, path: str, now: float) -> bool:
        """A file found when the daemon started: judged at once, by its mtime."""
        e = self._entry(path)
        if e is None:
            return False
        if e.phase is Phase.WAITING and e.signature is None and e.signal is None:
            e.initial = True
            self._wait(path, e, now)
        return True

    # --- scheduling ---------------------------------------------------------------

    def due(self, now: float) -> list[str]:
        """Files waiting whose look-again time has come, earliest first."""
        out: list[str] = []
        for path in self._deadlines.due(now):
            e = self._entries.get(path)
            if e is None or e.phase is not Phase.WAITING:
                continue
            if e.deadline > now:  # re-armed later since
                self._deadlines.arm(path, e.deadline)
            else:
                out.append(path)
        return out

    def next_deadline(self) -> float | None:
        """The earliest look-again time (monotonic s), or ``None`` if none is pending."""
        return self._deadlines.next()

    def judge(self, path: str, p: Probe | None, now: float) -> Decision | None:
        """Apply the finished rules to a waiting file, given a fresh probe.

        Args:
            path: A file returned by :meth:`due`.
            p: What :func:`~qc.watch.finished.probe` saw, ``None`` if the file is gone.
            now: Monotonic seconds.

        Returns:
            The decision, or ``None`` if the file is no longer waiting (or is
            gone and was already reported gone).
        """
        e = self._entries.get(path)
        if e is None or e.phase is not Phase.WAITING:
            return None
        if p is None:
            self._drop(path)
            self._seen.pop(path)
            self._reported_incomplete.pop(path)
            if path in self._reported_gone:
                return None  # late events of a file already reported gone (writes to its inode)
            self._reported_gone.set(path, True)
            return Gone(None)
        self._reported_gone.pop(path)
        if e.signature is None:  # first look: the mtime says how long it has been still
            e.last_change = max(e.last_change, now - max(p.age_s, 0.0))
        elif e.signature != p.signature:
            e.last_change = max(e.last_change, now)
        e.signature = p.signature
        quiet = now - e.last_change
        settled = quiet >= self.settle_s
        header = p.header.state
        still = Trigger.INITIAL if e.initial else Trigger.SETTLED
        if header != "incomplete" and (e.signal is not None or settled):
            trigger = e.signal or still
            e.phase, e.trigger, e.ready_at = Phase.READY, trigger, now
            self._ready[path] = None
            self._reported_incomplete.pop(path)
            return Ready(trigger)
        if header == "incomplete" and ((e.signal is not None and settled) or quiet >= self.abort_s):
            self._drop(path)
            if self._reported_incomplete.get(path) == p.size:
                return None  # the same abandoned render, closed at last: reported already
            self._reported_incomplete.set(path, p.size)
            return Incomplete(e.signal or still, p.header.reason, p.size)
        until = e.last_change + (self.abort_s if settled else self.settle_s)
        self._wait(path, e, until)
        return Wait(until)

    def take_ready(self, limit: int) -> list[Taken]:
        """Hand up to ``limit`` finished files to workers, oldest first."""
        out: list[Taken] = []
        while self._ready and len(out) < limit:
            path, _ = self._ready.popitem(last=False)
            e = self._entries[path]
            e.phase, e.dirty = Phase.RUNNING, False
            assert e.trigger is not None
            out.append(Taken(path, e.trigger, e.ready_at, self._seen.get(path)))
        return out

    def finish(
        self, path: str, now: float, *, blake2b: str | None, changed: bool, gone: bool
    ) -> None:
        """A worker is done with a file.

        Args:
            path: The file.
            now: Monotonic seconds.
            blake2b: Hash of the content the worker checked (or found already
                checked); remembered for the path. ``None`` if it did not get one.
            changed: The file changed while the worker read it; check it again.
            gone: The file no longer exists (the caller reports it).
        """
        e = self._entries.get(path)
        if gone:
            self._seen.pop(path)
        elif blake2b is not None and not changed:
            self._seen.set(path, blake2b)
        if e is None:
            return
        if gone:  # reported by the caller; a re-created file brings new events
            self._drop(path)
            self._reported_gone.set(path, True)
            return
        if changed or e.dirty:
            if changed and not e.dirty:
                e.last_change, e.signal = max(e.last_change, now), None
            e.phase, e.trigger, e.dirty, e.signature = Phase.WAITING, None, False, None
            self._wait(path, e, now)
            return
        self._drop(path)

    # --- introspection ------------------------------------------------------------

    def counts(self) -> dict[Phase, int]:
        """How many files are in each phase."""
        out = dict.fromkeys(Phase, 0)
        for e in self._entries.values():
            out[e.phase] += 1
        return out

    def phase(self, path: str) -> Phase | None:
        """The phase of a file, or ``None`` if it is not tracked."""
        e = self._entries.get(path)
        return None if e is None else e.phase

    def remember(self, path: str, blake2b: str) -> None:
        """Record the content last checked at ``path`` (read back from a log on resume)."""
        self._seen.set(path, blake2b)

    def remember_incomplete(self, path: str, size: int) -> None:
        """Record that ``path`` was reported incomplete at ``size`` bytes (from a log on resume).

        While it stays that size with a header that disagrees, judging it again
        (its writer closes it at last) reports nothing.
        """
        self._reported_incomplete.set(path, size)

    def last_blake2b(self, path: str) -> str | None:
        """The hash of the content last checked at ``path``, if remembered."""
        return self._seen.get(path)

    def __len__(self) -> int:
        return len(self._entries)

    # --- internals ----------------------------------------------------------------

    def _entry(self, path: str) -> _Entry | None:
        e = self._entries.get(path)
        if e is None:
            if len(self._entries) >= self._max_files:
                return None
            e = self._entries[path] = _Entry()
        return e

    def _wait(self, path: str, e: _Entry, until: float) -> None:
        if e.phase is Phase.READY:
            self._ready.pop(path, None)
        e.phase, e.deadline = Phase.WAITING, until
        self._deadlines.arm(path, until)

    def _drop(self, path: str) -> None:
        self._entries.pop(path, None)
        self._ready.pop(path, None)
        self._deadlines.disarm(path)
