"""Live's volume fader law: dB ↔ fader position (0..1), an approximate, invertible fit.

Facts (``docs/daw/ableton.md``):

- **Volume is a fader position.** Live's volume is 0..1 with 0.85 = 0 dB and
  1.0 = +6 dB, and AbletonOSC has no dB call (issue #44). :func:`db_to_live`
  and :func:`live_to_db` use the piecewise fit posted by marcobn in AbletonOSC
  issue #44 (PR #15). It is **approximate**: an empirical fit, not an Ableton
  formula, so a level set as -12 dB may show as a slightly different number in
  Live. Both directions use the same curve, so what is read back is what was
  set. The published branches meet with small steps at -18 and -41 dB that
  run backwards (3e-5 and 2e-4 of fader travel); here each branch ends where
  it meets the next one (-17.97 and -39.44 dB; at most 0.03 dB from the
  published split), so the curve is continuous, strictly rising and exactly
  invertible. At or below -70 dB the fader is 0.0 (``-inf``); above +6 dB it
  is clamped to 1.0.
- **Sends use the same curve (unverified).** A send value is also 0..1; that
  it follows the volume fader's curve is an assumption nobody has checked
  (Live's send knobs seem to stop at 0 dB, which the curve's +6 dB at 1.0
  does not match), so send levels in dB are uncalibrated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

__all__ = ["MAX_DB", "SILENCE_DB", "VOLUME_TOLERANCE_DB", "db_to_live", "level_db", "live_to_db"]

MAX_DB: Final = 6.0
"""Live's fader maximum in dB (fader position 1.0)."""

SILENCE_DB: Final = -70.0
"""Levels at or below this (in dB) are fader position 0.0, i.e. ``-inf``."""


VOLUME_TOLERANCE_DB: Final = 1e-3
"""Precision of a decoded level in dB: float32 fader positions, rounded to 0.0001 dB.

The fit's *accuracy* against Live's own dB display is worse (see the module
docstring), but it errs the same way both ways, so a level reads back as set.
A coarser tolerance would make the mirror ignore real moves smaller than it.
"""

# marcobn's fit (AbletonOSC issue #44): three branches, in dB → fader position.
_A: Final = 799.503788
_B: Final = 12630.61132
_C: Final = 201.871345
_D: Final = 399.751894
_EXP: Final = 7504 / 5567
_LOW_SCALE: Final = 118.426374


def _top(db: float) -> float:
    return (db + 34.0) / 40.0


def _mid(db: float) -> float:
    return (_C - math.sqrt(-_A * db - _B)) / _D


def _low(db: float) -> float:
    return float(((db - SILENCE_DB) / _LOW_SCALE) ** _EXP)


def _meeting(f: Callable[[float], float], g: Callable[[float], float], a: float, b: float) -> float:
    """The dB in ``[a, b]`` where two branches give the same position (bisection)."""
    fa = f(a) - g(a)
    for _ in range(200):
        m = (a + b) / 2.0
        fm = f(m) - g(m)
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
    return (a + b) / 2.0


_TOP_MID_DB: Final = _meeting(_top, _mid, -18.0, -17.8)  # ≈ -17.97 dB
_MID_LOW_DB: Final = _meeting(_mid, _low, -40.0, -39.0)  # ≈ -39.44 dB
_TOP_MID_POS: Final = _top(_TOP_MID_DB)
_MID_LOW_POS: Final = _low(_MID_LOW_DB)


def db_to_live(db: float) -> float:
    """Live's fader position (0..1) for a level in dB; APPROXIMATE (marcobn's fit).

    Args:
        db: The level in dB; ``-inf`` and anything at or below -70 dB give 0.0,
            anything above +6 dB is clamped to 1.0.

    Returns:
        The fader position: 0.85 at 0 dB, 0.70 at -6 dB, 0.40 at -18 dB.

    Raises:
        ValueError: ``db`` is NaN.
    """
    if math.isnan(db):
        raise ValueError("a level in dB cannot be NaN")
    if db <= SILENCE_DB:
        return 0.0
    if db >= MAX_DB:
        return 1.0
    if db >= _TOP_MID_DB:
        return _top(db)
    if db >= _MID_LOW_DB:
        return _mid(db)
    return _low(db)


def live_to_db(position: float) -> float:
    """The level in dB of a Live fader position; APPROXIMATE, the inverse of :func:`db_to_live`.

    Args:
        position: The fader position, 0..1 (values outside are clamped).

    Returns:
        The level in dB, ``-inf`` for 0.0 and +6 dB for 1.0.

    Raises:
        ValueError: ``position`` is NaN.
    """
    if math.isnan(position):
        raise ValueError("a fader position cannot be NaN")
    if position <= 0.0:
        return -math.inf
    if position >= 1.0:
        return MAX_DB
    if position >= _TOP_MID_POS:
        return 40.0 * position - 34.0
    if position >= _MID_LOW_POS:
        return -((_C - _D * position) ** 2 + _B) / _A
    return float(_LOW_SCALE * position ** (1.0 / _EXP) + SILENCE_DB)


def level_db(position: float) -> float:
    """A reported fader position in dB, rounded to 0.0001 dB (float32 noise)."""
    db = live_to_db(position)
    return db if math.isinf(db) else round(db, 4)
