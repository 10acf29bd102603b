"""Confusion tables of the dither, bit-depth and lossy-history detectors, and their cost.

Usage::

    python benchmarks/bench_detect.py [--runs 3] [--no-write]

1. Builds the corpus of ``benchmarks/detect_corpus.py`` (cached in
   ``benchmarks/_data/detect``): 16-bit renders of a 20 s source at 44.1 kHz
   (seed 1770, the material the thresholds were set on) and at 48 kHz (seed 7),
   the same at 44.1 kHz over a -84 dBFS noise floor, 24-bit padded and genuine
   files, band-limited lossless masters and lossy round trips.
2. Measures every file with mixdesk's one-pass engine and tabulates the
   verdicts against the known provenance.
3. Times ``mixdesk check`` on the 5-minute master of ``bench_check.py`` with and
   without the detector rules (``--ignore DTH001,LSY001`` skips the detectors),
   alternately, and reports the added share (target <= 30 %).
4. Writes ``docs/detection.md`` and the section "Detector cost" of
   ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median, run_timed, update_benchmarks_md
from benchmarks.detect_corpus import (
    Case,
    bitdepth_cases,
    dither_cases,
    lossy_cases,
    measure,
)
from qc.measure import Measurements

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"
DOC = ROOT / "docs" / "detection.md"
COST_TARGET = 0.30


def _dither_rows(cases: list[tuple[Case, Measurements]]) -> tuple[str, Counter[str]]:
    counts: Counter[str] = Counter()
    rows = []
    for case, m in cases:
        d = m.dither
        ev = d.evidence
        want = "dithered" if case.dithered else "undithered"
        if d.verdict == want:
            cell = "TP" if want == "undithered" else "TN"
        elif d.verdict == "inconclusive":
            cell = "inconclusive"
        else:
            cell = "FP" if want == "dithered" else "FN"
        counts[cell] += 1
        stats = (
            f"{ev.rho1:+.2f} / {ev.rms_lsb:.2f} / {ev.innovation_lsb2:.3f}"
            if ev is not None and ev.windows
            else "-"
        )
        rows.append(f"| {case.name} | {case.kind} | {d.verdict} ({d.kind}) | {stats} | {cell} |")
    table = (
        "| file | made by | verdict | rho1 / rms LSB / innovation LSB² | cell |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    return table, counts


def _confusion(label: str, c: Counter[str]) -> str:
    total = sum(c.values())
    correct = c["TP"] + c["TN"]
    return (
        f"| {label} | {c['TP']} | {c['FP']} | {c['TN']} | {c['FN']} | {c['inconclusive']} | "
        f"{correct}/{total} ({100 * correct / max(total, 1):.0f} %) |"
    )


def _lossy_rows(cases: list[tuple[Case, Measurements]]) -> tuple[str, Counter[str]]:
    counts: Counter[str] = Counter()
    rows = []
    for case, m in cases:
        lossy = m.lossy
        grid = f"{lossy.grid.family} z={lossy.grid.z:.0f}" if lossy.grid is not None else "-"
        cutoff = f"{lossy.cutoff_hz / 1000:.1f} kHz" if lossy.cutoff_hz else "none"
        truth = "lossy" if case.lossy else "lossless"
        counts[f"{truth}:{lossy.verdict}"] += 1
        rows.append(
            f"| {case.name} | {truth} | {cutoff} | {grid} | {lossy.verdict} | {lossy.reason} |"
        )
    table = (
        "| file | truth | shelf | strongest grid | verdict | evidence |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    return table, counts


def _cost(runs: int) -> tuple[float, float] | None:
    """Median wall time of ``mixdesk check`` with and without the detector rules, s."""
    master = next(iter(sorted(DATA.glob("master_300s_*.wav"))), None)
    if master is None:
        print("no 5-minute master: run benchmarks/bench_check.py first; cost not measured")
        return None
    base = [sys.executable, "-m", "qc", "check", "--format", "json", str(master)]
    # Ignoring both detector rules skips the detectors in the one pass (qc/engine.py).
    without = [*base, "--ignore", "DTH001,LSY001"]
    on: list[float] = []
    off: list[float] = []
    for i in range(runs + 1):
        for cmd, sink in ((base, on), (without, off)):
            wall, _ = run_timed(cmd, ok_returncodes=(0, 1))
            if i:  # the first round warms caches
                sink.append(wall)
    return median(on), median(off)


def _cost_line(runs: int) -> str:
    cost = _cost(runs)
    if cost is None:
        return "not measured (no 5-minute master)"
    on, off = cost
    share = on / off - 1
    verdict = "PASS" if share <= COST_TARGET else "FAIL"
    return (
        f"`mixdesk check --format json` on the 5-minute 48 kHz master, median of "
        f"{runs} alternating runs: {on:.2f} s with the detectors, {off:.2f} s with "
        f"`--ignore DTH001,LSY001` (which skips them): **+{100 * share:.0f} %** "
        f"(target <= {100 * COST_TARGET:.0f} %: {verdict})."
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--cost-only", action="store_true", help="only re-measure the cost")
    args = ap.parse_args()
    if args.cost_only:
        line = _cost_line(args.runs)
        print(line)
        if not args.no_write and DOC.exists():
            text = DOC.read_text()
            DOC.write_text(text[: text.index("## Cost")] + f"## Cost\n\n{line}\n")
            update_benchmarks_md("Detector cost", line + "\n")
        return 0
    folder = DATA / "detect"
    sets = {
        "16-bit, 44.1 kHz (seed 1770; thresholds set here)": dither_cases(folder),
        "16-bit, 48 kHz (seed 7)": dither_cases(folder, rate=48000, seed=7, tag="-48k"),
        "16-bit, 44.1 kHz, -84 dBFS noise floor (seed 3)": dither_cases(
            folder, seed=3, tag="-floor84", floor_dbfs=-84.0
        ),
    }
    measured = {k: [(c, measure(c)) for c in v] for k, v in sets.items()}
    bits = [(c, measure(c)) for c in bitdepth_cases(folder)]
    lossy = [(c, measure(c)) for c in lossy_cases(folder)]
    dither_md, confusion = [], []
    for label, cases in measured.items():
        table, counts = _dither_rows(cases)
        confusion.append(_confusion(label, counts))
        dither_md.append(f"### {label}\n\n{table}")
    clean16 = [(c, m) for cases in measured.values() for c, m in cases]
    grid_fp = sum(m.lossy.verdict != "clean" for _, m in clean16)
    lossy_table, lc = _lossy_rows(lossy)
    low = [(c, m) for c, m in lossy if c.lossy and c.kbps is not None and c.kbps <= 192]
    low_flagged = sum(m.lossy.verdict != "clean" for _, m in low)
    bit_rows = "\n".join(
        f"| {c.name} | {c.padded} | {m.bit_depth.padded} | {m.bit_depth.used_bits} | "
        f"{m.bit_depth.lattice_spacing or '-'} | {m.bit_depth.effective_bits} |"
        for c, m in bits
    )
    cost_line = _cost_line(args.runs)
    doc = f"""# Detection: missing dither, padded bit depth, lossy history

