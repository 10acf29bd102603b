"""Benchmark the HTML report: ``mixdesk check --format html`` against ``--format json``.

Usage::

    python benchmarks/bench_report.py [--runs 5] [--no-long] [--no-write]

1. Uses the cached deterministic 5-minute loud master of ``bench_check.py``
   (generated once into ``benchmarks/_data/``).
2. Times the whole process ``mixdesk check --format html --output-file F`` and
   ``mixdesk check --format json --output-file F`` alternately (one warm-up of
   each discarded) under GNU ``time``: wall, CPU (user + system), peak RSS. The
   measurement pass is the same; the difference is the report: matplotlib's
   import, four figures drawn and written as SVG.
3. Measures the report alone in process: one ``qc.engine.check`` of the file,
   then ``render_html`` of that result, timed ``--runs`` times (the first call
   includes matplotlib's import).
4. Optionally (default on) the 60-minute master of ``bench_check.py``: one run
   of each format; issue 22's targets are a report under 5 MB written in under
   1 s more than the check itself.
5. Writes the section "HTML report (check --format html vs json)" of
   ``docs/benchmarks.md``, with the load average before and after (the machine
   is shared: the side-by-side figures mean more than the absolute ones).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.bench_check import load, machine, master, mib, mixdesk_cmd, run_cpu_timed, spread
from benchmarks.common import median, update_benchmarks_md

SECTION = "HTML report (check --format html vs json)"
CHECK_OK = (0, 1)  # the loud master fails QC: exit 1


def _cmd(path: Path, fmt: str, out: Path) -> list[str]:
    return [*mixdesk_cmd(), "check", "--profile", "spotify", "--format", fmt,
            "--output-file", str(out), "--force", str(path)]  # fmt: skip


def paired(path: Path, runs: int, work: Path) -> dict[str, list[tuple[float, int, float]]]:
    """Alternate html and json runs; return (wall s, RSS KiB, CPU s) per format."""
    res: dict[str, list[tuple[float, int, float]]] = {"html": [], "json": []}
    for fmt in ("html", "json"):  # warm-up, discarded
        run_cpu_timed(_cmd(path, fmt, work / f"r.{fmt}"), CHECK_OK)
    for _ in range(runs):
        for fmt in ("html", "json"):
            res[fmt].append(run_cpu_timed(_cmd(path, fmt, work / f"r.{fmt}"), CHECK_OK))
    return res


def in_process(path: Path, runs: int) -> tuple[float, list[float], int]:
    """Check once in process, then time render_html of the result ``runs`` times.

    Returns:
        (check s, render s per run, page size in bytes).
    """
    from qc.engine import check_file
    from qc.profiles import load_profile
    from qc.report.html_report import render_html

    t0 = time.perf_counter()
    result = check_file(path, [load_profile("spotify")])
    took = time.perf_counter() - t0
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        size = len(render_html([result]).encode("utf-8"))
        times.append(time.perf_counter() - t0)
    return took, times, size


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-long", action="store_true", help="skip the 60-minute master")
    ap.add_argument("--no-write", action="store_true", help="print, do not write the docs")
    args = ap.parse_args(argv)
    before = load()
    short, _ = master(300.0)
    lines = [f"Machine: {machine()}. Load average before: {before}.", ""]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = Path(tmp)
        res = paired(short, args.runs, work)
        size = os.path.getsize(work / "r.html")
        json_size = os.path.getsize(work / "r.json")
        wall = {f: [r[0] for r in res[f]] for f in res}
        cpu = {f: [r[2] for r in res[f]] for f in res}
        rss = {f: [mib(r[1]) for r in res[f]] for f in res}
        diffs = [h - j for h, j in zip(wall["html"], wall["json"], strict=True)]
        lines += [
            f"5-minute loud master (`{short.name}`), `--profile spotify`, {args.runs} "
            "alternated runs after one warm-up each; median (min–max):",
            "",
            "| format | wall, s | CPU, s | peak RSS, MiB | output |",
            "|---|---|---|---|---|",
            f"| json | {spread(wall['json'])} | {spread(cpu['json'])} | "
            f"{spread(rss['json'], '{:.0f}')} | {json_size / 1e3:.1f} kB |",
            f"| html | {spread(wall['html'])} | {spread(cpu['html'])} | "
            f"{spread(rss['html'], '{:.0f}')} | {size / 1e3:.0f} kB |",
            "",
            f"html − json, paired per run: {spread(diffs)} s wall "
            f"(target: under 1 s more than the check).",
            "",
        ]
        check_s, render, page = in_process(short, args.runs)
        lines += [
            f"In process: the check took {check_s:.2f} s; `render_html` of its result "
            f"{render[0]:.2f} s the first time (matplotlib imported), then median "
            f"{median(render[1:] or render):.2f} s; page {page / 1e3:.0f} kB.",
            "",
        ]
        if not args.no_long:
            long_path, _ = master(3600.0)
            j = run_cpu_timed(_cmd(long_path, "json", work / "l.json"), CHECK_OK)
            h = run_cpu_timed(_cmd(long_path, "html", work / "l.html"), CHECK_OK)
            long_size = os.path.getsize(work / "l.html")
            lines += [
                f"60-minute loud master, one run each: json {j[0]:.1f} s wall, "
                f"{mib(j[1]):.0f} MiB; html {h[0]:.1f} s wall, {mib(h[1]):.0f} MiB; "
                f"html − json {h[0] - j[0]:+.2f} s; page {long_size / 1e6:.2f} MB "
                "(target under 5 MB).",
                "",
            ]
    lines.append(
        f"Load average after: {load()}. The machine is shared with other jobs: the paired "
        "difference is the figure to read, not the absolute times."
    )
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        update_benchmarks_md(SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
