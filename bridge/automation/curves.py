"""Curves: how a lane's value travels from one point to the next.

:func:`interpolate` maps progress ``x`` (0 at point *a*, 1 at point *b*) to a
value. Every curve returns exactly ``a`` at ``x = 0`` and exactly ``b`` at
``x = 1``. With ``s(x) = 0.5 - 0.5·cos(πx)`` (a raised cosine: slow at both
ends, as a hand moves a fader) and ``e(x) = (e^(kx) - 1) / (e^k - 1)`` with
``k = 4`` (starts slowly, ends fast; ``e(0.5) ≈ 0.119``):

For dB parameters (``volume_db``, ``send/N/level_db``), with ``g = 10^(dB/20)``:

- ``linear_db``: ``a + (b - a)·x``, straight in dB (a constant rate in dB/s);
- ``linear_amp``: ``20·log10(ga + (gb - ga)·x)``, straight in amplitude
  (``-inf`` dB is amplitude 0);
- ``exponential``: ``20·log10(ga + (gb - ga)·e(x))``, the exponential shape
  applied to amplitude;
- ``s_curve``: ``a + (b - a)·s(x)``, the raised cosine in dB;
- ``hold``: ``a`` until the next point, then ``b`` (a step).

A dB-space curve cannot leave or reach ``-inf`` dB, so when either end is
``-inf`` dB, ``linear_db`` is taken in amplitude (as ``linear_amp``) and
``s_curve`` becomes ``20·log10(ga + (gb - ga)·s(x))``, a raised-cosine
amplitude fade (-6.02 dB at the middle of a fade from silence to 0 dB).

For the other parameters (``pan``, ``width``, ``fx/N/param/M``), ``linear_db``
and ``linear_amp`` are both ``a + (b - a)·x``, ``exponential`` is
``a + (b - a)·e(x)``, ``s_curve`` is ``a + (b - a)·s(x)`` and ``hold`` is the
step. ``mute`` and ``solo`` are on/off: they always hold, whatever the curve.
"""

from __future__ import annotations

import math
from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt

from bridge.automation.errors import AutomationError
from bridge.automation.params import param_kind

__all__ = ["CURVES", "EXPONENTIAL_K", "Curve", "Floats", "interpolate", "interpolate_one"]

Curve = Literal["linear_db", "linear_amp", "exponential", "s_curve", "hold"]
"""The name of a curve: how the value goes from a point to the next one."""

CURVES: Final[tuple[Curve, ...]] = get_args(Curve)
"""Every curve name, in the order the documentation lists them."""

EXPONENTIAL_K: Final = 4.0
"""The steepness ``k`` of the ``exponential`` curve ``(e^(kx) - 1) / (e^k - 1)``."""

Floats = npt.NDArray[np.float64]


def _shape(curve: Curve, x: Floats) -> Floats:
    """The 0..1 progress of a curve at ``x`` (shape ``(n,)``); linear for the linear ones."""
    if curve == "s_curve":
        out: Floats = 0.5 - 0.5 * np.cos(np.pi * x)
        return out
    if curve == "exponential":
        out = np.expm1(EXPONENTIAL_K * x) / math.expm1(EXPONENTIAL_K)
        return out
    return x


def _in_amplitude(a: float, b: float, s: Floats) -> Floats:
    """Interpolate two dB levels in amplitude with progress ``s`` (shape ``(n,)``), in dB."""
    ga, gb = 10.0 ** (a / 20.0), 10.0 ** (b / 20.0)
    with np.errstate(divide="ignore"):
        out: Floats = 20.0 * np.log10(np.maximum(ga + (gb - ga) * s, 0.0))
    return out


def interpolate(curve: Curve, a: float, b: float, x: npt.ArrayLike, *, param: str) -> Floats:
    """Return the values of one curve segment from value ``a`` to value ``b``.

    Args:
        curve: One of :data:`CURVES` (see the module docstring for the formulas).
        a: The value at the segment's first point (dB for dB parameters).
        b: The value at the segment's next point.
        x: Progress from ``a`` (0) to ``b`` (1), shape ``(n,)``; values outside
            [0, 1] are clipped.
        param: The parameter path, which decides how the curve is applied.

    Returns:
        The values, shape ``(n,)``, float64; exactly ``a`` where ``x <= 0`` and
        exactly ``b`` where ``x >= 1``.

    Raises:
        AutomationError: Unknown curve or parameter.

    Example:
        >>> interpolate("linear_amp", -6.0, 0.0, [0.0, 1.0], param="volume_db")
        array([-6.,  0.])
    """
    if curve not in CURVES:
        raise AutomationError(f"unknown curve {curve!r} (one of {', '.join(CURVES)})")
    kind = param_kind(param)
    xs = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    a, b = float(a), float(b)
    if curve == "hold" or kind == "switch":
        held: Floats = np.where(xs >= 1.0, b, a)
        return held
    s = _shape(curve, xs)
    if kind == "db" and (curve in ("linear_amp", "exponential") or math.isinf(a) or math.isinf(b)):
        out = _in_amplitude(a, b, s)
    elif a == b:
        out = np.full_like(xs, a)
    else:
        out = a + (b - a) * s
    out[xs <= 0.0] = a
    out[xs >= 1.0] = b
    return out


def interpolate_one(curve: Curve, a: float, b: float, x: float, *, param: str) -> float:
    """:func:`interpolate` at one point, with plain floats (what a real-time tick needs).

    Same formulas and arguments as :func:`interpolate`, for a scalar progress
    ``x``; about twenty times faster than a one-element array.
    """
    if curve not in CURVES:
        raise AutomationError(f"unknown curve {curve!r} (one of {', '.join(CURVES)})")
    kind = param_kind(param)
    x = min(max(float(x), 0.0), 1.0)
    if curve == "hold" or kind == "switch":
        return float(b) if x >= 1.0 else float(a)
    if x <= 0.0:
        return float(a)
    if x >= 1.0:
        return float(b)
    if curve == "s_curve":
        s = 0.5 - 0.5 * math.cos(math.pi * x)
    elif curve == "exponential":
        s = math.expm1(EXPONENTIAL_K * x) / math.expm1(EXPONENTIAL_K)
    else:
        s = x
    if kind == "db" and (curve in ("linear_amp", "exponential") or math.isinf(a) or math.isinf(b)):
        ga, gb = 10.0 ** (a / 20.0), 10.0 ** (b / 20.0)
        g = max(ga + (gb - ga) * s, 0.0)
        return 20.0 * math.log10(g) if g > 0.0 else -math.inf
    if a == b:
        return float(a)
    return float(a + (b - a) * s)
