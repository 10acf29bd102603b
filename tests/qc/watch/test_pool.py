"""The worker pool: real processes, warm, rebuilt after a worker dies."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from qc.profiles import load_profile
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
        result = pool.submit(Job(str(path), (load_profile("default"),))).result(timeout=30)
        assert result.blake2b == blake2b(content)
        assert result.result is not None
        assert result.result.error is None
    finally:
        pool.shutdown()
