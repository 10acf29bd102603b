"""Formatting of levels and times, shared by rule messages and renderers.

The one place that decides how ``-inf``, missing values and ``mm:ss.mmm`` look.
"""

from __future__ import annotations

import math

__all__ = ["count", "fmt_db", "fmt_time"]


def fmt_db(value: float | None, unit: str, *, digits: int = 1, missing: str = "n/a") -> str:
    """Format a level with its unit: ``+1.7 dBTP``; ``-inf`` spelled out.

    Args:
        value: The level (dB-like unit) or None.
        unit: ``dBFS``, ``dBTP``, ``LUFS``, ``LU``...
        digits: Decimals.
        missing: What None prints as.
    """
    if value is None:
        return missing
    if math.isinf(value):
        return f"{'-' if value < 0 else '+'}inf {unit}"
    return f"{value:+.{digits}f} {unit}"


def fmt_time(seconds: float | None, *, missing: str = "-") -> str:
    """Format seconds as ``mm:ss.mmm``; None or non-finite prints ``missing``."""
    if seconds is None or not math.isfinite(seconds):
        return missing
    ms = round(seconds * 1000)
    minutes, ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{ms / 1000:06.3f}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly 1: ``1 error``, ``0 errors``, ``2 info``.

    Args:
        n: How many.
        noun: The singular.
        plural: The plural when it is not ``noun + "s"``.
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
