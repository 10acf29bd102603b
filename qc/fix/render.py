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
    """

    gain_db: float
    ceiling_dbtp: float
    margin_db: float = MARGIN_DB
    lookahead_ms: float = 1.5
    release_ms: float = 100.0
    seed: int | None = None


@dataclass(frozen=True)
class PassResult:
    """What one pass measured on its output.

    Attributes:
        integrated_lufs: BS.1770-4 integrated loudness of the output, LUFS
            (None under 400 ms).
        limiter: The limiter's gain reduction.
        frames: Frames written.
    """

    integrated_lufs: float | None
    limiter: LimiterStats
    frames: int


class _Sink:
    """Quantise, write and meter output blocks."""

    def __init__(self, fmt: OutputFormat, channels: int, out: str | None, seed: int | None):
        self._fmt = fmt
        bits = fmt.bits
        self._quant = Quantizer(bits, channels, dither=fmt.dither, seed=seed) if bits else None
        self._kfilter = BlockIIR(k_weighting_sos(fmt.rate), channels=channels)
        self._meter = LoudnessMeter(fmt.rate, channel_weights(channels))
        self._file = (
            sf.SoundFile(out, "w", fmt.rate, channels, fmt.subtype, format=fmt.container)
            if out is not None
            else None
        )
        self.frames = 0

    def write(self, block: Block) -> None:
        if len(block) == 0:
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
        self._meter.feed(self._kfilter.process(block))
        self.frames += len(block)

    def close(self) -> float | None:
        if self._file is not None:
            self._file.close()
        return self._meter.result().integrated_lufs


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
        limiter = TruePeakLimiter(
            fmt.rate,
            chans,
            gain_db=proc.gain_db,
            ceiling_dbtp=proc.ceiling_dbtp,
            lookahead_ms=proc.lookahead_ms,
            release_ms=proc.release_ms,
            margin_db=proc.margin_db,
        )
        sink = _Sink(fmt, chans, out, proc.seed)
        try:
            for block in source.blocks(_BLOCK):
                x = resampler.process(block) if resampler is not None else block
                sink.write(limiter.process(x))
            if resampler is not None:
                sink.write(limiter.process(resampler.flush()))
            sink.write(limiter.flush())
        finally:
            lufs = sink.close()
    return PassResult(lufs, limiter.stats(), sink.frames)
