"""Where the time of `mixdesk check` goes: each meter's cost per 131,072-frame block.

    python benchmarks/profile_meters.py [--blocks 60]

Reads blocks of the cached 5-minute loud master (run bench_check.py first to make
it), feeds each meter alone, single-threaded BLAS, and prints milliseconds per
block (stereo, 2.73 s of audio). The two stages with compiled kernels
(qc/measure/native) are timed twice, side by side: compiled, and their numpy
twins. Writes the section "Where the time goes" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import soundfile as sf

from benchmarks.common import update_benchmarks_md
from qc.engine import BLOCK_FRAMES
from qc.measure import native
from qc.measure.bitdepth import BitDepthMeter
from qc.measure.clipping import ClipDetector
from qc.measure.dither import DitherMeter
from qc.measure.envelope import PeakEnvelope
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.levels import LevelMeter
from qc.measure.lossy import LossyMeter
from qc.measure.loudness import LoudnessMeter
from qc.measure.spectrum import SpectrumMeter
from qc.measure.stereo import StereoMeter
from qc.measure.truepeak import TruePeakMeter

DATA = Path(__file__).resolve().parent / "_data"


def per_block_ms(blocks: list[np.ndarray], feed: Callable[[np.ndarray], object]) -> float:
    """CPU time of this thread per block, ms (what other jobs on the machine inflate least)."""
    start = time.thread_time()
    for b in blocks:
        feed(b)
    return (time.thread_time() - start) / len(blocks) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--blocks", type=int, default=60)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    master = next(iter(sorted(DATA.glob("master_300s_*.wav"))), None)
    if master is None:
        print("run benchmarks/bench_check.py first (it writes the 5-minute master)")
        return 2
    size = BLOCK_FRAMES
    with sf.SoundFile(master) as f:
        f.seek(f.frames // 3)
        count = min(args.blocks, (f.frames - f.frames // 3) // size)
        blocks = [f.read(size, dtype="float64", always_2d=True) for _ in range(count)]
        f.seek(0)
        start = time.thread_time()
        for _ in range(count):
            f.read(size, dtype="float64", always_2d=True)
        read_ms = (time.thread_time() - start) / count * 1e3
        per_file = -(-f.frames // size)
    mags = {id(b): np.abs(b) for b in blocks}
    # The child receives each block channel by channel (qc/parallel/offload.py).
    by_channel = [np.ascontiguousarray(b.T).T for b in blocks]

    def with_mag(feed: Callable[[np.ndarray, np.ndarray], object]) -> Callable[..., object]:
        """Feed the magnitudes too, as the analyzer does (it computes them once)."""
        return lambda b: feed(b, mags[id(b)])

    rate, chans = 48000, 2
    kfilter = BlockIIR(k_weighting_sos(rate), channels=chans)
    kblocks = [kfilter.process(b) for b in blocks]
    compiled = native.available()
    twin = native.available
    meters = []
    for use in (False, True):  # the numpy twins, then the compiled kernels
        native.available = (lambda: False) if not use else twin
        meters.append(
            (
                BlockIIR(k_weighting_sos(rate), channels=chans),
                LoudnessMeter(rate, channel_weights(chans)),
                TruePeakMeter(rate, chans),
            )
        )
    native.available = twin
    how = "compiled" if compiled else f"numpy: compiled kernels {native.status()}"
    pair = []
    for stage, k in (
        ("K-weighting", 0),
        ("loudness windows", 1),
        ("true peak, 4x + refinement", 2),
    ):
        for label, (kw, loud, tp) in zip(("numpy twin", how), meters, strict=True):
            side = " [child]" if k == 2 else ""
            if k == 0:
                ms = per_block_ms(blocks, kw.process)
            elif k == 1:
                ms = per_block_ms(kblocks, loud.feed)  # fed the K-weighted blocks
            else:
                ms = per_block_ms(by_channel, tp.feed)
            pair.append((f"{stage} ({label}){side}", ms))
    rows = [
        ("read 24-bit WAV (soundfile)", read_ms),
        pair[1],
        pair[3],
        pair[5],
        ("magnitudes (shared)", per_block_ms(blocks, np.abs)),
        ("sample peak + DC", per_block_ms(blocks, with_mag(LevelMeter(chans).feed))),
        ("clipping runs", per_block_ms(blocks, with_mag(ClipDetector(chans, tolerance=2.0**-23).feed))),  # noqa: E501
        ("peak envelope", per_block_ms(blocks, with_mag(PeakEnvelope(rate, chans).feed))),
        ("stereo correlation [child]", per_block_ms(by_channel, StereoMeter(rate, chans).feed)),
        ("long-term spectrum (plots) [child]", per_block_ms(by_channel, SpectrumMeter(rate, chans).feed)),  # noqa: E501
        ("effective bit depth", per_block_ms(blocks, with_mag(BitDepthMeter(24).feed))),
        ("dither windows [child]", per_block_ms(by_channel, DitherMeter(rate, chans, 24).feed)),
        ("lossy: spectrum + excerpt", per_block_ms(blocks, LossyMeter(rate, chans).feed)),
    ]  # fmt: skip
    lossy = LossyMeter(rate, chans)
    for b in blocks:
        lossy.feed(b)
    grid = []
    for use in (True, False):  # compiled gathers, then the numpy twin
        native.available = twin if use else (lambda: False)
        start = time.thread_time()
        lossy.result()
        grid.append((time.thread_time() - start) * 1e3)
    native.available = twin
    grid_ms, grid_np = grid
    total = sum(ms for _, ms in rows)
    body = (
        f"`python benchmarks/profile_meters.py --blocks {args.blocks}`: each meter fed alone with "
        f"{count} blocks of {size:,} stereo frames ({size / rate:.2f} s of audio, the block "
        "`mixdesk check` reads) from the middle of the loud 5-minute master, "
        "one BLAS thread, CPU time of the measuring thread (load average when it ran: "
        f"{os.getloadavg()[0]:.1f}). `mixdesk check` runs the meters marked [child] (true "
        "peak, stereo, long-term spectrum, dither) in a forked child process, fed channel by "
        "channel (after the first block, on a worker thread before that; "
        "`qc/parallel/offload.py`), and everything else, the reading included, in the main "
        "process.\n\n"
        "| stage | ms per block |\n|---|---|\n"
        + "".join(f"| {name} | {ms:.2f} |\n" for name, ms in rows)
        + f"| **sum (one core)** | **{total:.2f}** |\n\n"
        "The compiled kernels (`qc/measure/native/kernels.c`, built when mixdesk is installed) "
        "against their numpy twins, the same meters on the same blocks:\n\n"
        "| stage | ms per block |\n|---|---|\n"
        + "".join(f"| {name} | {ms:.2f} |\n" for name, ms in pair)
        + f"\nCompiled / numpy: K-weighting **{pair[1][1] / pair[0][1]:.2f}x**, loudness "
        f"windows **{pair[3][1] / pair[2][1]:.2f}x**, true peak **{pair[5][1] / pair[4][1]:.2f}x**."
        "\n\n"
        f"Once per file, the lossy detector's frame-grid searches (AAC KBD and sine, Vorbis, "
        f"Opus at 48 kHz, MP3) take {grid_ms:.0f} ms on one thread ({how}; numpy twin "
        f"{grid_np:.0f} ms, **{grid_ms / grid_np:.2f}x**); `mixdesk check` deals them "
        "to three processes.\n\n"
        f"The 5-minute file is {per_file} blocks. The sum above is CPU time on one core; in "
        "`mixdesk check` the child's share (the [child] rows) and the main process's share "
        "(the rest) are about equal, so on an "
        "idle machine the wall time is about half the sum plus start-up (Python, numpy, "
        "soundfile, the rules and the check command's parser) and the grids. True peak is "
        "the largest single cost: the 4x pass and its crests (one compiled pass), then the "
        "crests of a loud master read again with long kernels.\n"
    )
    print(body)
    if not args.no_write:
        update_benchmarks_md("Where the time goes", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
