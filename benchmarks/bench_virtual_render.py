"""Benchmark the virtual DAW's render with its channel strips and returns, against sox.

Usage::

    python benchmarks/bench_virtual_render.py [--seconds 180] [--runs 3] [--no-write]

The job: 4 example stems (``examples/stems.py``, 48 kHz, 24-bit) of
``--seconds`` s; on every stem track and on the master an ``EQ`` with 3 bands
in (high-pass 80 Hz, a +2 dB peak at 800 Hz, a +2 dB high shelf at 8 kHz) and a
``Compressor`` (-20 dB, 4:1, 10 ms / 100 ms, 6 dB knee, +3 dB makeup); every
stem sends to both returns (``Reverb`` 2 s, ``Delay`` 375 ms, 30 %); one
24-bit take written block by block.

Side by side in the same run:

* the plain mix of the same stems (levels and pans only, no plugin, no send);
* the peer, ``sox`` doing the same job on the same files: per stem
  ``highpass``/``equalizer``/``treble`` + ``compand`` into a temporary file,
  the send buses mixed with ``-m`` through ``reverb -w`` and ``echo``, then the
  master ``-m`` of everything through the same EQ and ``compand`` into a 24-bit
  WAV (sox's effects are not ours: same stages, not the same sound).

One profiled render on one thread (each plugin instance timed by a wrapper)
says which stage costs what; the timed renders run the tracks' plugins on
the machine's cores (threads; scipy and numpy release the GIL). Target
(issue 18): at least 20x real time. Writes the ``## Virtual DAW render``
section of ``docs/benchmarks.md``.
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
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.common import update_benchmarks_md
from examples.stems import generate

RATE = 48000
EQ_SET = {"High-pass freq": 80.0, "Band 2 gain": 2.0, "High shelf gain": 2.0}
EQ_BANDS_ON = {"hipass", "band/2", "hishelf"}
COMP_SET = {"Threshold": -20.0, "Ratio": 4.0, "Attack": 10.0, "Release": 100.0, "Knee": 6.0}
COMP_SET |= {"Makeup": 3.0}


def _set(plugin: Any, values: dict[str, float]) -> None:
    for name, value in values.items():
        plugin.values[plugin.plugin.number(name) - 1] = value


def build_state(stems: list[Any], strip: bool) -> Any:
    """The benchmark's mix: levels and pans; with ``strip``, plugins and sends too."""
    from bridge.virtual.state import MixState

    state = MixState.for_stems(stems)
    for i, s in enumerate(stems):
        t = state.tracks[s.name]
        t.volume_db, t.pan = -3.0 - i, (-1) ** i * 0.2 * i
        if strip:
            _set(t.plugins[0], EQ_SET)
            t.plugins[0].bands_on |= EQ_BANDS_ON
            _set(t.plugins[1], COMP_SET)
            t.sends_db = [-12.0, -18.0]
    if strip:
        _set(state.master_plugins[0], EQ_SET)
        state.master_plugins[0].bands_on |= EQ_BANDS_ON
        _set(state.master_plugins[1], COMP_SET)
    return state


