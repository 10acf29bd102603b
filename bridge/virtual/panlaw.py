"""Pan laws: the left and right gains of a pan position, as pure functions.

A pan position ``p`` runs from -1 (hard left) through 0 (centre) to +1 (hard
right). Every law returns linear gains ``(gL, gR)`` with ``gL(p) = gR(-p)``,
``(0, 1)`` at hard right and ``(1, 0)`` at hard left; they differ in the centre:

========================  ==========================================  ===========
law                       gains                                       centre
========================  ==========================================  ===========
``"constant-power"``      ``gL = cos θ``, ``gR = sin θ``,             -3.01 dB
                          ``θ = (p + 1) π / 4`` (the default)
``"-4.5"``                geometric mean of ``"constant-power"`` and  -4.52 dB
                          ``"-6"``: ``gL = sqrt(cos θ · (1 - p) / 2)``
``"-6"``                  linear: ``gL = (1 - p) / 2``,               -6.02 dB
                          ``gR = (1 + p) / 2``
``"0"``                   balance: ``gL = min(1, 1 - p)``,            0 dB
                          ``gR = min(1, 1 + p)``
========================  ==========================================  ===========

``cos θ`` is computed as ``sin((1 - p) π / 4)``, which is the same function but
exactly 0 at ``p = +1``. The functions accept a scalar or an array of
positions (one per sample), so automation can vary the pan within a block.

Example:
    >>> gl, gr = pan_gains(0.0, "-6")
    >>> float(gl), float(gr)
    (0.5, 0.5)
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt

from bridge.virtual.errors import VirtualDawError

__all__ = ["DEFAULT_PAN_LAW", "PAN_LAWS", "PanLaw", "centre_gain_db", "check_pan_law", "pan_gains"]

PanLaw = Literal["constant-power", "-4.5", "-6", "0"]
PAN_LAWS: Final[tuple[PanLaw, ...]] = get_args(PanLaw)
DEFAULT_PAN_LAW: Final[PanLaw] = "constant-power"

Floats = npt.NDArray[np.float64]


def check_pan_law(law: str) -> PanLaw:
    """Return ``law`` as a :data:`PanLaw`, or raise naming the known laws.

    Args:
        law: A pan law name, e.g. ``"-6"``.

    Returns:
        The same name, typed.

    Raises:
        VirtualDawError: ``law`` is not one of :data:`PAN_LAWS`.
    """
    for known in PAN_LAWS:
        if law == known:
            return known
    raise VirtualDawError(f"unknown pan law {law!r}; use one of {', '.join(PAN_LAWS)}")


def pan_gains(pan: float | Floats, law: PanLaw = DEFAULT_PAN_LAW) -> tuple[Floats, Floats]:
    """Return the linear left and right gains of pan positions under a law.

    Args:
        pan: Pan position(s) in [-1, +1]; a scalar or an array of shape ``(n,)``.
        law: One of :data:`PAN_LAWS`. Defaults to ``"constant-power"``.

    Returns:
        ``(gL, gR)``: linear gains of the same shape as ``pan``, float64 (numpy
        scalars for a scalar ``pan``).

    Raises:
        VirtualDawError: ``law`` is unknown.
    """
    p = np.asarray(pan, dtype=np.float64)
    if law == "constant-power":
        return _constant_power(p)
    if law == "-6":
        return (1.0 - p) / 2.0, (1.0 + p) / 2.0
    if law == "-4.5":
        cl, cr = _constant_power(p)
        return np.sqrt(cl * (1.0 - p) / 2.0), np.sqrt(cr * (1.0 + p) / 2.0)
    if law == "0":
        return np.minimum(1.0, 1.0 - p), np.minimum(1.0, 1.0 + p)
    raise VirtualDawError(f"unknown pan law {law!r}; use one of {', '.join(PAN_LAWS)}")


def centre_gain_db(law: PanLaw = DEFAULT_PAN_LAW) -> float:
    """Return the gain of either channel at the centre position.

    Args:
        law: One of :data:`PAN_LAWS`. Defaults to ``"constant-power"``.

    Returns:
        Gain in dB: -3.01, -4.52, -6.02 or 0.0.
    """
    gain = float(pan_gains(0.0, law)[0])
    return 20.0 * float(np.log10(gain))


def _constant_power(p: Floats) -> tuple[Floats, Floats]:
    """Return ``(cos θ, sin θ)`` with ``θ = (p + 1) π / 4``, exact zeros at the ends."""
    quarter = np.pi / 4.0
    return np.sin((1.0 - p) * quarter), np.sin((1.0 + p) * quarter)
