"""BS.1770-4 loudness and EBU Tech 3342 loudness range, as a streaming accumulator.

The meter is fed K-weighted samples. It keeps two things, both small:

* the energy of every 100 ms segment per channel (36,000 floats per channel per
  hour), from which the gated integrated loudness, the 10 Hz momentary and
  short-term series and the loudness range are computed at the end;
* the last 3 s of channel-weighted power, so that the maximum momentary
  (400 ms) and short-term (3 s) loudness are found over windows ending at
  *every sample*, not on a 100 ms grid (Tech 3341 cases 10, 11, 13 and 14;
  :mod:`qc.measure.windowmax`).

Where the compiled kernels are built, one pass of C squares the samples, sums
each 100 ms piece per channel and writes the running sums of the weighted
power (:func:`qc.measure.native.loudness_pieces`).

Segment boundaries are ``floor(j * rate / 10)`` samples, so any sample rate works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure import native
from qc.measure._types import Floats
from qc.measure.gating import (
    OFFSET,
    REL_GATE_I,
    block_lufs,
    gated_mean,
    loudness_range_of_power,
    power_to_lufs,
)
from qc.measure.segments import segment_boundary
from qc.measure.windowmax import SlidingMaxima

__all__ = ["LoudnessMeter", "LoudnessResult"]

_SEGS_M = 4  # 400 ms momentary window = 4 x 100 ms
_SEGS_S = 30  # 3 s short-term window = 30 x 100 ms


@dataclass(frozen=True)
class LoudnessResult:
    """Loudness measurements of one programme.

    Attributes:
        integrated_lufs: Gated integrated loudness, LUFS; ``-inf`` when no
            400 ms block passes the gates; ``None`` for programmes under 400 ms.
        channel_integrated_lufs: The same per channel (weighted by its G_i;
            ``None`` for the LFE and for programmes under 400 ms).
        loudness_range_lu: Tech 3342 LRA, LU; ``None`` under 3 s.
        max_momentary_lufs: Maximum of the 400 ms loudness over windows ending
            at any sample, LUFS; ``None`` under 400 ms.
        max_momentary_time_s: End time of that window, s.
        max_short_term_lufs: Maximum of the 3 s loudness, LUFS; ``None`` under 3 s.
        max_short_term_time_s: End time of that window, s.
        momentary_lufs: 10 Hz series, shape ``(n,)``; element ``j`` is the
            window ending at ``(j + 4) / 10`` s.
        short_term_lufs: 10 Hz series, shape ``(n,)``; element ``j`` ends at
            ``(j + 30) / 10`` s.
        momentary_max_lufs: Per 100 ms segment ``j`` (``j / 10`` to
            ``(j + 1) / 10`` s), the maximum momentary loudness over windows
            ending at any sample inside it, LUFS (``-inf`` before the first
            full window); shape ``(segments,)``. This is what a live meter's
            "max M" shows, without a 100 ms grid.
        short_term_max_lufs: The same for the short-term loudness.
    """

    integrated_lufs: float | None
    channel_integrated_lufs: tuple[float | None, ...]
    loudness_range_lu: float | None
    max_momentary_lufs: float | None
    max_momentary_time_s: float | None
    max_short_term_lufs: float | None
    max_short_term_time_s: float | None
    momentary_lufs: Floats
    short_term_lufs: Floats
    momentary_max_lufs: Floats
    short_term_max_lufs: Floats


def _windowed(energy: Floats, counts: Floats, width: int) -> Floats:
    """Mean power over ``width`` consecutive segments, for every full window."""
    if len(energy) < width:
        return np.zeros((0, *energy.shape[1:]))
    ce = np.concatenate([np.zeros((1, *energy.shape[1:])), np.cumsum(energy, axis=0)])
    cc = np.concatenate([[0.0], np.cumsum(counts)])
    sums = ce[width:] - ce[:-width]
    n = (cc[width:] - cc[:-width]).reshape((-1,) + (1,) * (energy.ndim - 1))
    out: Floats = np.maximum(sums, 0.0) / n
    return out


class LoudnessMeter:
    """Streaming BS.1770-4 / Tech 3341 / Tech 3342 meter over K-weighted blocks.

    Args:
        rate: Sample rate in Hz.
        weights: Channel weights ``G_i``, shape ``(channels,)``.
    """

    def __init__(self, rate: int, weights: Floats) -> None:
        self._rate = rate
        self._weights = np.asarray(weights, dtype=np.float64)
        self._win_m = round(0.4 * rate)
        self._win_s = round(3.0 * rate)
        self._seg_energy: list[Floats] = []
        self._seg_count: list[int] = []
        self._cur = np.zeros(len(self._weights))
        self._pos = 0  # samples fed so far
        self._seg_end = self._boundary(1)
        self._slide = SlidingMaxima(rate, (self._win_m, self._win_s))
        self._native = native.available()

    def _boundary(self, j: int) -> int:
        return segment_boundary(j, self._rate)

    def feed(self, kblock: Floats) -> None:
        """Add one block of K-weighted samples.

        Args:
            kblock: K-weighted samples, shape ``(frames, channels)``.
        """
        frames = len(kblock)
        if frames == 0:
            return
        first = self._pos
        # Offsets (within this block) of the segment ends that fall inside it.
        ends = []
        j = len(self._seg_energy)
        end = self._seg_end
        while end <= first + frames:
            ends.append(end - first)
            j += 1
            end = self._boundary(j + 1)
        # Piece k spans [cuts[k], cuts[k + 1]); piece k < len(ends) closes a segment.
        cuts = [0, *(e for e in ends if e < frames)]
        if self._native:  # squares, pieces, power and running sums in one compiled pass
            view, last = self._slide.reserve(frames)
            pieces = native.loudness_pieces(kblock, self._weights, cuts, view, last)
        else:
            sq = kblock * kblock
            pieces = np.add.reduceat(sq, cuts, axis=0)
        for k in range(len(ends)):
            self._cur += pieces[k]
            jj = len(self._seg_energy)
            self._seg_energy.append(self._cur.copy())
            self._seg_count.append(self._boundary(jj + 1) - self._boundary(jj))
            self._cur[:] = 0.0
        if len(pieces) > len(ends):
            self._cur += pieces[-1]
        self._seg_end = end
        self._pos = first + frames
        if self._native:
            self._slide.commit(first, frames)
        else:
            self._slide.feed(sq @ self._weights, first)

    def result(self) -> LoudnessResult:
        """Finish the measurement.

        Returns:
            The loudness of everything fed so far (the partial last 100 ms
            segment counts only towards the per-sample maxima).
        """
        channels = len(self._weights)
        energy = np.array(self._seg_energy).reshape(-1, channels)
        counts = np.array(self._seg_count, dtype=np.float64)
        per_chan_m = _windowed(energy, counts, _SEGS_M)  # (blocks, C)
        per_chan_s = _windowed(energy, counts, _SEGS_S)
        block_m = per_chan_m @ self._weights
        block_s = per_chan_s @ self._weights
        rate = self._rate

        integrated: float | None = None
        chan_i: tuple[float | None, ...] = (None,) * channels
        if self._pos >= self._win_m:
            integrated = power_to_lufs(gated_mean(block_m, REL_GATE_I))
            chan_i = tuple(
                power_to_lufs(gated_mean(per_chan_m[:, c] * g, REL_GATE_I)) if g > 0 else None
                for c, g in enumerate(self._weights)
            )
        lra = loudness_range_of_power(block_s) if self._pos >= self._win_s else None

        def _peak(width: int) -> tuple[float | None, float | None]:
            best = self._slide.best(width)
            if best is None:
                return None, None
            total, end = best
            return power_to_lufs(total / width), end / rate

        max_m, max_m_t = _peak(self._win_m)
        max_s, max_s_t = _peak(self._win_s)
        return LoudnessResult(
            integrated_lufs=integrated,
            channel_integrated_lufs=chan_i,
            loudness_range_lu=lra,
            max_momentary_lufs=max_m,
            max_momentary_time_s=max_m_t,
            max_short_term_lufs=max_s,
            max_short_term_time_s=max_s_t,
            momentary_lufs=block_lufs(block_m),
            short_term_lufs=block_lufs(block_s),
            momentary_max_lufs=self._segment_series(self._win_m),
            short_term_max_lufs=self._segment_series(self._win_s),
        )

    def _segment_series(self, width: int) -> Floats:
        sums = np.array(self._slide.segment_maxima[width], dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out: Floats = np.where(
                sums > 0, OFFSET + 10.0 * np.log10(np.maximum(sums, 1e-300) / width), -np.inf
            )
        return out
