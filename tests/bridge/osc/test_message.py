"""Typed OSC messages: strict type inference; encoding checked against python-osc both ways."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from bridge.errors import OscError
from bridge.osc.message import Arg, Message, message

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
FLOAT32_MAX = struct.unpack(">f", b"\x7f\x7f\xff\xff")[0]

osc_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
)
osc_args = st.one_of(
    st.integers(*INT64),
    st.floats(width=32),  # every float32, NaN and infinities included
    st.floats(min_value=-FLOAT32_MAX, max_value=FLOAT32_MAX),
    osc_text,
)


def as_float32(x: float) -> float:
    return float(struct.unpack(">f", struct.pack(">f", x))[0])


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        (0, "i"),
        (1, "i"),
        (INT32[1], "i"),
        (INT32[0], "i"),
        (INT32[1] + 1, "h"),
        (INT32[0] - 1, "h"),
        (INT64[1], "h"),
        (INT64[0], "h"),
        (0.5, "f"),
        (-0.0, "f"),
        (math.inf, "f"),
        (math.nan, "f"),
        (FLOAT32_MAX, "f"),
        ("Vocals", "s"),
        ("", "s"),
    ],
)
def test_types_are_inferred_strictly(value: Arg, tag: str) -> None:
    assert message("/x", value).types == tag


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_is_refused_with_a_clear_error(value: bool) -> None:
    with pytest.raises(OscError, match=r"/track/1/mute: send 1 or 0, not (True|False)"):
        message("/track/1/mute", value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "cannot send NoneType"),
        (b"raw", "cannot send bytes"),
        ([1], "cannot send list"),
        (2**63, "64-bit"),
        (-(2**63) - 1, "64-bit"),
        (1e300, "float32"),
        (-3.5e38, "float32"),
        ("a\x00b", "NUL"),
    ],
)
def test_values_osc_cannot_carry_are_refused_at_build_time(value: object, words: str) -> None:
    with pytest.raises(OscError, match=words):
        message("/x", value)  # type: ignore[arg-type]


def test_message_checks_address_and_tags() -> None:
    with pytest.raises(OscError, match="must start with '/'"):
        message("track/1/mute", 1)
    with pytest.raises(OscError, match="type tags"):
        Message("/x", (1, 2), "i")
    with pytest.raises(OscError, match="type tags"):
        Message("/x", (1,), "T")


@pytest.mark.parametrize(
    ("msg", "words"),
    [
        (Message("/x", (2**31,), "i"), "cannot encode"),
        (Message("/x", (1e300,), "f"), "cannot encode"),
        (Message("/x", ("one",), "f"), "cannot encode"),
        (Message("/x", ("\udc80",), "s"), "cannot encode"),
    ],
)
def test_a_value_that_does_not_fit_its_tag_fails_to_encode_with_an_osc_error(
    msg: Message, words: str
) -> None:
    with pytest.raises(OscError, match=words):
        msg.encode()


@given(address=osc_text.map(lambda s: "/" + s), args=st.lists(osc_args, max_size=6))
def test_encode_round_trips_through_python_osc(address: str, args: list[Arg]) -> None:
    msg = message(address, *args)
    parsed = OscMessage(msg.encode())
    assert parsed.address == address
    got = parsed.params
    assert len(got) == len(args)
    for sent, value, tag in zip(args, got, msg.types, strict=True):
        if tag == "f":
            assert isinstance(sent, float)
            assert isinstance(value, float)
            expected = as_float32(sent)
            assert value == expected or (math.isnan(value) and math.isnan(expected))
        else:
            assert value == sent
            assert type(value) is type(sent)


@given(address=osc_text.map(lambda s: "/" + s), args=st.lists(osc_args, max_size=6))
def test_encode_is_byte_identical_to_python_osc_builder(address: str, args: list[Arg]) -> None:
    msg = message(address, *args)
    builder = OscMessageBuilder(address)
    for value, tag in zip(msg.args, msg.types, strict=True):
        builder.add_arg(value, tag)
    assert msg.encode() == builder.build().dgram


def test_double_and_explicit_tags_round_trip() -> None:
    msg = Message("/d", (0.1, 3, "s"), "dhs")
    assert OscMessage(msg.encode()).params == [0.1, 3, "s"]
    assert len(msg.encode()) % 4 == 0


def test_key_is_the_address_and_all_but_the_last_argument() -> None:
    assert message("/strip/gain", 3, -6.0).key == message("/strip/gain", 3, -3.0).key
    assert message("/strip/gain", 3, -6.0).key != message("/strip/gain", 4, -6.0).key
    assert message("/play").key == ("/play", ())
    assert message("/track/1/volume/db", -6.0).key == ("/track/1/volume/db", ())
