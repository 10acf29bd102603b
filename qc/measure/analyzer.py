"""The one streaming pass: every meter fed from the same blocks.

:class:`Analyzer` is the only place that knows which meters exist. Each block
is read once; the K-weighting filter output feeds the loudness meter, the raw
samples feed the level, clipping and true-peak meters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from qc.measure._types import Floats
from qc.measure.bitdepth import BitDepthMeter, BitDepthResult
from qc.measure.clipping import ClipDetector, ClippingResult
from qc.measure.dither import DitherMeter, DitherResult
from qc.measure.envelope import EnvelopeResult, PeakEnvelope
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.levels import LevelMeter, LevelResult
from qc.measure.lossy import LossyMeter, LossyResult
from qc.measure.loudness import LoudnessMeter, LoudnessResult
from qc.measure.spectrum import SpectrumMeter, SpectrumResult
from qc.measure.stereo import StereoMeter, StereoResult
from qc.measure.truepeak import TruePeakMeter, TruePeakMethod, TruePeakResult
from qc.parallel.forking import fork_map
from qc.parallel.offload import Beside

__all__ = ["Analyzer", "MeasureOptions", "Measurements", "analyze"]

T = TypeVar("T")
R = TypeVar("R")

_GRID_HANDS = 3
"""Processes the end-of-stream grid searches are dealt to: their five jobs of unequal
cost left one of two cores idle for the last 0.05 s; three hands even them out."""


@dataclass(frozen=True)
class MeasureOptions:
    """How to measure (not how to judge).

    Attributes:
        true_peak_method: ``"accurate"`` (default) or ``"bs1770"`` (the ITU
            Annex 2 4x filter).
        over_dbtp: Crests above this level are counted as true-peak overs, dBTP.
        clip_min_run: Minimum run of samples at the maximum that counts as
            clipping, samples.
        clip_tolerance: How far below the maximum a sample still belongs to a
            plateau (linear). ``None`` picks 1 LSB of the bit depth.
        detectors: Run the dither and lossy-history detectors. When False
            their results say "not measured"; the engine turns them off when
            no selected rule reads them, the detection benchmark to measure
            their cost.
    """

    true_peak_method: TruePeakMethod = "accurate"
    over_dbtp: float = -1.0
    clip_min_run: int = 3
    clip_tolerance: float | None = None
    detectors: bool = True


@dataclass(frozen=True)
class Measurements:
    """Everything one pass measures in a programme.

    Attributes:
        sample_rate: Hz.
        channels: Channel count.
        frames: Frames measured.
        loudness: BS.1770 / Tech 3341 / Tech 3342 results.
        true_peak: True-peak results.
        levels: Sample peak and DC offset.
        clipping: Plateaus at the maximum magnitude.
        envelope: Sample peak per 100 ms per channel (silence detection).
        stereo: L/R correlation, side and mid levels (empty for mono).
        bit_depth: Effective bit depth (padded 16-bit data in a wider container).
        dither: Dither analysis of the quiet passages.
        lossy: Lossy-history evidence (cutoff, frame grid).
        spectrum: Long-term average spectrum per channel and of the side (plots).
    """

    sample_rate: int
    channels: int
    frames: int
    loudness: LoudnessResult
    true_peak: TruePeakResult
    levels: LevelResult
    clipping: ClippingResult
    envelope: EnvelopeResult
    stereo: StereoResult
    bit_depth: BitDepthResult
    dither: DitherResult
    lossy: LossyResult
    spectrum: SpectrumResult | None = None

    @property
    def duration_s(self) -> float:
        """Duration, s."""
        return self.frames / self.sample_rate


class Analyzer:
    """Feeds every meter from one stream of blocks.

    Args:
        rate: Sample rate in Hz.
        channels: Channel count.
        options: Measurement options.
        bit_depth: Bits per sample of the source, used for the clipping
            tolerance; ``None`` for float sources.
        fork: Move the true-peak meter to a forked child process once the input
            is long (:mod:`qc.parallel.offload`); False keeps it on the thread.
        lossy: The source is lossy-coded (MP3, AAC, Opus...): the detectors
            would find only its own codec, and no rule reads them for such a
            file (FMT001 says it), so they do not run.
    """

    def __init__(
        self,
        rate: int,
        channels: int,
        options: MeasureOptions | None = None,
        *,
        bit_depth: int | None = None,
        fork: bool = True,
        lossy: bool = False,
    ) -> None:
        opts = options or MeasureOptions()
        self._rate = rate
        self._channels = channels
        tol = opts.clip_tolerance
        if tol is None:
            tol = 2.0 ** -(bit_depth - 1) if bit_depth and bit_depth <= 24 else 2.0**-23
        self._kfilter = BlockIIR(k_weighting_sos(rate), channels=channels)
        self._loudness = LoudnessMeter(rate, channel_weights(channels))
        self._truepeak = TruePeakMeter(
            rate, channels, method=opts.true_peak_method, over_dbtp=opts.over_dbtp
        )
        self._levels = LevelMeter(channels)
        self._clipping = ClipDetector(channels, min_run=opts.clip_min_run, tolerance=tol)
        self._envelope = PeakEnvelope(rate, channels)
        self._stereo = StereoMeter(rate, channels)
        self._spectrum = SpectrumMeter(rate, channels)
        self._bitdepth = BitDepthMeter(bit_depth)
        self._detect = opts.detectors and not lossy
        self._not_detected = (
            "the file is itself lossy-coded (FMT001)" if lossy else "no selected rule reads it"
        )
        self._dither = DitherMeter(rate, channels, bit_depth if self._detect else None)
        self._lossy = LossyMeter(rate, channels)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="truepeak")
        self._beside = Beside(
            self._second_thread,
            self._second_results,
            channels=channels,
            executor=self._worker,
            fork=fork,
        )

    def feed(self, block: Floats) -> None:
        """Add one block, shape ``(frames, channels)``, float64, full scale 1.0.

        The true-peak meter, the most expensive, the stereo meter, the long-term
        spectrum and the dither windows run beside the others: on a worker thread
        for the first blocks, then, once the input is long, in a forked child process
        with a GIL of its own (:mod:`qc.parallel.offload`), while this thread filters
        and runs the rest.
        On the loud 5-minute master of benchmarks/bench_check.py the two sides
        then take about the same CPU time. The block must not be modified later.
        """
        self._beside.feed(block)
        with np.errstate(all="ignore"):  # a hot block is measured, not warned about
            self._loudness.feed(self._kfilter.process(block))
            mag = np.abs(block)
            self._clipping.feed(block, mag)
            self._envelope.feed(block, mag)
            self._bitdepth.feed(block, mag)
            self._levels.feed(block, mag)
            if self._detect:
                self._lossy.feed(block)

    def _second_thread(self, block: Floats) -> None:
        """The meters that run beside the main thread's (balanced by measured cost)."""
        with np.errstate(all="ignore"):  # numpy's error state is per thread
            self._truepeak.feed(block)
            self._stereo.feed(block)
            self._spectrum.feed(block)
            if self._detect:
                self._dither.feed(block)

    def _second_results(
        self,
    ) -> tuple[TruePeakResult, StereoResult, SpectrumResult, DitherResult]:
        dither = (
            self._dither.result()
            if self._detect
            else DitherResult(None, "not-applicable", f"not measured: {self._not_detected}", (), 0)
        )
        return self._truepeak.result(), self._stereo.result(), self._spectrum.result(), dither

    def _both_threads(self, func: Callable[[T], R], jobs: Iterable[T]) -> list[R]:
        """A ``map`` that runs every other job on the worker thread, the rest here.

        The results come back in no particular order (the caller takes the best).
        """
        todo = list(jobs)
        there = [self._worker.submit(func, job) for job in todo[1::2]]
        here = [func(job) for job in todo[::2]]
        return here + [f.result() for f in there]

    def close(self) -> None:
        """Stop the worker thread (also when the stream ended in an error)."""
        self._beside.close()
        self._worker.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self) -> Measurements:
        """Finish every meter and return the measurements.

        The frame-grid searches of the lossy detector run on both threads, or
        in three processes when the true-peak meter was forked (a long input).
        """
        grids = None
        if self._beside.forked:
            grids = partial(fork_map, executor=self._worker, processes=_GRID_HANDS)
        self._beside.end()
        lossy = (
            self._lossy.result(grids or self._both_threads)
            if self._detect
            else LossyResult.not_measured(self._not_detected)
        )
        true_peak, stereo, spectrum, dither = self._beside.result()
        self.close()
        levels = self._levels.result()
        return Measurements(
            sample_rate=self._rate,
            channels=self._channels,
            frames=levels.frames,
            loudness=self._loudness.result(),
            true_peak=true_peak,
            levels=levels,
            clipping=self._clipping.result(),
            envelope=self._envelope.result(),
            stereo=stereo,
            bit_depth=self._bitdepth.result(),
            dither=dither,
            lossy=lossy,
            spectrum=spectrum,
        )


def analyze(
    blocks: Iterable[Floats],
    rate: int,
    channels: int,
    options: MeasureOptions | None = None,
    *,
    bit_depth: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Measurements:
    """Measure a stream of blocks in one pass.

    Args:
        blocks: Blocks of shape ``(frames, channels)``, float64.
        rate: Sample rate in Hz.
        channels: Channel count.
        options: Measurement options.
        bit_depth: Source bits per sample (``None`` for float).
        progress: Called with the number of frames after each block.

    Returns:
        The measurements.
    """
    with Analyzer(rate, channels, options, bit_depth=bit_depth) as analyzer:
        for block in blocks:
            analyzer.feed(np.asarray(block, dtype=np.float64))
            if progress is not None:
                progress(len(block))
        return analyzer.result()
