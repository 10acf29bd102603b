"""Soak ``mixdesk watch``: thousands of renders, every writer pattern, a kill, a restart.

Usage::

    python benchmarks/bench_soak.py [--renders 2000] [--minutes 30] [--kill-at 0.5]
                                    [--render-seconds 2] [--writers 4] [--keep 60]

1. Starts the real ``mixdesk watch DIR --log L --settle 1 --abort-after 3`` and, side
   by side on the same folder, the **peer**: the watchdog script users write by hand
   (``on_closed`` and ``on_moved`` → ``soundfile.read`` + ``pyloudnorm``), in its own
   process, logging every check it makes.
2. ``--writers`` threads write ``--renders`` bounces (stereo 48 kHz 16-bit,
   ``--render-seconds`` long, every one a different content) paced over ``--minutes``,
   cycling through every writer pattern of the watch issue: a DAW writing in place
   (placeholder header, appends, sizes patched, close), the same with a 0 placeholder and
   a stall half-way (a slow plugin), a temp name renamed into place, a slow copy, a copy
   at once, an aborted render (sizes never patched), a truncated file, a re-render of
   a name already checked (new content: one more check), and the same bytes written
   again (no new check). Only the newest ``--keep`` bounces stay on disk.
3. At ``--kill-at`` of the renders it waits for a check in flight, SIGKILLs the daemon
   and its workers, keeps rendering for 5 s with no daemon, and starts it again: the
   resume from the log must check what was never logged.
4. RSS of the daemon's whole process tree and of its main process is sampled every
   5 s with the number of renders logged so far; the slope is a least-squares fit of
   RSS against renders, per daemon run, after the first 10 % of each run (start-up
   and warm-up). For the tree it is also fitted to the lowest sample of each minute
   (the memory that stays between checks; a sample mid-check holds the workers'
   bounded working memory). Target: growth under 1 MB per 1,000 renders for the
   tree's floor and the main process, no render missed or doubled.
5. Writes the result into ``docs/benchmarks.md``, section "Watch soak".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`, `tests.*`

import numpy as np

from benchmarks.bench_check import machine
from benchmarks.bench_watch import Watcher, tree_memory, tree_memory_single
from benchmarks.common import update_benchmarks_md
from tests.qc.watch.procs import descendants
from tests.qc.watch.writers import (
    blake2b,
    progressive,
    slow_copy,
    temp_then_rename,
    truncated,
    wav_bytes,
)

SECTION = "Watch soak"
RATE = 48000
CHANNELS = 2
SLOPE_TARGET_MB = 1.0
SAMPLE_EVERY_S = 5.0
FLOOR_WINDOW = 12
"""Samples per floor window (12 x 5 s: the lowest RSS of each minute)."""
DAEMON_ARGS = ("--settle", "1", "--abort-after", "3")

PATTERNS = (
    "daw_in_place",
    "daw_zero_placeholder_stall",
    "temp_then_rename",
    "slow_copy",
    "copy_at_once",
    "aborted",
    "truncated",
    "re_render",
    "same_bytes_again",
)

PEER = r"""
import json, sys, time
import pyloudnorm, soundfile
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

folder, log = sys.argv[1], open(sys.argv[2], "a")

class Handler(FileSystemEventHandler):
    def check(self, path):
        if not path.endswith(".wav"):
            return
        try:
            data, rate = soundfile.read(path)
            lufs = pyloudnorm.Meter(rate).integrated_loudness(data)
            row = {"path": path, "lufs": None if lufs != lufs or abs(lufs) == float("inf")
                   else lufs, "error": None}
        except Exception as err:
            row = {"path": path, "lufs": None, "error": f"{type(err).__name__}: {err}"}
        log.write(json.dumps(row) + "\n"); log.flush()
    def on_closed(self, event):
        self.check(event.src_path)
    def on_moved(self, event):
        self.check(event.dest_path)

obs = Observer(); obs.schedule(Handler(), folder); obs.start()
print("watching", flush=True)
try:
    while True:
        time.sleep(1)
except KeyboardInterrupt:
    pass
