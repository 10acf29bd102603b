"""REAPER's address parser, shared by the REAPER dialect and the virtual DAW's server."""

from __future__ import annotations

import pytest

from bridge.dialects.reaper import ReaperDialect
from bridge.dialects.reaper_addresses import TRACK_WORDS, build, parse_address


@pytest.mark.parametrize(
    "address",
    [
        "/track/1/send/@/volume/str",  # found by the osc_bridge fuzz target: IndexError
        "/track/1/fx/@/fxparam/@/value",
        "/track/1/fxeq/BAND/gain/db",
        "/master/send/@/volume/str",
        "/fx/@/fxparam/@/name",
    ],
)
def test_a_literal_placeholder_is_no_pattern(address: str) -> None:
    a = parse_address(address)
    assert a.scope == "session" or len(a.numbers) == a.word.count("@")
    assert ReaperDialect().decode(address, ["-6.00dB"]) == []


@pytest.mark.parametrize("word", sorted(TRACK_WORDS))
def test_every_word_builds_and_parses_back(word: str) -> None:
    numbers = tuple(range(2, 2 + word.count("@")))
    band = "band/3" if "BAND" in word else None
    a = parse_address(build(7, word, *numbers, band=band))
    assert (a.track, a.word, a.numbers, a.band) == (7, word, numbers, band)
