"""The virtual DAW's normalised fader law, for REAPER's ``n`` volume patterns.

REAPER maps a normalised fader value ``v`` to dB with ``SLIDER2DB(v * 1000)``,
whose closed form is not published. Its two documented anchors are 0.716 = 0 dB
and 1.0 = +12 dB (the default fader range). The virtual DAW uses a power law
through both anchors::

    gain = (v / 0.716) ** K,   K = log(10 ** (12 / 20)) / log(1 / 0.716) ≈ 4.135

so -6 dB ≈ 0.605, -20 dB ≈ 0.409 and -60 dB ≈ 0.136. The bridge never sends
``n`` volumes (it uses ``/volume/db``), so only clients that move the virtual
fader with normalised values see this law; they get REAPER's values at the two
anchors and a smooth, monotonic curve between.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["UNITY", "db_to_fader", "fader_to_db"]

UNITY: Final = 0.716
"""The normalised fader value of 0 dB."""

_K: Final = math.log(10 ** (12 / 20)) / math.log(1 / UNITY)


def fader_to_db(v: float) -> float:
    """Normalised fader 0..1 → dB (0 → ``-inf``; values above 1 are clamped)."""
    v = min(max(v, 0.0), 1.0)
    if v <= 0.0:
        return -math.inf
    return 20.0 * _K * math.log10(v / UNITY)


def db_to_fader(db: float) -> float:
    """DB → normalised fader 0..1 (``-inf`` → 0; above +12 dB clamps to 1)."""
    if math.isinf(db) and db < 0:
        return 0.0
    return min(UNITY * 10 ** (db / (20.0 * _K)), 1.0)
