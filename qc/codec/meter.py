"""The meters a decoded preview goes through: true peak, sample peak, clipping, loudness.

Composes the existing streaming meters of :mod:`qc.measure` (the ``accurate``
true peak of BS.1770-4 Annex 2 with sinc refinement, the BS.1770-4 gated
loudness with its K-weighting) and counts the samples at or beyond full scale.
Pure: blocks in, a summary out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.levels import LevelMeter
from qc.measure.loudness import LoudnessMeter
from qc.measure.truepeak import TruePeakMeter, amplitude_to_db

__all__ = ["DecodedLevels", "DecodedMeter"]


@dataclass(frozen=True)
class DecodedLevels:
    """Levels of a decoded stream.

    Attributes:
        true_peak_dbtp: True peak, dBTP.
        true_peak_time_s: Time of the true peak, s (None for silence).
        channel: Channel of the true peak (None for silence).
        sample_peak_dbfs: Sample peak, dBFS.
        clipped_samples: Samples with magnitude at or above 1.0, all channels.
        integrated_lufs: Integrated loudness, LUFS (None when gated out).
        over_threshold_dbtp: Over threshold, dBTP.
        overs: Overs counted on every channel.
        worst_times_s: Times of the highest overs, highest first, s.
        frames: Frames measured.
    """

    true_peak_dbtp: float
    true_peak_time_s: float | None
    channel: int | None
    sample_peak_dbfs: float
    clipped_samples: int
    integrated_lufs: float | None
    over_threshold_dbtp: float
    overs: int
    worst_times_s: tuple[float, ...]
    frames: int


class DecodedMeter:
    """Streaming meter of decoded audio.

    Args:
        rate: Sample rate, Hz.
        channels: Channel count.
        over_dbtp: Crests above this level count as overs, dBTP (the ceiling).
    """

    def __init__(self, rate: int, channels: int, over_dbtp: float) -> None:
        self._kfilter = BlockIIR(k_weighting_sos(rate), channels=channels)
        self._loudness = LoudnessMeter(rate, channel_weights(channels))
        self._truepeak = TruePeakMeter(rate, channels, method="accurate", over_dbtp=over_dbtp)
        self._levels = LevelMeter(channels)
        self._clipped = 0

    def feed(self, block: Floats) -> None:
        """Add one block, shape ``(frames, channels)``, float64, full scale 1.0."""
        if not len(block):
            return
        with np.errstate(all="ignore"):
            self._loudness.feed(self._kfilter.process(block))
            self._truepeak.feed(block)
            self._levels.feed(block)
            self._clipped += int(np.count_nonzero(np.abs(block) >= 1.0))

    def result(self) -> DecodedLevels:
        """The levels of everything fed so far."""
        tp = self._truepeak.result()
        lv = self._levels.result()
        loud = self._loudness.result()
        channel = tp.channel_dbtp.index(tp.dbtp) if tp.channel_dbtp and lv.frames else None
        integrated = loud.integrated_lufs
        return DecodedLevels(
            true_peak_dbtp=tp.dbtp,
            true_peak_time_s=tp.time_s,
            channel=channel,
            sample_peak_dbfs=amplitude_to_db(max(lv.channel_peak, default=0.0)),
            clipped_samples=self._clipped,
            integrated_lufs=integrated
            if integrated is not None and np.isfinite(integrated)
            else None,
            over_threshold_dbtp=tp.over_threshold_dbtp,
            overs=sum(tp.channel_overs),
            worst_times_s=tuple(o.time_s for o in tp.worst_overs),
            frames=lv.frames,
        )
