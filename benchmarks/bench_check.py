"""Benchmark ``mixdesk check`` against ``ffmpeg -af ebur128=peak=true``.

Usage::

    python benchmarks/bench_check.py [--runs 5] [--long-minutes 60] [--no-long]
                                     [--ffmpeg-only] [--no-write]

1. Generates (once, cached in ``benchmarks/_data/``) the deterministic 5-minute
   stereo 48 kHz 24-bit loud master of ``examples/make_bounce.py``.
2. Compiles the source tree's bytecode (``compileall qc bridge``), as
   ``pip install`` does for an installed mixdesk: with
   ``PYTHONDONTWRITEBYTECODE=1`` (set on this project's machines) a source
   checkout would otherwise compile about 180 modules on every run.
3. Times the whole process ``mixdesk check --format json FILE`` and
   ``ffmpeg ... -af ebur128=peak=true -f null -`` alternately, run by run, under
   GNU ``time`` (wall, user + system CPU, peak RSS); one warm-up run of each is
   discarded. Target (issue 19): mixdesk wall time <= 1.0x ffmpeg's.
4. Generates a 60-minute file the same way and measures the peak RSS of
   ``mixdesk check`` on it (target <= 150 MB), with its wall time.
5. Writes the results into ``docs/benchmarks.md``, section
   "mixdesk check vs ffmpeg ebur128", with the load average before and after
   (the machine is shared: only the side-by-side ratio means much).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.common`

import numpy as np

from benchmarks.common import GNU_TIME, median, run_timed, update_benchmarks_md

ROOT = Path(__file__).resolve().parents[1]
SECTION = "mixdesk check vs ffmpeg ebur128"
DATA = ROOT / "benchmarks" / "_data"
BOUNCE = ROOT / "examples" / "make_bounce.py"
SHORT_S = 300.0
RATIO_TARGET = 1.0  # mixdesk wall / ffmpeg wall (issue 19)
RSS_TARGET_BYTES = 150_000_000  # 150 MB
CHECK_OK = (0, 1)  # 0 = pass, 1 = findings (the loud master fails QC); 2 = error


@functools.cache
def mixdesk_exe() -> str | None:
    """Return the ``mixdesk`` console script, resolving a pyenv shim to the real one.

    A pyenv shim is a bash script that adds about 0.15 s per call on this machine;
    that is pyenv's cost, not mixdesk's, so the benchmark runs the real entry point.
    """
    exe = shutil.which("mixdesk")
    if exe and Path(exe).parent.name == "shims" and shutil.which("pyenv"):
        proc = subprocess.run(
            ["pyenv", "which", "mixdesk"], capture_output=True, text=True, check=False
        )
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip()
    return exe


def mixdesk_cmd() -> list[str]:
    """Return the ``mixdesk`` command: the console script, else ``python -m qc``."""
    exe = mixdesk_exe()
    return [exe] if exe else [sys.executable, "-m", "qc"]


def check_cmd(path: Path) -> list[str]:
    return [*mixdesk_cmd(), "check", "--format", "json", str(path)]


def ffmpeg_cmd(path: Path) -> list[str]:
    return [
        *("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)),
        *("-af", "ebur128=peak=true", "-f", "null", "-"),
    ]


def master(seconds: float) -> tuple[Path, tuple[float, int] | None]:
    """Return the cached loud master of ``seconds`` s, generating it if needed.

    The file name carries a hash of ``examples/music.py``, so a changed
    generator invalidates the cache; stale files of the same length are removed.

    Returns:
        The path, and ``(wall_s, rss_kib)`` of the generation, or None if cached.
    """
    src = (ROOT / "examples" / "music.py").read_bytes()
    tag = hashlib.sha256(src).hexdigest()[:10]
    stem = f"master_{seconds:g}s_48k_pcm24_loud"
    path = DATA / f"{stem}_{tag}.wav"
    if path.exists():
        return path, None
    DATA.mkdir(parents=True, exist_ok=True)
    for old in DATA.glob(f"{stem}_*.wav"):
        old.unlink()
    tmp = path.with_suffix(".tmp.wav")
    print(f"generating {path.relative_to(ROOT)} ({seconds:g} s) ...", flush=True)
    cost = run_timed([sys.executable, str(BOUNCE), str(tmp), "--seconds", f"{seconds:g}"])
    tmp.replace(path)
    return path, cost


def run_cpu_timed(cmd: list[str], ok: tuple[int, ...]) -> tuple[float, int, float]:
    """Run ``cmd`` under GNU ``time``; return wall s, peak RSS KiB and user + system CPU s."""
    fd, out = tempfile.mkstemp(prefix="bench-time-", suffix=".txt")
    os.close(fd)
    try:
        proc = subprocess.run(
            [GNU_TIME, "-o", out, "-f", "%e %M %U %S", *cmd],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if proc.returncode not in ok:
            sys.exit(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]!r}")
        wall, rss, user, system = Path(out).read_text().split()[-4:]
    finally:
        os.unlink(out)
    return float(wall), int(rss), float(user) + float(system)


def compile_bytecode() -> str:
    """Compile ``qc`` and ``bridge`` to bytecode, as installing the package does.

    Returns:
        One line for the docs.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "qc", "bridge"], cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    env = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set"
    return f"bytecode of qc/ and bridge/ compiled first (PYTHONDONTWRITEBYTECODE {env})"


