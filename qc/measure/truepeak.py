"""True peak (ITU-R BS.1770-4 Annex 2) with an accurate default and the ITU 4x filter.

Methods:
``accurate`` (default)
    Ideal band-limited (sinc) reconstruction where it matters: a 4x pass with a
    short Kaiser-windowed sinc (16 taps each side, phase 0 the input itself)
    finds the crests, and :class:`~qc.measure.crestsearch.CrestSearch` reads
    every crest that can matter again with a long windowed sinc on a 1/16-sample
    grid (32 taps a side for the overs, 1024 for the maximum). Within 0.1 dB of
    a 32x FFT reconstruction, and not 0.02 dB above it, on hard-clipped masters
    and noise, abrupt 19 kHz onsets and tones to 20 kHz at 44.1 and 48 kHz
    (tests/qc/measure/test_truepeak_ideal.py). Where a block is loud near
    Nyquist (above about 0.43 of the rate), where the short pass cannot rank the
    crests, the maximum of that stretch comes from a 4x FFT reconstruction
    instead (:mod:`qc.measure.nyquist`): limited 21.5 kHz (44.1 kHz) and 23.5 kHz
    (48 kHz) tones and hard-clipped white noise within 0.03 dB. An over is a
    half-wave whose highest crest is above the threshold.

``bs1770``
    The 48-tap, 4-phase filter printed in BS.1770-4 Annex 2, at 4x whatever
    the sample rate, with no refinement. Its phases sit at 1/8, 3/8, 5/8 and
    7/8 of a sample and ripple by about +-0.2 dB.

Both report ``max(true peak, sample peak)`` per channel (libebur128 does the
same: the ITU filter alone can read below the sample peak).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from qc.measure import native
from qc.measure._types import Floats
from qc.measure.crestsearch import FACTOR, CrestSearch
from qc.measure.nyquist import NyquistGuard
from qc.measure.overs import Crests, OverTally
from qc.measure.oversample import Interpolator, itu_kernel, kaiser_kernel

__all__ = ["Over", "TruePeakMeter", "TruePeakMethod", "TruePeakResult", "amplitude_to_db"]

TruePeakMethod = Literal["accurate", "bs1770"]

_HALF_WIDTH = 16  # input samples each side of the short (finding) interpolator
_BETA = 8.0


def amplitude_to_db(value: float) -> float:
    """Convert a linear amplitude (full scale = 1.0) to dB; 0 gives ``-inf``."""
    return 20.0 * float(np.log10(value)) if value > 0.0 else float("-inf")


@dataclass(frozen=True)
class Over:
    """One crest of the reconstructed waveform above the over threshold.

    Attributes:
        dbtp: Crest level, dBTP.
        time_s: Time of the crest, s from the start.
        channel: Zero-based channel index.
    """

    dbtp: float
    time_s: float
    channel: int


@dataclass(frozen=True)
class TruePeakResult:
    """True-peak measurements.

    Attributes:
        method: ``"accurate"`` or ``"bs1770"``.
        factor: Oversampling factor.
        channel_dbtp: Per-channel true peak, dBTP, never below the sample peak.
        channel_time_s: Time of each channel's maximum, s.
        over_threshold_dbtp: Level above which crests are counted as overs, dBTP.
        channel_overs: Number of overs per channel (``accurate``: half-waves whose
            highest crest is above the threshold; ``bs1770``: crests above it).
        worst_overs: The highest overs, at most ``keep_overs``, highest first.
    """

    method: str
    factor: int
    channel_dbtp: tuple[float, ...]
    channel_time_s: tuple[float | None, ...]
    over_threshold_dbtp: float
    channel_overs: tuple[int, ...]
    worst_overs: tuple[Over, ...]

    @property
    def dbtp(self) -> float:
        """Maximum over channels, dBTP."""
        return max(self.channel_dbtp, default=float("-inf"))

    @property
    def time_s(self) -> float | None:
        """Time of the maximum over channels, s."""
        if not self.channel_dbtp:
            return None
        return self.channel_time_s[int(np.argmax(self.channel_dbtp))]


class TruePeakMeter:
    """Streaming per-channel true-peak meter.

    Args:
        rate: Sample rate in Hz.
        channels: Number of channels.
        method: ``"accurate"`` or ``"bs1770"``.
        over_dbtp: The over threshold, dBTP: ``accurate`` counts the half-waves
            whose highest crest is above it, ``bs1770`` the crests of its filter.
        keep_overs: How many of the highest overs to keep with their times.
    """

    def __init__(
        self,
        rate: int,
        channels: int,
        *,
        method: TruePeakMethod = "accurate",
        over_dbtp: float = -1.0,
        keep_overs: int = 20,
    ) -> None:
        self._rate = rate
        self._method = method
        self._accurate = method == "accurate"
        kernel = kaiser_kernel(FACTOR, _HALF_WIDTH, _BETA) if self._accurate else itu_kernel()
        # The compiled pass (interpolation and crests at once) replaces the numpy one.
        self._fused = self._accurate and native.available()
        self._kernel3 = np.ascontiguousarray(kernel[1:], dtype=np.float32)
        self._emit = 0  # input samples interpolated so far (compiled pass)
        self._interp = Interpolator(
            kernel, channels=channels, skip_phase0=self._accurate, dtype=np.float32
        )
        # Time of phase p of sample n, in output steps: n * P + shift + p.
        self._shift = 0.0 if self._accurate else 0.5
        self._over_db = over_dbtp
        self._over = 10.0 ** (over_dbtp / 20.0)
        self._tally = OverTally(channels, self._over, keep_overs)
        self._search = CrestSearch(channels, self._tally) if self._accurate else None
        self._guard = NyquistGuard(channels) if self._accurate else None
        if self._search is not None and self._guard is not None:
            self._search.guarded = self._guard.guarded
        # bs1770: the maximum of the ITU phases and the sample peak
        self._peak = np.zeros(channels)
        self._peak_pos = np.full(channels, np.nan)  # output steps
        self._sample_peak = np.zeros(channels)
        # The last two oversampled values; NaN before the start, so the first value is never
        # taken for a crest against made-up neighbours (a lone sample at frame 0 read +1 dB).
        self._tail: NDArray[Any] = np.full((channels, 2), np.nan, dtype=np.float32)
        self._tail_pos = -2  # output index of tail[:, 0]

    def feed(self, block: Floats) -> None:
        """Add one block of samples, shape ``(frames, channels)``."""
        if self._search is not None:
            self._search.add_input(block)
        elif len(block):
            # The accurate search reads the samples at phase 0; the ITU phases miss them.
            np.maximum(self._sample_peak, np.abs(block).max(axis=0), out=self._sample_peak)
        if self._fused and self._search is not None:
            self._crests_compiled(self._search.fed - _HALF_WIDTH)
        else:
            self._consume(*self._interp.feed_after(block, self._tail))
        if self._search is not None:
            if self._guard is not None:  # before the crests of this block are evaluated
                best = np.maximum(self._search.peak, self._guard.peak)
                self._guard.feed(block, self._search.recent(len(block)), best)
            self._search.settle(self._tail_pos / FACTOR - 1.0)

    def _consume(self, first: int, ext: Floats) -> None:
        """Scan new 4x values, ``ext`` of shape ``(channels, 2 + n)``: the tail, then them."""
        chans = ext.shape[0]
        n = ext.shape[1] - 2
        if n <= 0:
            return
        base = self._tail_pos
        for c in range(chans):
            if self._search is not None:
                self._search.scan(c, ext[c], base)
            else:
                self._scan_itu(c, np.abs(ext[c]), base)
        self._tail = ext[:, -2:].copy()
        self._tail_pos = first * self._interp.phases + n - 2

    def _crests_compiled(self, end: int, *, final: bool = False) -> None:
        """Interpolate input samples up to ``end`` and queue their crests, in compiled code.

        The values and crests of :meth:`_consume` (the numpy pass), from
        :func:`qc.measure.native.truepeak_crests`; ``final``: the input has ended
        (the samples after it are zero).
        """
        search = self._search
        start = self._emit
        if search is None or end <= start:
            return
        half = _HALF_WIDTH
        base = self._tail_pos
        tail = np.empty_like(self._tail)
        for c in range(self._tail.shape[0]):
            x = search.input32(c, start - half, min(end + half, search.fed))
            if final:
                x = np.concatenate([x, np.zeros(end + 2 * half - start - len(x), np.float32)])
            idx, around, down, up, tail[c] = native.truepeak_crests(
                x, self._kernel3, self._tail[c], search.threshold(c)
            )
            crests = Crests(idx, around, down, up)
            if base < 0:  # value 3 is the first sample's phase 1
                after = np.float32(self._kernel3[0] @ x[: 2 * half + 1])
                crests = crests.with_first_value(float(x[half]), float(after))
            search.queue(c, base, crests)
        self._tail = tail
        self._tail_pos = end * FACTOR - 2
        self._emit = end

    def _scan_itu(self, c: int, mag: Floats, base: int) -> None:
        """Take the ITU filter's crests as they are: maximum and overs of one channel."""
        peak = self._peak[c]
        cand = np.flatnonzero(mag[1:-1] >= min(self._over, peak)) + 1
        if cand.size:
            raw = mag[cand].astype(np.float64)
            j = int(np.argmax(raw))
            if raw[j] > peak:
                self._peak[c] = raw[j]
                self._peak_pos[c] = base + cand[j]
            crest = (raw >= mag[cand - 1]) & (raw > mag[cand + 1])
            self._tally.add(c, raw[crest], (base + cand[crest]).astype(np.float64))

    def result(self) -> TruePeakResult:
        """Flush the interpolator and return the measurements."""
        if self._fused and self._search is not None:
            self._crests_compiled(self._search.fed, final=True)
        else:
            self._consume(*self._interp.flush_after(self._tail))
        mag = np.abs(self._tail).astype(np.float64)
        if self._search is not None:
            search = self._search
            # The last value has no right neighbour: if it still rises, look past it.
            for c in np.flatnonzero(mag[:, 1] > mag[:, 0]):
                search.add_end(int(c), (self._tail_pos + 1) / FACTOR, float(mag[c, 1]))
            search.settle(float("inf"), final=True)
            peak, peak_pos, sample_peak = search.peak, search.peak_pos, search.sample_peak
            if self._guard is not None:  # the maximum of stretches loud near Nyquist
                self._guard.finish()
                use = self._guard.peak > peak
                peak = np.where(use, self._guard.peak, peak)
                peak_pos = np.where(use, self._guard.position * FACTOR, peak_pos)
            # Where the sample peak is higher (a lone sample at the start), its time.
            peak_pos = np.where(
                (sample_peak > peak) & ~np.isnan(search.sample_pos),
                search.sample_pos * FACTOR,
                peak_pos,
            )
        else:
            peak = np.fmax(self._peak, mag[:, 1])  # NaN: nothing was fed
            peak_pos, sample_peak = self._peak_pos, self._sample_peak
        step = 1.0 / (FACTOR * self._rate)
        peaks = np.maximum(peak, sample_peak)
        times = tuple(None if np.isnan(p) else max((p + self._shift) * step, 0.0) for p in peak_pos)
        worst = tuple(
            Over(amplitude_to_db(v), max((p + self._shift) * step, 0.0), c)
            for v, p, c in self._tally.worst
        )
        return TruePeakResult(
            method=self._method,
            factor=FACTOR,
            channel_dbtp=tuple(amplitude_to_db(float(p)) for p in peaks),
            channel_time_s=times,
            over_threshold_dbtp=self._over_db,
            channel_overs=tuple(int(n) for n in self._tally.counts),
            worst_overs=worst,
        )
