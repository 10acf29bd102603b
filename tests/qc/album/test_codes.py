"""ISRC (ISO 3901) and UPC-A / EAN-13 (GS1 mod 10) with real codes."""

from __future__ import annotations

import pytest

from qc.album.codes import gtin_check_digit, gtin_problem, isrc_compact, isrc_problem


@pytest.mark.parametrize(
    "code",
    [
        "USRC17607839",  # IFPI's ISRC handbook example (US, registrant RC1, 1976, 07839)
        "US-RC1-76-07839",
        "GBAYE0601498",  # a Beatles remaster, registrant AYE (EMI)
        "FR6V81512345",  # registrant codes may hold digits
    ],
)
def test_valid_isrcs(code: str) -> None:
    assert isrc_problem(code) is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("USRC1760783", "11 characters"),
        ("USRC176078390", "13 characters"),
        ("usrc17607839", "lower-case"),
        ("1SRC17607839", "country code"),
        ("US-R_1-76-07839", "registrant"),
        ("USRC1760783X", "digits"),
        ("USRC1-76-07839", "hyphens"),
    ],
)
def test_invalid_isrcs(code: str, why: str) -> None:
    problem = isrc_problem(code)
    assert problem is not None
    assert why in problem


def test_isrc_compact_is_the_cue_form() -> None:
    assert isrc_compact("US-RC1-76-07839") == "USRC17607839"


@pytest.mark.parametrize(
    "code",
    [
        "4006381333931",  # EAN-13 of a STABILO pen (GS1's and Wikipedia's example)
        "036000291452",  # UPC-A of Wrigley's gum (the usual UPC example)
        "0036000291452",  # the same UPC as a 13-digit CUE CATALOG
        "9780306406157",  # ISBN-13 as EAN (Bookland)
    ],
)
def test_valid_gtins(code: str) -> None:
    assert gtin_problem(code) is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("4006381333932", "check digit is 2, expected 1"),
        ("036000291453", "check digit is 3, expected 2"),
        ("9780306406158", "expected 7"),
        ("40063813339", "12 digits"),
        ("400638133393X", "13 digits"),
    ],
)
def test_invalid_gtins(code: str, why: str) -> None:
    problem = gtin_problem(code)
    assert problem is not None
    assert why in problem


def test_check_digit_by_hand() -> None:
    # 036000291452: odd positions (from the left, 1-based) 0+6+0+2+1+5 = 14, x3 = 42;
    # even 3+0+0+9+4 = 16; 42 + 16 = 58; 10 - 8 = 2.
    assert gtin_check_digit("03600029145") == 2