def _editable() -> bool:
    """True when the ``mixdesk`` script runs this source tree (an editable install)."""
    try:
        from importlib.metadata import distribution

        return distribution("mixdesk").read_text("direct_url.json") is not None
    except Exception:  # not installed
        return True


def load() -> str:
    """The 1-minute load average, for the docs."""
    return f"{os.getloadavg()[0]:.1f}"


def findings(obj: Any) -> tuple[int, set[str]]:
    """Count the items of every ``"diagnostics"`` list and collect their ``"code"`` values."""
    n, found = 0, set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "diagnostics" and isinstance(v, list):
                n += len(v)
            if k == "code" and isinstance(v, str):
                found.add(v)
            sub_n, sub = findings(v)
            n, found = n + sub_n, found | sub
    elif isinstance(obj, list):
        for v in obj:
            sub_n, sub = findings(v)
            n, found = n + sub_n, found | sub
    return n, found


def sanity_check(path: Path) -> str:
    """Run mixdesk once, untimed, and make sure it produced a JSON report.

    Returns:
        A one-line summary: exit code, number of diagnostics and their codes.
    """
    proc = subprocess.run(check_cmd(path), capture_output=True, text=True, check=False)
    if proc.returncode not in CHECK_OK:
        sys.exit(f"mixdesk check exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    try:
        n, found = findings(json.loads(proc.stdout))
    except json.JSONDecodeError as exc:
        sys.exit(f"mixdesk check did not print JSON ({exc}):\n{proc.stdout[:500]}")
    return f"exit {proc.returncode}, {n} diagnostics, codes: {', '.join(sorted(found)) or 'none'}"


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def mib(kib: float) -> float:
    return kib / 1024.0


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    return f"{nproc} cores (nproc), {cpu}, {platform.system()} {platform.release()}"


def versions() -> str:
    ff = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True)
    try:
        from importlib.metadata import version

        md = version("mixdesk")
    except Exception:  # not installed: running from the source tree
        md = "source tree"
    return (
        f"{ff.stdout.splitlines()[0]}; Python {platform.python_version()}; "
        f"numpy {np.__version__}; mixdesk {md}"
    )


