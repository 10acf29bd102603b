"""The maximum where the signal is loud near Nyquist: an FFT reconstruction of those blocks.

The accurate search (:mod:`qc.measure.crestsearch`) ranks crests by a short 4x
pass (16 taps a side) whose error is negligible below 0.42 of the sample rate
but grows to 0.45 of the crest at 0.48 and to the whole crest at Nyquist. On
limited material with content there (an abrupt 21.5 kHz tone at 44.1 kHz after a
limiter) every crest reads about the same after limiting, the short pass reads
the real maximum several dB low, and the search never looks at it: the reading
was 0.37 dB under the ideal, 0.56 dB at 23.5 kHz at 48 kHz.

:func:`near_nyquist` estimates, per block and channel, the amplitude of what
lies above about 0.43 of the sample rate: the signal times ``(-1)^n`` (which
moves Nyquist to 0 Hz), summed over 16 samples at a stride of 8. Its response
is at least the short pass's error at every frequency from 0.43 to 0.5 (checked
in tests/qc/measure/test_nyquist.py) and falls off below. A block where it is at
least :data:`RATIO` of the block's sample peak, and that can hold a crest above
the maximum so far, is *guarded*: :class:`NyquistGuard` reconstructs it by FFT
zero-padding 4x with :data:`GUARD` samples of context each side
(Whittaker-Shannon, the reconstruction BS.1770-4 Annex 2 approximates; the cut
context adds at most about ``jump / (pi * GUARD)``, 0.003 dB at -1 dBTP) and
reads its crests again with :class:`~qc.measure.crest.CrestRefiner` on that
grid, where the signal fills an eighth of the band. The search leaves the
maximum of guarded stretches to it.

On the benchmark's loud 5-minute master (hard-clipped, 48 kHz) the estimate is
at most 0.17 of the block peak (median 0.08), so no block is guarded and the
cost is the estimate alone; the limited near-Nyquist tones read 0.51.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats
from qc.measure.crest import CrestRefiner, fit_sinusoid

__all__ = ["GUARD", "RATIO", "NyquistGuard", "near_nyquist"]

RATIO = 0.25
"""A block is guarded when :func:`near_nyquist` is at least this share of its sample peak."""

GUARD = 2048
"""Context samples on each side of a guarded stretch."""

_CORE = 65536  # most samples of one FFT core
_P = 4  # FFT interpolation factor
_EDGE = 64  # silence read before the start and after the end: the reconstruction rings there
_GRID_LOW = 10.0 ** (-0.7 / 20.0)  # a 4x grid reads a crest at most 0.69 dB low
_FIT_LOW = 10.0 ** (-0.05 / 20.0)  # crests whose sinusoid fit is this close are read again
_MOST = 64  # and at most so many per core
_ALT = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def near_nyquist(rows: NDArray[np.floating[Any]]) -> Floats:
    """Amplitude of the content above about 0.43 of the rate, per channel.

    Args:
        rows: Samples, shape ``(channels, frames)`` (one row per channel).

    Returns:
        The largest ``|sum((-1)^n x[n])| / 16`` over 16 samples at a stride of 8,
        shape ``(channels,)``; 0 for blocks shorter than 16 samples.
    """
    chans, frames = rows.shape
    n = frames // 8 * 8
    if n < 16:
        return np.zeros(chans)
    alt = _ALT.astype(rows.dtype)
    sums = rows[:, :n].reshape(chans, -1, 8) @ alt  # 8-sample sums, (channels, n / 8)
    out: Floats = np.abs(sums[:, :-1] + sums[:, 1:]).max(axis=1).astype(np.float64) / 16.0
    return out


class NyquistGuard:
    """Streaming maximum of the guarded stretches of each channel.

    Args:
        channels: Number of channels.
    """

    def __init__(self, channels: int) -> None:
        self._chans = channels
        self._buf = np.zeros((GUARD + _EDGE, channels))  # silence before the start
        self._buf_start = -(GUARD + _EDGE)
        self._frames = 0
        self._pending: list[tuple[int, int, NDArray[np.bool_]]] = []  # [start, end), channels
        self._refiner = CrestRefiner(16, 8.0, steps=16)
        self.ranges: list[list[tuple[int, int]]] = [[] for _ in range(channels)]
        """Guarded stretches ``[start, end)`` per channel, samples, in time order."""
        self.peak = np.zeros(channels)
        """Largest crest of each channel's guarded stretches, linear (full scale 1.0)."""
        self.position = np.full(channels, np.nan)
        """Where it is, samples from the start."""

    def feed(self, block: Floats, rows: NDArray[np.floating[Any]], best: Floats) -> None:
        """Add samples and guard what needs it.

        Args:
            block: Samples, shape ``(frames, channels)``.
            rows: The same samples, shape ``(channels, frames)``, any float
                type (the estimate is read from these; contiguous rows are fast).
            best: The largest crest each channel has so far, linear (a block
                that cannot pass it is not guarded).
        """
        frames = len(block)
        start, self._frames = self._frames, self._frames + frames
        flags = np.zeros(self._chans, dtype=bool)
        if frames:
            top = np.maximum(rows.max(axis=1), -rows.min(axis=1)).astype(np.float64)
            hi = near_nyquist(rows)
            flags = (hi >= RATIO * top) & (top > 0.0) & (top + 2.0 * hi > best)
        keep = GUARD + _EDGE
        if not self._pending and not flags.any() and frames >= keep:
            self._buf = block[-keep:].copy()  # only the context of what may come
            self._buf_start = self._frames - keep
            return
        self._buf = np.concatenate([self._buf, block])
        if flags.any():
            self._guard(start - (_EDGE if start == 0 else 0), self._frames, flags)
        self._run(final=False)

    def guarded(self, c: int, pos: Floats) -> NDArray[np.bool_]:
        """Whether positions (samples, shape ``(n,)``) lie in channel ``c``'s guarded stretches."""
        out = np.zeros(pos.shape, dtype=bool)
        for lo, hi in self.ranges[c]:
            out |= (pos >= lo) & (pos < hi)
        return out

    def finish(self) -> None:
        """Read the guarded stretches still waiting for context (silence after the end)."""
        last = self._pending[-1][1] if self._pending else self._frames
        if last == self._frames and self._pending:  # crests just after the last sample
            s, _, mask = self._pending[-1]
            self._pending[-1] = (s, last + _EDGE, mask)
            for c in np.flatnonzero(mask):
                lo, _ = self.ranges[c][-1]
                self.ranges[c][-1] = (lo, last + _EDGE)
        self._run(final=True)

    def _guard(self, start: int, end: int, flags: NDArray[np.bool_]) -> None:
        for c in np.flatnonzero(flags):
            spans = self.ranges[c]
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        if self._pending:
            s, e, mask = self._pending[-1]
            if e == start and np.array_equal(mask, flags) and end - s <= _CORE:
                self._pending[-1] = (s, end, mask)
                return
        self._pending.append((start, end, flags))

    def _run(self, *, final: bool) -> None:
        end = self._buf_start + len(self._buf)
        while self._pending and (final or self._pending[0][1] + GUARD <= end):
            s, e, mask = self._pending.pop(0)
            need = e + GUARD - end
            if need > 0:  # final: silence after the end
                self._buf = np.concatenate([self._buf, np.zeros((need, self._chans))])
                end += need
            for a in range(s, e, _CORE):  # cores of at most _CORE samples
                b = min(a + _CORE, e)
                seg = self._buf[a - GUARD - self._buf_start : b + GUARD - self._buf_start]
                for c in np.flatnonzero(mask):
                    self._scan(int(c), seg[:, c], a, b)
        keep = (self._pending[0][0] if self._pending else end) - GUARD - _EDGE
        cut = keep - self._buf_start
        if cut > 0:
            self._buf = self._buf[cut:]
            self._buf_start += cut

    def _scan(self, c: int, x: Floats, start: int, end: int) -> None:
        """The crests of ``x[GUARD : -GUARD]`` (samples ``start .. end``), 4x by FFT."""
        n = len(x)
        spec = np.fft.rfft(x)
        if n % 2 == 0:  # the Nyquist bin is shared by +rate/2 and -rate/2: half each
            spec[-1] *= 0.5
        up = np.fft.irfft(spec, n * _P) * _P
        lo, hi = GUARD * _P, (GUARD + end - start) * _P
        mag = np.abs(up[lo - 1 : hi + 1])
        inner = mag[1:-1]
        floor = max(float(inner.max()) * _GRID_LOW, self.peak[c] * _GRID_LOW)
        cand = np.flatnonzero((inner >= floor) & (inner >= mag[:-2]) & (inner > mag[2:]))
        if cand.size == 0:
            return
        at = cand + lo
        sign = np.where(up[at] < 0, -1.0, 1.0)
        fit, _ = fit_sinusoid(sign * up[at - 1], sign * up[at], sign * up[at + 1])
        keep = np.flatnonzero(fit >= fit.max() * _FIT_LOW)
        keep = keep[np.argsort(fit[keep])[::-1][:_MOST]]
        amp, pos = self._refiner.refine(up, 0, at[keep].astype(np.float64))
        j = int(np.argmax(amp))
        if amp[j] > self.peak[c]:
            self.peak[c] = amp[j]
            self.position[c] = start - GUARD + pos[j] / _P
