"""The one helper that makes outside text safe for a terminal (qc and bridge)."""

from __future__ import annotations

import pytest

from qc.printable import LINE_LIMIT, VALUE_LIMIT, printable, printable_line

HOSTILE = "\x1b[2J\x1b]0;pwned\x07"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, "\\x1b[2J\\x1b]0;pwned\\x07"),
        ("a\x9bb\x7fc", "a\\x9bb\\x7fc"),  # C1 CSI and DEL
        ("\u202eevil", "\\u202eevil"),  # bidi override
        ("line\u2028two\nthree", "line\\u2028two\\nthree"),
        ("Vocals [red]Lead[/red] é", "Vocals [red]Lead[/red] é"),
    ],
)
def test_control_characters_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_a_long_value_is_cut_with_the_count_dropped() -> None:
    out = printable("x" * 100_000)
    assert len(out) <= VALUE_LIMIT
    assert out.endswith("... (99823 more chars)")
    assert out.startswith("x" * 170)


def test_the_cut_counts_escapes_and_never_splits_one() -> None:
    out = printable("\x1b" * 1000, 40)
    assert len(out) <= 40
    assert out.split("...")[0] == "\\x1b" * (len(out.split("...")[0]) // 4)
    assert "\x1b" not in out


def test_a_line_has_its_own_limit_and_short_text_is_untouched() -> None:
    assert len(printable_line("é" * 100_000)) <= LINE_LIMIT
    assert printable_line("y" * LINE_LIMIT) == "y" * LINE_LIMIT
    assert printable("z" * 500, None) == "z" * 500
