"""A worker's job: the heap is trimmed after each check, so a worker's RSS stays flat."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import qc.watch.job as job_module
from qc.profiles import load_profile
from qc.settings import Settings
from qc.watch.job import Job, run_job
from tests.qc.watch.writers import tone, wav_bytes

# Frees 48 of every 50 blocks of 100 KiB (under glibc's mmap threshold, so on the heap);
# the survivors pin the heap's top, so only malloc_trim can hand the holes back.
FRAGMENTED_HEAP = textwrap.dedent(
    """
    import sys
    from qc.watch.job import trim_heap

    def rss_mib():
        with open("/proc/self/status") as fh:
            line = next(x for x in fh if x.startswith("VmRSS"))
        return int(line.split()[1]) / 1024

    blocks = [bytearray(b"x" * 100_000) for _ in range(1500)]
    kept = blocks[::50]
    del blocks
    before = rss_mib()
    trimmed = trim_heap()
    print(trimmed, before, rss_mib())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc: Linux only")
def test_trim_heap_returns_freed_pages_to_the_kernel() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FRAGMENTED_HEAP], capture_output=True, text=True, check=True
    )
    trimmed, before, after = proc.stdout.split()
    assert trimmed == "True"
    # 1470 freed blocks of 100 KB: about 140 MiB; most of it must leave the RSS.
    assert float(before) - float(after) > 100, proc.stdout


def test_each_check_trims_the_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[None] = []
    monkeypatch.setattr(job_module, "trim_heap", lambda: calls.append(None) or True)
    path = tmp_path / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.5)))
    result = run_job(Job(str(path), Settings((load_profile("default"),))))
    assert result.result is not None
    assert result.result.error is None
    assert len(calls) == 1
