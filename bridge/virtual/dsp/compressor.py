"""The track compressor: feed-forward, stereo-linked, log domain, streaming, float64.

The design is the one Giannoulis, Massberg and Reiss recommend in "Digital
Dynamic Range Compressor Design—A Tutorial and Analysis" (JAES 60(6), 2012):
the detector works in the log domain, after the gain computer. Parameters
follow :data:`bridge.dialects.virtual_fx.COMPRESSOR`: ``Threshold`` T (dB),
``Ratio`` R, ``Attack`` and ``Release`` (ms), ``Knee`` W (dB), ``Makeup`` M (dB).
Per frame ``n`` of a block of shape ``(frames, channels)``:

1. level ``x = 20·log10(max over channels |s|)``, floored at :data:`FLOOR_DB`
   (stereo link: one detector for all channels);
2. static curve with a quadratic soft knee (their eq. 4):
   ``y_G = x`` if ``2(x-T) < -W``; ``x + (1/R - 1)(x - T + W/2)² / (2W)`` if
   ``2|x-T| ≤ W``; ``T + (x-T)/R`` if ``2(x-T) > W``;
3. gain reduction ``x_L = x - y_G ≥ 0``, smoothed by the smooth branching peak
   detector (their eq. 16): ``y_L[n] = αA·y_L[n-1] + (1-αA)·x_L[n]`` if
   ``x_L[n] > y_L[n-1]`` else ``αR·y_L[n-1] + (1-αR)·x_L[n]``, with
   ``α = exp(-1/(τ·fs))`` (τ the attack or release time in s);
4. gain ``M - y_L`` dB, applied to every channel.

Every parameter may be an array of shape ``(frames,)`` and is honoured frame by
frame. The detector recursion runs without a per-frame Python loop:
:func:`bridge.virtual.dsp.scan.branching_smoother` solves it exactly by policy
iteration over vectorised linear scans. At ratio 1 ``x_L`` is 0, so from a
fresh state the output equals the input exactly when the makeup is 0.
"""

from __future__ import annotations

from functools import reduce
from typing import Final

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import COMPRESSOR
from bridge.virtual.dsp import Values
from bridge.virtual.dsp.scan import branching_smoother

__all__ = ["FLOOR_DB", "Compressor", "gain_reduction"]

Floats = npt.NDArray[np.float64]

FLOOR_DB: Final = -200.0
"""Level of a digital zero, in dBFS (so ``log10`` is always finite)."""

_FLOOR: Final = 10.0 ** (FLOOR_DB / 20.0)
_STATE_FLUSH: Final = 1e-100  # dB of gain reduction: a detector state below is zero
_DB: Final = 20.0 / np.log(10.0)


def _index(name: str) -> int:
    number = COMPRESSOR.number(name)
    if number is None:  # pragma: no cover - the table is fixed
        raise ValueError(f"Compressor has no parameter {name!r}")
    return number - 1


_T, _R, _ATT, _REL, _W, _M = (
    _index(p) for p in ("Threshold", "Ratio", "Attack", "Release", "Knee", "Makeup")
)


def gain_reduction(
    level_db: Floats,
    threshold_db: float | Floats,
    ratio: float | Floats,
    knee_db: float | Floats,
) -> Floats:
    """The static curve's gain reduction ``x - y_G`` (dB, ``≥ 0``), Giannoulis et al. eq. 4.

    Args:
        level_db: Level ``x`` in dBFS, shape ``(n,)``.
        threshold_db: Threshold T in dBFS, float or ``(n,)``.
        ratio: Ratio R ``≥ 1``, float or ``(n,)``.
        knee_db: Knee width W in dB ``≥ 0``, float or ``(n,)``.

    Returns:
        ``x - y_G`` in dB, shape ``(n,)``.
    """
    over = level_db - threshold_db
    slope = 1.0 - 1.0 / np.asarray(ratio, dtype=np.float64)
    w = np.asarray(knee_db, dtype=np.float64)
    above = 2.0 * over > w
    out: Floats = np.where(above, over, 0.0)
    if np.any(w > 0):
        in_knee = ~above & (2.0 * over >= -w) & (w > 0)
        if in_knee.any():
            wk = np.where(w > 0, w, 1.0)
            quad = (over + w / 2.0) ** 2 / (2.0 * wk)
            out = np.where(in_knee, quad, out)
    out *= slope
    return out


class Compressor:
    """The Compressor plugin as a streaming processor (see the module docstring).

    Args:
        rate: Sample rate in Hz.
        channels: Channels of every block.

    Attributes:
        passes: Linear solves the detector's policy iteration took on the last
            block, over its segments (0 when the block needed no detector).
    """

    def __init__(self, rate: int, channels: int) -> None:
        if rate <= 0 or channels <= 0:
            raise ValueError(
                f"Compressor needs a positive rate and channels, got {rate}, {channels}"
            )
        self.rate = rate
        self.channels = channels
        self._y = 0.0
        self.passes = 0

    def reset(self) -> None:
        """Forget the detector state (no gain reduction)."""
        self._y = 0.0
        self.passes = 0

    def process(self, x: Floats, values: Values) -> Floats:
        """Compress one block.

        Args:
            x: Audio, shape ``(n, channels)``, full scale 1.0.
            values: The ``Compressor`` parameters in their units (floats or ``(n,)``).

        Returns:
            The compressed block, shape ``(n, channels)``.

        Raises:
            ValueError: ``x`` or ``values`` have the wrong shape.
        """
        if x.ndim != 2 or x.shape[1] != self.channels or len(values) != len(COMPRESSOR.params):
            raise ValueError(
                f"Compressor expects x of shape (n, {self.channels})"
                f" and {len(COMPRESSOR.params)} values"
            )
        n = x.shape[0]
        self.passes = 0
        ratio, makeup = values[_R], values[_M]
        if n == 0 or (self._y == 0.0 and _all(ratio, 1.0)):
            if _all(makeup, 0.0):
                return x.copy()
            return x * _gain(np.zeros(n) + makeup)
        peak = reduce(np.maximum, (np.abs(x[:, c]) for c in range(self.channels)))
        level = np.log(np.maximum(peak, _FLOOR)) * _DB
        x_l = gain_reduction(level, values[_T], ratio, values[_W])
        a_att = _coefficient(values[_ATT], self.rate)
        a_rel = _coefficient(values[_REL], self.rate)
        y_l, self.passes = branching_smoother(x_l, a_att, a_rel, self._y)
        last = float(y_l[-1])
        self._y = last if last > _STATE_FLUSH else 0.0  # no subnormal state in silence
        return x * _gain(makeup - y_l)


def _all(v: float | Floats, value: float) -> bool:
    """True if ``v`` equals ``value`` everywhere."""
    return bool(np.all(np.asarray(v) == value))


def _coefficient(ms: float | Floats, rate: int) -> float | Floats:
    """``α = exp(-1/(τ·fs))`` for a time constant ``τ`` given in ms."""
    a = np.exp(-1000.0 / (np.asarray(ms, dtype=np.float64) * rate))
    return a if a.ndim else float(a)


def _gain(db: Floats) -> Floats:
    """Linear gain of ``db``, shaped ``(n, 1)`` to scale every channel."""
    out: Floats = np.exp(db / _DB)[:, None]
    return out
