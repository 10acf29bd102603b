"""Number formatting for rule messages (the checks layer must not import report)."""

from __future__ import annotations

import math

__all__ = ["db", "mmss"]


def db(value: float | None, unit: str, digits: int = 1) -> str:
    """``+1.7 dBTP``; ``-inf`` and None spelled out."""
    if value is None:
        return f"n/a {unit}"
    if math.isinf(value):
        return f"{'-' if value < 0 else '+'}inf {unit}"
    return f"{value:+.{digits}f} {unit}"


def mmss(seconds: float | None) -> str:
    """``mm:ss.mmm``."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--.---"
    ms = round(seconds * 1000)
    minutes, ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{ms / 1000:06.3f}"
