"""Run one function over many files, in worker processes when asked, in order.

The one home of the pattern ``mixdesk check`` (files) and ``mixdesk album``
(tracks) share: the work runs inline for one worker or one job (no process to
start), else in a :class:`~concurrent.futures.ProcessPoolExecutor` of at most as
many workers as jobs; results come back in the jobs' order, and ``tick`` is
called once per finished job (a progress bar).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["run_jobs"]

J = TypeVar("J")
R = TypeVar("R")


def run_jobs(
    fn: Callable[[J], R], jobs: Sequence[J], workers: int, tick: Callable[[], None]
) -> list[R]:
    """Apply ``fn`` to every job, in ``workers`` processes when more than one.

    Args:
        fn: A picklable module-level function (it runs in worker processes).
        jobs: Its arguments, one per job; picklable.
        workers: Processes to use at most; 1 runs everything in this process.
        tick: Called once after each job finishes, in order.

    Returns:
        ``fn(job)`` for every job, in the jobs' order.
    """
    out: list[R] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            out.append(fn(job))
            tick()
        return out
    from concurrent.futures import ProcessPoolExecutor  # 4 ms of imports a single file skips

    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        for result in pool.map(fn, jobs):
            out.append(result)
            tick()
    return out
