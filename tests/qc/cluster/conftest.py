"""Fixtures for the cluster tests: a real Dask scheduler and workers on 127.0.0.1, a folder.

The scheduler and workers are ``dask scheduler`` / ``dask worker`` subprocesses
of the venv (loopback only, no dashboard); every process started here is
stopped by its pid. ``distributed`` missing skips locally and fails under
``CI=true``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.builders import unavailable

BIN = Path(sys.executable).parent
MIXDESK = str(BIN / "mixdesk")
DASK = str(BIN / "dask")


def need_distributed() -> None:
    """Skip locally (fail in CI) when the ``cluster`` extra is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        unavailable("distributed not installed: pip install 'mixdesk[cluster]'")
    if not os.path.exists(DASK):
        unavailable(f"{DASK} missing")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DaskCluster:
    """A scheduler and its workers, each a subprocess."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], bound_s: float = 30.0) -> None:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dask scheduler never listened")


def start_cluster(workdir: Path, workers: int) -> DaskCluster:
    """Start ``dask scheduler`` and ``workers`` × ``dask worker --no-nanny --nthreads 1``."""
    need_distributed()
    port = free_port()
    logs = workdir / "dask-logs"
    logs.mkdir(exist_ok=True)
    sched = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=(logs / f"scheduler-{port}.log").open("wb"),
    )
    cluster = DaskCluster(f"tcp://127.0.0.1:{port}", sched)
    # What a nanny would set (--no-nanny, so that a SIGKILL ends the worker itself).
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}  # fmt: skip
    try:
        _wait_listening(port, sched)
        for i in range(workers):
            cluster.workers.append(
                subprocess.Popen(
                    [DASK, "worker", cluster.address, "--nthreads", "1", "--no-nanny",
                     "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
                    cwd=workdir,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / f"worker-{port}-{i}.log").open("wb"),
                )
            )  # fmt: skip
        from distributed import Client

        with Client(cluster.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def make_folder(folder: Path, n: int, seed: int = 24) -> list[str]:
    """``n`` short files (0.5-1 s, 48 kHz), some with findings, and one unreadable ``.wav``.

    Every 7th file is hard-clipped loud noise (clipping, true peak findings),
    every 5th a quiet sine (loudness findings), the rest moderate noise; the
    last is not audio at all.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n - 1):
        frames = int(48000 * (0.5 + 0.5 * rng.random()))
        if i % 7 == 0:
            x = np.clip(1.5 * rng.standard_normal((frames, 2)), -1.0, 1.0)
        elif i % 5 == 0:
            t = np.arange(frames) / 48000
            x = np.repeat((0.01 * np.sin(2 * np.pi * 440 * t))[:, None], 2, axis=1)
        else:
            x = 0.1 * rng.standard_normal((frames, 2))
        name = f"track{i:03d}.wav"
        sf.write(folder / name, x, 48000, subtype="PCM_24")
        names.append(name)
    (folder / "zz_broken.wav").write_bytes(b"this is not audio" * 64)
    names.append("zz_broken.wav")
    return names


def mixdesk(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run the mixdesk console script; ``timeout`` only guards against a hang."""
    full = {**os.environ, "CI": os.environ.get("CI", ""), "NO_COLOR": "1", **(env or {})}
    return subprocess.run([MIXDESK, *args], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A scheduler and two workers, shared by a test module."""
    c = start_cluster(tmp_path_factory.mktemp("dask"), 2)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str, int]:
    """A 60-file folder and its local run: ``(root, names, json report, exit code)``.

    The report is of ``mixdesk check --format json cat`` run from ``root``.
    """
    root = tmp_path_factory.mktemp("catalogue")
    names = make_folder(root / "cat", 60)
    local = mixdesk("check", "--format", "json", "cat", cwd=root)
    assert local.returncode == 2, local.stderr  # the broken file
    return root, names, local.stdout, local.returncode