def ours(stem_dir: Path, runs: int, strip: bool) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (all threads) per render of the virtual DAW."""
    from bridge.virtual.render import render
    from bridge.virtual.stems import load_stems

    stems = load_stems(stem_dir, RATE)
    state = build_state(stems, strip)
    warm_up()
    times, cpu = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            render(stems, state, out, rate=RATE).path.unlink()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return times, cpu


def warm_up() -> None:
    """Import the DSP (scipy.signal's first import takes about a second) before timing."""
    import scipy.signal  # noqa: F401


def profile(stem_dir: Path) -> tuple[float, dict[str, float]]:
    """One render with every plugin instance timed: (total s, plugin name → s)."""
    from bridge.virtual import strip
    from bridge.virtual.render import render
    from bridge.virtual.stems import load_stems

    spent: dict[str, float] = defaultdict(float)
    make = strip.make_processor

    class Timed:
        def __init__(self, plugin: Any, rate: int, channels: int) -> None:
            self.name, self.proc = plugin.name, make(plugin, rate, channels)

        def process(self, x: Any, values: Any, *more: Any) -> Any:
            t0 = time.perf_counter()
            y = self.proc.process(x, values, *more)
            spent[self.name] += time.perf_counter() - t0
            return y

        def reset(self) -> None:
            self.proc.reset()

    stems = load_stems(stem_dir, RATE)
    warm_up()
    strip.make_processor = Timed
    try:
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            render(stems, build_state(stems, True), out, rate=RATE, workers=1)
            total = time.perf_counter() - t0
    finally:
        strip.make_processor = make
    return total, dict(spent)


SOX_EQ = ["highpass", "80", "equalizer", "800", "1q", "2", "treble", "2", "8000"]
SOX_COMP = ["compand", "0.01,0.1", "6:-60,-60,-20,-20,0,-15", "3"]


def sox_times(sox: str, stem_dir: Path, runs: int) -> list[float]:
    """Seconds per sox run of the same job (temporary files in a scratch folder)."""
    files = sorted(stem_dir.glob("*.wav"))
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            t0 = time.perf_counter()
            strips = []
            for i, f in enumerate(files):
                out = t / f"strip{i}.wav"
                cmd = [sox, str(f), "-c", "2", str(out), *SOX_EQ, *SOX_COMP]
                subprocess.run(cmd, check=True, capture_output=True)
                strips.append(out)
            sends = []
            for gain, fx in (
                (0.25, ["reverb", "-w", "50", "30", "100"]),
                (0.125, ["echo", "1", "1", "375", "0.3"]),
            ):
                mix = ["-m"] + [a for s in strips for a in ("-v", str(gain), str(s))]
                bus = t / f"{fx[0]}.wav"
                subprocess.run([sox, *mix, str(bus), *fx], check=True, capture_output=True)
                sends.append(bus)
            master = ["-m"] + [a for s in (*strips, *sends) for a in ("-v", "0.5", str(s))]
            cmd = [sox, *master, "-b", "24", str(t / "mix.wav"), *SOX_EQ, *SOX_COMP]
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    return times


def _row(label: str, times: list[float], seconds: float, ref: float, cpu: list[float]) -> str:
    med = statistics.median(times)
    c = f"{statistics.median(cpu):.2f}" if cpu else "n/a"
    return (
        f"| {label} | {med:.2f} ({min(times):.2f}–{max(times):.2f}) | {c} | {seconds / med:.0f}x"
        f" | {med / ref:.2f} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=180.0, help="song length (180)")
    ap.add_argument("--runs", type=int, default=3, help="renders each (3)")
    ap.add_argument("--no-write", action="store_true", help="print, don't touch the docs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, seconds=args.seconds, rate=RATE, count=4)
        full, full_cpu = ours(Path(tmp), args.runs, strip=True)
        plain, plain_cpu = ours(Path(tmp), args.runs, strip=False)
        load = os.getloadavg()[0]
        total, spent = profile(Path(tmp))
        sox = shutil.which("sox")
        peer = sox_times(sox, Path(tmp), args.runs) if sox else None

    med = statistics.median(full)
    factor = args.seconds / med
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["python benchmarks/bench_virtual_render.py", *sys.argv[1:]])
    lines = [
        f"Run on {when} with `{cmd}` on {os.cpu_count()} cores,"
        f" {platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        f"4 example stems of {args.seconds:g} s at 48 kHz to a 24-bit take; EQ (high-pass,"
        " one peak, high shelf) and compressor on every track and the master; every stem"
        " sends to the reverb and the delay return. Median of"
        f" {args.runs} runs (min–max); the last column is the time over the virtual DAW's.",
        "",
        f"Load average when the renders ended: {load:.1f} (other jobs share the machine).",
        "",
        "| renderer | wall s | CPU s | × real time | time ratio |",
        "|---|---|---|---|---|",
        _row("virtual DAW, strips and returns", full, args.seconds, med, full_cpu),
        _row("virtual DAW, plain mix (levels, pans)", plain, args.seconds, med, plain_cpu),
    ]
    if peer:
        lines.append(_row("`sox`: same stages, temporary files", peer, args.seconds, med, []))
    lines += [
        "",
        f"Where the time goes (one render on one thread, each plugin timed; {total:.2f} s):",
        "",
        "| stage | s | share |",
        "|---|---|---|",
    ]
    for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} (all instances) | {s:.2f} | {100 * s / total:.0f} % |")
    rest = total - sum(spent.values())
    other = "reading, pan/volume, sends, summing, writing"
    lines.append(f"| {other} | {rest:.2f} | {100 * rest / total:.0f} % |")
    ratio = spent.get("Compressor", 0.0) / spent["EQ"] if spent.get("EQ") else float("nan")
    lines += [
        "",
        f"Compressor over EQ time, per channel: {ratio:.2f} (every compressor and EQ instance"
        " runs on the same channels, so the ratio of their totals is the per-channel ratio;"
        " target at most 3).",
    ]
    verdict = "PASS" if factor >= 20 else "FAIL"
    per_cpu = args.seconds / statistics.median(full_cpu)
    lines += [
        "",
        f"Target: at least 20x real time: **{verdict}** ({factor:.0f}x wall clock;"
        f" {per_cpu:.0f}x per CPU second, all threads counted).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        print(f"wrote {update_benchmarks_md('Virtual DAW render', body)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
