"""The reverb return's effect: a feedback delay network (FDN), stereo, 100 % wet.

For :data:`bridge.dialects.virtual_fx.REVERB` (``Decay`` = RT60 in s,
``Pre-delay`` in ms, ``Damping`` 0..1, ``Width`` in %). The design is Jot and
Chaigne's FDN (J.-M. Jot and A. Chaigne, "Digital delay networks for designing
artificial reverberators", AES 90th Convention, 1991, preprint 3030):

* eight delay lines of fixed, mutually prime lengths (distinct primes, 29.7 to
  83.9 ms at any rate), so two renders are bit-identical (no randomness);
* the orthogonal feedback matrix ``H₈ / √8`` (Sylvester–Hadamard), lossless;
* Jot's absorbent gain per line, ``gᵢ = 10^(−3·dᵢ / (fs·T60))`` with ``dᵢ`` the
  line's length in frames, so the broadband RT60 equals ``Decay``;
* damping as a low-pass in each line with DC gain 1 (so low frequencies still
  decay in ``Decay``) and Nyquist gain ``aᵢ = 10^(−3·dᵢ/fs · (1/T_hf − 1/T60))``,
  Jot's condition for the absorbent filters (J.-M. Jot, "An analysis/synthesis
  approach to real-time artificial reverberation", ICASSP 1992), which makes
  the RT60 at Nyquist ``T_hf = Decay · (1 − 0.9 · Damping)`` on every line; the
  filter is the two-tap FIR ``((1 + aᵢ) + (1 − aᵢ) z⁻¹) / 2``, whose magnitude falls
  monotonically from 1 to ``aᵢ``;
* stable at every setting: the loop gain is at most ``gᵢ < 1`` at every frequency.

The input is delayed by ``Pre-delay`` before the network (nothing comes out
earlier) and six early taps per channel, 1.7 to 21.1 ms after it and decaying at
the same rate, bring the onset within 2 ms of the pre-delay, before the network's
first return at 29.7 ms. Left and right read the lines through two orthogonal
output vectors (decorrelated); ``Width`` scales the side: 100 % as is, 0 % mono.

**Vectorised.** Blocks are processed in chunks no longer than the shortest line,
so every read in a chunk comes from frames already written; the lines, the
in-loop low-passes and the matrix run on all eight lines at once per chunk
(numpy only).

**Automation.** All four parameters are control-rate: sampled on a grid of
:data:`CONTROL_MS` ms (see :mod:`bridge.virtual.dsp.delayline`) and held between
grid points. A ``Pre-delay`` change moves the input tap at once (a bounded step,
no glide); the others change gains only.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import REVERB
from bridge.virtual.dsp import Values
from bridge.virtual.dsp.delayline import ControlGrid, Ring, samples

__all__ = ["CONTROL_MS", "LINE_MS", "Reverb", "line_frames"]

Floats: TypeAlias = npt.NDArray[np.float64]

LINE_MS = (29.7, 37.1, 41.1, 43.7, 53.9, 61.3, 71.3, 83.9)
"""Nominal delay-line lengths in ms (each rounded up to a distinct prime number of frames)."""

CONTROL_MS = 20.0
"""Control period of automated parameters, in ms (never longer than the shortest line)."""

_EARLY_MS = ((1.7, 4.3, 7.9, 11.3, 15.1, 19.7), (2.3, 5.3, 9.1, 12.7, 16.9, 21.1))
_EARLY_GAIN = 0.35
_EARLY_SIGN = (1.0, -1.0, 1.0, 1.0, -1.0, 1.0)
_HF_RATIO = 0.9  # at Damping 1 the RT60 at Nyquist is 10 % of Decay

_DECAY, _PREDELAY, _DAMPING, _WIDTH = REVERB.params

_Coefficients: TypeAlias = tuple[Floats, Floats | None, list[list[float]]]


def _is_prime(k: int) -> bool:
    if k < 2:
        return False
    return all(k % f for f in range(2, int(k**0.5) + 1))


def line_frames(rate: int) -> tuple[int, ...]:
    """The delay lines' lengths in frames at ``rate`` Hz: distinct primes ≥ :data:`LINE_MS`."""
    out: list[int] = []
    for ms in LINE_MS:
        k = max(samples(ms, rate), 2)
        while not _is_prime(k) or k in out:
            k += 1
        out.append(k)
    return tuple(out)


def _hadamard(n: int) -> Floats:
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    out: Floats = h / np.sqrt(n)
    return out


