"""Benchmark ``mixdesk watch``: verdict latency after the writer closes, and a 200-file burst.

Usage::

    python benchmarks/bench_watch.py [--runs 10] [--poll-runs 5] [--files 200]
                                     [--file-seconds 3] [--no-write]

1. **Latency.** Starts the real ``mixdesk watch DIR --log L`` (inotify, output to a
   pipe), then, ``--runs`` times, writes a 10 s stereo 48 kHz 24-bit bounce the way
   REAPER and Ardour do: a header with placeholder sizes, 20 appends over 1 s, the
   sizes patched, then ``close()``. Latency is the time from ``close()`` returning
   to the verdict's first line arriving on the daemon's stdout; the analysis time is
   the log's ``check_s`` (hash + check in the worker). Target: latency <= 0.5 s +
   analysis time, every run. The same is measured ``--poll-runs`` times with
   ``--poll`` (default poll interval and settle time) for comparison.
2. **Burst.** Starts a fresh daemon, then copies ``--files`` bounces of
   ``--file-seconds`` s (stereo 48 kHz 24-bit) into the folder in one go and waits
   until every one is in the log. The RSS of the daemon and all its descendants
   (forkserver, workers, resource tracker) is summed from ``/proc`` every 20 ms;
   the peak is reported, with the proportional set size (PSS, shared pages counted
   once) beside it. Target: every file checked exactly once, peak RSS < 400 MB.
3. Writes the results into ``docs/benchmarks.md``, section "mixdesk watch".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

import numpy as np
import soundfile as sf

from benchmarks.bench_check import machine, mixdesk_cmd
from benchmarks.common import median, update_benchmarks_md
from tests.qc.watch.procs import descendants

SECTION = "mixdesk watch"
RATE = 48000
LATENCY_SLACK_S = 0.5
RSS_TARGET_BYTES = 400_000_000
SAMPLE_EVERY_S = 0.02
TIMEOUT_S = 600.0


def bounce_samples(seconds: float, seed: int) -> np.ndarray:
    """Stereo test audio: a tone and quiet noise, different for every seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    tone = 0.3 * np.sin(2 * np.pi * (220.0 + seed) * t)
    return tone[:, None] + 0.02 * rng.standard_normal((len(t), 2))


def pcm24(x: np.ndarray) -> bytes:
    """Little-endian 24-bit PCM bytes of float samples in [-1, 1]."""
    ints = np.clip(np.round(x * 8388607), -8388608, 8388607).astype("<i4")
    return ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def progressive_write(path: Path, data: bytes, *, seconds: float = 1.0, chunks: int = 20) -> float:
    """Write a 24-bit stereo WAV like a DAW; returns ``time.time()`` right after ``close()``."""
    align = 6
    fmt = struct.pack("<IHHIIHH", 16, 1, 2, RATE, RATE * align, align, 24)
    head = b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVEfmt " + fmt
    head += b"data" + struct.pack("<I", 0xFFFFFFFF)
    step = len(data) // chunks // align * align
    fh = open(path, "wb")  # noqa: SIM115 -- closed by hand: the close is what is timed
    try:
        fh.write(head)
        for i in range(0, len(data), step):
            fh.write(data[i : i + step])
            fh.flush()
            time.sleep(seconds / chunks)
        fh.seek(4)
        fh.write(struct.pack("<I", 36 + len(data)))
        fh.seek(40)
        fh.write(struct.pack("<I", len(data)))
    finally:
        fh.close()
    return time.time()


