"""Rules must reuse the one measurement pass: a 12-file album against two profiles.

    python benchmarks/bench_album.py [--runs 5] [--seconds 60] [--jobs 2]

Times, alternating run by run, the whole process

* ``mixdesk check --profile spotify,apple-music --format json ALBUM/`` (measure +
  every rule of two profiles), against
* ``mixdesk check --select NONE --format json ALBUM/`` (the same measurement pass,
  no rule selected),

and prints the medians and their ratio (target <= 1.2x). Writes the section
"Album: rules vs measurement alone" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_check import mixdesk_cmd
from benchmarks.common import median, run_timed, update_benchmarks_md
from examples.music import write_master

ROOT = Path(__file__).resolve().parents[1]
TRACKS = 12
TARGET = 1.2


def make_album(seconds: float) -> Path:
    """Write (once) 12 deterministic tracks, alternating loud and gentle masters."""
    folder = ROOT / "benchmarks" / "_data" / f"album_{TRACKS}x{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(TRACKS):
        path = folder / f"{i + 1:02d}.wav"
        if not path.exists():
            write_master(path, seconds=seconds, seed=100 + i, loud=i % 2 == 0)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    album = make_album(args.seconds)
    jobs = ["--jobs", str(args.jobs), "--format", "json"]
    rules = [*mixdesk_cmd(), "check", *jobs, "--profile", "spotify,apple-music", str(album)]
    alone = [*mixdesk_cmd(), "check", *jobs, "--select", "NONE", str(album)]
    times: dict[str, list[float]] = {"rules": [], "alone": []}
    for i in range(args.runs + 1):
        order = [("rules", rules), ("alone", alone)]
        for name, cmd in order if i % 2 else reversed(order):
            wall, _ = run_timed(cmd, ok_returncodes=(0, 1))
            if i:  # the first round warms the page cache
                times[name].append(wall)
                print(f"  run {i} {name}: {wall:.2f} s")
    med = {k: median(v) for k, v in times.items()}
    ratio = med["rules"] / med["alone"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    body = (
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python benchmarks/bench_album.py --runs {args.runs} --seconds {args.seconds:g} "
        f"--jobs {args.jobs}`: {TRACKS} deterministic {args.seconds:g} s stereo 48 kHz 24-bit "
        "tracks (alternately loud and gentle), whole-process wall time, runs alternated.\n\n"
        "| command | wall s, median (min–max) |\n|---|---|\n"
        f"| `mixdesk check --profile spotify,apple-music` (measure + rules) | {med['rules']:.2f} "
        f"({min(times['rules']):.2f}–{max(times['rules']):.2f}) |\n"
        f"| `mixdesk check --select NONE` (measurement pass alone) | {med['alone']:.2f} "
        f"({min(times['alone']):.2f}–{max(times['alone']):.2f}) |\n\n"
        f"Ratio: **{ratio:.2f}x**; target <= {TARGET}x: **{verdict}**. Both profiles are "
        "judged on one measurement pass per file.\n"
    )
    print(body)
    if not args.no_write:
        update_benchmarks_md("Album: rules vs measurement alone", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
