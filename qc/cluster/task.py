"""What a Dask worker does with one file: hash it, skip it if the log holds it, else check it.

This module is imported by the workers (``qc.cluster.task.run_task`` is the
function submitted), so it imports nothing from Dask. The file is read at its
worker path (after ``--path-map``); the result carries the path as the user
gave it, so the report reads as a local run's. Nothing here raises for a bad
or missing file: :func:`~qc.engine.check` turns it into a result with ``error``
set (exit 2 for that file; the others go on).

At most one file per worker process is in memory at a time, whatever the
worker's ``--nthreads``: checks in one process take :data:`_ONE_AT_A_TIME`
(the watch pool's rule, :mod:`qc.watch.pool`). After each check the heap's free
pages go back to the kernel (:func:`qc.watch.job.trim_heap`).

Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which
freezes glibc's mmap threshold at 128 KiB: every block buffer of a check is
then a fresh ``mmap`` whose pages the kernel zeroes, and ``munmap`` on free.
Measured on 20 short files in one worker: 8.2 s of system time against 0.5 s
for the same checks in a plain process; with the threshold raised to 32 MiB
(:func:`_tune_malloc`, once per process) 2.0 s. The heap is still trimmed after
every check, so memory does not grow.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import functools
import os
import stat
import threading
import time
from dataclasses import dataclass

from qc.engine import FileResult, check
from qc.settings import Settings
from qc.watch.job import content_hash, trim_heap

__all__ = ["MMAP_THRESHOLD_BYTES", "Task", "TaskResult", "run_task"]

_ONE_AT_A_TIME = threading.Lock()
"""Held while a file is hashed and checked: one file in memory per worker process."""


@dataclass(frozen=True)
class Task:
    """One file to check on a worker.

    Attributes:
        index: Position of the file in the run (the report's order).
        path: The path as the user gave it (shown in the report).
        worker_path: Where the worker reads it (``--path-map`` applied).
        settings: The file's resolved settings.
        max_duration_s: Longer files are unreadable, s; ``None``: no limit.
        known_blake2b: Hash of the content the log already holds for it, or ``None``.
        hash_content: Hash the file (for ``--log``); without a log nothing needs it.
    """

    index: int
    path: str
    worker_path: str
    settings: Settings
    max_duration_s: float | None
    known_blake2b: str | None = None
    hash_content: bool = False


@dataclass(frozen=True)
class TaskResult:
    """What the worker found.

    Attributes:
        index: The task's index.
        result: The linter's result (path as the user gave it); ``None`` when skipped.
        blake2b: Hex BLAKE2b-256 of the content read, or ``None`` when it could not be read.
        size_bytes: File size when hashed, bytes, or ``None``.
        check_s: Seconds spent hashing and checking on the worker.
        worker_pid: The process that ran it.
        skipped: The content is the one the log holds: not checked again.
    """

    index: int
    result: FileResult | None
    blake2b: str | None
    size_bytes: int | None
    check_s: float
    worker_pid: int
    skipped: bool = False


_M_MMAP_THRESHOLD = -3
"""glibc ``mallopt`` parameter (``malloc.h``)."""

MMAP_THRESHOLD_BYTES = 32 << 20
"""Allocations below this come from the heap in a worker (32 MiB; see the module's note)."""


@functools.cache
def _tune_malloc() -> bool:
    """Raise glibc's mmap threshold in this process, once; False where there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    except OSError:
        return False
    return mallopt is not None and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def _hash(path: str) -> tuple[str | None, int | None]:
    """``(blake2b, size)`` of a regular file, ``(None, None)`` if it cannot be read."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # never open a FIFO: it would wait for a writer
            return None, None
        return content_hash(path), st.st_size
    except (OSError, ValueError):
        return None, None


def run_task(task: Task) -> TaskResult:
    """Hash and check one file (the function submitted to the cluster).

    Args:
        task: The file, its worker path and its settings.

    Returns:
        The outcome; never raises for a bad, missing or unreadable file.
    """
    _tune_malloc()
    with _ONE_AT_A_TIME:
        t0 = time.perf_counter()
        digest, size = _hash(task.worker_path) if task.hash_content else (None, None)
        if digest is not None and digest == task.known_blake2b:
            elapsed = time.perf_counter() - t0
            return TaskResult(task.index, None, digest, size, elapsed, os.getpid(), skipped=True)
        found = check(task.worker_path, task.settings, max_duration_s=task.max_duration_s)
        trim_heap()
        result = dataclasses.replace(found, path=task.path)
        return TaskResult(task.index, result, digest, size, time.perf_counter() - t0, os.getpid())