def shown(cmd: list[str]) -> str:
    """Return ``cmd`` for the docs: repo-relative paths, bare ``mixdesk``."""
    exe = mixdesk_exe()
    out = []
    for part in cmd:
        p = Path(part)
        if part == exe:
            out.append("mixdesk")
        elif part == sys.executable:
            out.append("python")
        elif p.is_absolute() and p.is_relative_to(ROOT):
            out.append(str(p.relative_to(ROOT)))
        else:
            out.append(part)
    return shlex.join(out)


Timing = tuple[float, int, float]  # wall s, peak RSS KiB, user + system CPU s


def time_short(path: Path, runs: int, ffmpeg_only: bool) -> dict[str, list[Timing]]:
    """Time the commands alternately, ``runs + 1`` times each; drop each first run."""
    cmds: dict[str, tuple[list[str], tuple[int, ...]]] = {"ffmpeg": (ffmpeg_cmd(path), (0,))}
    if not ffmpeg_only:
        cmds = {"mixdesk": (check_cmd(path), CHECK_OK), **cmds}
    res: dict[str, list[Timing]] = {name: [] for name in cmds}
    names = list(cmds)
    for i in range(runs + 1):
        for name in names if i % 2 == 0 else names[::-1]:  # flip the order every round
            cmd, ok = cmds[name]
            wall, rss, cpu = run_cpu_timed(cmd, ok)
            print(
                f"  {'warm-up' if i == 0 else f'run {i}'} {name}: {wall:.2f} s, CPU {cpu:.2f} s, "
                f"{mib(rss):.0f} MiB, load {load()}",
                flush=True,
            )
            if i:
                res[name].append((wall, rss, cpu))
    return res


