"""Number formatting for rule messages, in the wording the messages use."""

from __future__ import annotations

from qc.units import fmt_db, fmt_time

__all__ = ["db", "mmss"]


def db(value: float | None, unit: str, digits: int = 1) -> str:
    """``+1.7 dBTP``; ``-inf`` and None spelled out."""
    return fmt_db(value, unit, digits=digits, missing=f"n/a {unit}")


def mmss(seconds: float | None) -> str:
    """``mm:ss.mmm`` (``--:--.---`` when unknown)."""
    return fmt_time(seconds, missing="--:--.---")
