"""RBJ Audio EQ Cookbook biquads as second-order sections, float64, vectorised.

The coefficients are those of Robert Bristow-Johnson's "Cookbook formulae for
audio EQ biquad filter coefficients" (the Audio EQ Cookbook, W3C Audio WG
note): with ``w0 = 2π·f0/fs``, ``A = 10^(gain/40)`` and, for **every** filter
type (shelves included), the bandwidth form of the resonance

    ``alpha = sin(w0) · sinh(ln(2)/2 · BW · w0/sin(w0))``  (BW in octaves),

* ``hpf``:       b = ((1+cos)/2, -(1+cos), (1+cos)/2), a = (1+α, -2cos, 1-α);
* ``peaking``:   b = (1+αA, -2cos, 1-αA),              a = (1+α/A, -2cos, 1-α/A);
* ``notch``:     b = (1, -2cos, 1),                    a = (1+α, -2cos, 1-α);
* ``lowshelf``:  b = A·((A+1)-(A-1)cos ± 2√Aα), 2A·((A-1)-(A+1)cos),
  a = (A+1)+(A-1)cos ± 2√Aα, -2·((A-1)+(A+1)cos);
* ``highshelf``: b = A·((A+1)+(A-1)cos ± 2√Aα), -2A·((A-1)+(A+1)cos),
  a = (A+1)-(A-1)cos ± 2√Aα, 2·((A-1)-(A+1)cos).

Every row is divided by ``a0``, so a section is ``[b0, b1, b2, 1, a1, a2]``
(the layout of ``scipy.signal.sosfilt``). At 0 dB (``A = 1``) the peaking and
shelf formulas give ``b == a`` exactly, so such a band is the identity.

**Clamping.** ``f0`` is clamped into ``1 Hz … 0.49·fs`` (the cookbook's
formulas need ``0 < w0 < π``); the bandwidth must be positive.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["KINDS", "MAX_FREQ_RATIO", "MIN_FREQ_HZ", "section"]

Floats = npt.NDArray[np.float64]

KINDS: Final = ("hpf", "lowshelf", "peaking", "notch", "highshelf")
"""The cookbook filters this module computes."""

MAX_FREQ_RATIO: Final = 0.49
"""``f0`` is clamped to at most this fraction of the sample rate."""

MIN_FREQ_HZ: Final = 1.0
"""``f0`` is clamped to at least this frequency, in Hz."""

_HALF_LN2: Final = math.log(2.0) / 2.0


def section(
    kind: str,
    rate: float,
    freq_hz: float | Floats,
    gain_db: float | Floats,
    bw_oct: float | Floats,
) -> Floats:
    """Second-order sections of one cookbook filter, for one or many settings.

    Args:
        kind: One of :data:`KINDS`.
        rate: Sample rate in Hz.
        freq_hz: Centre / corner frequency ``f0`` in Hz (clamped into
            ``1 Hz … 0.49·rate``); a float or an array of shape ``(k,)``.
        gain_db: Gain in dB (ignored by ``hpf`` and ``notch``); float or ``(k,)``.
        bw_oct: Bandwidth in octaves, positive; float or ``(k,)``.

    Returns:
        Shape ``(6,)`` for scalar settings, else ``(k, 6)``: rows
        ``[b0, b1, b2, 1, a1, a2]`` normalised by ``a0``.

    Raises:
        ValueError: ``kind`` is unknown or a bandwidth is not positive.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown biquad kind {kind!r} (expected one of {', '.join(KINDS)})")
    f0, g, bw = np.broadcast_arrays(
        np.asarray(freq_hz, dtype=np.float64),
        np.asarray(gain_db, dtype=np.float64),
        np.asarray(bw_oct, dtype=np.float64),
    )
    if not np.all(bw > 0):
        raise ValueError("biquad bandwidth must be positive (octaves)")
    f0 = np.clip(f0, MIN_FREQ_HZ, MAX_FREQ_RATIO * rate)
    w0 = 2.0 * np.pi * f0 / rate
    sn = np.sin(w0)
    cs = np.cos(w0)
    alpha = sn * np.sinh(_HALF_LN2 * bw * w0 / sn)
    one = np.ones_like(w0)
    if kind == "hpf":
        h = (1.0 + cs) / 2.0
        b = (h, -(1.0 + cs), h)
        a = (1.0 + alpha, -2.0 * cs, 1.0 - alpha)
    elif kind == "notch":
        b = (one, -2.0 * cs, one)
        a = (1.0 + alpha, -2.0 * cs, 1.0 - alpha)
    else:
        amp = 10.0 ** (g / 40.0)
        if kind == "peaking":
            b = (1.0 + alpha * amp, -2.0 * cs, 1.0 - alpha * amp)
            a = (1.0 + alpha / amp, -2.0 * cs, 1.0 - alpha / amp)
        else:
            k = 2.0 * np.sqrt(amp) * alpha
            p, m = amp + 1.0, amp - 1.0
            if kind == "lowshelf":
                b = (amp * (p - m * cs + k), 2.0 * amp * (m - p * cs), amp * (p - m * cs - k))
                a = (p + m * cs + k, -2.0 * (m + p * cs), p + m * cs - k)
            else:  # highshelf
                b = (amp * (p + m * cs + k), -2.0 * amp * (m + p * cs), amp * (p + m * cs - k))
                a = (p - m * cs + k, 2.0 * (m - p * cs), p - m * cs - k)
    a0 = a[0]
    out = np.stack([b[0] / a0, b[1] / a0, b[2] / a0, one, a[1] / a0, a[2] / a0], axis=-1)
    return out
