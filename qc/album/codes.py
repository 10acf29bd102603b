"""Identifier checks of a CD: ISRC (ISO 3901) and UPC-A / EAN-13 (GS1 check digit).

Pure functions: a problem is a phrase (``"check digit is 2, expected 1"``), ``None``
when the code is valid.
"""

from __future__ import annotations

import re

__all__ = ["gtin_check_digit", "gtin_problem", "isrc_compact", "isrc_problem"]

_ISRC_PLAIN = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")
_ISRC_DASHED = re.compile(r"^[A-Z]{2}-[A-Z0-9]{3}-[0-9]{2}-[0-9]{5}$")


def isrc_compact(isrc: str) -> str:
    """The 12-character form of an ISRC (``US-RC1-76-07839`` -> ``USRC17607839``), as CUE wants."""
    return isrc.replace("-", "")


def isrc_problem(isrc: str) -> str | None:
    """What is wrong with an ISRC, or ``None``.

    ISO 3901:2019: a two-letter country code, a three-character registrant code
    (letters A-Z and digits), two digits of the year of reference and a
    five-digit designation code; written ``CC-XXX-YY-NNNNN`` or without the
    hyphens (12 characters). Letters are upper case.

    Args:
        isrc: The code as written.

    Returns:
        One phrase naming the problem, or ``None`` when the code is well formed.
    """
    if _ISRC_PLAIN.match(isrc) or _ISRC_DASHED.match(isrc):
        return None
    compact = isrc_compact(isrc)
    if len(compact) != 12:
        return f"has {len(compact)} characters without hyphens, expected 12 (CC-XXX-YY-NNNNN)"
    if compact != compact.upper():
        return "has lower-case letters (ISO 3901 codes are upper case)"
    if not compact[:2].isalpha() or not compact[:2].isascii():
        return "must start with a two-letter country code"
    if not re.match(r"^[A-Z0-9]{3}$", compact[2:5]):
        return "registrant code (characters 3-5) must be letters A-Z or digits"
    if not compact[5:].isdigit() or not compact[5:].isascii():
        return "year and designation code (last 7 characters) must be digits"
    return "hyphens must separate CC-XXX-YY-NNNNN, or be left out"


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit of a GTIN body (all digits but the last).

    GS1 General Specifications s7.9.1: from the right, digits are weighted 3, 1,
    3, 1...; the check digit brings the weighted sum to a multiple of 10.

    Args:
        body: The digits before the check digit (11 for UPC-A, 12 for EAN-13).

    Returns:
        The check digit, 0-9.
    """
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(code: str) -> str | None:
    """What is wrong with a UPC-A (12 digits) or EAN-13 (13 digits), or ``None``.

    Args:
        code: The catalog number as written (the CUE ``CATALOG`` is 13 digits; a
            UPC-A is written there with a leading 0).

    Returns:
        One phrase naming the problem, or ``None`` when the check digit is right.
    """
    if not (code.isascii() and code.isdigit()) or len(code) not in (12, 13):
        return "must be 12 digits (UPC-A) or 13 digits (EAN-13)"
    expected = gtin_check_digit(code[:-1])
    if int(code[-1]) != expected:
        return f"check digit is {code[-1]}, expected {expected} (GS1 mod 10)"
    return None
