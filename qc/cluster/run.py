"""One ``mixdesk check --cluster`` run: tasks out, results back in the order of a local run.

The client resolves each file's settings (as a local run does: the same
:class:`~qc.settings.Settings` values), maps its path for the workers, and
submits one task per file (:func:`qc.cluster.client.run_tasks`). Results come
back in completion order; each is stored at its file's index (a second result
for an index is dropped: nothing is reported twice), appended to ``--log``,
and streamed as a ``json-lines`` line when that is the format on stdout (then
only its verdict is kept). The report is otherwise rendered in the files'
order, so it is byte for byte the local run's.

With ``--log``, a file whose content the log already holds is not checked
again (:mod:`qc.cluster.logbook`): the JSON formats print its logged object,
the other formats leave it out and say how many they left out; its verdict
counts in the exit code either way.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from qc.cluster.logbook import LogEntry, absolute, index_log, logged_object, stand_in
from qc.cluster.progress import Progress
from qc.cluster.spec import ClusterSpec, PathMap
from qc.cluster.task import Task, TaskResult
from qc.engine import FileResult
from qc.errors import UsageError
from qc.report.json_report import SCHEMA, file_object, summary_object
from qc.settings import Settings
from qc.units import count

__all__ = ["ClusterOptions", "Outcome", "Renderer", "run_cluster"]

Job = tuple[str, Settings, float]
"""As ``mixdesk check`` plans it: path, settings, max duration (s)."""

Renderer = Callable[[list[FileResult], str, IO[str]], None]
"""Writes a run's results in a format to a stream (``mixdesk check``'s ``_render``)."""


@dataclass(frozen=True)
class ClusterOptions:
    """How to run on the cluster.

    Attributes:
        spec: Which cluster.
        path_map: Client prefixes → worker prefixes.
        log: ``--log`` NDJSON file, or ``None``.
        timeout_s: Bound on connecting and on waiting for a worker, s.
        retries: Re-runs of a task that raised.
        window: Most tasks in flight; ``None``: twice the workers' threads.
    """

    spec: ClusterSpec
    path_map: PathMap = field(default_factory=PathMap)
    log: str | None = None
    timeout_s: float = 10.0
    retries: int = 2
    window: int | None = None


@dataclass
class Outcome:
    """What a cluster run produced.

    Attributes:
        results: One per job, in job order; a file skipped through the log is a
            stand-in carrying its logged verdict.
        replayed: Job index → the logged file object of a skipped file.
        streamed: Jobs already written to stdout as ``json-lines``.
        checked: Files checked on the cluster in this run.
        duplicates: Results dropped because their file already had one.
    """

    results: list[FileResult]
    replayed: dict[int, dict[str, Any]]
    streamed: int = 0
    checked: int = 0
    duplicates: int = 0

    def render_with(self, fallback: Renderer, log: str | None) -> Renderer:
        """A renderer that prints logged objects for skipped files and skips streamed lines."""

        def render(results: list[FileResult], fmt: str, out: IO[str]) -> None:
            if fmt == "json-lines" and self.streamed:
                fallback(results[self.streamed :], fmt, out)
            elif fmt in ("json", "json-lines") and self.replayed:
                objs = [self.replayed.get(i) or file_object(r) for i, r in enumerate(results)]
                if fmt == "json":
                    doc = {"schema": SCHEMA, "files": objs, "summary": summary_object(results)}
                    out.write(json.dumps(doc, indent=2, allow_nan=False) + "\n")
                else:
                    out.writelines(_line(o) for o in objs)
            else:
                fallback([r for i, r in enumerate(results) if i not in self.replayed], fmt, out)
                if self.replayed:
                    print(
                        f"mixdesk: {count(len(self.replayed), 'file')} already checked in {log} "
                        "(same content) are not in this report; their records are in the log",
                        file=sys.stderr,
                    )

        return render


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n"


def _tasks(jobs: Sequence[Job], opts: ClusterOptions, known: dict[str, LogEntry]) -> Iterator[Task]:
    for i, (path, settings, longest) in enumerate(jobs):
        entry = known.get(absolute(path))
        yield Task(
            index=i,
            path=path,
            worker_path=opts.path_map.to_worker(path),
            settings=settings,
            max_duration_s=longest,
            known_blake2b=entry.blake2b if entry is not None else None,
            hash_content=opts.log is not None,
        )


def run_cluster(
    jobs: Sequence[Job], opts: ClusterOptions, *, stream: IO[str] | None, console: Any | None
) -> Outcome:
    """Check every file on the cluster.

    Args:
        jobs: The planned files, in report order.
        opts: Cluster, path map, log.
        stream: Where to write each ``json-lines`` line as its file finishes,
            or ``None`` to render everything at the end.
        console: A rich console on stderr for the progress bar, or ``None`` for none.

    Returns:
        The results in job order, and what was replayed from the log.

    Raises:
        UsageError: ``distributed`` is missing, the cluster cannot be reached,
            or the log cannot be opened or read.
    """
    from qc.cluster.client import connect, run_tasks
    from qc.watch.log import NdjsonLog
    from qc.watch.record import Outcome as Verdict
    from qc.watch.record import Record

    known: dict[str, LogEntry] = {}
    log: NdjsonLog | None = None
    if opts.log is not None:
        try:
            known = index_log(opts.log, {absolute(p) for p, _, _ in jobs})
            log = NdjsonLog(opts.log)
        except OSError as err:
            raise UsageError(f"--log {opts.log}: {err.strerror or err}") from None
    slots: list[FileResult | None] = [None] * len(jobs)
    out = Outcome(results=[], replayed={})
    bar = Progress(len(jobs), console=console)

    def take(tr: TaskResult) -> None:
        path, settings, _ = jobs[tr.index]
        if slots[tr.index] is not None:
            out.duplicates += 1
            return
        if tr.skipped:
            assert opts.log is not None
            try:
                obj = logged_object(opts.log, known[absolute(path)], path)
            except (OSError, ValueError) as err:  # the log changed under the run
                raise UsageError(f"--log {opts.log}: cannot read it back ({err})") from None
            out.replayed[tr.index] = obj
            slots[tr.index] = stand_in(obj, settings.profile_names)
        else:
            assert tr.result is not None
            slots[tr.index] = tr.result
            out.checked += 1
            if log is not None:
                logged = dataclasses.replace(tr.result, path=absolute(path))
                rec = Record(logged, Verdict.CHECKED, None, time.time(), None, tr.check_s,
                             tr.blake2b, tr.size_bytes)  # fmt: skip
                try:
                    log.write(rec)
                except OSError as err:  # a run that cannot log cannot be resumed: stop
                    raise UsageError(f"--log {opts.log}: {err.strerror or err}") from None
        result = slots[tr.index]
        assert result is not None
        if stream is not None:
            stream.write(_line(out.replayed.get(tr.index) or file_object(result)))
            stream.flush()
            # Written: keep only the verdict (exit code, stderr), not the measurements,
            # so a streamed catalogue's memory grows by its findings, not by its files.
            slots[tr.index] = dataclasses.replace(result, info=None, measurements=None)
        bar.advance(failed=result.error is not None)

    try:
        with connect(opts.spec, opts.timeout_s) as client, bar:
            run_tasks(client, _tasks(jobs, opts, known), take, retries=opts.retries,
                      window=opts.window)  # fmt: skip
    finally:
        if log is not None:
            log.close()
    missing = [jobs[i][0] for i, r in enumerate(slots) if r is None]
    if missing:  # cannot happen: every task yields once; never report a partial run as whole
        raise UsageError(f"the cluster returned no result for {len(missing)} files")
    out.results = [r for r in slots if r is not None]
    out.streamed = len(jobs) if stream is not None else 0
    return out
