"""The watch daemon: observer, scheduler, workers and outputs wired together.

:class:`Daemon` takes every side effect from its caller (the plan that
resolves profiles, the pool's ``submit``, the display, the log, the observer
factory), so the tests run it in-process with real observers and real files.
:meth:`Daemon.run` adds what only a process has: SIGINT and SIGTERM stop it
gracefully (the checks in flight finish and are logged, then it returns 0); a
second signal gives up at once.

With a log and ``resume`` (the CLI's default when ``--log`` is given), start-up
reads the log back and checks every bounce present whose content it does not
record (:mod:`qc.watch.resume`): a daemon killed mid-check, or stopped while
renders went on, loses nothing.
"""

from __future__ import annotations

import errno
import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from types import FrameType

from watchdog.observers.api import BaseObserver

from qc.errors import QCError
from qc.printable import printable
from qc.watch.album import AlbumWatch
from qc.watch.display import Counts, Display
from qc.watch.events import BounceHandler
from qc.watch.finished import probe
from qc.watch.job import Job, JobResult, content_hash
from qc.watch.log import NdjsonLog
from qc.watch.observers import EVENT_FILTER, make_observer, scan
from qc.watch.outputs import Outputs
from qc.watch.resume import Logged, read_log, unlogged
from qc.watch.scheduler import Plan, Scheduler
from qc.watch.tracker import DEFAULT_ABORT_S, DEFAULT_SETTLE_S, Tracker

__all__ = ["Daemon", "Options", "WatchError"]


@dataclass(frozen=True)
class Options:
    """How to watch.

    Attributes:
        folders: Folders to watch (absolute paths).
        recursive: Watch sub-folders too.
        poll: Use the polling observer (network shares, other systems).
        poll_interval_s: Seconds between two polls.
        initial: Check the bounces already present at start-up, logged or not.
        resume: With a log: check the bounces present at start-up whose
            content the log does not record as checked.
        settle_s: Stillness that makes a file finished without a close or rename, s.
        abort_s: Stillness after which a file whose header never agreed with
            its size is reported as an aborted render, s.
        exclude: Extra file-name globs to ignore.
        sidecar: Write ``NAME.qc.json`` next to each bounce.
        html: Write the HTML report ``NAME.qc.html`` next to each bounce.
    """

    folders: tuple[str, ...]
    recursive: bool = False
    poll: bool = False
    poll_interval_s: float = 1.0
    initial: bool = False
    resume: bool = False
    settle_s: float = DEFAULT_SETTLE_S
    abort_s: float = DEFAULT_ABORT_S
    exclude: tuple[str, ...] = ()
    sidecar: bool = False
    html: bool = False


class WatchError(QCError):
    """The daemon could not start watching; the message names the folder and the reason."""


def _start_problem(err: OSError) -> str:
    where = f"{printable(os.fsdecode(err.filename))}: " if err.filename else ""
    hint = ""
    if err.errno in (errno.ENOSPC, errno.EMFILE):
        hint = " (inotify limit reached: raise fs.inotify.max_user_watches, or use --poll)"
    return f"cannot watch {where}{err.strerror or err}{hint}"


