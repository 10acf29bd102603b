"""Forking a child process that measures: when it is safe, and how results come back.

Used by :mod:`qc.parallel.offload` (a meter fed in a child) and by the analyzer
for the lossy detector's frame-grid searches (:func:`fork_map`). A child is a
copy of this process at the fork: it needs no pickling of its work, only of
its result, which comes back up a pipe framed as one kind byte, a length and
the pickle (:func:`send_outcome`, :func:`read_outcome`); an exception raised
in the child is sent the same way and raised here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, TypeVar

__all__ = [
    "ERROR",
    "LENGTH",
    "RESULT",
    "can_fork",
    "fork",
    "fork_is_safe",
    "fork_map",
    "keep_freed_memory",
    "read_outcome",
    "send_outcome",
]

R = TypeVar("R")
T = TypeVar("T")

RESULT = b"R"
"""Kind byte of a pickled result."""
ERROR = b"E"
"""Kind byte of a pickled exception (or its text)."""
LENGTH = struct.Struct("<q")
"""The payload's length after the kind byte."""


def can_fork() -> bool:
    """Whether this platform has ``os.fork``."""
    return hasattr(os, "fork")


def fork_is_safe(executor: ThreadPoolExecutor | None = None) -> bool:
    """Whether no other thread may be inside a library the child will call.

    A forked child has only the forking thread; a lock another thread held at
    the fork (in BLAS, an FFT, the allocator of a C library) stays held in the
    child forever. Daemon threads (a progress bar's refresh) and the given
    executor's own worker are taken as safe; any other thread (a worker pool of
    ``mixdesk fix``, an application's threads) keeps the meter on the thread.

    Args:
        executor: The caller's own worker pool, whose idle thread is safe.
    """
    own = set(getattr(executor, "_threads", ()))
    me = threading.current_thread()
    return all(t is me or t.daemon or t in own for t in threading.enumerate())


def fork_map(
    func: Callable[[T], R], jobs: Iterable[T], *, executor: ThreadPoolExecutor | None = None
) -> list[R]:
    """A ``map`` over two processes: every other job in a forked child, the rest here.

    For the few long, independent jobs at the end of a stream (the lossy
    detector's frame-grid searches). Without ``os.fork``, for one job, or when
    :func:`fork_is_safe` says no, the other jobs run on ``executor``'s thread
    (or here, without one).

    Args:
        func: Called on each job; its results must pickle.
        jobs: The jobs.
        executor: The caller's worker pool (its idle thread does not prevent the fork).

    Returns:
        The results of jobs 0, 2, 4, ... then of jobs 1, 3, 5, ... (the
        order of the two-thread map this replaces).
    """
    todo = list(jobs)
    if len(todo) < 2 or not can_fork() or not fork_is_safe(executor):
        there = [executor.submit(func, job) for job in todo[1::2]] if executor else []
        here = [func(job) for job in todo[::2]]
        rest = [f.result() for f in there] if executor else [func(job) for job in todo[1::2]]
        return here + rest
    up_r, up_w = os.pipe()
    pid = fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        code = 1
        try:
            os.close(up_r)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            with os.fdopen(up_w, "wb") as out:
                send_outcome(out, lambda: [func(job) for job in todo[1::2]])
            code = 0
        finally:
            os._exit(code)
    os.close(up_w)
    with os.fdopen(up_r, "rb") as up:
        try:
            here = [func(job) for job in todo[::2]]
            kind, there = read_outcome(up)
        finally:
            up.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    if kind == ERROR:
        raise there if isinstance(there, BaseException) else RuntimeError(str(there))
    return here + list(there)


def fork() -> int:
    """``os.fork``, without Python 3.12's warning about the worker thread.

    The child only feeds its meter and writes to its pipe: it takes no lock
    another thread of the parent may hold.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def keep_freed_memory() -> None:
    """Let the child's allocator reuse freed blocks instead of returning them (glibc).

    Every block makes temporaries of a few MiB; glibc maps and unmaps them anew
    (or trims the heap), so each one cost the child fresh zeroed pages: 0.31 s
    of system time on the 5-minute loud master, 0.07 s with these settings (and
    0.08 s of user time less). Elsewhere this does nothing.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD: keep up to 128 MiB free at the top
    mallopt(-2, 64 << 20)  # M_TOP_PAD: grow the heap in 64 MiB steps
    mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD: blocks under 64 MiB come from the heap


def send_outcome(out: BinaryIO, compute: Callable[[], object]) -> None:
    """Write ``compute()`` pickled, or the exception it raised, framed."""
    try:
        kind, payload = RESULT, pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # handed to the parent, which raises it
        try:
            kind, payload = ERROR, pickle.dumps(err)
        except Exception:  # an exception that does not pickle
            kind, payload = ERROR, pickle.dumps(f"{type(err).__name__}: {err}")
    out.write(kind + LENGTH.pack(len(payload)) + payload)
    out.flush()


def read_outcome(up: BinaryIO) -> tuple[bytes, Any]:
    """Read what :func:`send_outcome` wrote: ``(kind, value)``."""
    kind = up.read(1)
    head = up.read(LENGTH.size)
    if kind not in (RESULT, ERROR) or len(head) != LENGTH.size:
        raise RuntimeError("a measuring worker process ended without a result")
    (length,) = LENGTH.unpack(head)
    data = up.read(length)
    if len(data) != length:
        raise RuntimeError("a measuring worker process ended early")
    return kind, pickle.loads(data)
