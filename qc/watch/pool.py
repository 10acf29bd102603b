"""The worker pool: one process per core, started warm, replaced if a worker dies.

Processes come from a ``forkserver`` that has already imported the measuring
code, so they start in milliseconds, share its pages, and are never forked
from the daemon's own threads (the observer, the scheduler, rich's refresh).
Where ``forkserver`` does not exist (Windows) ``spawn`` is used. If a
worker dies (the kernel's OOM killer), every check in flight on the pool is
reported as failed (which one killed it cannot be told) and the pool is rebuilt
on the next submit.

The forkserver is started ignoring SIGINT and SIGTERM, and so are the workers
it forks: a signal sent to the whole process group or cgroup (Ctrl-C,
``systemctl stop``) reaches only the daemon, which lets the checks in flight
finish and then shuts the pool down.

Workers are recycled: after :data:`RECYCLE_AFTER` checks, the next submit that
finds the pool idle waits for the old workers to exit (they are idle: tens of
milliseconds), then starts a fresh pool, so whatever a long-lived worker
accumulates does not grow with a day of renders, and two pools never hold
memory at once. The new workers start cold, with no wait: their warm-up runs
before their first check.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from qc.watch.job import Job, JobResult, run_job, worker_init

__all__ = ["RECYCLE_AFTER", "WorkerPool", "default_workers"]

RECYCLE_AFTER = 400
"""Checks after which the pool is replaced by a fresh one, at its next idle moment."""


def default_workers() -> int:
    """Workers to use by default: every core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ping() -> int:
    return os.getpid()


_SHIELDED = frozenset({signal.SIGINT, signal.SIGTERM})


def _start_forkserver() -> None:
    """Start the forkserver ignoring SIGINT and SIGTERM, so that it and its workers keep them so.

    An ignored signal stays ignored across ``fork`` and ``exec`` (a blocked
    mask does not: the spawn resets it): a signal sent to the whole process
    group (Ctrl-C, ``systemctl stop``, ``kill -TERM -PGID``) then reaches only
    the daemon, which lets the checks in flight finish and stops the workers
    itself. Without this the forkserver died of SIGTERM, which the pool reads
    as every worker dying (``BrokenProcessPool``). The daemon ignores the two
    signals for the few milliseconds of the spawn. Only the main thread can
    change a handler: a forkserver restarted from another thread (it was
    killed on its own) is started unshielded, its workers still ignore both
    signals once started (:func:`~qc.watch.job.worker_init`).
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in _SHIELDED}
    try:
        forkserver.ensure_running()
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


class WorkerPool:
    """A process pool for :func:`~qc.watch.job.run_job`.

    Args:
        workers: Number of processes. Defaults to :func:`default_workers`.
        warm: Start every process now and wait for it to be ready, so the
            first bounce does not pay for start-up. Defaults to True.
    """

    def __init__(
        self, workers: int | None = None, *, warm: bool = True, recycle_after: int = RECYCLE_AFTER
    ) -> None:
        self.workers = max(workers or default_workers(), 1)
        methods = multiprocessing.get_all_start_methods()
        self._method = "forkserver" if "forkserver" in methods else "spawn"
        self._recycle_after = recycle_after
        self._submitted = 0
        self._running = 0
        self._lock = threading.Lock()
        self.recycled = 0
        """How many times the pool was replaced by a fresh one."""
        self._pool = self._make(warm)

    def _make(self, warm: bool) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context(self._method)
        if self._method == "forkserver":
            ctx.set_forkserver_preload(["qc.watch.job"])
            _start_forkserver()  # (again, if it died): started here, never lazily unshielded
        pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
        )
        if warm:
            wait([pool.submit(_ping) for _ in range(self.workers)])
        return pool

    def _done(self, future: Future[JobResult]) -> None:
        del future
        with self._lock:
            self._running -= 1

    def submit(self, job: Job) -> Future[JobResult]:
        """Queue one job; rebuilds the pool first if a worker died or it is due for recycling."""
        with self._lock:
            due = self._submitted >= self._recycle_after and self._running == 0
        if due:  # idle: the old workers end before new ones start, never both at once
            self._pool.shutdown(wait=True)
            self._pool = self._make(warm=False)
            self._submitted = 0
            self.recycled += 1
        with self._lock:
            self._submitted += 1
            self._running += 1
        try:
            try:
                future = self._pool.submit(run_job, job)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._make(warm=False)
                future = self._pool.submit(run_job, job)
        except BaseException:
            with self._lock:
                self._running -= 1
            raise
        future.add_done_callback(self._done)
        return future

    def shutdown(self) -> None:
        """Wait for running jobs, then stop the processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop at once: kill the worker processes, abandoning their jobs."""
        processes = getattr(self._pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()  # SIGKILL: workers ignore SIGINT and SIGTERM
        self._pool.shutdown(wait=False, cancel_futures=True)