def short_table(res: dict[str, list[Timing]]) -> tuple[str, str]:
    """Return the markdown table and the speed verdict line."""
    rows = [
        "| command | wall s, median (min–max) | CPU s (user + sys), median (min–max) | realtime "
        "| peak RSS MiB, median (min–max) |",
        "|---|---|---|---|---|",
    ]
    label = {"mixdesk": "`mixdesk check --format json`", "ffmpeg": "ffmpeg `ebur128=peak=true`"}
    for name, vals in res.items():
        walls = [w for w, _, _ in vals]
        rss = [mib(r) for _, r, _ in vals]
        cpu = [c for _, _, c in vals]
        rows.append(
            f"| {label[name]} | {spread(walls)} | {spread(cpu)} | {SHORT_S / median(walls):.0f}x | "
            f"{spread(rss, '{:.0f}')} |"
        )
    if "mixdesk" not in res:
        return "\n".join(rows), "mixdesk not measured (--ffmpeg-only)."
    md = [w for w, _, _ in res["mixdesk"]]
    ff = [w for w, _, _ in res["ffmpeg"]]
    ratio = median(md) / median(ff)
    paired = median([a / b for a, b in zip(md, ff, strict=True)])
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    md_cpu = median([c for _, _, c in res["mixdesk"]])
    ff_cpu = median([c for _, _, c in res["ffmpeg"]])
    line = (
        f"Ratio mixdesk/ffmpeg (median wall): **{ratio:.2f}x** (median of per-round ratios "
        f"{paired:.2f}x); target <= {RATIO_TARGET}x: **{verdict}**. CPU time: "
        f"{md_cpu / ff_cpu:.2f}x ffmpeg's; mixdesk's CPU time is {md_cpu / median(md):.2f}x its "
        "wall time (2.0 would be both cores busy all the time)."
    )
    return "\n".join(rows), line


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write docs/benchmarks.md.

    Args:
        argv: Arguments without the program name; None for ``sys.argv``.

    Returns:
        The exit code (0).
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (5)")
    ap.add_argument("--long-minutes", type=float, default=60.0, help="long file length (60)")
    ap.add_argument("--no-long", action="store_true", help="skip the long-file memory run")
    ap.add_argument("--ffmpeg-only", action="store_true", help="time ffmpeg only; no docs")
    ap.add_argument("--no-write", action="store_true", help="print, don't touch the docs")
    args = ap.parse_args(argv)

    short, gen = master(SHORT_S)
    size_mb = short.stat().st_size / 1e6
    gen_txt = (
        f"generated in {gen[0]:.1f} s at {mib(gen[1]):.0f} MiB peak RSS"
        if gen
        else "cached, not regenerated this run"
    )
    print(f"test file: {short.relative_to(ROOT)} ({size_mb:.1f} MB; {gen_txt})")
    compiled = compile_bytecode() if mixdesk_exe() is None or _editable() else "installed package"
    print(compiled)
    load_before = load()
    sanity = "" if args.ffmpeg_only else sanity_check(short)
    if sanity:
        print(f"mixdesk sanity run: {sanity}")
    res = time_short(short, args.runs, args.ffmpeg_only)
    load_after = load()
    table, verdict = short_table(res)
    print(f"\n{table}\n\n{verdict}")

    long_txt = "Not run (`--no-long`)."
    if not args.no_long and not args.ffmpeg_only:
        long_path, lgen = master(args.long_minutes * 60.0)
        print("long file: warm-up run, then the measured run", flush=True)
        warm = run_timed(check_cmd(long_path), ok_returncodes=CHECK_OK)
        wall, rss = run_timed(check_cmd(long_path), ok_returncodes=CHECK_OK)
        peak = max(rss, warm[1])
        long_load = load()
        ok = "PASS" if peak * 1024 <= RSS_TARGET_BYTES else "FAIL"
        lgen_txt = (
            f"generated in {lgen[0]:.0f} s at {mib(lgen[1]):.0f} MiB peak RSS" if lgen else "cached"
        )
        long_txt = (
            f"`{shown(check_cmd(long_path))}` on the {args.long_minutes:g}-minute master "
            f"({long_path.stat().st_size / 1e6:.0f} MB; {lgen_txt}), one warm-up run, then "
            "one measured run:\n\n"
            "| file | wall s | realtime | peak RSS MiB (max of both runs) | target |\n"
            "|---|---|---|---|---|\n"
            f"| {args.long_minutes:g} min stereo 48 kHz 24-bit | {wall:.1f} | "
            f"{args.long_minutes * 60.0 / wall:.0f}x | {mib(peak):.0f} | "
            f"<= 150 MB ({RSS_TARGET_BYTES / 2**20:.0f} MiB): **{ok}** |\n\n"
            f"Load average (1 min) after the measured run: {long_load}."
        )
        print(f"\n{long_txt}")

    if args.ffmpeg_only or args.no_write:
        return 0
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""Run on {now} with `python benchmarks/bench_check.py --runs {args.runs}\
{" --no-long" if args.no_long else f" --long-minutes {args.long_minutes:g}"}`.

* Machine: {machine()}.
* Load: the machine is shared with other jobs; load average (1 min) {load_before} before the
  timed runs, {load_after} after them. A run's wall time depends on what else runs, so the
  ratio of the alternated runs is the measurement; differences under about 10 % between
  runs are noise.
* Versions: {versions()}.
* Test file: `python examples/make_bounce.py {short.relative_to(ROOT)} --seconds {SHORT_S:g}`
  (deterministic loud master: stereo, 48 kHz, 24-bit PCM, {size_mb:.1f} MB; {gen_txt}).
* Method: each command runs {args.runs + 1} times, alternating with the other (order flipped
  every round), under `/usr/bin/time -f "%e %M %U %S"`; the first run of each is a discarded
  warm-up, so the file is in the page cache. Whole-process wall time, CPU time (user +
  system, all threads and the forked true-peak process, which `time` counts as the
  command's) and peak RSS; {compiled}.
  mixdesk sanity run: {sanity}.

Commands:

```
{shown(check_cmd(short))}
{shown(ffmpeg_cmd(short))}
```

{table}

{verdict}

### Long file

{long_txt}
"""
    out = update_benchmarks_md(SECTION, body, ROOT / "docs" / "benchmarks.md")
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
