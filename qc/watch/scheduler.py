"""The scheduler thread: probes files when their timers fire, feeds workers, reports.

The observer thread only calls the cheap notification methods
(:meth:`Scheduler.changed`, :meth:`Scheduler.signalled`, ...), which update the
:class:`~qc.watch.tracker.Tracker` under a lock and wake this thread. This
thread does the rest: it probes due files (one ``stat`` and a 64 KiB read),
hands finished files to the pool, and turns worker results into records.

Backpressure: at most ``jobs`` files are submitted at a time; the others wait
in the tracker as paths (a few hundred bytes each), so a burst of 200 or
20,000 files costs no audio in memory. Every record is produced on this one
thread, so the log, sidecars and display need no locks of their own.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING

from qc.engine import FileResult, unreadable
from qc.watch.decision import Gone, Incomplete, Phase, Taken
from qc.watch.display import Counts, verdict
from qc.watch.finished import Probe, probe
from qc.watch.job import Job, JobResult
from qc.watch.record import Outcome, Record, Trigger
from qc.watch.tracker import Tracker

if TYPE_CHECKING:
    from qc.watch.outputs import Output

__all__ = ["Plan", "Scheduler"]

_MAX_WAIT_S = 1.0


Plan = Callable[[str], Job]
"""Makes the job of a file by its path (the path with its :class:`~qc.settings.Settings`)."""


def _unreadable(path: str, reason: str, job: Job | None) -> FileResult:
    """A result for a file that cannot be checked: ``error`` and its rules' findings (FMT003)."""
    return unreadable(path, reason, job.settings if job is not None else None)


