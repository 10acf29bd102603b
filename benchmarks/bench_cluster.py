"""mixdesk check on a Dask cluster vs a local run: files per second and overhead per task.

Usage::

    python benchmarks/bench_cluster.py                     # 200 one-minute files (issue 24)
    python benchmarks/bench_cluster.py --files 40 --seconds 60 --write

Generates ``--files`` deterministic stereo masters of ``--seconds`` each (44.1 kHz,
16-bit, band-limited noise with a slow envelope), then checks the folder with:

* ``mixdesk check --jobs 1`` and ``--jobs 2`` (the local run: a process pool);
* ``mixdesk check --cluster local:1`` and ``local:2`` (a LocalCluster started by the run;
  its start-up is inside the wall time);
* ``mixdesk check --cluster tcp://127.0.0.1:PORT`` against a ``dask scheduler`` and two
  ``dask worker`` processes (default nanny) started beforehand, on loopback.

Each is one whole process timed from outside (wall clock). Every run's JSON report must
equal the ``--jobs 1`` run's byte for byte, or the benchmark fails.

The scheduler's overhead per task is measured apart: the same bounded submission
(:func:`qc.cluster.client.run_tasks`) runs ``--overhead-tasks`` tasks whose file does not
exist (the worker only finds it missing) on the two workers; wall time per task is then
compared with one file's check time from the ``--jobs 1`` run.

The machine is shared (2 cores, other jobs running): the load average is printed with
the figures, and figures taken under load are noisy.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import update_benchmarks_md  # noqa: E402

SECTION = "mixdesk check on a Dask cluster (bench_cluster.py)"
BIN = Path(sys.executable).parent


def make_files(folder: Path, n: int, seconds: float, seed: int = 2024) -> None:
    """``n`` masters: noise low-passed by a one-pole filter, with a slow envelope."""
    rng = np.random.default_rng(seed)
    rate = 44100
    frames = int(rate * seconds)
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(frames) / rate
    for i in range(n):
        x = rng.standard_normal((frames, 2))
        x = np.cumsum(x, axis=0)  # brown-ish: most energy low, as music
        x -= np.linspace(x[0], x[-1], frames)
        x /= np.max(np.abs(x)) + 1e-9
        env = 0.6 + 0.4 * np.sin(2 * np.pi * t / (7 + i % 5))[:, None]
        sf.write(folder / f"master{i:03d}.wav", 0.5 * x * env, rate, subtype="PCM_16")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one run, and its stdout (exit 0 or 1 accepted).

    CPU is user + system of the process and every descendant it waited for
    (``RUSAGE_CHILDREN``): a local cluster's workers are counted, a separate
    scheduler's workers are not.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return wall, cpu, proc.stdout


def start_dask(workdir: Path, workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """``dask scheduler`` and ``workers`` × ``dask worker --nthreads 1`` on 127.0.0.1."""
    port = _free_port()
    dask = str(BIN / "dask")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    address = f"tcp://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    for i in range(workers):
        procs.append(
            subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1", "--name", f"bench{i}"],
                cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    from distributed import Client

    with Client(address, timeout=60, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def overhead_per_task(address: str, n: int, workdir: Path, workers: int) -> float:
    """Worker-seconds per task of ``n`` tasks that only find their file missing.

    The wall time of the batch times the number of workers, divided by ``n``:
    what each task costs a worker's time line, scheduling and transfer included.
    """
    from qc.cluster.client import connect, run_tasks
    from qc.cluster.spec import parse_cluster
    from qc.cluster.task import Task
    from qc.config import ConfigFinder
    from qc.settings import SettingsResolver

    settings = SettingsResolver(ConfigFinder(None)).for_file(str(workdir / "x.wav"))
    missing = str(workdir / "no-such-dir")
    tasks = [Task(i, f"m{i}.wav", f"{missing}/m{i}.wav", settings, 86400.0) for i in range(n)]
    got: list[int] = []
    with connect(parse_cluster(address), 30) as client:
        run_tasks(client, tasks[:4], lambda r: None)  # warm: code imported on the workers
        t0 = time.perf_counter()
        run_tasks(client, tasks, lambda r: got.append(r.index))
        wall = time.perf_counter() - t0
    assert sorted(got) == list(range(n))
    return wall * workers / n


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; ``--write`` updates docs/benchmarks.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--overhead-tasks", type=int, default=400)
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = ap.parse_args(argv)
    mixdesk = str(BIN / "mixdesk")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        work = Path(tmp)
        make_files(work / "cat", args.files, args.seconds)
        load0 = os.getloadavg()
        procs: list[subprocess.Popen[bytes]] = []
        try:
            runs: list[tuple[str, float, float]] = []
            reference: str | None = None
            plain = [mixdesk, "check", "--format", "json"]
            for label, extra in (
                ("local, --jobs 1", ["--jobs", "1"]),
                ("local, --jobs 2", ["--jobs", "2"]),
                ("--cluster local:1 (start-up included)", ["--cluster", "local:1"]),
                ("--cluster local:2 (start-up included)", ["--cluster", "local:2"]),
                ("--cluster tcp:// scheduler + 2 workers", ["--cluster", "tcp"]),
            ):
                if extra == ["--cluster", "tcp"]:  # started now: its workers run today's code
                    address, procs = start_dask(work, 2)
                wanted = ["--cluster", address] if extra[-1] == "tcp" else extra
                wall, cpu, out = timed([*plain, *wanted, "cat"], work)
                reference = reference if reference is not None else out
                if out != reference:
                    raise SystemExit(f"{label}: the report differs from the local run's")
                runs.append((label, wall, cpu))
                print(f"{label:42s} {wall:8.2f} s  {args.files / wall:6.2f} files/s  "
                      f"CPU {cpu:8.2f} s", flush=True)  # fmt: skip
            per_task = overhead_per_task(address, args.overhead_tasks, work, 2)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=30)
        load1 = os.getloadavg()
    check_s = runs[0][2] / args.files  # CPU of one check, from the --jobs 1 run
    share = per_task / check_s
    print(f"overhead per task {per_task * 1000:.1f} ms = {100 * share:.2f} % of one file's check "
          f"({check_s:.3f} s CPU); load {load0[0]:.1f} -> {load1[0]:.1f}")  # fmt: skip
    rows = "\n".join(
        f"| {label} | {wall:.1f} | {args.files / wall:.2f} | "
        + (f"{cpu:.1f} |" if "tcp" not in label else "(workers apart) |")
        for label, wall, cpu in runs
    )
    body = f"""\
`python benchmarks/bench_cluster.py --files {args.files} --seconds {args.seconds:g}`:
{args.files} masters of {args.seconds:g} s (44.1 kHz, 16-bit stereo) checked by one
`mixdesk check --format json` process each, timed from outside, on this 2-core machine
(load average {load0[0]:.1f} before, {load1[0]:.1f} after: other jobs were running, so the
figures are noisy). Every report equals the `--jobs 1` one byte for byte.

| run | wall s | files/s | CPU s |
|---|---:|---:|---:|
{rows}

CPU is user + system of the command and the processes it waited for (a `local:N`
cluster's workers included; the separate scheduler's workers are not). On a machine
this loaded, wall times say little; CPU is the steadier figure.

Overhead per task: {args.overhead_tasks} tasks through the same bounded submission, each
finding its file missing, on the scheduler and two workers: **{per_task * 1000:.1f} ms** of
worker time per task (batch wall × 2 workers / tasks), **{100 * share:.2f} %** of one
file's check ({check_s:.3f} s CPU per file in the `--jobs 1` run; target < 5 %).
"""
    if args.write:
        path = update_benchmarks_md(SECTION, body, REPO / "docs" / "benchmarks.md")
        print(f"wrote {path}")
    else:
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
