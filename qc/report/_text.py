"""Formatting helpers shared by the renderers.

Times and levels (names: :mod:`qc.printable`), and the one-line notes on
detector verdicts that no finding reports.
"""

from __future__ import annotations

from qc.measure import Measurements
from qc.units import fmt_db, fmt_time

__all__ = ["fmt_db", "fmt_time", "verdict_notes"]


def verdict_notes(m: Measurements, *, lossy_codec: bool = False) -> list[str]:
    """One line per detector verdict that is inconclusive where it would judge.

    The dither detector judges files of 16 bits or fewer (DTH001); when it
    cannot tell, no finding says so, so the text and rich reports show it here
    with its reason (``no quiet material``, ``noise floor``, ...).

    Args:
        m: The file's measurements.
        lossy_codec: The file is lossy-coded (DTH001 does not judge it).

    Returns:
        The lines, without indentation (empty when every verdict is conclusive).
    """
    d = m.dither
    if d.verdict != "inconclusive" or d.bits is None or d.bits > 16 or lossy_codec:
        return []
    return [
        f"dither: inconclusive ({d.kind}): DTH001 cannot tell whether this "
        f"{d.bits}-bit file was dithered"
    ]