obs.stop()
obs.join()
"""


@dataclass
class Expected:
    """What the log must hold: one line per (path, content) checked, one per aborted path."""

    checked: Counter[tuple[str, str]] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)
    renders: Counter[str] = field(default_factory=Counter)  # pattern → count
    lock: threading.Lock = field(default_factory=threading.Lock)


def samples(seconds: float, seed: int) -> bytes:
    """Stereo PCM_16 bytes: a tone and noise, different for every seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    tone = 0.2 * np.sin(2 * np.pi * (110 + seed % 880) * t)
    x = tone[:, None] + 0.02 * rng.standard_normal((len(t), CHANNELS))
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


class LogTail:
    """The complete lines of an NDJSON file, read incrementally (thread-safe).

    A line cut short by a kill is completed by the next writer's newline and
    then fails to parse: it is skipped, like the daemon's resume skips it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []
        self._offset = 0
        self._lock = threading.Lock()

    def read(self) -> list[dict[str, Any]]:
        """Every complete line so far, parsed."""
        with self._lock:
            if self.path.exists():
                with open(self.path, "rb") as fh:
                    fh.seek(self._offset)
                    chunk = fh.read()
                end = chunk.rfind(b"\n") + 1
                self._offset += end
                for raw in chunk[:end].splitlines():
                    try:
                        self.rows.append(json.loads(raw))
                    except ValueError:
                        continue
            return list(self.rows)


class Soak:
    """The writers, the kill and restart, and the RSS samples."""

    def __init__(self, root: Path, args: argparse.Namespace) -> None:
        self.root, self.args = root, args
        self.folder, self.staging = root / "renders", root / "staging"
        self.log, self.peer_log = root / "watch.ndjson", root / "peer.ndjson"
        self.tail, self.peer_tail = LogTail(self.log), LogTail(self.peer_log)
        self.folder.mkdir()
        self.staging.mkdir()
        self.expected = Expected()
        self.on_disk: list[Path] = []
        self.disk_lock = threading.Lock()
        self.samples: list[tuple[int, float, int, int, int]] = []  # run, t, logged, tree, main
        self.peer_samples: list[tuple[float, int, int]] = []  # t, logged, rss
        self.watcher: Watcher | None = None
        self.run_no = 0
        self.killed_path: str | None = None
        self.down_until = 0.0

    # --- renders --------------------------------------------------------------------

    def render(self, i: int) -> None:
        """Write render ``i`` with pattern ``i % 9`` and record what the log must get."""
        pattern = PATTERNS[i % len(PATTERNS)]
        path = self.folder / f"r{i:05}_{pattern}.wav"
        secs = self.args.render_seconds
        data = samples(secs, i)
        full = wav_bytes(data, RATE, CHANNELS)
        if pattern == "daw_in_place":
            content = progressive(path, data, seconds=0.5, chunks=10, rate=RATE, channels=CHANNELS)
        elif pattern == "daw_zero_placeholder_stall":
            content = progressive(
                path, data, seconds=0.5, chunks=10, rate=RATE, channels=CHANNELS,
                placeholder=0, stall_s=0.4,
            )  # fmt: skip
        elif pattern == "temp_then_rename":
            content = temp_then_rename(path, full, seconds=0.3)
        elif pattern == "slow_copy":
            src = self.staging / path.name
            src.write_bytes(full)
            content = slow_copy(src, path, seconds=0.4)
            src.unlink()
        elif pattern == "copy_at_once":
            src = self.staging / path.name
            src.write_bytes(full)
            shutil.copy(src, path)
            src.unlink()
            content = full
        elif pattern == "aborted":
            progressive(
                path, data, seconds=0.3, chunks=6, rate=RATE, channels=CHANNELS, patch=False
            )
            self._expect_incomplete(path, pattern)
            return
        elif pattern == "truncated":
            truncated(path, data, keep=0.5, rate=RATE)  # a mono header over stereo bytes: cut
            self._expect_incomplete(path, pattern)
            return
        elif pattern == "re_render":
            first = progressive(path, data, seconds=0.3, chunks=6, rate=RATE, channels=CHANNELS)
            self._expect(path, first, "re_render (first)")
            self._await_logged(path, blake2b(first))
            content = temp_then_rename(path, wav_bytes(samples(secs, i + 10**6), RATE, CHANNELS))
        else:  # same_bytes_again: a render, then the same bytes written over it
            content = temp_then_rename(path, full, seconds=0.2)
            self._expect(path, content, pattern)
            self._await_logged(path, blake2b(content))
            path.write_bytes(content)  # close-write of identical content: not a new check
            self._keep(path)
            return
        self._expect(path, content, pattern)
        self._keep(path)

    def _expect(self, path: Path, content: bytes, pattern: str) -> None:
        with self.expected.lock:
            self.expected.checked[(str(path), blake2b(content))] += 1
            self.expected.renders[pattern] += 1

    def _expect_incomplete(self, path: Path, pattern: str) -> None:
        with self.expected.lock:
            self.expected.incomplete[str(path)] += 1
            self.expected.renders[pattern] += 1
        self._keep(path)

    def _await_logged(self, path: Path, digest: str, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(
                r["path"] == str(path) and r["event"]["blake2b"] == digest
                for r in self.tail.read()[-200:]
            ):
                return
            time.sleep(0.2)

    def _keep(self, path: Path) -> None:
        """Keep the newest ``--keep`` bounces; delete older ones once they are logged."""
        with self.disk_lock:
            self.on_disk.append(path)
            if len(self.on_disk) <= self.args.keep:
                return
            done = {r["path"] for r in self.tail.read()[-4 * self.args.keep :]}
            for old in list(self.on_disk[: -self.args.keep]):
                if str(old) in done:
                    old.unlink(missing_ok=True)
                    self.on_disk.remove(old)

    # --- the daemon -----------------------------------------------------------------

    def start_daemon(self) -> None:
        """Start ``mixdesk watch`` on the folder and the shared log."""
        self.run_no += 1
        self.watcher = Watcher(self.folder, self.log, *DAEMON_ARGS)

    def kill_mid_check(self) -> None:
        """SIGKILL the daemon and its workers while a check is running."""
        w = self.watcher
        assert w is not None
        seen = len(w.err)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            with w._cond:
                fresh = [x for x in w.err[seen:] if "mixdesk watch: checking " in x]
            if fresh:
                self.killed_path = fresh[-1].split("checking ", 1)[1].rsplit(" (", 1)[0]
                break
            time.sleep(0.005)
        pgid_members = [w.proc.pid, *descendants(w.proc.pid)]
        for pid in pgid_members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        w.proc.wait(30)
        self.watcher = None
        self.down_until = time.monotonic() + 5.0
        print(f"  killed the daemon mid-check of {self.killed_path}", flush=True)

    def sample(self, stop: threading.Event, peer: subprocess.Popen[str]) -> None:
        """Every few seconds: renders logged, RSS of the daemon tree, main and peer."""
        start = time.monotonic()
        while not stop.wait(SAMPLE_EVERY_S):
            t = time.monotonic() - start
            w = self.watcher
            n = len(self.tail.read())
            if w is not None and w.proc.poll() is None:
                tree, _, _ = tree_memory(w.proc.pid)
                main = tree_memory_single(w.proc.pid)[0]
                self.samples.append((self.run_no, t, n, tree, main))
            peer_n = len(self.peer_tail.read())
            self.peer_samples.append((t, peer_n, tree_memory(peer.pid)[0]))

    # --- the run --------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Render, kill, restart, wait for the log, and judge it."""
        a = self.args
        peer = subprocess.Popen(
            [sys.executable, "-c", PEER, str(self.folder), str(self.peer_log)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert peer.stdout is not None
        peer.stdout.readline()
        self.start_daemon()
        stop = threading.Event()
        sampler = threading.Thread(target=self.sample, args=(stop, peer), daemon=True)
        sampler.start()
        interval = a.minutes * 60 / a.renders
        kill_at = int(a.renders * a.kill_at)
        t0 = time.monotonic()
        errors: list[str] = []
        sem = threading.Semaphore(a.writers)

        def one(i: int) -> None:
            try:
                self.render(i)
            except Exception as err:  # a writer bug must not hide as a missed file
                errors.append(f"render {i}: {type(err).__name__}: {err}")
            finally:
                sem.release()

        threads: list[threading.Thread] = []
        killer: threading.Thread | None = None
        for i in range(a.renders):
            time.sleep(max(0.0, t0 + i * interval - time.monotonic()))
            if i == kill_at:  # renders go on while the killer waits for a check to start
                killer = threading.Thread(target=self.kill_mid_check)
                killer.start()
            if killer is not None and not killer.is_alive() and time.monotonic() >= self.down_until:
                killer = None
                self.start_daemon()
                print("  restarted it", flush=True)
            sem.acquire()
            th = threading.Thread(target=one, args=(i,))
            th.start()
            threads.append(th)
            threads = [x for x in threads if x.is_alive()]
            if i % 100 == 0:
                print(f"  {i}/{a.renders} renders, {len(self.tail.read())} logged", flush=True)
        for th in threads:
            th.join()
        if killer is not None:
            killer.join()
            time.sleep(max(0.0, self.down_until - time.monotonic()))
            self.start_daemon()
        writing_s = time.monotonic() - t0
        want = sum(self.expected.checked.values()) + sum(self.expected.incomplete.values())
        end = time.monotonic() + 300
        while time.monotonic() < end and len(self.tail.read()) < want:
            time.sleep(0.5)
        time.sleep(2 * 3.0)  # anything late or doubled arrives now
        stop.set()
        sampler.join()
        assert self.watcher is not None
        self.watcher.stop()
        peer.send_signal(signal.SIGINT)
        try:
            peer.wait(30)
        except subprocess.TimeoutExpired:
            peer.kill()
            peer.wait(30)
        return self.verdict(writing_s, errors)

    def verdict(self, writing_s: float, errors: list[str]) -> dict[str, Any]:
        """Compare the log with what was rendered; the peer's log with the same."""
        rows = self.tail.read()
        got_checked = Counter(
            (r["path"], r["event"]["blake2b"]) for r in rows if r["event"]["outcome"] == "checked"
        )
        got_incomplete = Counter(r["path"] for r in rows if r["event"]["outcome"] == "incomplete")
        exp = self.expected
        missed = [str(k) for k in exp.checked if got_checked[k] == 0]
        missed += [p for p in exp.incomplete if got_incomplete[p] == 0]
        doubled = [str(k) for k, n in got_checked.items() if n > 1]
        doubled += [p for p, n in got_incomplete.items() if n > 1]
        unexpected = [str(k) for k in got_checked if k not in exp.checked]
        unexpected += [p for p in got_incomplete if p not in exp.incomplete]
        others = Counter(r["event"]["outcome"] for r in rows) - Counter(
            {"checked": got_checked.total(), "incomplete": got_incomplete.total()}
        )
        peer_rows = self.peer_tail.read()
        peer_counts = Counter(r["path"] for r in peer_rows)
        contents = Counter(p for p, _ in exp.checked)  # distinct contents per path
        peer_missed = sum(1 for p in contents if peer_counts[p] == 0)
        peer_extra = sum(max(0, peer_counts[p] - n) for p, n in contents.items())
        peer_passed_broken = sum(
            1 for r in peer_rows if r["path"] in exp.incomplete and r["error"] is None
        )
        peer_errors = sum(1 for r in peer_rows if r["error"] is not None)
        return {
            "writing_s": writing_s,
            "renders": self.args.renders,
            "patterns": dict(exp.renders),
            "expected_lines": exp.checked.total() + exp.incomplete.total(),
            "log_lines": len(rows),
            "missed": missed,
            "doubled": doubled,
            "unexpected": unexpected,
            "other_outcomes": dict(others),
            "writer_errors": errors,
            "killed_path": self.killed_path,
            "killed_logged": sum(1 for r in rows if r["path"] == self.killed_path),
            "killed_expected": sum(1 for p, _ in exp.checked if p == self.killed_path)
            + exp.incomplete[self.killed_path or ""],
            "slopes": slopes(self.samples),
            "samples": len(self.samples),
            "peer": {
                "lines": len(peer_rows),
                "missed": peer_missed,
                "extra": peer_extra,
                "errors": peer_errors,
                "passed_broken": peer_passed_broken,
                "slope": fit([(n, rss) for _, n, rss in self.peer_samples]),
            },
        }


def fit(points: list[tuple[int, int]], *, skip: bool = True) -> float | None:
    """Least-squares slope of RSS against renders logged, MB per 1,000 renders.

    With ``skip``, the first 10 % of the points (start-up, warm-up) are left out.
    """
    pts = points[len(points) // 10 :] if skip else points
    if len(pts) < 3 or pts[-1][0] - pts[0][0] < 50:
        return None
    n = np.array([p[0] for p in pts], dtype=float)
    rss = np.array([p[1] for p in pts], dtype=float) / 1e6
    slope = float(np.polyfit(n, rss, 1)[0])
    return slope * 1000


def floor_points(
    points: list[tuple[int, int]], window: int = FLOOR_WINDOW
) -> list[tuple[int, int]]:
    """The lowest point of each run of ``window`` samples: the RSS between checks.

    A sample taken while both workers read a bounce holds their working memory
    (tens of MB, bounded by design); the floor of each minute is the memory that
    stays, which is what a leak would raise.
    """
    pts = points[len(points) // 10 :]
    return [min(pts[i : i + window], key=lambda p: p[1]) for i in range(0, len(pts), window)]


def slopes(samples: list[tuple[int, float, int, int, int]]) -> list[dict[str, Any]]:
    out = []
    for run in sorted({s[0] for s in samples}):
        mine = [s for s in samples if s[0] == run]
        out.append(
            {
                "run": run,
                "renders": (mine[0][2], mine[-1][2]),
                "minutes": (mine[-1][1] - mine[0][1]) / 60,
                "tree_slope": fit([(s[2], s[3]) for s in mine]),
                "tree_floor_slope": fit(floor_points([(s[2], s[3]) for s in mine]), skip=False),
                "main_slope": fit([(s[2], s[4]) for s in mine]),
                "tree_mb": (mine[0][3] / 1e6, max(s[3] for s in mine) / 1e6, mine[-1][3] / 1e6),
                "main_mb": (mine[0][4] / 1e6, max(s[4] for s in mine) / 1e6, mine[-1][4] / 1e6),
            }
        )
    return out


def fmt_slope(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f} MB"


def report(r: dict[str, Any], args: argparse.Namespace) -> tuple[str, bool]:
    ok_files = not (r["missed"] or r["doubled"] or r["unexpected"] or r["writer_errors"])
    long_runs = [s for s in r["slopes"] if None not in (s["tree_floor_slope"], s["main_slope"])]
    # The target is growth: a falling slope is memory handed back (after the restart's
    # backlog, or a recycled pool), not a leak. Falls are shown as they are.
    ok_slope = bool(long_runs) and all(
        s["tree_floor_slope"] < SLOPE_TARGET_MB and s["main_slope"] < SLOPE_TARGET_MB
        for s in long_runs
    )
    rows = "\n".join(
        f"| {s['run']} | {s['renders'][0]}–{s['renders'][1]} | {s['minutes']:.1f} min | "
        f"{fmt_slope(s['tree_floor_slope'])} | {fmt_slope(s['tree_slope'])} | "
        f"{fmt_slope(s['main_slope'])} | "
        f"{s['tree_mb'][0]:.0f} / {s['tree_mb'][1]:.0f} / {s['tree_mb'][2]:.0f} MB | "
        f"{s['main_mb'][0]:.0f} / {s['main_mb'][1]:.0f} / {s['main_mb'][2]:.0f} MB |"
        for s in r["slopes"]
    )
    patterns = ", ".join(f"{k} {v}" for k, v in sorted(r["patterns"].items()))
    p = r["peer"]
    exp_incomplete = r["patterns"].get("aborted", 0) + r["patterns"].get("truncated", 0)
    body = f"""\
`python benchmarks/bench_soak.py --renders {args.renders} --minutes {args.minutes:g}` on \
{machine()}.

{args.renders} renders over {r["writing_s"] / 60:.1f} min ({args.writers} writer threads, \
stereo 48 kHz 16-bit, {args.render_seconds:g} s each, every writer pattern: {patterns}) \
into the folder of one `mixdesk watch --log … {" ".join(DAEMON_ARGS)}`. At render \
{int(args.renders * args.kill_at)} the daemon and its workers were SIGKILLed in the middle \
of checking `{Path(r["killed_path"] or "?").name}`, rendering went on for 5 s with no \
daemon, and the daemon was started again on the same log.

| | mixdesk watch | peer: watchdog `on_closed`/`on_moved` + soundfile + pyloudnorm |
|---|---|---|
| log lines (expected {r["expected_lines"]}) | {r["log_lines"]} | {p["lines"]} |
| renders missed | {len(r["missed"])} | {p["missed"]} |
| renders checked twice or more | {len(r["doubled"])} | {p["extra"]} extra checks |
| aborted or truncated renders reported as such | {exp_incomplete} of {exp_incomplete} \
(`incomplete`) | {p["passed_broken"]} checks of them passed as fine audio; {p["errors"]} \
checks ended in an exception |
| unexpected lines / other outcomes | {len(r["unexpected"])} / {r["other_outcomes"] or 0} | |
| RSS slope per 1,000 renders | see below | {fmt_slope(p["slope"])} (single process) |

The file killed mid-check was logged {r["killed_logged"]} time(s), for \
{r["killed_expected"]} render(s) of it: its check was never logged before the kill, and the \
restart's resume from the log checked it. Writer errors: {len(r["writer_errors"])}.

RSS of the daemon's process tree (main process, forkserver, workers) and of the main \
process alone, sampled every {SAMPLE_EVERY_S:g} s ({r["samples"]} samples); slope = \
least-squares fit against renders logged, first 10 % of each run left out; memory \
shown as first / peak / last sample. A sample taken while the workers read bounces holds \
their working memory (tens of MB, bounded: one file per worker, read in blocks), so the \
tree's slope over all samples moves with where those peaks fall; the tree's floor slope \
fits the lowest sample of each {FLOOR_WINDOW * SAMPLE_EVERY_S:g} s, the memory that \
stays between checks, which is what a leak raises. The target is growth (a falling slope \
is memory handed back, shown as measured) and applies to the tree's floor and to the main \
process:

| daemon run | renders logged | time | tree floor slope / 1,000 renders | tree slope, all \
samples | main slope / 1,000 renders | tree RSS | main RSS |
|---|---|---|---|---|---|---|---|
{rows}

Targets: no render missed or doubled: **{"PASS" if ok_files else "FAIL"}**; RSS slope under \
{SLOPE_TARGET_MB:g} MB per 1,000 renders (tree floor, main process): \
**{"PASS" if ok_slope else "FAIL"}**. The peer \
has no notion of a finished render: it checks a file at every close, so identical bytes \
written again are checked again and an aborted render is measured as if it were music; \
after a crash it has no log to resume from.
"""
    return body, ok_files and ok_slope


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--renders", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--kill-at", type=float, default=0.5)
    ap.add_argument("--render-seconds", type=float, default=2.0)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--keep", type=int, default=60)
    ap.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    ap.add_argument(
        "--report",
        metavar="JSON",
        help="only write the report of a saved raw result (give the run's own options too)",
    )
    args = ap.parse_args(argv)
    if args.report:
        result = json.loads(Path(args.report).read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="mixdesk-soak-") as tmp:
            print(f"soak: {args.renders} renders over {args.minutes:g} min", flush=True)
            result = Soak(Path(tmp), args).run()
        raw = Path(tempfile.gettempdir()) / "mixdesk-soak-result.json"
        raw.write_text(json.dumps(result, indent=1, default=str))
        print(f"raw result: {raw}")
    body, ok = report(result, args)
    print(body)
    for key in ("missed", "doubled", "unexpected", "writer_errors"):
        if result[key]:
            print(f"{key}: {result[key][:10]}")
    if not args.no_write:
        print(f"wrote {update_benchmarks_md(SECTION, body)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
