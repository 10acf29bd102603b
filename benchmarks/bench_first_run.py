"""The first run after install: is it slower than the runs after it?

Usage::

    python benchmarks/bench_first_run.py [--runs 5] [--no-write]

mixdesk's compiled kernels (``qc/measure/native/kernels.c``) are built when the
wheel is built (``hatch_build.py``), so no run compiles anything; this checks
it end to end. It builds the wheel from this tree, installs it into a fresh
virtual environment outside the repository (pip also compiles the bytecode, as
any install does), then times ``mixdesk check --format json`` on the 5-minute
master of ``bench_check.py``: the very first run of that install, then
``--runs`` more, each followed by ``ffmpeg -af ebur128=peak=true`` on the same
file so the two see the same machine. Writes the section "First run after
install" of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.bench_check import CHECK_OK, ffmpeg_cmd, load, master
from benchmarks.common import median, run_timed, update_benchmarks_md

ROOT = Path(__file__).resolve().parents[1]
SECTION = "First run after install"


def install(work: Path) -> Path:
    """Build the wheel and install it into a fresh venv under ``work``; its ``mixdesk``."""
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    (wheel,) = dist.glob("mixdesk-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True,
    )  # fmt: skip
    status = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "from qc.measure import native; print(native.status())"],
        check=True, capture_output=True, text=True, cwd=work,
    ).stdout.strip()  # fmt: skip
    print(f"installed {wheel.name}; compiled kernels: {status}")
    if not status.startswith("on"):
        raise SystemExit(f"the installed wheel does not use its compiled kernels: {status}")
    return venv / "bin" / "mixdesk"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    path, _ = master(300.0)
    before = load()
    with tempfile.TemporaryDirectory(prefix="mixdesk-first-run-") as tmp:
        exe = install(Path(tmp))
        check = [str(exe), "check", "--format", "json", str(path)]
        mix: list[float] = []
        ff: list[float] = []
        for _ in range(args.runs + 1):
            mix.append(run_timed(check, ok_returncodes=CHECK_OK, cwd=tmp)[0])
            ff.append(run_timed(ffmpeg_cmd(path))[0])
            print(f"  mixdesk {mix[-1]:.2f} s, ffmpeg {ff[-1]:.2f} s", flush=True)
    later = median(mix[1:])
    body = (
        f"`python benchmarks/bench_first_run.py --runs {args.runs}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {before} before "
        f"and {load()} after. The wheel built from this tree, installed into a fresh virtual "
        "environment (its compiled kernels in use), then `mixdesk check --format json` of "
        "the 5-minute master, each run followed by ffmpeg `ebur128=peak=true` on it.\n\n"
        "| | mixdesk check, s | ffmpeg, s | ratio |\n|---|---|---|---|\n"
        f"| first run after install | {mix[0]:.2f} | {ff[0]:.2f} | {mix[0] / ff[0]:.2f}x |\n"
        f"| the next {args.runs}, median | {later:.2f} | {median(ff[1:]):.2f} | "
        f"{median([m / f for m, f in zip(mix[1:], ff[1:], strict=True)]):.2f}x |\n\n"
        f"First run / later runs: **{mix[0] / later:.2f}x** (nothing is compiled at run time; "
        "the kernels were built with the wheel).\n"
    )
    print(body)
    if not args.no_write:
        update_benchmarks_md(SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
