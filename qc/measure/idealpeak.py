"""Ideal (band-limited) true peak by FFT interpolation of overlapping blocks.

The polyphase interpolators of :mod:`qc.measure.oversample` droop near Nyquist,
and the accurate meter's crest search (:mod:`qc.measure.crestsearch`) re-reads
only the crests its short pass ranks highest: on a limited master whose short
reading was flattened to one level that ranking says little, and a crest near
Nyquist can be missed by a few tenths of a dB. This meter has no droop: each
block of ``B`` samples is interpolated ``P`` times by zero-padding its spectrum
(Whittaker-Shannon reconstruction, which ITU-R BS.1770-4 Annex 2 approximates)
together with ``G`` samples of context each side, and every crest of the
``P``-times grid that can be a block's maximum is read again on a 1/16-step grid
by :class:`qc.measure.crest.CrestRefiner` (a 33-tap windowed sinc on the grid,
where the signal fills only ``1/(2P)`` of the band, so it has no droop).

Error: the context cut off beyond ``G`` samples contributes at most about
``jump / (pi G)`` (the decay of the sinc's tail) to the core of the block,
under 3.2e-4 full scale for ``G = 2048`` and a jump of 2 (0.003 dB at -1 dBTP);
outside the file the signal is silence, as every true-peak meter takes it.
The cost is two FFTs of ``B + 2G`` (forward) and ``P (B + 2G)`` (inverse)
points per block and channel, about 5 times the polyphase pass.
"""

from __future__ import annotations

import numpy as np

from qc.measure._types import Floats
from qc.measure.crest import CrestRefiner

__all__ = ["IdealPeakMeter"]


class IdealPeakMeter:
    """Streaming per-channel ideal true peak.

    Args:
        channels: Number of channels.
        factor: Interpolation factor ``P`` of the FFT (the crest is fitted between grid values).
        block: Core samples per FFT block ``B``.
        guard: Context samples on each side ``G``.
    """

    def __init__(
        self, channels: int, *, factor: int = 4, block: int = 131072, guard: int = 16384
    ) -> None:
        self._p = factor
        self._b = block
        self._g = guard
        # On the P-times grid the signal fills 1/(2P) of the band: a short kernel is exact there.
        self._refiner = CrestRefiner(16, 8.0, steps=16)
        self._buf = np.zeros((guard + _BEFORE, channels), dtype=np.float64)  # silence before
        self._core = -_BEFORE  # sample index of the next core block's first sample
        self._frames = 0
        self.peak = np.zeros(channels)
        """Largest crest per channel so far, linear (full scale 1.0)."""
        self.position = np.full(channels, np.nan)
        """Where each channel's crest is, samples from the start."""

    def feed(self, block: Floats) -> None:
        """Add samples, shape ``(frames, channels)``, full scale 1.0."""
        self._buf = np.concatenate([self._buf, block])
        self._frames += len(block)
        while len(self._buf) >= self._b + 2 * self._g:
            self._scan(self._buf[: self._b + 2 * self._g])
            self._buf = self._buf[self._b :]
            self._core += self._b

    def result(self) -> Floats:
        """Read the rest (silence after the end) and return the peak per channel, dBTP."""
        end = self._frames + _BEFORE  # crests just after the last sample count too
        while self._core < end:
            need = self._b + 2 * self._g - len(self._buf)
            if need > 0:
                self._buf = np.concatenate([self._buf, np.zeros((need, self._buf.shape[1]))])
            self._scan(self._buf[: self._b + 2 * self._g])
            self._buf = self._buf[self._b :]
            self._core += self._b
        with np.errstate(divide="ignore"):
            out: Floats = 20.0 * np.log10(self.peak)
        return out

    def _scan(self, seg: Floats) -> None:
        """Interpolate one block with its context, shape ``(B + 2G, channels)``."""
        import scipy.fft  # only when measuring: the CLI starts without scipy

        n, chans = seg.shape
        rows = np.ascontiguousarray(seg.T, dtype=np.float32)  # one contiguous row per channel
        spec = scipy.fft.rfft(rows, axis=-1, workers=chans)
        if n % 2 == 0:  # the Nyquist bin is shared by +rate/2 and -rate/2: half each
            spec[:, -1] *= 0.5
        spec *= self._p
        up = scipy.fft.irfft(spec, n=n * self._p, axis=-1, workers=chans)
        lo, hi = self._g * self._p, (self._g + self._b) * self._p
        reach = self._refiner.margin
        for c in range(chans):
            wave = up[c, lo - reach : hi + reach]
            mag = np.abs(wave[reach - 1 : len(wave) - reach + 1])
            inner = mag[1:-1]
            # Every local maximum the grid may read up to _GRID_LOW under the block's maximum,
            # and under the largest crest so far: a lower one cannot be the channel's peak.
            floor = max(float(inner.max()), float(self.peak[c])) * _GRID_LOW
            at = np.flatnonzero(inner >= floor)
            cand = at[(inner[at] >= mag[at]) & (inner[at] >= mag[at + 2])]
            if cand.size == 0:
                continue
            amp, pos = self._refiner.refine(wave, 0, (cand + reach).astype(np.float64))
            best = int(np.argmax(amp))
            if amp[best] > self.peak[c]:
                self.peak[c] = amp[best]
                self.position[c] = self._core + (pos[best] - reach) / self._p


_GRID_LOW = 10.0 ** (-0.7 / 20.0)
"""A 4x grid reads a crest at most 0.69 dB low (a tone at Nyquist, its crest half a step away)."""

_BEFORE = 64
"""Samples of silence read before the first sample (and after the last): the
reconstruction rings there when the file starts or ends abruptly."""
