"""Benchmark the virtual DAW: render speed against sox, and ``mixdesk demo`` end to end.

Usage::

    python benchmarks/bench_virtual.py [--seconds 60] [--stems 8] [--runs 5] [--demo-runs 3]
                                       [--no-write]

1. **Render.** Generates ``--stems`` example stems of ``--seconds`` s (48 kHz,
   24-bit) and renders them ``--runs`` times with the virtual DAW's engine
   (float64 mix with pan law, width, levels; 24-bit take written progressively).
   The peer, side by side in the same run, is ``sox -m`` mixing the same files
   with a gain per input into a 24-bit WAV: the same reading, summing and
   writing, without panning. Target: at least 50x faster than real time.
2. **Demo.** Runs ``mixdesk demo`` (stems → virtual DAW → mix over OSC → render →
   watch daemon verdict) ``--demo-runs`` times. Target: under 30 s.
3. Writes the results into ``docs/benchmarks.md``, section "Virtual DAW".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.common import update_benchmarks_md
from examples.stems import generate


def render_times(stem_dir: Path, runs: int) -> tuple[list[float], list[float] | None]:
    """Seconds per render: the virtual DAW's, and sox's (None without sox)."""
    from bridge.virtual.render import render
    from bridge.virtual.state import MixState
    from bridge.virtual.stems import load_stems

    stems = load_stems(stem_dir, 48000)
    state = MixState.for_stems(stems)
    for i, name in enumerate(state.tracks):
        state.tracks[name].volume_db = -3.0 - i
        state.tracks[name].pan = (-1) ** i * 0.1 * i
    sox = shutil.which("sox")
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            t0 = time.perf_counter()
            result = render(stems, state, out, rate=48000)
            ours.append(time.perf_counter() - t0)
            result.path.unlink()
            if sox is not None:
                cmd = [sox, "-m"]
                for i, s in enumerate(stems):
                    cmd += ["-v", f"{10 ** ((-3.0 - i) / 20):.6f}", str(s.path)]
                cmd += ["-b", "24", str(Path(out) / "sox.wav")]
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                theirs.append(time.perf_counter() - t0)
    return ours, theirs or None


def demo_times(runs: int) -> list[float]:
    """Wall-clock seconds of ``mixdesk demo``."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "qc", "demo"], check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=60.0, help="song length (60)")
    ap.add_argument("--stems", type=int, default=8, help="stems (8)")
    ap.add_argument("--runs", type=int, default=5, help="renders each (5)")
    ap.add_argument("--demo-runs", type=int, default=3, help="mixdesk demo runs (3)")
    ap.add_argument("--no-write", action="store_true", help="print, don't touch the docs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, seconds=args.seconds, count=args.stems)
        ours, theirs = render_times(Path(tmp), args.runs)
    demos = demo_times(args.demo_runs)

    med = statistics.median(ours)
    factor = args.seconds / med
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["python benchmarks/bench_virtual.py", *sys.argv[1:]])
    lines = [
        f"Run on {when} with `{cmd}` on {os.cpu_count()} cores,"
        f" {platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        f"### Render: {args.stems} stems of {args.seconds:g} s at 48 kHz to a 24-bit take",
        "",
        "| renderer | median s (min–max) | × real time | vs sox |",
        "|---|---|---|---|",
    ]
    ratio = ""
    if theirs:
        smed = statistics.median(theirs)
        ratio = f"{smed / med:.2f}x faster" if smed > med else f"{med / smed:.2f}x slower"
    lines.append(
        f"| virtual DAW (float64, pan law, width, levels) | {med:.3f} ({min(ours):.3f}–"
        f"{max(ours):.3f}) | {factor:.0f}x | {ratio or 'n/a'} |"
    )
    if theirs:
        smed = statistics.median(theirs)
        lines.append(
            f"| `sox -m` with a gain per input | {smed:.3f} ({min(theirs):.3f}–{max(theirs):.3f})"
            f" | {args.seconds / smed:.0f}x | 1.00x |"
        )
    verdict = "PASS" if factor >= 50 else "FAIL"
    dmed = statistics.median(demos)
    dverdict = "PASS" if max(demos) < 30 else "FAIL"
    lines += [
        "",
        f"Target: at least 50x real time: **{verdict}**.",
        "",
        "### `mixdesk demo`, end to end",
        "",
        "Generate 4 stems of 60 s, start the virtual DAW and the watch daemon, mix over OSC,"
        " render, wait for the daemon's verdict, shut down (a fresh process each run).",
        "",
        "| runs | median s | max s |",
        "|---|---|---|",
        f"| {len(demos)} | {dmed:.1f} | {max(demos):.1f} |",
        "",
        f"Target: under 30 s: **{dverdict}**.",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        print(f"wrote {update_benchmarks_md('Virtual DAW', body)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