class Watcher:
    """``mixdesk watch`` in a subprocess; stdout lines are timestamped as they arrive."""

    def __init__(self, folder: Path, log: Path, *extra: str) -> None:
        cmd = [*mixdesk_cmd(), "watch", str(folder), "--log", str(log), *extra]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, NO_COLOR="1"),
        )
        self.out: list[tuple[float, str]] = []
        self.err: list[str] = []
        self._cond = threading.Condition()
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stdout, True), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, False), daemon=True),
        ]
        for t in self._threads:
            t.start()
        self.wait_err("watching")

    def _read(self, stream: IO[str], is_out: bool) -> None:
        for line in stream:
            now = time.time()
            with self._cond:
                if is_out:
                    self.out.append((now, line.rstrip("\n")))
                else:
                    self.err.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_err(self, needle: str) -> None:
        """Block until a stderr line contains ``needle``."""
        with self._cond:
            if not self._cond.wait_for(lambda: any(needle in x for x in self.err), TIMEOUT_S):
                sys.exit(f"mixdesk watch never printed {needle!r}: {self.err}")

    def wait_verdict(self, path: Path) -> float:
        """When the first stdout line about ``path`` arrived (seconds since the epoch)."""
        prefix = f"{path}:"
        with self._cond:
            if not self._cond.wait_for(
                lambda: any(x.startswith(prefix) for _, x in self.out), TIMEOUT_S
            ):
                sys.exit(f"no verdict for {path}: {self.err[-5:]}")
            return next(t for t, x in self.out if x.startswith(prefix))

    def stop(self) -> int:
        """SIGTERM, then the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(TIMEOUT_S)
        for t in self._threads:
            t.join(5)
        return code


def log_lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(x) for x in log.read_text().splitlines() if x.strip()]


def event_of(log: Path, path: Path) -> dict[str, Any]:
    for line in log_lines(log):
        if line["path"] == str(path):
            event: dict[str, Any] = line["event"]
            return event
    sys.exit(f"{path} is not in the log")


def latency_runs(root: Path, runs: int, *extra: str) -> list[tuple[float, float]]:
    """``(latency_s, check_s)`` per run."""
    folder, log = root / f"latency{'-poll' if extra else ''}", root / "latency.ndjson"
    folder.mkdir()
    log.unlink(missing_ok=True)
    data = [pcm24(bounce_samples(10.0, seed)) for seed in range(runs)]
    watcher = Watcher(folder, log, *extra)
    out = []
    try:
        for i in range(runs):
            path = folder / f"bounce_{i:02}.wav"
            closed = progressive_write(path, data[i])
            shown = watcher.wait_verdict(path)
            check_s = float(event_of(log, path)["check_s"])
            out.append((shown - closed, check_s))
            print(f"  run {i + 1}: latency {shown - closed:.3f} s, check {check_s:.3f} s")
    finally:
        code = watcher.stop()
    if code != 0:
        sys.exit(f"mixdesk watch exited {code} after SIGTERM: {watcher.err[-5:]}")
    return out


def tree_memory(root_pid: int) -> tuple[int, int, int]:
    """``(rss_bytes, pss_bytes, processes)`` summed over a process and its descendants."""
    pids = [root_pid, *descendants(root_pid)]
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss, len(pids)


def burst(root: Path, files: int, seconds: float) -> dict[str, float]:
    staging, folder, log = root / "staging", root / "burst", root / "burst.ndjson"
    staging.mkdir()
    folder.mkdir()
    print(f"  generating {files} bounces of {seconds:g} s ...", flush=True)
    for i in range(files):
        sf.write(staging / f"track_{i:03}.wav", bounce_samples(seconds, i), RATE, subtype="PCM_24")
    size_mb = sum(p.stat().st_size for p in staging.iterdir()) / 1e6
    watcher = Watcher(folder, log)
    peak = {"rss": 0.0, "pss": 0.0, "procs": 0.0, "main_rss": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss, procs = tree_memory(watcher.proc.pid)
            main, _, _ = tree_memory_single(watcher.proc.pid)
            peak["rss"] = max(peak["rss"], rss)
            peak["pss"] = max(peak["pss"], pss)
            peak["procs"] = max(peak["procs"], procs)
            peak["main_rss"] = max(peak["main_rss"], main)
            time.sleep(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.time()
    for src in sorted(staging.iterdir()):  # the drop: one copy after another, at full speed
        shutil.copyfile(src, folder / src.name)
    dropped = time.time() - start
    deadline = time.monotonic() + TIMEOUT_S
    while len(log_lines(log)) < files and time.monotonic() < deadline:
        time.sleep(0.1)
    elapsed = time.time() - start
    done.set()
    sampler.join()
    code = watcher.stop()
    lines = log_lines(log)
    checked = {line["path"] for line in lines if line["event"]["outcome"] == "checked"}
    errors = [line["path"] for line in lines if line["error"] is not None]
    if code != 0 or len(lines) != files or len(checked) != files or errors:
        sys.exit(f"burst failed: exit {code}, {len(lines)} lines, errors {errors[:3]}")
    return {
        **peak,
        "size_mb": size_mb,
        "dropped_s": dropped,
        "elapsed_s": elapsed,
        "checked": float(len(checked)),
    }


def tree_memory_single(pid: int) -> tuple[int, int, int]:
    """RSS of one process alone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024, 0, 1
    except OSError:
        pass
    return 0, 0, 1


