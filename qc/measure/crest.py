"""The band-limited waveform near a crest, evaluated with a long windowed sinc.

A 4x polyphase pass over the whole signal (:mod:`qc.measure.oversample`) is
cheap but its short kernel droops near Nyquist (-0.97 dB at 22 kHz at 48 kHz for
16 taps each side), which is where clipping puts energy. Only the crests that
can matter are looked at again here, each with a long Kaiser-windowed sinc
(Whittaker-Shannon interpolation, the reconstruction BS.1770-4 Annex 2
approximates) on a grid of ``1/steps`` of a sample around its estimated
position, then a sinusoid is fitted through the three grid values around the
maximum for the crest between them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats

__all__ = ["CrestRefiner", "fit_sinusoid", "windows_of"]

_GATHER = 1 << 20  # input samples copied at once for the dot products (8 MiB in float64)
_MAX_SHIFTS = 8  # times the search may move two grid steps towards a crest (one sample)
_SMALL = 128  # kernels up to this many taps are applied by one batched product


def windows_of(x: NDArray[Any], width: int) -> NDArray[Any]:
    """Every ``width``-sample window of ``x``, shape ``(len(x) - width + 1, width)``, a view.

    ``numpy.lib.stride_tricks.sliding_window_view`` without its argument checks,
    which cost more than the product on the few crests of a batch.
    """
    step = x.strides[0]
    shape = (len(x) - width + 1, width)
    if x.flags.c_contiguous:
        view: NDArray[Any] = np.ndarray(shape, x.dtype, x, 0, (step, step))
        view.flags.writeable = False
        return view
    out: NDArray[Any] = np.lib.stride_tricks.as_strided(
        x, shape=shape, strides=(step, step), writeable=False
    )
    return out


def fit_sinusoid(prev: Floats, mid: Floats, nxt: Floats) -> tuple[Floats, Floats]:
    """Fit ``A cos(theta t + phi)`` through three equally spaced values.

    Args:
        prev: Values at ``t = -1``, shape ``(n,)``, sign-aligned with ``mid``.
        mid: Values at ``t = 0`` (a local maximum), shape ``(n,)``, positive
            (where it is not, the crest is taken as silence: amplitude 0).
        nxt: Values at ``t = +1``, shape ``(n,)``.

    Returns:
        The crest amplitudes, shape ``(n,)``, at least ``mid``, and the crest
        offsets in grid steps, in ``[-0.5, 0.5]``.
    """
    flat = ~(mid > 0.0)  # silence: nothing to fit
    mid = np.where(flat, 1.0, mid)
    prev = np.where(flat, 1.0, prev)
    nxt = np.where(flat, 1.0, nxt)
    cos_t = np.clip((prev + nxt) / (2.0 * mid), -1.0, 1.0)
    theta = np.arccos(cos_t)
    sin_t = np.sin(theta)
    curved = sin_t > 1e-6
    a_sin = np.where(curved, (prev - nxt) / (2.0 * np.where(curved, sin_t, 1.0)), 0.0)
    amp = np.hypot(mid, a_sin)
    # A crest between grid points is at most half a step away from the maximum.
    limit = mid / np.maximum(np.cos(theta / 2.0), 1e-3)
    amp = np.minimum(amp, limit)
    offset = np.where(curved, -np.arctan2(a_sin, mid) / np.where(curved, theta, 1.0), 0.0)
    amp = np.where(flat, 0.0, np.maximum(amp, mid))
    return amp, np.where(flat, 0.0, np.clip(offset, -0.5, 0.5))


class CrestRefiner:
    """Exact-enough crest values from a long windowed sinc, at chosen positions only.

    Args:
        half_width: Kernel half length ``H`` in input samples.
        beta: Kaiser window shape parameter.
        steps: Grid steps per input sample for the search (16: 1/16 sample).
        dtype: Arithmetic precision of the dot products.
    """

    def __init__(
        self,
        half_width: int,
        beta: float,
        *,
        steps: int = 16,
        dtype: type[np.floating[Any]] = np.float64,
    ) -> None:
        self.half_width = half_width
        self._steps = steps
        self._dtype = dtype
        # table[k, i]: weight of x[n - H - 1 + i] in the value at n + (k - 2) / steps,
        # k = 0 .. steps + 3, so the five values around any position of [n, n + 1)
        # come from the same 2H + 4 samples x[n - H - 1 .. n + H + 2].
        taps = np.arange(2 * half_width + 4) - half_width - 1
        frac = (np.arange(steps + 4) - 2) / steps
        u = taps[None, :] - frac[:, None]
        inside = np.abs(u) < half_width + 1
        ratio = np.where(inside, u / (half_width + 1), 1.0)
        window = np.where(inside, np.i0(beta * np.sqrt(1.0 - ratio**2)) / np.i0(beta), 0.0)
        table = np.sinc(u) * window
        # For a centre step k (0 .. steps - 1): the (2H + 4, 5) weights of k - 2 .. k + 2.
        self._fives = np.ascontiguousarray(
            np.stack([table[k : k + 5].T for k in range(steps)]), dtype
        )

    @property
    def margin(self) -> int:
        """Input samples needed on each side of a crest, beyond its sample."""
        return self.half_width + 4

    def refine(self, x: Floats, start: int, pos: Floats) -> tuple[Floats, Floats]:
        """Evaluate crests of the band-limited waveform near estimated positions.

        Args:
            x: Input samples of one channel, shape ``(m,)``; ``x[0]`` is sample
                ``start``. Every position needs :attr:`margin` samples each side.
            start: Sample index of ``x[0]``.
            pos: Estimated crest positions, samples from the start, shape ``(n,)``.

        Returns:
            The crest magnitudes (linear, full scale 1.0) and their positions in
            samples, each shape ``(n,)``.
        """
        steps = self._steps
        q = np.rint(pos * steps).astype(np.int64)  # grid index, 1/steps sample
        view = windows_of(x, 2 * self.half_width + 4)
        vals = self._five(view, start, q)
        centre = np.full(q.size, 2)  # where the maximum of the five is
        todo = np.arange(q.size)
        for _ in range(_MAX_SHIFTS):
            best = np.argmax(np.abs(vals[todo]), axis=1)
            inner = (best > 0) & (best < 4)
            centre[todo[inner]] = best[inner]
            if inner.all():
                break
            centre[todo[~inner]] = np.where(best[~inner] == 0, 1, 3)  # if it stops here
            # The maximum is at an end of the five: move two steps that way and look again.
            todo = todo[~inner]
            q[todo] += np.where(best[~inner] == 0, -2, 2)
            vals[todo] = self._five(view, start, q[todo])
        rows = np.arange(q.size)
        mid = vals[rows, centre]
        sign = np.where(mid < 0, -1.0, 1.0)
        amp, offset = fit_sinusoid(
            sign * vals[rows, centre - 1], sign * mid, sign * vals[rows, centre + 1]
        )
        return amp, (q + centre - 2 + offset) / steps

    def _five(self, view: NDArray[Any], start: int, q: NDArray[np.int64]) -> Floats:
        """The values at grid indices ``q - 2 .. q + 2``, shape ``(n, 5)``."""
        if view.shape[1] <= _SMALL and q.size <= _GATHER // (5 * _SMALL):
            # Short kernels: each crest's own (2H + 4, 5) weights gathered, one batched
            # product (the grouping by step below costs more in calls than it saves).
            n, k = np.divmod(q, self._steps)
            windows = view[n - self.half_width - 1 - start]
            small: Floats = (windows[:, None, :] @ self._fives[k])[:, 0, :]
            return small.astype(np.float64)
        out = np.empty((q.size, 5))
        chunk = max(_GATHER // view.shape[1], 1)  # windows copied at a time
        for at in range(0, q.size, chunk):
            n, k = np.divmod(q[at : at + chunk], self._steps)
            order = np.argsort(k, kind="stable")
            windows = view[n[order] - self.half_width - 1 - start]
            bounds = np.searchsorted(k[order], np.arange(self._steps + 1))
            part = out[at : at + chunk]
            for step in range(self._steps):
                lo, hi = bounds[step], bounds[step + 1]
                if hi > lo:
                    part[order[lo:hi]] = windows[lo:hi] @ self._fives[step]
        return out
