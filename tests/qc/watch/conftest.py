"""Fixtures: a real daemon in-process, with real observers, real files and real workers."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qc.cli.watch import make_plan
from qc.config import Config
from qc.profiles import ProfileCache
from qc.watch.daemon import Daemon, Options
from qc.watch.display import Counts
from qc.watch.job import Job, JobResult, run_job
from qc.watch.log import NdjsonLog
from qc.watch.observers import make_observer
from qc.watch.pool import WorkerPool
from qc.watch.record import Outcome, Record, Trigger

WAIT_S = 20.0
OBSERVERS = ["inotify", "polling"] if sys.platform.startswith("linux") else ["polling"]


class RecordingDisplay:
    """A display that keeps everything and lets a test await a condition."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.notes: list[str] = []
        self.started_paths: list[str] = []
        self.counts = Counts()
        self._cond = threading.Condition()

    def start(self, banner: str) -> None:
        del banner

    def stop(self, summary: str) -> None:
        del summary

    def started(self, path: str, trigger: Trigger) -> None:
        del trigger
        with self._cond:
            self.started_paths.append(path)
            self._cond.notify_all()

    def show(self, rec: Record, counts: Counts) -> None:
        with self._cond:
            self.counts = counts
            self.records.append(rec)
            self._cond.notify_all()

    def note(self, text: str) -> None:
        with self._cond:
            self.notes.append(text)
            self._cond.notify_all()

    def status(self, counts: Counts) -> None:
        with self._cond:
            self.counts = counts
            self._cond.notify_all()

    def wait(self, predicate: Callable[[RecordingDisplay], bool], timeout: float = WAIT_S) -> None:
        """Block until ``predicate(self)`` holds; fail the test after ``timeout`` s."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                shown = [(r.path, r.outcome.value) for r in self.records]
                pytest.fail(f"timed out after {timeout} s; records: {shown}; notes: {self.notes}")

    def of(self, path: Path, outcome: Outcome | None = None) -> list[Record]:
        """The records of one file (of one outcome)."""
        with self._cond:
            return [
                r
                for r in self.records
                if r.path == str(path) and (outcome is None or r.outcome is outcome)
            ]

    def wait_for(self, path: Path, outcome: Outcome, count: int = 1) -> list[Record]:
        """Await ``count`` records of ``outcome`` for ``path`` and return them."""
        self.wait(lambda d: len(d.of(path, outcome)) >= count)
        return self.of(path, outcome)


@dataclass
class Spy:
    """Runs the real job in a thread and keeps every result, stale ones included."""

    results: list[JobResult] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, job: Job) -> JobResult:
        out = run_job(job)
        with self.lock:
            self.results.append(out)
        return out


@dataclass
class Harness:
    """A running daemon and what it showed."""

    daemon: Daemon
    display: RecordingDisplay
    folder: Path
    log_path: Path
    log: NdjsonLog
    spy: Spy | None

    def stop(self) -> None:
        self.daemon.stop()


@pytest.fixture(scope="package")
def worker_pool() -> Iterator[WorkerPool]:
    """Two real worker processes, shared by the watch tests that use processes.

    Shut down when the watch tests end, not with the session: its manager thread
    would make every later test's process see another thread (the codec preview
    then starts its stages by forkserver, which a test there checks).
    """
    pool = WorkerPool(2)
    yield pool
    pool.shutdown()


StartDaemon = Callable[..., Harness]


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[StartDaemon]:
    """Start a daemon on ``tmp_path/watched``; stopped at teardown.

    Keyword arguments: ``observer`` ("inotify"/"polling"), ``settle``, ``abort``,
    ``initial``, ``resume``, ``recursive``, ``sidecar``, ``jobs``, ``pool`` (a WorkerPool;
    default: a spying thread pool), ``select``.
    """
    running: list[tuple[Harness, ThreadPoolExecutor | None]] = []

    def start(
        *,
        observer: str = "inotify",
        settle: float = 0.5,
        abort: float = 1.5,
        initial: bool = False,
        resume: bool = False,
        recursive: bool = False,
        sidecar: bool = False,
        jobs: int = 2,
        pool: WorkerPool | None = None,
        folder: Path | None = None,
    ) -> Harness:
        watched = folder or tmp_path / "watched"
        watched.mkdir(exist_ok=True)
        display = RecordingDisplay()
        log_path = tmp_path / "watch.ndjson"
        config = Config(path=None, root=tmp_path)
        plan = make_plan(config, ProfileCache())
        spy: Spy | None = None
        executor: ThreadPoolExecutor | None = None
        submit: Callable[[Job], Future[JobResult]]
        if pool is None:
            spy = Spy()
            executor = ThreadPoolExecutor(jobs, thread_name_prefix="watch-test-worker")
            submit = lambda job: executor.submit(spy, job)  # noqa: E731
        else:
            submit = pool.submit
        options = Options(
            folders=(str(watched),),
            recursive=recursive,
            poll=observer == "polling",
            poll_interval_s=0.1,
            initial=initial,
            resume=resume,
            settle_s=settle,
            abort_s=abort,
            sidecar=sidecar,
        )
        log = NdjsonLog(log_path)
        daemon = Daemon(
            options,
            plan=plan,
            submit=submit,
            jobs=jobs,
            display=display,
            log=log,
            observer_factory=lambda: make_observer(options.poll, options.poll_interval_s),
        )
        daemon.start()
        daemon.queue_initial()
        harness = Harness(daemon, display, watched, log_path, log, spy)
        running.append((harness, executor))
        return harness

    yield start
    for harness, executor in running:
        harness.stop()
        harness.log.close()
        if executor is not None:
            executor.shutdown(wait=True)
        assert harness.daemon.scheduler.join(0), "the scheduler thread outlived stop()"


@pytest.fixture(params=OBSERVERS)
def observer(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs with inotify and with the polling observer."""
    name: str = request.param
    return name
