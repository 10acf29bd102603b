"""The virtual DAW's normalised fader law, for REAPER's ``n`` volume patterns.

REAPER maps a normalised fader value ``v`` to dB with ``SLIDER2DB(v * 1000)``,
whose closed form is not published. Its documented anchors (``reaper_medium``'s
``VolumeSliderValue``) are slider 0 = ``-inf``, 2.5138729793972 = -150 dB,
3.1647785560398 = -144 dB, 716 = 0 dB and 1000 = +12 dB (the default fader
range). The virtual DAW joins two laws that each meet one end:

* low end, a cube root of gain that meets both low anchors to 7 digits::

      v_low = (2 g / g_max) ** (1/3),   g = 10 ** (dB / 20),  g_max = 10 ** (12 / 20)

* top end, a power law through 0 dB = 0.716 and +12 dB = 1.0::

      v_top = 0.716 · g ** (1/K),   K = log(g_max) / log(1 / 0.716) ≈ 4.135

and takes ``v = min(v_low, v_top)`` (they cross near -10 dB), so the curve is
continuous and increasing. Below the -150 dB anchor the level is REAPER's
floor, -150 dB; 0 is ``-inf``.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["FLOOR_DB", "FLOOR_FADER", "UNITY", "db_to_fader", "fader_to_db"]

UNITY: Final = 0.716
"""The normalised fader value of 0 dB."""

FLOOR_DB: Final = -150.0
"""REAPER's lowest volume above ``-inf``, in dB."""

FLOOR_FADER: Final = 2.5138729793972e-3
"""The normalised fader value of :data:`FLOOR_DB` (REAPER's slider 2.5138729793972)."""

_G_MAX: Final = 10 ** (12 / 20)
_K: Final = math.log(_G_MAX) / math.log(1 / UNITY)


def fader_to_db(v: float) -> float:
    """Normalised fader 0..1 → dB (0 → ``-inf``; below the floor → -150 dB; above 1 → 1)."""
    v = min(max(v, 0.0), 1.0)
    if v <= 0.0:
        return -math.inf
    if v <= FLOOR_FADER:
        return FLOOR_DB
    g_low = _G_MAX * v**3 / 2.0
    g_top = (v / UNITY) ** _K
    return max(FLOOR_DB, 20.0 * math.log10(max(g_low, g_top)))


def db_to_fader(db: float) -> float:
    """DB → normalised fader 0..1 (``-inf`` → 0; at or below -150 dB → the floor; > +12 dB → 1)."""
    if math.isnan(db):
        raise ValueError("a NaN level has no fader position")
    if math.isinf(db) and db < 0:
        return 0.0
    if db <= FLOOR_DB:
        return FLOOR_FADER
    g = 10 ** (db / 20.0)
    v_low = (2.0 * g / _G_MAX) ** (1.0 / 3.0)
    v_top = UNITY * g ** (1.0 / _K)
    return float(min(v_low, v_top, 1.0))