Generated by `python benchmarks/bench_detect.py` from the corpus of
`benchmarks/detect_corpus.py`: one music-like source (the gentle master of
`examples/music.py`, then a final chord whose reverb tail decays into digital
silence) rendered by numpy, sox 14.4 (`-R`, every `dither` type) and ffmpeg
(`aresample` with every `dither_method`), padded to 24 bits, band-limited and
put through lossy round trips. Synthetic material only: the thresholds still
need calibrating on real masters from many DAWs and dither plug-ins (POW-r,
MBIT+ and other proprietary shapers are not in it).

## Dither (DTH001)

Positive = undithered. "inconclusive" counts as not correct. sox and ffmpeg
have no lipshitz or high-shibata filter at 48 kHz and fall back to high-pass
TPDF, which is what the verdict then says.

| corpus | TP | FP | TN | FN | inconclusive | correct |
|---|---|---|---|---|---|---|
{chr(10).join(confusion)}

No dithered file was called undithered (FP above). Over a -84 dBFS floor
(about 2 LSB of noise) rounding is self-dithered: the verdict there is
"inconclusive (noise floor)", except floor truncation, whose -0.5 LSB offset
survives.

{chr(10).join(dither_md)}
## Padded bit depth (DTH002)

| file | truth: padded | verdict | used bits | lattice (codes) | effective bits |
|---|---|---|---|---|---|
{bit_rows}

## Lossy history (LSY001)

Confirmed = a codec frame grid with z >= 10; suspect = a steep, steady shelf
below 0.9 x Nyquist or a grid with z >= 8. Lossless audio scored at most 5.

| truth | confirmed | suspect | clean |
|---|---|---|---|
| lossless (band-limited and full-band, 24 and 16 bit) | {lc["lossless:confirmed"]} | \
{lc["lossless:suspect"]} | {lc["lossless:clean"]} |
| lossy round trips | {lc["lossy:confirmed"]} | {lc["lossy:suspect"]} | {lc["lossy:clean"]} |

Round trips at 192 kbps or less flagged: {low_flagged}/{len(low)}. The
{len(clean16)} 16-bit dither renders above were also checked: {grid_fp} of them
got a lossy verdict other than clean.

{lossy_table}
## Cost

{cost_line}
"""
    print(doc)
    if not args.no_write:
        DOC.write_text(doc)
        update_benchmarks_md("Detector cost", cost_line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
