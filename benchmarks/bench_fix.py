"""Benchmark ``mixdesk fix --profile spotify`` against ffmpeg's two-pass ``loudnorm``.

Usage::

    python benchmarks/bench_fix.py [--runs 3] [--long-minutes 60] [--long-target-lufs -10]
                                   [--no-long] [--no-write]

1. Uses the deterministic 5-minute stereo 48 kHz 24-bit loud master of
   ``benchmarks/bench_check.py`` (generated once, cached in ``benchmarks/_data/``).
2. Times, alternately and under GNU ``time``, the whole of
   ``mixdesk fix FILE --profile spotify -o OUT --force`` (measure, process, write,
   re-check) and ffmpeg's two passes: ``loudnorm=I=-14:TP=-1:LRA=20:print_format=json``
   to measure, then ``loudnorm`` with the measured values and ``linear=true`` to
   write a 48 kHz 24-bit WAV. One warm-up run of each is discarded. Target:
   mixdesk wall time <= 0.5x ffmpeg's.
3. Measures both outputs the same way: integrated loudness with mixdesk's meter
   and pyloudnorm, and the ideal true peak (band-limited reconstruction, 16x FFT
   zero-padding over overlapping segments, only where the sample peak comes
   within 3 dB of the ceiling).
4. Optionally measures the peak RSS of ``mixdesk fix`` on the 60-minute master, with
   ``--target-lufs -10`` so that it is limited (about 2.7 dB at most; target < 200 MB).
5. Writes the results into ``docs/benchmarks.md``, section "mixdesk fix vs ffmpeg loudnorm".
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.common`

import numpy as np
import soundfile as sf

from benchmarks.bench_check import (
    BOUNCE,
    DATA,
    ROOT,
    machine,
    master,
    mib,
    mixdesk_cmd,
    shown,
    spread,
    versions,
)
from benchmarks.common import median, run_timed, update_benchmarks_md

SECTION = "mixdesk fix vs ffmpeg loudnorm"
SHORT_S = 300.0
RATIO_TARGET = 0.5
RSS_TARGET_BYTES = 200_000_000
FIX_OK = (0, 1)  # 1: the loud master's clipping is listed as not fixable
CEILING_DBTP = -1.0
_SEG = 1 << 15
_PAD = 4096
_UP = 16


HOW = """
### Where the time goes

`mixdesk fix` on the 5-minute loud master needs no limiting (a gain of -4.9 dB leaves its
true peak at -2.5 dBTP), so it is: the input's whole check (every meter: the before, and
the findings `fix` cannot mend), then one pass of gain, rounding and writing that carries the
re-check, metered on the samples as they are written (`qc/fix/recheck.py`; the file is not
read again). Its CPU time is about two `mixdesk check`s of the file. A limited file adds a
pass per gain step with the 8x detector and the ideal-peak meter (`qc/measure/idealpeak.py`,
on a worker thread one block behind), and its re-check reads the output back.
"""


def fix_cmd(path: Path, out: Path, *extra: str) -> list[str]:
    return [
        *mixdesk_cmd(),
        *("fix", str(path), "--profile", "spotify", "-o", str(out), "--force", *extra),
    ]


def load() -> str:
    """The 1-, 5- and 15-minute load averages, as text."""
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def loudnorm_measure_cmd(path: Path) -> list[str]:
    return [
        *("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)),
        *("-af", "loudnorm=I=-14:TP=-1:LRA=20:print_format=json", "-f", "null", "-"),
    ]


def loudnorm_apply_filter(measured: dict[str, str]) -> str:
    return (
        "loudnorm=I=-14:TP=-1:LRA=20:linear=true:print_format=summary"
        f":measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}"
    )


def loudnorm_apply_cmd(path: Path, out: Path, measured: dict[str, str]) -> list[str]:
    return [
        *("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y", "-i", str(path)),
        *("-af", loudnorm_apply_filter(measured), "-ar", "48000", "-c:a", "pcm_s24le", str(out)),
    ]


def ffmpeg_two_pass_script(path: Path, out: Path) -> list[str]:
    """One shell command running both passes, the second fed by the first's JSON."""
    py = (
        "import json,re,subprocess,sys;"
        f"m=subprocess.run({loudnorm_measure_cmd(path)!r},capture_output=True,text=True,check=True);"
        "d=json.loads(re.search(r'\\{[^{}]*\\}',m.stderr).group(0));"
        f"sys.path.insert(0,{str(Path(__file__).resolve().parents[1])!r});"
        "from benchmarks.bench_fix import loudnorm_apply_cmd;from pathlib import Path;"
        f"subprocess.run(loudnorm_apply_cmd(Path({str(path)!r}),Path({str(out)!r}),d),"
        "capture_output=True,check=True)"
    )
    return [sys.executable, "-c", py]


