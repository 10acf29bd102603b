"""One streaming pass: read, resample, gain and limit, dither, write, and meter the result.

Memory does not grow with the file: blocks of 65536 frames, the limiter's
look-ahead and the resampler's filter state are all that is held. The
loudness of the output is measured in the same pass, on the very samples
written (after rounding), so the gain iteration needs no extra read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from qc.audio import open_audio
from qc.audio.limits import DEFAULT_MAX_DURATION_S
from qc.fix.dither import Quantizer
from qc.fix.limiter import MARGIN_DB, LimiterStats, TruePeakLimiter
from qc.fix.plan import OutputFormat
from qc.fix.resample import Resampler
from qc.measure._types import Block
from qc.measure.idealpeak import IdealPeakMeter
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter

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
    """

    integrated_lufs: float | None
    limiter: LimiterStats
    frames: int
    ideal_dbtp: float | None = None


class _Sink:
    """Quantise, write and meter output blocks."""

    def __init__(
        self, fmt: OutputFormat, channels: int, out: str | None, seed: int | None, *, meter: bool
    ) -> None:
        self._fmt = fmt
        self._metered = meter
        self._channels = channels
        bits = fmt.bits
        self._quant = Quantizer(bits, channels, dither=fmt.dither, seed=seed) if bits else None
        self._kfilter = BlockIIR(k_weighting_sos(fmt.rate), channels=channels)
        self._meter = LoudnessMeter(fmt.rate, channel_weights(channels))
        self._peak = IdealPeakMeter(channels) if meter else None
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
        if self._metered:
            self._meter.feed(self._kfilter.process(block))
        if self._peak is not None:
            self._peak.feed(block)
        self.frames += len(block)

    def close(self) -> tuple[float | None, float | None]:
        """Close the file; the integrated loudness (LUFS) and ideal true peak (dBTP)."""
        if self._file is not None:
            self._file.close()
        if not self._metered:
            return None, None
        peak = float(self._peak.result().max(initial=-np.inf)) if self._peak else None
        return self._meter.result().integrated_lufs, peak


def render(
    path: str | os.PathLike[str],
    fmt: OutputFormat,
    proc: Processing,
    out: str | None,
) -> PassResult:
    """Process ``path`` into ``out`` (None: measure only) in one streaming pass.

    Args:
        path: The input audio file.
        fmt: The output format.
        proc: Gain, ceiling and limiter settings.
        out: Where to write (a new file), or None to only measure.

    Returns:
        The output's loudness and the limiter's statistics.

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
        sink = _Sink(fmt, chans, out, proc.seed, meter=proc.limit)
        try:
            for block in source.blocks(_BLOCK):
                x = resampler.process(block) if resampler is not None else block
                sink.write(limiter.process(x))
            if resampler is not None:
                sink.write(limiter.process(resampler.flush()))
            sink.write(limiter.flush())
        finally:
            lufs, peak = sink.close()
    return PassResult(lufs, limiter.stats(), sink.frames, peak)
