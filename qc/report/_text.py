"""Formatting helpers shared by the renderers: names, times and levels."""

from __future__ import annotations

from qc.units import fmt_db, fmt_time

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