def measure_json(path: Path) -> dict[str, str]:
    err = subprocess.run(loudnorm_measure_cmd(path), capture_output=True, text=True, check=True)
    found = re.search(r"\{[^{}]*\}", err.stderr)
    assert found is not None, err.stderr[-500:]
    data: dict[str, str] = json.loads(found.group(0))
    return data


def ideal_true_peak_dbtp(path: Path) -> float:
    """Band-limited reconstruction peak: 16x FFT zero-padding of overlapping segments.

    Only segments whose sample peak comes within 3 dB of the file's are reconstructed;
    each is tapered over its 4096-sample overlaps, which lie outside the part read.
    """
    with sf.SoundFile(str(path)) as f:
        peaks = [float(np.abs(b).max()) for b in f.blocks(_SEG, dtype="float64", always_2d=True)]
        near = max(peaks) * 10 ** (-3.0 / 20)
        best = 0.0
        for k, peak in enumerate(peaks):
            if peak < near:
                continue
            start = k * _SEG
            lo = max(start - _PAD, 0)
            f.seek(lo)
            x = f.read(start - lo + _SEG + _PAD, dtype="float64", always_2d=True)
            win = np.hanning(2 * _PAD)
            taper = np.ones(len(x))
            head = start - lo
            taper[:head] = win[:head]
            tail = max(len(x) - head - _SEG, 0)
            if tail:
                taper[-tail:] = win[_PAD : _PAD + tail]
            spec = np.fft.rfft(x * taper[:, None], axis=0)
            up = np.fft.irfft(spec, n=len(x) * _UP, axis=0) * _UP
            core = up[head * _UP : (head + _SEG) * _UP]
            best = max(best, float(np.abs(core).max()))
    return 20 * np.log10(best) if best > 0 else float("-inf")


def gentle(seconds: float) -> Path:
    """The gentle master of ``examples/make_bounce.py`` (``--gentle``), cached like ``master``."""
    src = (ROOT / "examples" / "music.py").read_bytes()
    tag = hashlib.sha256(src).hexdigest()[:10]
    path = DATA / f"master_{seconds:g}s_48k_pcm24_gentle_{tag}.wav"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.wav")
        run_timed([sys.executable, str(BOUNCE), str(tmp), "--seconds", f"{seconds:g}", "--gentle"])
        tmp.replace(path)
    return path


