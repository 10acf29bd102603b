"""Stereo image of the first two channels: phase correlation, side and mid peaks.

The correlation is the phase-correlation meter value (no mean removal)::

    r = sum(L * R) / sqrt(sum(L**2) * sum(R**2))

+1 for dual mono, -1 for a polarity-inverted channel, about 0 for unrelated
channels. It is kept for the whole programme and per 100 ms segment, with
segments aligned like :mod:`qc.measure.loudness` (``floor(j * rate / 10)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qc.measure._types import Floats
from qc.measure.envelope import SegmentAccumulator

__all__ = ["StereoMeter", "StereoResult"]

_MIN_RMS_DBFS = -50.0  # segments quieter than this (either channel) are not "worst"
_MIN_MS = 10.0 ** (_MIN_RMS_DBFS / 10.0)


def _db(amplitude: float) -> float:
    return 20.0 * float(np.log10(amplitude)) if amplitude > 0.0 else float("-inf")


@dataclass(frozen=True)
class StereoResult:
    """Stereo measurements of channels 0 (L) and 1 (R); empty for mono.

    Attributes:
        correlation: Phase correlation over the whole programme, in
            ``[-1, 1]``; ``None`` when either channel is digital silence or
            the programme is mono.
        max_side_dbfs: ``20 log10 max |L - R|``, dBFS; ``-inf`` when L and R
            are identical (dual mono).
        max_mid_dbfs: ``20 log10 max |L + R| / 2``, dBFS.
        segment_correlation: Phase correlation per 100 ms segment, shape
            ``(segments,)`` (partial last segment included); NaN where either
            channel is silent in that segment. Empty for mono.
        worst_correlation: Lowest segment correlation among segments where
            both L and R have an RMS above -50 dBFS; ``None`` if none has.
        worst_time_s: Start time of that segment, s.
        segment_s: Nominal segment length, s.
    """

    correlation: float | None
    max_side_dbfs: float | None
    max_mid_dbfs: float | None
    segment_correlation: Floats = field(default_factory=lambda: np.zeros(0))
    worst_correlation: float | None = None
    worst_time_s: float | None = None
    segment_s: float = 0.1


class StereoMeter:
    """Streaming phase correlation and mid/side peaks of channels 0 and 1.

    With fewer than two channels it measures nothing and returns an empty
    :class:`StereoResult`.

    Args:
        rate: Sample rate in Hz (for the 100 ms segments).
        channels: Channel count of the blocks fed.
    """

    def __init__(self, rate: int, channels: int) -> None:
        self._stereo = channels >= 2
        # Per segment: sum L^2, sum R^2, sum L*R (float64).
        self._acc = SegmentAccumulator(rate, 3, np.add)
        self._max_side = 0.0
        self._max_mid = 0.0  # of |L + R|, halved at the end

    def feed(self, block: Floats) -> None:
        """Add one block of samples.

        Args:
            block: Samples, shape ``(frames, channels)``, full scale 1.0.
        """
        if not self._stereo or not len(block):
            return
        # One transposed copy (none when the block arrives channel by channel), then
        # everything on contiguous rows.
        pair = np.ascontiguousarray(block[:, :2].T)
        left, right = pair[0], pair[1]
        n = len(left)
        # Per 100 ms piece, sum L^2, sum R^2 and sum L*R as three dot products (BLAS):
        # a third of the time of the elementwise products and their reduction.
        starts = self._acc.starts(n).tolist()
        pieces = np.empty((len(starts), 3))
        for k, (a, b) in enumerate(zip(starts, [*starts[1:], n], strict=True)):
            seg_l, seg_r = left[a:b], right[a:b]
            pieces[k] = seg_l @ seg_l, seg_r @ seg_r, seg_l @ seg_r
        self._acc.fold(n, pieces)
        work = np.subtract(left, right)
        self._max_side = max(self._max_side, float(np.abs(work, out=work).max()))
        np.add(left, right, out=work)
        self._max_mid = max(self._max_mid, float(np.abs(work, out=work).max()))

    def result(self) -> StereoResult:
        """Return the stereo measurements of everything fed so far."""
        if not self._stereo:
            return StereoResult(correlation=None, max_side_dbfs=None, max_mid_dbfs=None)
        seg = self._acc.segments()  # (segments, 3)
        ll, rr, lr = seg.sum(axis=0)
        correlation = None
        if ll > 0.0 and rr > 0.0:
            correlation = float(np.clip(lr / (np.sqrt(ll) * np.sqrt(rr)), -1.0, 1.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            series: Floats = np.clip(seg[:, 2] / (np.sqrt(seg[:, 0]) * np.sqrt(seg[:, 1])), -1, 1)
        series[(seg[:, 0] <= 0.0) | (seg[:, 1] <= 0.0)] = np.nan
        counts = self._acc.counts()
        loud = (seg[:, 0] > _MIN_MS * counts) & (seg[:, 1] > _MIN_MS * counts)
        worst = worst_t = None
        if loud.any():
            j = int(np.argmin(np.where(loud, series, np.inf)))
            worst = float(series[j])
            worst_t = self._acc.boundary(j) / self._acc.rate
        return StereoResult(
            correlation=correlation,
            max_side_dbfs=_db(self._max_side),
            max_mid_dbfs=_db(self._max_mid / 2.0),
            segment_correlation=series,
            worst_correlation=worst,
            worst_time_s=worst_t,
        )
