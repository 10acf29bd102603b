"""The worker pool: real processes, warm, rebuilt after a worker dies."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from qc.profiles import load_profile
from qc.settings import Settings
from qc.watch.job import Job
from qc.watch.pool import WorkerPool
from tests.qc.watch.writers import blake2b, tone, wav_bytes


def test_a_dead_worker_fails_its_job_and_the_pool_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "mix.wav"
    content = wav_bytes(tone(0.25))
    path.write_bytes(content)
    pool = WorkerPool(1)
    try:
        doomed = pool._pool.submit(os._exit, 1)  # what the OOM killer does to a worker
        with pytest.raises(BrokenProcessPool):
            doomed.result(timeout=30)
        job = Job(str(path), Settings((load_profile("default"),)))
        result = pool.submit(job).result(timeout=30)
        assert result.blake2b == blake2b(content)
        assert result.result is not None
        assert result.result.error is None
    finally:
        pool.shutdown()


def test_workers_are_recycled_at_an_idle_moment_after_enough_checks(tmp_path: Path) -> None:
    path = tmp_path / "mix.wav"
    content = wav_bytes(tone(0.25))
    path.write_bytes(content)
    job = Job(str(path), Settings((load_profile("default"),)))
    pool = WorkerPool(1, recycle_after=3)
    try:
        first = [pool.submit(job) for _ in range(3)]
        assert all(f.result(timeout=30).blake2b == blake2b(content) for f in first)
        before = set(pool._pool._processes)  # type: ignore[attr-defined]
        assert pool.recycled == 0
        future = pool.submit(job)  # idle and due: a fresh pool takes it
        gone = [not os.path.exists(f"/proc/{pid}") for pid in before]
        assert gone == [True] * len(before), "the old workers outlived the recycling"
        after = future.result(timeout=30)
        assert pool.recycled == 1
        assert after.blake2b == blake2b(content)
        assert after.result is not None
        assert after.result.error is None
        assert not before & set(pool._pool._processes)  # type: ignore[attr-defined]
    finally:
        pool.shutdown()
