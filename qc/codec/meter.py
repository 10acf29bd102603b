"""The meters a decoded preview goes through: true peak, sample peak, clipping, loudness.

Composes the existing streaming meters of :mod:`qc.measure` (the ``accurate``
true peak of BS.1770-4 Annex 2 with sinc refinement, the BS.1770-4 K-weighting
and gating) and counts the samples at or beyond full scale. The loudness is the
integrated value alone: 100 ms segment energies joined into 400 ms blocks and
gated by `qc.measure.gating` (BS.1770-4 eq. 4-6), without the per-sample maximum
momentary and short-term loudness a master's check computes (a third of the
loudness meter's time; the preview reports neither). Pure: blocks in, a summary out.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from qc.codec.result import CodecPreview
from qc.codec.spec import CodecSpec
from qc.measure._types import Floats
from qc.measure.gating import REL_GATE_I, gated_mean, power_to_lufs
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.levels import LevelMeter
from qc.measure.segments import segment_boundary
from qc.measure.truepeak import TruePeakMeter, amplitude_to_db

__all__ = ["DecodedLevels", "DecodedMeter", "IntegratedLoudness", "measure_blocks", "preview_of"]

_BLOCK_SEGMENTS = 4  # a 400 ms gating block = 4 segments of 100 ms (75 % overlap)


class IntegratedLoudness:
    """BS.1770-4 integrated loudness of K-weighted blocks, streamed.

    Segment ``j`` spans samples ``[j * rate // 10, (j + 1) * rate // 10)``, as in
    `qc.measure.loudness.LoudnessMeter`, whose ``integrated_lufs`` this equals.
    Memory: one value per channel per 100 ms.

    Args:
        rate: Sample rate, Hz.
        weights: Channel weights G_i (BS.1770-4 Table 3), shape ``(channels,)``.
    """

    def __init__(self, rate: int, weights: Floats) -> None:
        self._rate = rate
        self._weights = np.asarray(weights, dtype=np.float64)
        self._segments: list[Floats] = []
        self._cur = np.zeros(len(self._weights))
        self._pos = 0

    def _boundary(self, j: int) -> int:
        return segment_boundary(j, self._rate)

    def feed(self, kblock: Floats) -> None:
        """Add K-weighted samples, shape ``(frames, channels)``."""
        sq = kblock * kblock
        frames, first = len(sq), self._pos
        if frames == 0:
            return
        ends: list[int] = []  # offsets of the segment ends inside this block
        j = len(self._segments) + 1
        while (end := self._boundary(j)) <= first + frames:
            ends.append(end - first)
            j += 1
        pieces = np.add.reduceat(sq, [0, *(e for e in ends if e < frames)], axis=0)
        for k in range(len(ends)):
            self._segments.append(self._cur + pieces[k])
            self._cur = np.zeros_like(self._cur)
        if len(pieces) > len(ends):
            self._cur = self._cur + pieces[-1]
        self._pos = first + frames

    def result(self) -> float | None:
        """Integrated loudness, LUFS; None under 400 ms, ``-inf`` when all is gated out."""
        if self._pos < round(0.4 * self._rate) or len(self._segments) < _BLOCK_SEGMENTS:
            return None
        n = len(self._segments)
        energy = np.concatenate([np.zeros((1, len(self._weights))), np.cumsum(self._segments, 0)])
        counts = np.array([self._boundary(j) for j in range(n + 1)], dtype=np.float64)
        w = _BLOCK_SEGMENTS
        power = np.maximum(energy[w:] - energy[:-w], 0.0) / (counts[w:] - counts[:-w])[:, None]
        return power_to_lufs(gated_mean(power @ self._weights, REL_GATE_I))


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
        self._loudness = IntegratedLoudness(rate, channel_weights(channels))
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
            mag = np.abs(block)  # once, for both (as the master's analyzer does)
            self._levels.feed(block, mag)
            self._clipped += int(np.count_nonzero(mag >= 1.0))

    def result(self) -> DecodedLevels:
        """The levels of everything fed so far."""
        tp = self._truepeak.result()
        lv = self._levels.result()
        integrated = self._loudness.result()
        channel = tp.channel_dbtp.index(tp.dbtp) if tp.channel_dbtp and lv.frames else None
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


def measure_blocks(
    rate: int, channels: int, blocks: Iterable[np.ndarray], over_dbtp: float
) -> DecodedMeter:
    """A `DecodedMeter` (rate in Hz, over threshold in dBTP) fed every decoded block.

    Args:
        rate: Sample rate, Hz.
        channels: Channel count.
        blocks: Arrays of shape ``(frames, channels)``, full scale 1.0.
        over_dbtp: Over threshold, dBTP.
    """
    meter = DecodedMeter(rate, channels, over_dbtp)
    for block in blocks:
        meter.feed(np.asarray(block, dtype=np.float64))
    return meter


def preview_of(
    spec: CodecSpec,
    *,
    encoder: str,
    note: str,
    rate: int,
    meter: DecodedMeter,
    coded_bytes: int,
    started: float,
) -> CodecPreview:
    """The `CodecPreview` of a finished round trip (``started``: perf_counter, s)."""
    lv = meter.result()
    seconds = lv.frames / rate if lv.frames else 0.0
    return CodecPreview(
        spec=spec.text,
        codec=spec.codec,
        encoder=encoder,
        kbps=spec.kbps,
        coded_kbps=coded_bytes * 8 / seconds / 1000 if seconds else 0.0,
        sample_rate=rate,
        true_peak_dbtp=lv.true_peak_dbtp,
        true_peak_time_s=lv.true_peak_time_s,
        channel=lv.channel,
        sample_peak_dbfs=lv.sample_peak_dbfs,
        clipped_samples=lv.clipped_samples,
        integrated_lufs=lv.integrated_lufs,
        over_threshold_dbtp=lv.over_threshold_dbtp,
        overs=lv.overs,
        worst_times_s=lv.worst_times_s,
        seconds=time.perf_counter() - started,
        note=note,
    )