def loudness(path: Path) -> tuple[float, float]:
    """(mixdesk meter, pyloudnorm) integrated loudness of ``path``, LUFS."""
    from qc.engine import measure_file

    res = measure_file(path)
    assert res.measurements is not None
    ours = res.measurements.loudness.integrated_lufs
    try:
        import pyloudnorm

        x, rate = sf.read(str(path))
        theirs = float(pyloudnorm.Meter(rate).integrated_loudness(x))
    except ImportError:
        theirs = float("nan")
    return float(ours or float("nan")), theirs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write docs/benchmarks.md; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per command (3)")
    ap.add_argument("--long-minutes", type=float, default=60.0, help="long file length (60)")
    ap.add_argument(
        "--long-target-lufs",
        type=float,
        default=-10.0,
        help="--target-lufs of the long run (-10: the loud master is limited)",
    )
    ap.add_argument("--no-long", action="store_true", help="skip the long-file memory run")
    ap.add_argument("--no-write", action="store_true", help="print, don't touch the docs")
    args = ap.parse_args(argv)
    short, _ = master(SHORT_S)
    tmp = Path(tempfile.mkdtemp(prefix="bench-fix-"))
    ours_out, ff_out = tmp / "fix.wav", tmp / "loudnorm.wav"
    cmds = {
        "mixdesk": (fix_cmd(short, ours_out), FIX_OK),
        "ffmpeg": (ffmpeg_two_pass_script(short, ff_out), (0,)),
    }
    res: dict[str, list[tuple[float, int]]] = {name: [] for name in cmds}
    load_before = load()
    for i in range(args.runs + 1):
        for name in list(cmds) if i % 2 == 0 else list(cmds)[::-1]:
            cmd, ok = cmds[name]
            wall, rss = run_timed(cmd, ok_returncodes=ok)
            print(f"  {'warm-up' if i == 0 else f'run {i}'} {name}: {wall:.2f} s", flush=True)
            if i:
                res[name].append((wall, rss))
    load_after = load()
    measured = measure_json(short)
    header = [
        "| command | wall s, median (min–max) | peak RSS MiB | output LUFS (mixdesk / pyloudnorm) "
        "| ideal true peak dBTP | ceiling met |",
        "|---|---|---|---|---|---|",
    ]
    label = {
        "mixdesk": "`mixdesk fix --profile spotify`",
        "ffmpeg": "ffmpeg `loudnorm` two-pass, `linear=true`",
    }

    def row(name: str, written: Path, runs: list[tuple[float, int]]) -> str:
        walls = [w for w, _ in runs]
        peak_mib = max(mib(r) for _, r in runs)
        lu = loudness(written)
        tp = ideal_true_peak_dbtp(written)
        met = "yes" if tp <= CEILING_DBTP else f"**no**, +{tp - CEILING_DBTP:.2f} dB over"
        return (
            f"| {label[name]} | {spread(walls)} | {peak_mib:.0f} | {lu[0]:.2f} / {lu[1]:.2f} "
            f"| {tp:.2f} | {met} |"
        )

    rows = [*header, *(row(n, w, res[n]) for n, w in (("mixdesk", ours_out), ("ffmpeg", ff_out)))]
    # The gentle master needs limiting to reach -14 LUFS: where loudnorm's linear mode gives up.
    soft = gentle(SHORT_S)
    soft_measured = measure_json(soft)
    soft_res = {
        "mixdesk": [run_timed(fix_cmd(soft, tmp / "g_fix.wav"), ok_returncodes=FIX_OK)],
        "ffmpeg": [run_timed(ffmpeg_two_pass_script(soft, tmp / "g_ln.wav"))],
    }
    soft_rows = [
        *header,
        row("mixdesk", tmp / "g_fix.wav", soft_res["mixdesk"]),
        row("ffmpeg", tmp / "g_ln.wav", soft_res["ffmpeg"]),
    ]
    soft_md = (
        f"\n### A master that needs limiting\n\nThe gentle master (`{shown([str(soft)])}`, "
        f"integrated {soft_measured['input_i']} LUFS, true peak {soft_measured['input_tp']} dBTP "
        "by loudnorm) needs about 2 dB of gain to reach -14 LUFS, and its peaks then pass "
        "-1 dBTP. One run each (not a timing comparison):\n\n" + "\n".join(soft_rows) + "\n"
    )
    ratio = median([w for w, _ in res["mixdesk"]]) / median([w for w, _ in res["ffmpeg"]])
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    long_md = ""
    if not args.no_long:
        long, _ = master(args.long_minutes * 60)
        out = tmp / "long.wav"
        extra = ("--target-lufs", f"{args.long_target_lufs:g}")
        load_long = load()
        wall, long_rss = run_timed(fix_cmd(long, out, *extra), ok_returncodes=FIX_OK)
        rss_ok = "PASS" if long_rss * 1024 < RSS_TARGET_BYTES else "FAIL"
        long_md = (
            f"\n### Long file\n\n`{shown(fix_cmd(long, Path('OUT.wav'), *extra))}` on the "
            f"{args.long_minutes:g}-minute master (limited: the loud master's true peak is "
            f"+2.5 dBTP), one run, load average {load_long} at its start:\n\n"
            "| file | wall s | peak RSS MiB | target |\n|---|---|---|---|\n"
            f"| {args.long_minutes:g} min stereo 48 kHz 24-bit | {wall:.1f} | {mib(long_rss):.0f} "
            f"| < 200 MB: **{rss_ok}** |\n"
        )
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""Run on {now} with `python benchmarks/bench_fix.py {" ".join(argv or sys.argv[1:])}`.

* Machine: {machine()}. Shared and noisy: treat differences under 1.5x as noise.
  Load average (1 / 5 / 15 min) {load_before} before the timed runs, {load_after} after.
* Versions: {versions()}.
* Test file: the 5-minute loud master of `bench_check.py` (`{shown([str(short)])}`),
  integrated {measured["input_i"]} LUFS, true peak {measured["input_tp"]} dBTP by loudnorm.
* Method: each command runs {args.runs + 1} times, alternating, under `/usr/bin/time`; the
  first run of each is a discarded warm-up. mixdesk measures, processes, writes and
  re-checks; ffmpeg measures (`print_format=json`), then applies with the measured values
  and `linear=true`, resampled back to 48 kHz 24-bit. Both outputs are then measured the
  same way: loudness by mixdesk's meter and by pyloudnorm; the ideal true peak by 16x FFT
  zero-padding (band-limited reconstruction).

Commands:

```
{shown(fix_cmd(short, Path("OUT.wav")))}
{shown(loudnorm_measure_cmd(short))}
{shown(loudnorm_apply_cmd(short, Path("OUT.wav"), measured))}
```

{chr(10).join(rows)}

Ratio mixdesk/ffmpeg (median wall): **{ratio:.2f}x**; target <= {RATIO_TARGET}x: **{verdict}**.
{soft_md}{long_md}{HOW}"""
    print(body)
    if not args.no_write:
        update_benchmarks_md(
            SECTION, body, Path(__file__).resolve().parents[1] / "docs/benchmarks.md"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
