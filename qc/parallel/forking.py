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
import gc
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
    "freeze_inherited",
    "keep_freed_memory",
    "read_outcome",
    "run_forked",
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
    func: Callable[[T], R],
    jobs: Iterable[T],
    *,
    executor: ThreadPoolExecutor | None = None,
    processes: int = 2,
) -> list[R]:
    """A ``map`` over processes: jobs dealt round-robin, the first hand here, the rest forked.

    For the few long, independent jobs at the end of a stream (the lossy
    detector's frame-grid searches). Without ``os.fork``, for one job, or when
    :func:`fork_is_safe` says no, the jobs of every other hand run on
    ``executor``'s thread (or here, without one).

    Args:
        func: Called on each job; its results must pickle.
        jobs: The jobs.
        executor: The caller's worker pool (its idle thread does not prevent the fork).
        processes: Hands dealt (this process and ``processes - 1`` children);
            more hands than cores even out jobs of unequal cost.

    Returns:
        The results hand by hand: jobs 0, k, 2k, ..., then 1, k + 1, ... for
        ``k = processes`` (with two: the order of the two-thread map this replaces).
    """
    todo = list(jobs)
    hands = [todo[i :: max(processes, 2)] for i in range(max(processes, 2))]
    hands = [h for h in hands if h]
    if len(hands) < 2 or not can_fork() or not fork_is_safe(executor):
        rest = [job for hand in hands[1:] for job in hand]
        there = [executor.submit(func, job) for job in rest] if executor else []
        here = [func(job) for job in hands[0]]
        done = [f.result() for f in there] if executor else [func(job) for job in rest]
        return here + done
    children: list[tuple[int, BinaryIO]] = []
    try:
        for hand in hands[1:]:
            children.append(_fork_hand(func, hand))
        results = [func(job) for job in hands[0]]
        for _pid, up in children:
            kind, there = read_outcome(up)
            if kind == ERROR:
                raise there if isinstance(there, BaseException) else RuntimeError(str(there))
            results.extend(there)
    finally:
        for pid, up in children:
            up.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return results


def _fork_hand(func: Callable[[T], R], hand: list[T]) -> tuple[int, BinaryIO]:
    """Fork a child that runs ``func`` on each job of ``hand``; its pid and result pipe."""
    up_r, up_w = os.pipe()

    def child() -> int:  # pragma: no cover - runs in the child
        os.close(up_r)
        with os.fdopen(up_w, "wb") as out:
            send_outcome(out, lambda: [func(job) for job in hand])
        return 0

    pid = run_forked(child)
    os.close(up_w)
    return pid, os.fdopen(up_r, "rb")


def freeze_inherited() -> None:
    """In a forked child: never let the garbage collector free what the parent left.

    The parent's garbage may hold native objects whose threads stayed in the
    parent: a PyAV filter graph (an audio resampler's) freed in the child joins
    FFmpeg slice threads that are not there, and the child hangs for ever (seen
    in a codec-preview child of a process that had decoded M4As before).
    Frozen, the inherited objects are left alone; what the child makes is
    collected as usual.
    """
    gc.freeze()


def run_forked(child: Callable[[], int]) -> int:
    """Fork a child that runs ``child`` and exits with its code; return the child's pid.

    In the child SIGINT is ignored (the parent decides) and nothing of the
    parent's is flushed or run twice: it leaves through ``os._exit``, with
    code 1 when ``child`` raised.
    """
    pid = fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        code = 1
        try:
            freeze_inherited()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            code = child()
        finally:
            os._exit(code)
    return pid


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
