"""One streaming pass: read, resample, gain and limit, dither, write, and meter the result.

Memory does not grow with the file: blocks of 65536 frames, the limiter's
look-ahead and the resampler's filter state are all that is held. The
loudness of the output is measured in the same pass, on the very samples
written (after rounding), so the gain iteration needs no extra read; so is,
when asked, the whole re-check (:class:`qc.fix.recheck.Recheck`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from qc.audio import open_audio
from qc.audio.limits import DEFAULT_MAX_DURATION_S
from qc.fix.dither import Quantizer
from qc.fix.limiter import MARGIN_DB, LimiterStats, TruePeakLimiter
from qc.fix.plan import OutputFormat
from qc.fix.recheck import Recheck
from qc.fix.resample import Resampler
from qc.measure._types import Block
from qc.measure.idealpeak import IdealPeakMeter
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter

if TYPE_CHECKING:
    from qc.engine import FileResult
    from qc.profiles import Profile

__all__ = ["PassResult", "Processing", "render"]

_BLOCK = 65536


@dataclass(frozen=True)
class Processing:
    """What one pass does to the samples.

    Attributes:
        gain_db: Gain before the limiter, dB.
        ceiling_dbtp: True-peak ceiling, dBTP.
        margin_db: Limiter threshold below the ceiling, dB.
        lookahead_ms: Limiter look-ahead and attack, ms.
        release_ms: Limiter release time constant, ms.
        seed: Seed of the dither (None: fresh entropy).
        limit: Run the limiter (and meter the output); False: the gain alone,
            for a file whose peaks stay under the ceiling (output exactly ``x G``).
    """

    gain_db: float
    ceiling_dbtp: float
    margin_db: float = MARGIN_DB
    lookahead_ms: float = 1.5
    release_ms: float = 100.0
    seed: int | None = None
    limit: bool = True


class _GainOnly:
    """The limiter's interface with nothing to limit: ``x * G``, no delay."""

    def __init__(self, gain_db: float) -> None:
        self._gain = 10.0 ** (gain_db / 20.0)
        self._frames = 0

    def process(self, block: Block) -> Block:
        self._frames += len(block)
        out: Block = block * self._gain
        return out

    def flush(self) -> Block:
        return np.zeros((0, 1))

    def stats(self) -> LimiterStats:
        return LimiterStats(self._frames, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class PassResult:
    """What one pass measured on its output.

    Attributes:
        integrated_lufs: BS.1770-4 integrated loudness of the output, LUFS
            (None under 400 ms, or when the pass did not limit and so did not meter).
        limiter: The limiter's gain reduction.
        frames: Frames written.
        ideal_dbtp: Ideal (band-limited, :mod:`qc.measure.idealpeak`) true peak of
            the samples written, dBTP (None when the pass did not limit).
        after: The re-check of the file written (None unless asked for); its
            ``path`` is the file written.
    """

    integrated_lufs: float | None
    limiter: LimiterStats
    frames: int
    ideal_dbtp: float | None = None
    after: FileResult | None = None


class _Sink:
    """Quantise, write and meter output blocks."""

    def __init__(
        self,
        fmt: OutputFormat,
        channels: int,
        out: str | None,
        seed: int | None,
        *,
        meter: bool,
        recheck: Recheck | None = None,
    ) -> None:
        self._fmt = fmt
        self._recheck = recheck
        self._metered = meter and recheck is None  # else the re-check's loudness is the same
        self._channels = channels
        bits = fmt.bits
        self._quant = Quantizer(bits, channels, dither=fmt.dither, seed=seed) if bits else None
        self._kfilter = BlockIIR(k_weighting_sos(fmt.rate), channels=channels)
        self._meter = LoudnessMeter(fmt.rate, channel_weights(channels))
        self._peak = IdealPeakMeter(channels) if meter else None
        # The output's meters run on a worker thread, one block behind (numpy and the FFT
        # release the GIL): the limiter and the writer keep this thread busy meanwhile.
        self._side = ThreadPoolExecutor(1, "fix-meter") if meter else None
        self._pending: Future[None] | None = None
        self._file = (
            sf.SoundFile(out, "w", fmt.rate, channels, fmt.subtype, format=fmt.container)
            if out is not None
            else None
        )
        self.frames = 0

    def write(self, block: Block) -> None:
        if len(block) == 0 or block.shape[1] != self._channels:
            return
        if self._quant is not None:
            ints = self._quant(block)
            block = ints.astype(np.float64) * self._quant.lsb
            if self._file is not None:
                shift = 32 - self._quant.bits  # soundfile's int32 is full scale at 2^31
                self._file.write(ints << shift if shift else ints)
        elif self._file is not None:
            self._file.write(block.astype(np.float32) if self._fmt.subtype == "FLOAT" else block)
            if self._fmt.subtype == "FLOAT":
                block = block.astype(np.float32).astype(np.float64)
        if self._side is not None:
            self._wait()
            self._pending = self._side.submit(self._measure, block)
        if self._recheck is not None:
            self._recheck.feed(block)
        self.frames += len(block)

    def _measure(self, block: Block) -> None:
        with np.errstate(all="ignore"):
            if self._metered:
                self._meter.feed(self._kfilter.process(block))
            if self._peak is not None:
                self._peak.feed(block)

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def close(self) -> tuple[float | None, float | None]:
        """Close the file; the integrated loudness (LUFS) and ideal true peak (dBTP)."""
        if self._file is not None:
            self._file.close()
        if self._side is not None:
            try:
                self._wait()
            finally:
                self._side.shutdown(wait=True, cancel_futures=True)
        peak = float(self._peak.result().max(initial=-np.inf)) if self._peak else None
        if not self._metered:
            return None, peak
        return self._meter.result().integrated_lufs, peak


def render(
    path: str | os.PathLike[str],
    fmt: OutputFormat,
    proc: Processing,
    out: str | None,
    *,
    recheck: Sequence[Profile] | None = None,
) -> PassResult:
    """Process ``path`` into ``out`` (None: measure only) in one streaming pass.

    Args:
        path: The input audio file.
        fmt: The output format.
        proc: Gain, ceiling and limiter settings.
        out: Where to write (a new file), or None to only measure.
        recheck: Profiles to re-check the samples written with (needs ``out``).

    Returns:
        The output's loudness, the limiter's statistics and the re-check.

    Raises:
        AudioReadError: The input cannot be read.
    """
    with open_audio(path, max_duration_s=DEFAULT_MAX_DURATION_S) as source:
        info = source.info
        chans = info.channels
        resampler = (
            Resampler(info.sample_rate, fmt.rate, chans) if fmt.rate != info.sample_rate else None
        )
        limiter: TruePeakLimiter | _GainOnly = (
            TruePeakLimiter(
                fmt.rate,
                chans,
                gain_db=proc.gain_db,
                ceiling_dbtp=proc.ceiling_dbtp,
                lookahead_ms=proc.lookahead_ms,
                release_ms=proc.release_ms,
                margin_db=proc.margin_db,
            )
            if proc.limit
            else _GainOnly(proc.gain_db)
        )
        checker = (
            Recheck(fmt.rate, chans, fmt.bit_depth, recheck)
            if recheck is not None and out is not None
            else None
        )
        try:
            sink = _Sink(fmt, chans, out, proc.seed, meter=proc.limit, recheck=checker)
            try:
                for block in source.blocks(_BLOCK):
                    x = resampler.process(block) if resampler is not None else block
                    sink.write(limiter.process(x))
                if resampler is not None:
                    sink.write(limiter.process(resampler.flush()))
                sink.write(limiter.flush())
            finally:
                lufs, peak = sink.close()
            after = checker.result(out) if checker is not None and out is not None else None
        finally:
            if checker is not None:
                checker.close()
    if after is not None and after.measurements is not None:
        lufs = after.measurements.loudness.integrated_lufs
    return PassResult(lufs, limiter.stats(), sink.frames, peak, after)