class Reverb:
    """Streaming stereo FDN reverb (see the module docstring).

    Args:
        rate: Sample rate in Hz.

    Raises:
        ValueError: ``rate`` not positive.
    """

    channels = 2

    def __init__(self, rate: int) -> None:
        if rate < 1:
            raise ValueError(f"reverb needs a positive rate, got {rate}")
        self.rate = rate
        self.delays = np.array(line_frames(rate), dtype=np.int64)
        lines = self.delays.shape[0]
        self._chunk = int(self.delays.min())
        h = _hadamard(lines)
        self._feedback = h.T.copy()  # v = s @ A.T with A = H / √N
        self._inputs = np.stack((h[3], h[5])) / np.sqrt(2.0)  # (2, lines)
        self._outputs = np.stack((h[1], h[2])).T.copy()  # (lines, 2), orthogonal columns
        self._early = np.array([[samples(t, rate) for t in ch] for ch in _EARLY_MS]).T
        self._early_s = np.array([[t / 1000.0 for t in ch] for ch in _EARLY_MS]).T
        longest_tap = int(self._early.max())
        self._pre = Ring(samples(_PREDELAY.max, rate) + longest_tap + self._chunk + 1, 2)
        self._lines = Ring(int(self.delays.max()), lines)
        self._lp_last = np.zeros(lines)
        self._cache: tuple[tuple[float, float], _Coefficients] | None = None
        period = min(max(samples(CONTROL_MS, rate), 1), self._chunk)
        self._grid = ControlGrid(period, len(REVERB.params))

    def reset(self) -> None:
        """Silence every line and filter; forget held control values."""
        self._pre.reset()
        self._lines.reset()
        self._lp_last.fill(0.0)
        self._grid.reset()

    def process(self, x: Floats, values: Values) -> Floats:
        """Reverberate one block.

        Args:
            x: Shape ``(n, 2)``, float64.
            values: ``(Decay s, Pre-delay ms, Damping, Width %)``, each a float
                or shape ``(n,)``.

        Returns:
            The reverberation only (100 % wet), shape ``(n, 2)``.

        Raises:
            ValueError: ``x`` is not ``(n, 2)`` or ``values`` do not fit.
        """
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"reverb expects shape (n, 2), got {x.shape}")
        n = x.shape[0]
        out = np.empty((n, 2))
        for start, stop, vals in self._grid.segments(n, values, longest=self._chunk):
            out[start:stop] = self._run(x[start:stop], *vals)
        return out

    def _run(self, x: Floats, decay: float, pre_ms: float, damping: float, width: float) -> Floats:
        """One chunk (at most the shortest line) at constant settings."""
        length = x.shape[0]
        t60 = min(max(decay, _DECAY.min), _DECAY.max)
        pre = samples(min(max(pre_ms, _PREDELAY.min), _PREDELAY.max), self.rate)
        damp = min(max(damping, _DAMPING.min), _DAMPING.max)
        w = min(max(width, _WIDTH.min), _WIDTH.max) / 100.0
        c0, c1, early_gains = self._coefficients(t60, damp)

        self._pre.write(x)
        xpre = self._pre.read(length + pre, length)
        wet = np.zeros((length, 2))
        for k, taps in enumerate(self._early.tolist()):
            for c, tap in enumerate(taps):
                wet[:, c] += early_gains[k][c] * self._pre.view(length + pre + tap, length)[:, c]

        s = self._lines.columns(self.delays, length)
        # The absorbent filters with the line gains folded in: g·(h0·s[n] + h1·s[n-1]).
        out = c0 * s
        if c1 is not None:
            out[0] += c1 * self._lp_last
            out[1:] += c1 * s[:-1]
        self._lp_last = s[-1].copy()
        self._lines.write(out @ self._feedback + xpre @ self._inputs)

        wet += out @ self._outputs
        if w == 0.0:
            mid = 0.5 * (wet[:, 0] + wet[:, 1])
            return np.stack((mid, mid), axis=1)
        if w == 1.0:
            return wet
        mix = np.array([[1.0 + w, 1.0 - w], [1.0 - w, 1.0 + w]]) * 0.5
        result: Floats = wet @ mix
        return result

    def _coefficients(self, t60: float, damp: float) -> _Coefficients:
        """Per-line filter taps ``g·h0``, ``g·h1`` (None without damping) and early-tap gains.

        Cached for the last ``(t60, damp)``: automation recomputes them per chunk.
        """
        key = (t60, damp)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        g = np.asarray(10.0 ** (-3.0 * self.delays / (self.rate * t60)), dtype=np.float64)
        c0: Floats = g
        c1: Floats | None = None
        if damp > 0.0:
            t_hf = t60 * (1.0 - _HF_RATIO * damp)
            nyq = 10.0 ** (-3.0 * self.delays / self.rate * (1.0 / t_hf - 1.0 / t60))
            c0 = np.asarray(g * 0.5 * (1.0 + nyq), dtype=np.float64)
            c1 = np.asarray(g * 0.5 * (1.0 - nyq), dtype=np.float64)
        sign = np.array(_EARLY_SIGN)[:, None]
        early = (sign * _EARLY_GAIN * 10.0 ** (-3.0 * self._early_s / t60)).tolist()
        self._cache = (key, (c0, c1, early))
        return c0, c1, early
