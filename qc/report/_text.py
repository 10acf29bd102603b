"""Formatting helpers shared by the renderers: names, times and levels."""

from __future__ import annotations

import math

__all__ = ["fmt_db", "fmt_time", "printable"]


def printable(text: str) -> str:
    r"""Escape control characters so a file name prints literally.

    Terminal escape sequences (``\x1b[31m``) and other control characters
    become visible ``\\xNN`` escapes; rich markup is left as plain characters
    (renderers must not parse it).

    Args:
        text: Any string, usually a path.

    Returns:
        The string with every non-printable character escaped.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def fmt_time(seconds: float | None) -> str:
    """Format seconds as ``mm:ss.mmm`` (``-`` for None)."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    ms = round(seconds * 1000)
    minutes, ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{ms / 1000:06.3f}"


def fmt_db(value: float | None, unit: str, *, digits: int = 1) -> str:
    """Format a level with its unit; ``-inf`` and None get words, not numbers."""
    if value is None:
        return "n/a"
    if math.isinf(value):
        return f"-inf {unit}" if value < 0 else f"+inf {unit}"
    return f"{value:+.{digits}f} {unit}"