class Scheduler:
    """Owns the tracker and the scheduler thread.

    Args:
        tracker: The per-file state machine.
        plan: Makes a file's job: its path with its resolved settings.
        submit: Starts a job on a worker (``WorkerPool.submit``, or a thread pool's).
        output: Where records go.
        jobs: Files checked at once (the pool's size).
        probe_file: Takes a :class:`~qc.watch.finished.Probe`. Defaults to ``probe``.
        clock: Monotonic seconds. Defaults to ``time.monotonic``.
        wall: Seconds since the epoch. Defaults to ``time.time``.
        on_error: Called with an unexpected exception of a scheduling step (the
            thread goes on). Defaults to reporting it as a note.
    """

    def __init__(
        self,
        tracker: Tracker,
        *,
        plan: Plan,
        submit: Callable[[Job], Future[JobResult]],
        output: Output,
        jobs: int,
        probe_file: Callable[[str], Probe | None] = probe,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._tracker = tracker
        self._on_error = on_error or (lambda err: output.note(f"internal error: {err!r}"))
        self._plan = plan
        self._submit = submit
        self._output = output
        self._jobs = max(jobs, 1)
        self._probe = probe_file
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._gone: deque[tuple[str, Gone]] = deque()
        self._refused: deque[str] = deque()
        self._done_futures: deque[str] = deque()
        self._inflight: dict[str, tuple[Taken, float, Future[JobResult]]] = {}
        self._stopping = False
        self._abandoned = False
        # A daemon thread, like watchdog's: a second Ctrl-C must be able to end the process.
        self._thread = threading.Thread(
            target=self._run, name="mixdesk-watch-scheduler", daemon=True
        )
        self._done = 0
        self._failed = 0
        self.peak_running = 0
        """Most files submitted at once so far (never more than ``jobs``)."""

    # --- called from the observer thread ---------------------------------------------

    def changed(self, path: str) -> None:
        """A bounce was created or written to."""
        with self._lock:
            if not self._tracker.changed(path, self._clock()):
                self._refused.append(path)
        self._wake.set()

    def signalled(self, path: str, trigger: Trigger) -> None:
        """A bounce was closed after writing, or renamed into place."""
        with self._lock:
            if not self._tracker.signalled(path, trigger, self._clock()):
                self._refused.append(path)
        self._wake.set()

    def moved(self, src: str | None, dest: str | None) -> None:
        """A file was renamed; ``None`` for a side that is not a watched bounce."""
        with self._lock:
            gone = self._tracker.moved(src, dest, self._clock())
            if gone is not None and src is not None:
                self._gone.append((src, gone))
        self._wake.set()

    def deleted(self, path: str) -> None:
        """A bounce was deleted."""
        with self._lock:
            gone = self._tracker.deleted(path, self._clock())
            if gone is not None:
                self._gone.append((path, gone))
        self._wake.set()

    def initial(self, path: str) -> None:
        """A bounce that was there at start-up (``--initial``)."""
        with self._lock:
            if not self._tracker.initial(path, self._clock()):
                self._refused.append(path)
        self._wake.set()

    def seed(self, hashes: Mapping[str, str], incomplete: Mapping[str, int] | None = None) -> None:
        """What the log recorded, by path: contents checked, and sizes reported incomplete.

        The same content is a duplicate; an abandoned render still that size is
        not reported incomplete again when its writer closes it.
        """
        with self._lock:
            for path, digest in hashes.items():
                self._tracker.remember(path, digest)
            for path, size in (incomplete or {}).items():
                self._tracker.remember_incomplete(path, size)

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread."""
        self._thread.start()

    def stop(self) -> None:
        """Submit nothing new; the thread ends once the running checks are reported."""
        self._stopping = True
        self._wake.set()

    def abandon(self) -> None:
        """End the thread at once; the checks in flight are neither awaited nor reported."""
        self._abandoned = True
        self.stop()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True if it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def counts(self) -> Counts:
        """The current counts."""
        with self._lock:
            by_phase = self._tracker.counts()
        return Counts(
            waiting=by_phase[Phase.WAITING],
            queued=by_phase[Phase.READY],
            running=len(self._inflight),
            done=self._done,
            failed=self._failed,
        )

    # --- the thread -----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait(self._timeout())
            self._wake.clear()
            if self._abandoned:
                return
            try:
                self._step()
            except Exception as err:  # never let one bad step end the daemon's thread
                self._on_error(err)
            if self._stopping and not self._inflight:
                return

    def _timeout(self) -> float:
        with self._lock:
            deadline = self._tracker.next_deadline()
        if deadline is None:
            return _MAX_WAIT_S
        return min(max(deadline - self._clock(), 0.0), _MAX_WAIT_S)

    def _step(self) -> None:
        before = self.counts()
        while self._done_futures:
            self._collect(self._done_futures.popleft())
        self._report_gone()
        self._judge_due()
        if not self._stopping:
            self._feed()
        after = self.counts()
        if after != before:
            self._output.status(after)

    def _report_gone(self) -> None:
        while self._refused:
            path = self._refused.popleft()
            self._output.note(f"{path}: not tracked: too many files pending")
        while self._gone:
            path, gone = self._gone.popleft()
            self._emit(Record.gone(path, gone.trigger, "deleted before its check", self._wall()))

    def _judge_due(self) -> None:
        with self._lock:
            due = self._tracker.due(self._clock())
        for path in due:
            found = self._probe(path)
            with self._lock:
                decision = self._tracker.judge(path, found, self._clock())
            if isinstance(decision, Gone):
                reason = "deleted before its check"
                self._emit(Record.gone(path, decision.trigger, reason, self._wall()))
            elif isinstance(decision, Incomplete):
                reason = f"incomplete: {decision.reason}; the render was aborted or truncated"
                result = _unreadable(path, reason, self._job(path))
                self._emit(
                    Record(
                        result,
                        Outcome.INCOMPLETE,
                        decision.trigger,
                        self._wall(),
                        size_bytes=decision.size_bytes,
                    )
                )

    def _feed(self) -> None:
        with self._lock:
            taken = self._tracker.take_ready(self._jobs - len(self._inflight))
        for t in taken:
            job = self._job(t.path)
            if job is None:
                self._not_checked(t.path, t.trigger, "cannot resolve its profiles", None)
                continue
            if t.known_blake2b is not None:
                job = dataclasses.replace(job, known_blake2b=t.known_blake2b)
            ready_wall = self._wall() - (self._clock() - t.ready_at)
            try:
                future = self._submit(job)
            except Exception as err:  # the pool is shut down or cannot start a process
                future = Future()
                future.set_exception(err)
            self._inflight[t.path] = (t, ready_wall, future)
            self._output.started(t.path, t.trigger)
            future.add_done_callback(functools.partial(self._finished, t.path))
        self.peak_running = max(self.peak_running, len(self._inflight))

    def _job(self, path: str) -> Job | None:
        try:
            return self._plan(path)
        except Exception as err:  # a profile file deleted or broken since start-up
            self._output.note(f"{path}: cannot resolve its settings: {err}")
            return None

    def _finished(self, path: str, future: Future[JobResult]) -> None:
        """Done callback: runs on the pool's thread; hands the path to this thread."""
        del future
        self._done_futures.append(path)
        self._wake.set()

    def _collect(self, path: str) -> None:
        taken, ready_wall, future = self._inflight.pop(path)
        try:
            jr = future.result()
        except Exception as err:  # a dead worker (BrokenProcessPool), a bug in a worker
            reason = f"the check did not finish ({type(err).__name__}: {err})"
            self._not_checked(path, taken.trigger, reason, self._job(path))
            return
        with self._lock:
            self._tracker.finish(
                path, self._clock(), blake2b=jr.blake2b, changed=jr.changed, gone=jr.gone
            )
        queued, now, trigger = jr.started_s - ready_wall, self._wall(), taken.trigger
        if jr.gone:
            reason = "deleted before its check finished"
            self._emit(Record.gone(path, trigger, reason, now, queued_s=queued, check_s=jr.check_s))
        elif jr.changed:
            self._output.note(f"{path}: changed during its check; checking it again")
        else:
            outcome, result = Outcome.CHECKED, jr.result
            if jr.duplicate:
                outcome = Outcome.DUPLICATE
                result = FileResult(path, None, None, "same content as its last check; not checked")
            assert result is not None  # the worker checked it
            self._emit(Record.of_job(jr, result, outcome, trigger, time_s=now, queued_s=queued))

    def _not_checked(self, path: str, trigger: Trigger, reason: str, job: Job | None) -> None:
        """The file's turn ends without a check, on an internal error (FMT003)."""
        with self._lock:
            self._tracker.finish(path, self._clock(), blake2b=None, changed=False, gone=False)
        result = _unreadable(path, f"internal error: {reason}", job)
        self._emit(Record(result, Outcome.CHECKED, trigger, self._wall()))

    def _emit(self, rec: Record) -> None:
        if rec.outcome is not Outcome.DUPLICATE:
            self._done += 1
            self._failed += verdict(rec) in ("fail", "unreadable", "incomplete")
        self._output.record(rec, self.counts())
