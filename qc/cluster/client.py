"""The Dask side: connect (or start a local cluster), submit in bounded batches, collect.

``distributed`` is the optional extra ``cluster``; it is imported here, inside
the functions, and only when a run names a cluster, so a plain ``mixdesk
check`` never loads it. Without it, :func:`connect` raises one
:class:`~qc.errors.UsageError` naming the extra.

Tasks are submitted through a window (:func:`run_tasks`): at most ``window``
futures exist at a time, and each finished one is released before the next
file is submitted, so a million-file catalogue never builds a million futures.
A worker that dies mid-task is Dask's business: the scheduler re-runs the task
elsewhere (``retries=`` covers a task that raised; a task whose workers die
``distributed.scheduler.allowed-failures`` times is ``KilledWorker``, reported
as that file's error). Every task is submitted exactly once and each future
yields once, so no file is lost or doubled.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import socket
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from qc.cluster.spec import ClusterSpec
from qc.cluster.task import Task, TaskResult, run_task
from qc.engine import unreadable
from qc.errors import UsageError

Client = Any
"""``distributed.Client`` (its stubs are partial: the module is used untyped)."""

__all__ = [
    "DEFAULT_RETRIES",
    "MISSING_EXTRA",
    "RESIZE_EVERY",
    "connect",
    "failed_result",
    "run_tasks",
]

DEFAULT_RETRIES = 2
"""Re-runs of a task that raised on its worker."""

RESIZE_EVERY = 64
"""Results between two looks at the cluster's thread count (the window only grows)."""

MISSING_EXTRA = "--cluster needs distributed: pip install 'mixdesk[cluster]'"
"""The one line printed (after ``mixdesk: ``) when ``distributed`` is not installed."""


def _quiet() -> None:
    """Dask's own warnings (a lost worker, a closed comm) would break the one-line errors."""
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@contextlib.contextmanager
def connect(spec: ClusterSpec, timeout_s: float) -> Iterator[Client]:
    """A client of the spec's cluster, closed (and a local cluster stopped) on exit.

    Args:
        spec: ``tcp://HOST:PORT`` or ``local:N``.
        timeout_s: Bound on reaching the scheduler and on waiting for its first worker, s.

    Yields:
        The connected client.

    Raises:
        UsageError: ``distributed`` is missing, the scheduler does not answer in
            time, or no worker joins it in time.
    """
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    _quiet()
    with contextlib.ExitStack() as stack:
        if spec.address is None:
            cluster = distributed.LocalCluster(
                n_workers=spec.local_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Loopback only, no dashboard, and no HTTP server on the default :8787.
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                worker_dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
            stack.enter_context(cluster)
            address: Any = cluster
        else:
            address = spec.address
            _probe(spec, timeout_s)
        client = _client(distributed, address, spec, timeout_s)
        stack.enter_context(client)
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError):
            raise UsageError(
                f"{spec.source} {spec}: no worker joined the scheduler within {timeout_s:g} s"
            ) from None
        yield client


def _probe(spec: ClusterSpec, timeout_s: float) -> None:
    """Fail at once, in one line, when nothing listens at the address (Dask would retry)."""
    assert spec.address is not None
    host, _, port = spec.address.removeprefix("tcp://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as err:
        reason = err.strerror or str(err) or type(err).__name__
        raise UsageError(f"{spec.source} {spec}: cannot reach the scheduler ({reason})") from None


def _client(distributed: Any, address: Any, spec: ClusterSpec, timeout_s: float) -> Client:
    """A connected ``distributed.Client``; a failure is one line.

    Something that listens but is not a Dask scheduler makes ``Client`` fail
    in many ways (a timeout, a garbled handshake); the half-built client's
    ``__del__`` would then print a traceback: it is collected here, silenced.
    """
    try:
        return distributed.Client(address, timeout=timeout_s, set_as_default=False)
    except Exception as err:  # the handshake's failures are not all OSError
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise UsageError(f"{spec.source} {spec}: no Dask scheduler answered ({reason[:200]})")


def failed_result(task: Task, reason: str) -> TaskResult:
    """The result of a task that the cluster could not run: that file's error, exit 2."""
    return TaskResult(task.index, unreadable(task.path, reason, task.settings), None, None, 0.0, 0)


def _reason(err: BaseException) -> str:
    name = type(err).__name__
    if name == "KilledWorker":
        return "the workers checking it died (distributed.scheduler.allowed-failures reached)"
    text = str(err).splitlines()[0] if str(err) else ""
    return f"cluster task failed: {name}" + (f": {text}" if text else "")


def _threads(client: Client) -> int:
    threads: int = sum(client.nthreads().values())
    return max(threads, 1)


def run_tasks(
    client: Client,
    tasks: Iterable[Task],
    on_result: Callable[[TaskResult], None],
    *,
    retries: int = DEFAULT_RETRIES,
    window: int | None = None,
) -> None:
    """Run every task on the cluster, handing each result over as it finishes.

    Args:
        client: A connected client.
        tasks: The files, consumed lazily (one per free slot in the window).
        on_result: Called in the client's thread with each result, in
            completion order, exactly once per task.
        retries: Re-runs of a task that raised.
        window: Most tasks submitted and not yet collected; defaults to twice
            the cluster's worker threads (at least 4), looked at again every
            :data:`RESIZE_EVERY` results so that workers joining later are fed.
    """
    as_completed: Any = importlib.import_module("distributed").as_completed
    fixed = window is not None
    limit = window if window is not None else max(2 * _threads(client), 4)
    run = uuid.uuid4().hex[:12]
    source = iter(tasks)
    pending: dict[Any, Task] = {}
    done = as_completed(loop=client.loop)

    def submit() -> bool:
        task = next(source, None)
        if task is None:
            return False
        key = f"mixdesk-check-{run}-{task.index}"
        future = client.submit(run_task, task, key=key, retries=retries, pure=False)
        pending[future.key] = task
        done.add(future)
        return True

    while len(pending) < limit and submit():
        pass
    for collected, future in enumerate(done, 1):
        task = pending.pop(future.key)
        try:
            result: TaskResult = future.result()
        except Exception as err:  # any task failure is that file's error
            result = failed_result(task, _reason(err))
        future.release()
        on_result(result)
        if not fixed and collected % RESIZE_EVERY == 0:
            limit = max(limit, 2 * _threads(client))
        while len(pending) < limit and submit():
            pass