class Daemon:
    """Watches folders and checks every bounce once its writer has finished.

    Args:
        options: How to watch.
        plan: Resolves the settings of a file.
        submit: Starts a job on a worker.
        jobs: Files checked at once.
        display: The human output.
        log: The NDJSON log, or ``None``.
        observer_factory: Builds the observer and names it. Defaults to
            :func:`make_observer` with the options' polling settings.
    """

    def __init__(
        self,
        options: Options,
        *,
        plan: Plan,
        submit: Callable[[Job], Future[JobResult]],
        jobs: int,
        display: Display,
        log: NdjsonLog | None = None,
        observer_factory: Callable[[], tuple[BaseObserver, str]] | None = None,
    ) -> None:
        self.options = options
        self.albums = AlbumWatch(
            lambda path: plan(path).settings, display.note, log.write_object if log else None
        )
        self.outputs = Outputs(
            display, log, sidecar=options.sidecar, html=options.html, albums=self.albums
        )
        tracker = Tracker(settle_s=options.settle_s, abort_s=options.abort_s)
        self.scheduler = Scheduler(
            tracker,
            plan=plan,
            submit=submit,
            output=self.outputs,
            jobs=jobs,
            on_error=self._step_failed,
        )
        self._factory = observer_factory or (
            lambda: make_observer(options.poll, options.poll_interval_s)
        )
        self._observer: BaseObserver | None = None
        self._stop = threading.Event()
        self._gone_roots: set[str] = set()
        self._log = log
        self._logged = Logged()
        self.exit_code = 0

    def start(self) -> str:
        """Start the scheduler and the observer.

        Returns:
            The observer's name.

        Raises:
            WatchError: The observer could not watch a folder (inotify limits, ...).
        """
        self._read_log()
        self.scheduler.start()
        try:
            observer, name = self._factory()
            for folder in self.options.folders:
                handler = BounceHandler(
                    self.scheduler,
                    folder,
                    exclude=self.options.exclude,
                    on_root_gone=self._root_gone,
                )
                observer.schedule(
                    handler, folder, recursive=self.options.recursive, event_filter=EVENT_FILTER
                )
            observer.start()
        except OSError as err:
            self.scheduler.stop()
            self.scheduler.join()
            raise WatchError(_start_problem(err)) from err
        except BaseException:
            self.scheduler.stop()
            self.scheduler.join()
            raise
        self._observer = observer
        return name

    def _read_log(self) -> None:
        """With ``resume``: learn from the log what was checked (before any event)."""
        if not (self.options.resume and self._log is not None) or self.options.initial:
            return
        try:
            logged = read_log(self._log.path, self.options.folders)
        except OSError as err:
            self.outputs.note(
                f"cannot read the log {printable(self._log.path)} to resume: "
                f"{err.strerror or err}; bounces already present are not checked"
            )
            return
        if logged.skipped:
            self.outputs.note(
                f"{printable(self._log.path)}: skipped {logged.skipped} of {logged.lines} "
                "lines that are not records (cut short by a kill?)"
            )
        self._logged = logged
        # Only files still there: the dedup table follows the folder, not the log's history.
        self.scheduler.seed(
            {p: h for p, h in logged.hashes.items() if os.path.lexists(p)},
            {p: n for p, n in logged.incomplete.items() if os.path.lexists(p)},
        )

    def _present(self) -> list[str]:
        return [
            path
            for folder in self.options.folders
            for path in scan(folder, recursive=self.options.recursive, exclude=self.options.exclude)
        ]

    def queue_initial(self) -> int:
        """Queue the bounces already present; returns how many.

        With ``initial``, every one; with ``resume`` and a log, those whose
        content the log does not record (hashed here, one at a time, so the
        workers start on the first while the rest are read). Call after
        :meth:`start`, so a file written during the scan is not missed.
        """
        log = self._log if self.options.resume and not self.options.initial else None
        if not self.options.initial and log is None:
            return 0
        present = self._present()
        todo: Iterable[str] = present
        if log is not None:
            todo = unlogged(present, self._logged, content_hash, probe)
        n = 0
        for path in todo:
            if self._stop.is_set():
                break
            self.scheduler.initial(path)
            n += 1
        if log is not None and (self._logged.lines or n):  # a new log, nothing there: quiet
            self.outputs.note(
                f"resuming from {printable(log.path)}: {len(present) - n} bounces "
                f"already checked, {n} to check"
            )
        return n

    def request_stop(self) -> None:
        """Ask :meth:`wait` to return (safe from a signal handler or another thread)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested; True if it was."""
        return self._stop.wait(timeout)

    def stop(self) -> Counts:
        """Stop watching, let the checks in flight finish and be reported.

        Returns:
            The final counts.
        """
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        self.scheduler.stop()
        self.scheduler.join()
        self.albums.close()
        return self.scheduler.counts()

    def _step_failed(self, err: Exception) -> None:
        if isinstance(err, BrokenPipeError):  # stdout was closed (`mixdesk watch ... | head`)
            self.request_stop()
            return
        try:
            self.outputs.note(f"internal error, going on: {type(err).__name__}: {err}")
        except OSError:
            self.request_stop()

    def _root_gone(self, root: str) -> None:
        self._gone_roots.add(root)
        self.outputs.note(f"{printable(root)}: the watched folder was deleted")
        if self._gone_roots.issuperset(self.options.folders):
            self.exit_code = 2
            self.request_stop()

    def run(self) -> int:
        """Watch until SIGINT or SIGTERM (main thread only); returns the exit code.

        Returns:
            0 after a graceful stop; 2 if every watched folder was deleted.

        Raises:
            WatchError: The observer could not watch a folder.
            KeyboardInterrupt: A second signal arrived while stopping.
        """
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {s: signal.getsignal(s) for s in signals}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            del frame
            if self._stop.is_set():
                raise KeyboardInterrupt  # second signal: give up on the checks in flight
            self._stop.set()  # before anything else: a second signal may interrupt the note
            self.outputs.note(
                f"{signal.Signals(signum).name}: finishing the checks in flight, then exiting"
            )

        for s in signals:
            signal.signal(s, on_signal)
        try:
            name = self.start()
            folders = ", ".join(printable(f) for f in self.options.folders)
            self.outputs.display.start(f"watching {folders} ({name}); Ctrl-C stops")
            self.queue_initial()
            while not self.wait(0.5):
                pass
            counts = self.stop()
        except KeyboardInterrupt:  # a second signal
            self.scheduler.abandon()
            raise
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        left = counts.waiting + counts.queued
        unchecked = f"; {left} files still being written or queued were not checked" if left else ""
        self.outputs.display.stop(
            f"stopped: {counts.done} done ({counts.failed} failed){unchecked}"
        )
        return self.exit_code
