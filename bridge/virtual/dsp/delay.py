"""The delay return's effect: a feedback delay (comb), 100 % wet.

For :data:`bridge.dialects.virtual_fx.DELAY` (``Time`` in ms, ``Feedback`` in %).
With ``D`` the time in frames (``Time · rate / 1000`` rounded to the nearest
frame, halves up) and ``g = Feedback / 100``, the output is the feedback comb
filter (Smith, *Physical Audio Signal Processing*, 2010, "Feedback Comb
Filters")::

    y[n] = x[n - D] + g · y[n - D]

so an impulse comes back as echo ``k`` at ``k · D`` frames with amplitude
``g ** (k - 1)``. Stable at every setting since ``g ≤ 0.95 < 1``.

**Vectorised.** Written as ``w[n] = x[n] + g · w[n - D]`` and ``y[n] = w[n - D]``:
a stretch of at most ``D`` frames reads only ``w`` already in the ring buffer, so
it is one vector operation; a longer stretch is reshaped into rows of ``D``
frames, where the recursion runs down the rows (a loop of vector additions for
up to 32 rows, else ``scipy.signal.lfilter`` as a first-order filter along the
rows), exact for every ``D``.

**Automation.** ``Time`` and ``Feedback`` are control-rate parameters, sampled
every :data:`CONTROL_FRAMES` frames (5.3 ms at 48 kHz; see
:mod:`bridge.virtual.dsp.delayline`). A change of ``Time`` moves the read tap at
once (no pitch glide): the output may step (a click no larger than the delayed
signal's own peak-to-peak), never grows and never fails.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import DELAY
from bridge.virtual.dsp import Values
from bridge.virtual.dsp.delayline import ControlGrid, Ring, samples

__all__ = ["CONTROL_FRAMES", "Delay"]

Floats: TypeAlias = npt.NDArray[np.float64]

CONTROL_FRAMES = 256
"""Control period of automated ``Time``/``Feedback``, in frames."""

_ROW_LOOP = 32  # up to this many rows of D frames, a loop of vector adds beats lfilter

_TIME = DELAY.params[0]
_FEEDBACK = DELAY.params[1]


class Delay:
    """Streaming feedback delay, any number of channels (each delayed alike).

    Args:
        rate: Sample rate in Hz.
        channels: Channels of the blocks to process.

    Raises:
        ValueError: ``rate`` or ``channels`` not positive.
    """

    def __init__(self, rate: int, channels: int = 2) -> None:
        if rate < 1 or channels < 1:
            raise ValueError(f"delay needs a positive rate and channels, got {rate}, {channels}")
        self.rate = rate
        self.channels = channels
        self._ring = Ring(samples(_TIME.max, rate), channels)
        self._grid = ControlGrid(CONTROL_FRAMES, len(DELAY.params))

    def reset(self) -> None:
        """Silence the delay line and forget held control values."""
        self._ring.reset()
        self._grid.reset()

    def frames(self, time_ms: float) -> int:
        """The delay in frames for ``time_ms`` (clamped into the parameter's range)."""
        t = min(max(time_ms, _TIME.min), _TIME.max)
        return max(samples(t, self.rate), 1)

    def process(self, x: Floats, values: Values) -> Floats:
        """Delay one block.

        Args:
            x: Shape ``(n, channels)``, float64.
            values: ``(Time ms, Feedback %)``, each a float or shape ``(n,)``.

        Returns:
            The echoes only (100 % wet), shape ``(n, channels)``.

        Raises:
            ValueError: ``x`` is not ``(n, channels)`` or ``values`` do not fit.
        """
        if x.ndim != 2 or x.shape[1] != self.channels:
            raise ValueError(f"delay expects shape (n, {self.channels}), got {x.shape}")
        n = x.shape[0]
        out = np.empty((n, self.channels))
        for start, stop, (time_ms, fb_pct) in self._grid.segments(n, values):
            g = min(max(fb_pct, _FEEDBACK.min), _FEEDBACK.max) / 100.0
            out[start:stop] = self._run(x[start:stop], self.frames(time_ms), g)
        return out

    def _run(self, x: Floats, d: int, g: float) -> Floats:
        """One stretch at constant delay ``d`` frames and feedback gain ``g``."""
        n = x.shape[0]
        if n <= d:
            y = self._ring.read(d, n)
            self._ring.write(x + g * y if g else x)
            return y
        from scipy.signal import lfilter

        rows = -(-n // d)
        ch = self.channels
        padded = np.zeros((rows * d, ch))
        padded[:n] = x
        last = self._ring.read(d, d)
        w = padded.reshape(rows, d * ch)
        if g and rows <= _ROW_LOOP:
            prev = last.reshape(d * ch)
            for m in range(rows):
                w[m] += g * prev
                prev = w[m]
        elif g:
            zi = (g * last).reshape(d * ch, 1)
            wt, _ = lfilter([1.0], [1.0, -g], np.ascontiguousarray(w.T), axis=1, zi=zi)
            w = np.ascontiguousarray(wt.T)
        w = np.asarray(w, dtype=np.float64).reshape(rows * d, ch)[:n]
        self._ring.write(w)
        return np.concatenate((last, w[: n - d]))