def spread(values: list[float]) -> str:
    return f"{median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write docs/benchmarks.md.

    Args:
        argv: Arguments without the program name; None for ``sys.argv``.

    Returns:
        The exit code: 0, or 1 if a target is missed.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=10, help="latency runs with inotify (10)")
    ap.add_argument("--poll-runs", type=int, default=5, help="latency runs with --poll (5)")
    ap.add_argument("--files", type=int, default=200, help="files in the burst (200)")
    ap.add_argument("--file-seconds", type=float, default=3.0, help="length of each (3)")
    ap.add_argument("--no-write", action="store_true", help="print, don't touch the docs")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        root = Path(tmp)
        print(f"latency, inotify ({args.runs} runs)")
        ino = latency_runs(root, args.runs)
        poll: list[tuple[float, float]] = []
        if args.poll_runs:
            print(f"latency, --poll ({args.poll_runs} runs)")
            poll = latency_runs(root, args.poll_runs, "--poll")
        print(f"burst of {args.files} files")
        b = burst(root, args.files, args.file_seconds)

    slack = [lat - chk for lat, chk in ino]
    latency_ok = max(slack) <= LATENCY_SLACK_S
    rss_ok = b["rss"] < RSS_TARGET_BYTES
    mb = 1e6
    rows = [
        "| observer | runs | latency after close, s: median (min–max) | analysis (`check_s`), s "
        "| latency − analysis, s |",
        "|---|---|---|---|---|",
        f"| inotify | {len(ino)} | {spread([x for x, _ in ino])} | {spread([y for _, y in ino])} "
        f"| {spread(slack)} |",
    ]
    if poll:
        rows.append(
            f"| `--poll` (1 s interval, 2 s settle) | {len(poll)} | {spread([x for x, _ in poll])} "
            f"| {spread([y for _, y in poll])} | {spread([x - y for x, y in poll])} |"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""Run on {stamp} with `python benchmarks/bench_watch.py --runs {args.runs} \
--poll-runs {args.poll_runs} --files {args.files} --file-seconds {args.file_seconds:g}` \
on {machine()}.

### Verdict latency after the writer closes the file

A 10 s stereo 48 kHz 24-bit bounce is written like REAPER or Ardour write theirs (placeholder \
header sizes, 20 appends over 1 s, sizes patched, `close()`). Latency runs from `close()` \
returning to the verdict's first line on the daemon's stdout (a pipe). `check_s` is the \
worker's time from the log (BLAKE2b of the file + the check).

{chr(10).join(rows)}

Target (inotify): latency <= 0.5 s + analysis time in every run; worst run \
{max(slack):.3f} s over the analysis: **{"PASS" if latency_ok else "FAIL"}**. With `--poll` \
a file counts as finished once it has been still for the settle time, so the poll interval \
and the settle time add to the latency.

### {args.files} files dropped at once

{args.files} bounces of {args.file_seconds:g} s (stereo 48 kHz 24-bit, \
{b["size_mb"]:.0f} MB in all) copied into the watched folder one after another at full \
speed ({b["dropped_s"]:.2f} s for the whole drop), with inotify and the default 2 workers. \
Memory is summed over the daemon and every descendant (forkserver, {int(b["procs"]) - 1} \
helper processes at most), sampled every {SAMPLE_EVERY_S * 1000:.0f} ms.

| files checked (exactly once) | all in the log after | peak RSS, whole tree | \
peak PSS, whole tree | peak RSS, main process |
|---|---|---|---|---|
| {int(b["checked"])} / {args.files} | {b["elapsed_s"]:.1f} s | {b["rss"] / mb:.0f} MB | \
{b["pss"] / mb:.0f} MB | {b["main_rss"] / mb:.0f} MB |

Target: every file checked, peak RSS < 400 MB: **{"PASS" if rss_ok else "FAIL"}**. \
The RSS sum counts the pages the workers share with the forkserver \
in every process, so it over-states the real use; PSS splits them between the processes. \
At most `--jobs` files are read at a time; the others wait as paths.
"""
    print("\n" + body)
    if not args.no_write:
        docs = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
        path = update_benchmarks_md(SECTION, body, docs)
        print(f"wrote {path}")
    return 0 if latency_ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
