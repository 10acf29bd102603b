"""ReaperDialect against REAPER's stock ``Default.ReaperOSC``, parsed from the repository's copy.

Sending: every message the dialect can build (default options) is an instance of
a pattern of the file, with the argument type that pattern's flag wants.
Feedback: for every pattern REAPER sends for the values the dialect decodes, a
datagram with REAPER's wire types (float32 for ``n``/``b``/``t``/``f``) decodes to
the right update, or deliberately to nothing; every address the decoder
understands is a pattern of the file; garbage decodes to nothing, never an
exception. The text formats of volume, pan and width round-trip.

REAPER behaviour cited from its OSC surface source (``csurf_osc.cpp``, REAPER SDK
7.74): pan text ``"C"``/``"35%L"`` (``mkpanstr``), width text ``"%.0fW"``,
master feedback only on ``MASTER_*`` patterns, dB feedback floored at -150.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythonosc.osc_message import OscMessage

from bridge.dialects.base import MASTER, TrackId, Update, Value
from bridge.dialects.reaper import (
    RENDER_ACTION,
    ReaperDialect,
    format_db,
    format_pan,
    format_width,
    parse_db,
    parse_pan,
)
from bridge.errors import BridgeError, UnsupportedError
from bridge.osc.message import Message
from tests.bridge.reaper_patterns import (
    DEFAULT_FILE,
    FLAGS,
    Pattern,
    device_args_fit,
    load,
    parse,
    wire_args,
)

DEFAULT = load()
MD5 = "2dc810bf60f6fbd3bac55ceb4b60e581"  # from tests/data/Default.ReaperOSC.md

SEND_DB_LINE = "TRACK_SEND_VOLUME f/track/@/send/@/volume/db"
"""The custom line ``send_db_pattern=True`` documents as needed."""


def fill(address: str, *numbers: int) -> str:
    """Replace each ``@`` of a pattern address by the next number."""
    parts = address.split("@")
    assert len(parts) == len(numbers) + 1, (address, numbers)
    out = parts[0]
    for number, part in zip(numbers, parts[1:], strict=True):
        out += f"{number}{part}"
    return out


def through_the_wire(
    address: str, types: str, args: Sequence[float | str]
) -> tuple[str, list[object]]:
    """What python-osc hands the decoder for a datagram with these wire types."""
    parsed = OscMessage(Message(address, tuple(args), types).encode())
    return parsed.address, list(parsed.params)


# ---- the copy and the parser ----


def test_the_copy_is_verbatim_and_has_its_provenance() -> None:
    data = DEFAULT_FILE.read_bytes()
    assert hashlib.md5(data).hexdigest() == MD5
    assert len(data) == 24_213
    assert b"\r\n" not in data
    provenance = DEFAULT_FILE.with_name("Default.ReaperOSC.md").read_text(encoding="utf-8")
    assert MD5 in provenance
    assert "b7fb96548bfda95ff25835796f200aaf7ed18436" in provenance


def test_parser_reads_settings_and_patterns_of_the_stock_file() -> None:
    assert DEFAULT.settings["DEVICE_TRACK_COUNT"] == "8"
    assert DEFAULT.settings["DEVICE_MARKER_COUNT"] == "0"
    assert DEFAULT.settings["DEVICE_EQ"] == "INSERT"
    assert DEFAULT.settings["DEVICE_ROTARY_CENTER"] == "0"
    assert DEFAULT.settings["REAPER_TRACK_FOLLOWS"] == "REAPER"
    assert {p.flag for p in DEFAULT.patterns} <= FLAGS
    volume = [(p.flag, p.address) for p in DEFAULT.action("TRACK_VOLUME")]
    assert volume == [
        ("n", "/track/volume"),
        ("n", "/track/@/volume"),
        ("s", "/track/volume/str"),
        ("s", "/track/@/volume/str"),
        ("f", "/track/volume/db"),
        ("f", "/track/@/volume/db"),
    ]
    # A DEVICE_* line may hold patterns, not a setting.
    assert [p.address for p in DEFAULT.action("DEVICE_TRACK_COUNT")] == [
        "/device/track/count",
        "/device/track/count/@",
    ]
    assert "/master/volume/db" not in {p.address for p in DEFAULT.patterns}


@pytest.mark.parametrize(
    ("address", "matches"),
    [
        ("/track/12/volume/db", True),
        ("/track/0/volume/db", True),
        ("/track/x/volume/db", False),
        ("/track//volume/db", False),
        ("/track/1/volume/db/", False),
        ("/track/1,2/volume/db", False),  # REAPER's comma lists are not modelled
    ],
)
def test_an_at_sign_matches_one_decimal_number(address: str, matches: bool) -> None:
    (pattern,) = [p for p in DEFAULT.action("TRACK_VOLUME") if p.address == "/track/@/volume/db"]
    assert pattern.matches(address) is matches


def test_parser_refuses_a_token_that_is_no_pattern() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse("# comment\nTRACK_VOLUME x/track/@/volume\n")
    with pytest.raises(ValueError, match="line 1"):
        parse("TRACK_VOLUME track/@/volume\n")
    custom = parse("DEVICE_TRACK_COUNT 16\n# TRACK_MUTE b/x\nTRACK_MUTE b/t/@/m t/t/@/m/toggle\n")
    assert custom.settings == {"DEVICE_TRACK_COUNT": "16"}
    assert [(p.flag, p.address, p.line) for p in custom.patterns] == [
        ("b", "/t/@/m", 3),
        ("t", "/t/@/m/toggle", 3),
    ]


@pytest.mark.parametrize(
    ("flag", "types", "args", "fits"),
    [
        ("f", "f", (1.5,), True),
        ("n", "f", (0.5,), True),
        ("n", "i", (1,), False),
        ("f", "d", (1.5,), False),
        ("b", "i", (1,), True),
        ("b", "i", (0,), True),
        ("b", "i", (2,), False),
        ("b", "f", (1.0,), False),
        ("b", "", (), False),
        ("t", "", (), True),
        ("t", "i", (1,), True),
        ("t", "i", (0,), False),
        ("i", "i", (42230,), True),
        ("i", "f", (42230.0,), False),
        ("s", "s", ("x",), True),
        ("s", "i", (1,), False),
        ("r", "f", (1.0,), False),
    ],
)
def test_device_argument_rules(
    flag: str, types: str, args: tuple[float | str, ...], fits: bool
) -> None:
    assert device_args_fit(flag, types, args) is fits


# ---- everything the dialect sends ----

TRACKS: tuple[TrackId, ...] = (1, 2, 17, MASTER)
SET_VALUES: dict[str, tuple[Value, ...]] = {
    "volume_db": (-math.inf, -200.0, -150.0, -60.5, -6, 0.0, 6.02, 24.0),
    "pan": (-1.0, -0.35, 0, 0.5, 1),
    "width": (-1.0, 0.0, 0.5, 1),
    "mute": (True, False, 0, 1),
    "solo": (True, False),
    "rec_arm": (True, False),
    "name": ("Vocals", "", "Überblende 2"),
    "fx/1/param/1": (0.0, 0.25, 1),
    "fx/8/param/16": (0.5,),
}
QUERY_PARAMS = (*SET_VALUES, "fx/2/name", "fx/2/param/5/name", "send/1/level_db")
MASTER_PARAMS = {"volume_db", "pan"}  # "master volume", "master pan" in the capabilities
TRANSPORT: tuple[tuple[str, float | str | None], ...] = (
    ("play", None),
    ("stop", None),
    ("record", None),
    ("locate", 12.5),
    ("locate", 0),
    ("locate", None),
    ("render", None),
    ("goto_marker", 3),
    ("goto_marker", "2"),
)


def sendable(dialect: ReaperDialect) -> Iterator[tuple[str, Message]]:
    """Every message the dialect can build, labelled with the call that built it."""
    for m in dialect.hello():
        yield "hello()", m
    for m in dialect.keepalive():
        yield "keepalive()", m
    for target in TRACKS:
        for param, values in SET_VALUES.items():
            if target == MASTER and param not in MASTER_PARAMS:
                continue
            for value in values:
                for m in dialect.set(target, param, value):
                    yield f"set({target!r}, {param!r}, {value!r})", m
        for param in QUERY_PARAMS:
            for m in dialect.query(target, param):
                yield f"query({target!r}, {param!r})", m
    for op, value in TRANSPORT:
        for m in dialect.transport(op, value):
            yield f"transport({op!r}, {value!r})", m


def nonconforming(messages: Iterator[tuple[str, Message]], patterns: list[Pattern]) -> list[str]:
    """Messages that match no pattern, or match only with the wrong argument types."""
    bad = []
    for label, m in messages:
        matched = [p for p in patterns if p.matches(m.address)]
        if not any(device_args_fit(p.flag, m.types, m.args) for p in matched):
            found = ", ".join(map(str, matched)) or "no pattern"
            bad.append(f"{label}: {m.address} {m.types!r} {m.args!r} -> {found}")
    return bad


def test_every_message_the_dialect_sends_matches_a_stock_pattern_with_its_type() -> None:
    messages = list(sendable(ReaperDialect()))
    assert len(messages) >= 120  # 8 greetings, 109 sets, 3 queries, 9 transport messages
    assert nonconforming(iter(messages), list(DEFAULT.patterns)) == []


def test_the_dialect_uses_exactly_these_reaper_actions() -> None:
    used = {
        p.action
        for _, m in sendable(ReaperDialect())
        for p in DEFAULT.match(m.address)
        if device_args_fit(p.flag, m.types, m.args)
    }
    assert used == {
        "DEVICE_TRACK_COUNT",
        "DEVICE_FX_COUNT",
        "DEVICE_FX_PARAM_COUNT",
        "DEVICE_MARKER_COUNT",
        "DEVICE_TRACK_BANK_SELECT",
        "DEVICE_TRACK_SELECT",
        "ACTION",
        "TRACK_VOLUME",
        "TRACK_PAN",
        "TRACK_PAN2",
        "TRACK_MUTE",
        "TRACK_SOLO",
        "TRACK_REC_ARM",
        "TRACK_NAME",
        "FX_PARAM_VALUE",
        "PLAY",
        "STOP",
        "RECORD",
        "TIME",
        "GOTO_MARKER",
    }


def test_the_checker_catches_a_wrong_type() -> None:
    """A float where REAPER wants a 0/1 int, and an unknown address, are reported."""
    wrong = iter(
        [
            ("mute as float", Message("/track/1/mute", (1.0,), "f")),
            ("unknown", Message("/track/1/volume/dB", (1.0,), "f")),
        ]
    )
    assert len(nonconforming(wrong, list(DEFAULT.patterns))) == 2


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("width", 0.5),
        ("mute", True),
        ("solo", True),
        ("rec_arm", False),
        ("name", "Bus"),
        ("fx/1/param/1", 0.5),
    ],
)
def test_master_params_reaper_cannot_set_are_refused_naming_reaper(
    param: str, value: Value
) -> None:
    with pytest.raises(UnsupportedError) as err:
        ReaperDialect().set(MASTER, param, value)
    assert err.value.daw == "REAPER"
    assert "REAPER" in str(err.value)


def test_master_volume_and_pan_go_to_track_zero() -> None:
    dialect = ReaperDialect()
    assert dialect.set(MASTER, "volume_db", -3.0) == [Message("/track/0/volume/db", (-3.0,), "f")]
    assert dialect.set(MASTER, "pan", 0.5) == [Message("/track/0/pan", (0.75,), "f")]


def test_buttons_are_int_zero_or_one_and_triggers_have_no_argument() -> None:
    dialect = ReaperDialect()
    assert dialect.set(2, "mute", True) == [Message("/track/2/mute", (1,), "i")]
    assert dialect.set(2, "rec_arm", 0) == [Message("/track/2/recarm", (0,), "i")]
    assert dialect.transport("play") == [Message("/play")]
    assert dialect.transport("render") == [Message("/action", (RENDER_ACTION,), "i")]
    assert dialect.set(1, "volume_db", -math.inf) == [Message("/track/1/volume/db", (-150.0,), "f")]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("pan", 1.5),
        ("pan", math.nan),
        ("volume_db", math.nan),
        ("volume_db", 24.5),
        ("mute", 2),
        ("mute", "yes"),
        ("name", None),
        ("name", 3.0),
        ("fx/x/param/1", 0.5),
        ("fx/1/param/0", 0.5),
        ("fx/1/param/1", 1.5),
        ("bogus", 1.0),
    ],
)
def test_bad_values_raise_bridge_errors_not_messages(param: str, value: Value) -> None:
    with pytest.raises(BridgeError):
        ReaperDialect().set(1, param, value)


def test_add_marker_is_unsupported_naming_reaper() -> None:
    with pytest.raises(UnsupportedError) as err:
        ReaperDialect().transport("add_marker", "Verse")
    assert err.value.daw == "REAPER"


def test_send_levels_need_the_extra_pattern_which_the_stock_file_lacks() -> None:
    with pytest.raises(UnsupportedError) as err:
        ReaperDialect().set(1, "send/1/level_db", -6.0)
    assert err.value.daw == "REAPER"
    assert SEND_DB_LINE in str(err.value)
    quoted = re.search(r"'(TRACK_SEND_VOLUME [^']+)'", str(err.value))
    assert quoted is not None

    dialect = ReaperDialect(send_db_pattern=True)
    messages = [
        (f"set({t}, send/{s}/level_db, {v})", m)
        for t in (1, 17)
        for s in (1, 4)
        for v in (-math.inf, -12.5, 0.0, 6.0)
        for m in dialect.set(t, f"send/{s}/level_db", v)
    ]
    assert [m.address for _, m in messages[:2]] == ["/track/1/send/1/volume/db"] * 2
    assert messages[0][1].args == (-150.0,)
    # Absent from the stock file: the option is needed ...
    assert len(nonconforming(iter(messages), list(DEFAULT.patterns))) == len(messages)
    # ... and the documented line is exactly what makes them conform.
    custom = DEFAULT.plus(quoted.group(1))
    assert nonconforming(iter(messages), list(custom.patterns)) == []


# ---- feedback ----


@dataclass(frozen=True)
class Feedback:
    """One stock feedback pattern, a value REAPER would send on it, and its expected decoding.

    ``expect`` None means the dialect deliberately ignores the pattern (``why``).
    ``max_tolerance`` bounds the decoded update's tolerance, which must also
    cover the difference between the decoded and the true value.
    """

    pattern: str
    numbers: tuple[int, ...]
    wire: float | str
    expect: Update | None
    max_tolerance: float = 0.0
    why: str = ""
    select: str | None = None


SELECTED = "selected-track variant (/track/number/str); the numbered pattern carries the value"
FADER = "fader position: REAPER's slider curve is unpublished, so it is never computed"
STATE_ON_B = "the b pattern carries the state"

FEEDBACK: tuple[Feedback, ...] = (
    # TRACK_VOLUME
    Feedback("n/track/volume", (), 0.716, None, why=SELECTED),
    Feedback("n/track/@/volume", (3,), 0.716, None, why=FADER),
    Feedback("s/track/volume/str", (), "-6.30dB", None, why=SELECTED),
    Feedback("s/track/@/volume/str", (3,), "-6.30dB", Update(3, "volume_db", -6.3), 0.005),
    Feedback("f/track/volume/db", (), -6.3, None, why=SELECTED),
    Feedback("f/track/@/volume/db", (3,), -6.3, Update(3, "volume_db", -6.3), 1e-5),
    # TRACK_PAN (REAPER: n = (pan + 1) / 2, text from mkpanstr)
    Feedback("n/track/pan", (), 0.35, None, why=SELECTED),
    Feedback("n/track/@/pan", (3,), 0.35, Update(3, "pan", -0.3), 1e-6),
    Feedback("s/track/pan/str", (), "30%L", None, why=SELECTED),
    Feedback("s/track/@/pan/str", (3,), "30%L", Update(3, "pan", -0.3), 0.005),
    # TRACK_PAN2 (width, "%.0fW")
    Feedback("n/track/pan2", (), 0.8, None, why=SELECTED),
    Feedback("n/track/@/pan2", (3,), 0.8, Update(3, "width", 0.6), 1e-6),
    Feedback("s/track/pan2/str", (), "60W", None, why=SELECTED),
    Feedback("s/track/@/pan2/str", (3,), "60W", Update(3, "width", 0.6), 0.005),
    # TRACK_MUTE / SOLO / REC_ARM (b and t feedback is float32 0.0/1.0)
    Feedback("b/track/mute", (), 1.0, None, why=SELECTED),
    Feedback("b/track/@/mute", (3,), 1.0, Update(3, "mute", True)),
    Feedback("t/track/mute/toggle", (), 1.0, None, why=STATE_ON_B),
    Feedback("t/track/@/mute/toggle", (3,), 1.0, None, why=STATE_ON_B),
    Feedback("b/track/solo", (), 1.0, None, why=SELECTED),
    Feedback("b/track/@/solo", (3,), 1.0, Update(3, "solo", True)),
    Feedback("t/track/solo/toggle", (), 1.0, None, why=STATE_ON_B),
    Feedback("t/track/@/solo/toggle", (3,), 1.0, None, why=STATE_ON_B),
    Feedback("b/track/recarm", (), 1.0, None, why=SELECTED),
    Feedback("b/track/@/recarm", (3,), 1.0, Update(3, "rec_arm", True)),
    Feedback("t/track/recarm/toggle", (), 1.0, None, why=STATE_ON_B),
    Feedback("t/track/@/recarm/toggle", (3,), 1.0, None, why=STATE_ON_B),
    # TRACK_NAME
    Feedback("s/track/name", (), "Vocals", None, why=SELECTED),
    Feedback("s/track/@/name", (3,), "Vocals", Update(3, "name", "Vocals")),
    # MASTER_VOLUME / MASTER_PAN (master feedback comes only on MASTER_* patterns)
    Feedback("n/master/volume", (), 0.716, None, why=FADER),
    Feedback("s/master/volume/str", (), "+1.50dB", Update(MASTER, "volume_db", 1.5), 0.005),
    Feedback("n/master/pan", (), 0.75, Update(MASTER, "pan", 0.5), 1e-6),
    Feedback("s/master/pan/str", (), "50%R", Update(MASTER, "pan", 0.5), 0.005),
    # FX_NAME
    Feedback("s/fx/name", (), "ReaEQ", None, why="the device-selected FX, not numbered"),
    Feedback("s/fx/@/name", (2,), "ReaEQ", None, why=SELECTED),
    Feedback("s/track/@/fx/@/name", (3, 2), "ReaEQ", Update(3, "fx/2/name", "ReaEQ")),
    # FX_PARAM_VALUE
    Feedback("n/fxparam/@/value", (5,), 0.3, None, why="the device-selected FX"),
    Feedback("n/fx/@/fxparam/@/value", (2, 5), 0.3, None, why=SELECTED),
    Feedback(
        "n/track/@/fx/@/fxparam/@/value", (3, 2, 5), 0.3, Update(3, "fx/2/param/5", 0.3), 1e-6
    ),
    Feedback("s/fxparam/@/value/str", (5,), "-3.0 dB", None, why="plug-in's own text"),
    Feedback("s/fx/@/fxparam/@/value/str", (2, 5), "-3.0 dB", None, why="plug-in's own text"),
    # FX_PARAM_NAME: only for the device-selected track, which /track/number/str names
    Feedback("s/fxparam/@/name", (5,), "Gain", None, why="the device-selected FX", select="3"),
    Feedback(
        "s/fx/@/fxparam/@/name",
        (2, 5),
        "Gain",
        Update(3, "fx/2/param/5/name", "Gain"),
        select="3",
    ),
    # TRACK_SEND_VOLUME (text only: the n fader has the unpublished curve)
    Feedback("n/track/send/@/volume", (1,), 0.716, None, why=SELECTED),
    Feedback("n/track/@/send/@/volume", (3, 1), 0.716, None, why=FADER),
    Feedback("s/track/send/@/volume/str", (1,), "-12.00dB", None, why=SELECTED),
    Feedback(
        "s/track/@/send/@/volume/str",
        (3, 1),
        "-12.00dB",
        Update(3, "send/1/level_db", -12.0),
        0.005,
    ),
    # MASTER_SEND_VOLUME (the master's hardware sends)
    Feedback("n/master/send/@/volume", (1,), 0.716, None, why=FADER),
    Feedback(
        "s/master/send/@/volume/str",
        (1,),
        "-3.00dB",
        Update(MASTER, "send/1/level_db", -3.0),
        0.005,
    ),
    # TIME, PLAY, RECORD
    Feedback("f/time", (), 61.25, Update(None, "position_s", 61.25)),
    Feedback("s/time/str", (), "1:01.250", None, why="the f pattern carries the value"),
    Feedback("t/play", (), 1.0, Update(None, "playing", True)),
    Feedback("t/record", (), 1.0, Update(None, "recording", True)),
    # MARKER_NAME / MARKER_TIME
    Feedback("s/marker/@/name", (4,), "Chorus", Update(None, "marker/4/name", "Chorus")),
    Feedback("f/marker/@/time", (4,), 61.25, Update(None, "marker/4/time_s", 61.25)),
    # State the decoder keeps: the selected track, the pan mode
    Feedback("s/track/number/str", (), "3", None, why="selects the track (tested below)"),
    Feedback("s/track/@/number/str", (3,), "3", None, why="the number is the address"),
    Feedback("s/track/panmode", (), "Stereo pan", None, why=SELECTED),
    Feedback("s/track/@/panmode", (3,), "Dual pan", None, why="pan mode (tested below)"),
)

FEEDBACK_ACTIONS = (
    "TRACK_VOLUME",
    "TRACK_PAN",
    "TRACK_PAN2",
    "TRACK_MUTE",
    "TRACK_SOLO",
    "TRACK_REC_ARM",
    "TRACK_NAME",
    "MASTER_VOLUME",
    "MASTER_PAN",
    "FX_NAME",
    "FX_PARAM_VALUE",
    "FX_PARAM_NAME",
    "TRACK_SEND_VOLUME",
    "MASTER_SEND_VOLUME",
    "TIME",
    "PLAY",
    "RECORD",
    "MARKER_NAME",
    "MARKER_TIME",
    "TRACK_NUMBER",
    "TRACK_PAN_MODE",
)


def _flag_address(case: Feedback) -> tuple[str, str]:
    return case.pattern[0], case.pattern[1:]


def decode_feedback(case: Feedback, dialect: ReaperDialect | None = None) -> list[object]:
    """Send the case through a real datagram with REAPER's wire types and decode it."""
    dialect = ReaperDialect() if dialect is None else dialect
    if case.select is not None:
        assert dialect.decode("/track/number/str", [case.select]) == []
    flag, pattern = _flag_address(case)
    types, args = wire_args(flag, case.wire)
    address, params = through_the_wire(fill(pattern, *case.numbers), types, args)
    return list(dialect.decode(address, params))


def test_the_feedback_table_covers_every_stock_pattern_of_the_decoded_actions() -> None:
    stock = {f"{p.flag}{p.address}" for a in FEEDBACK_ACTIONS for p in DEFAULT.action(a)}
    table = [case.pattern for case in FEEDBACK]
    assert len(table) == len(set(table))
    assert set(table) == stock


@pytest.mark.parametrize("case", FEEDBACK, ids=[c.pattern for c in FEEDBACK])
def test_stock_feedback_decodes_to_the_right_update(case: Feedback) -> None:
    got = decode_feedback(case)
    if case.expect is None:
        assert case.why
        assert got == []
        return
    assert len(got) == 1
    (update,) = got
    assert isinstance(update, Update)
    assert (update.target, update.param) == (case.expect.target, case.expect.param)
    expected = case.expect.value
    if isinstance(expected, bool) or not isinstance(expected, float):
        assert update.value == expected
        assert type(update.value) is type(expected)
    else:
        assert isinstance(update.value, float)
        # The tolerance must cover REAPER's rounding (float32, 2-decimal text) ...
        assert abs(update.value - expected) <= update.tolerance
        # ... and stay tight.
        assert update.tolerance <= case.max_tolerance


@pytest.mark.parametrize(
    ("address", "wire", "param", "value"),
    [
        ("/track/3/mute", 0.0, "mute", False),
        ("/track/3/solo", 0.0, "solo", False),
        ("/track/3/recarm", 0.0, "rec_arm", False),
        ("/play", 0.0, "playing", False),
        ("/record", 0.0, "recording", False),
        ("/track/3/volume/db", -150.0, "volume_db", -math.inf),
        ("/track/3/volume/str", "-inf dB", "volume_db", -math.inf),
        ("/master/volume/str", "-inf dB", "volume_db", -math.inf),
        ("/track/3/pan/str", "C", "pan", 0.0),
        ("/track/3/pan2/str", "-100W", "width", -1.0),
        ("/track/3/name", "", "name", ""),
    ],
)
def test_off_states_floors_and_edge_texts(
    address: str, wire: float | str, param: str, value: Value
) -> None:
    types, args = wire_args("s" if isinstance(wire, str) else "f", wire)
    (update,) = ReaperDialect().decode(*through_the_wire(address, types, args))
    assert isinstance(update, Update)
    assert update.param == param
    assert update.value == value
    assert type(update.value) is type(value)


def test_fx_param_names_need_a_selected_track_and_follow_it() -> None:
    dialect = ReaperDialect()
    assert dialect.decode("/fx/2/fxparam/5/name", ["Gain"]) == []  # no track selected yet
    assert dialect.query(3, "fx/2/param/5/name") == [Message("/device/track/select", (3,), "i")]
    assert dialect.decode("/track/number/str", ["3"]) == []
    assert dialect.decode("/fx/2/fxparam/5/name", ["Gain"]) == [
        Update(3, "fx/2/param/5/name", "Gain")
    ]
    dialect.decode("/track/number/str", ["0"])  # REAPER's number of the master
    assert dialect.decode("/fx/1/fxparam/1/name", ["Ceiling"]) == [
        Update(MASTER, "fx/1/param/1/name", "Ceiling")
    ]
    for garbage in ("", "x", "²", "1.5", "-1", "9" * 400):
        dialect.decode("/track/number/str", [garbage])
        assert dialect.decode("/fx/2/fxparam/5/name", ["Gain"]) == [], garbage


def test_pan2_is_not_a_width_in_dual_pan_mode() -> None:
    dialect = ReaperDialect()
    assert dialect.decode("/track/3/panmode", ["Dual pan"]) == []
    assert dialect.decode("/track/3/pan2", [0.75]) == []  # the right channel's pan
    assert dialect.decode("/track/3/pan2/str", ["50%R"]) == []
    assert dialect.decode("/track/4/pan2", [0.75]) == [Update(4, "width", 0.5, 1e-6)]
    # REAPER sends pan2 as width in every other mode, balance included.
    dialect.decode("/track/3/panmode", ["Balance"])
    assert dialect.decode("/track/3/pan2", [0.75]) == [Update(3, "width", 0.5, 1e-6)]


def _heads_and_tails() -> tuple[set[str], set[str]]:
    """Namespaces of the stock addresses (``master``, ``track/@``, ``track/@/fx/@``) and
    every tail that follows a segment (``volume/db``, ``fx/@/name``)."""
    heads, tails = {""}, set()
    for p in DEFAULT.patterns:
        parts = p.address.strip("/").split("/")
        for i in range(len(parts)):
            head, tail = "/".join(parts[:i]), "/".join(parts[i:])
            if i == 1 or head.endswith("@"):
                heads.add(head)
            if not tail.startswith("@"):
                tails.add(tail)
    return heads, tails


PROBE_ARGS: tuple[float | str, ...] = (0.5, 1.0, -6.0, "-6.00dB", "30%L", "60W", "Vox", "3")


def test_every_address_the_decoder_understands_is_a_stock_pattern_of_the_right_type() -> None:
    """Probe every stock address, and every splice of a stock head onto a stock tail.

    Splices find addresses REAPER's stock file never sends (``/master/volume/db``,
    ``/master/mute``); decoding them would make the bridge rely on a custom file.
    """
    heads, tails = _heads_and_tails()
    candidates = {
        re.sub("@", "3", "/" + "/".join(x for x in (head, tail) if x))
        for head in heads
        for tail in tails
    }
    assert {"/master/volume/db", "/master/mute", "/master/fx/3/name"} <= candidates
    understood, wrong = 0, []
    for address in sorted(candidates):
        dialect = ReaperDialect()
        dialect.decode("/track/number/str", ["3"])
        for arg in PROBE_ARGS:
            if not dialect.decode(address, [arg]):
                continue
            understood += 1
            want = "s" if isinstance(arg, str) else "nfbt"
            if not any(p.flag in want for p in DEFAULT.match(address)):
                wrong.append(f"{address} {arg!r}")
    assert wrong == []
    assert understood >= 25  # the probe reached the decoder's vocabulary


# ---- garbage ----

NUMERIC = [c for c in FEEDBACK if c.expect is not None and c.pattern[0] in "nbtf"]
TEXTUAL = [c for c in FEEDBACK if c.expect is not None and c.pattern[0] == "s"]
PARSED_TEXT = [c for c in TEXTUAL if c.pattern.endswith("/str")]

non_numbers = st.one_of(
    st.none(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.text(max_size=12),
)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
huge = st.one_of(
    st.floats(min_value=1e6, allow_infinity=False),
    st.floats(max_value=-1e6, allow_infinity=False),
    st.integers(min_value=2**64),
    st.integers(max_value=-(2**64)),
)
outside_unit = st.one_of(
    st.floats(min_value=1.0, exclude_min=True, allow_nan=False),
    st.floats(max_value=0.0, exclude_max=True, allow_nan=False),
    huge,
)
garbage_text = st.text(alphabet="xyzé!?_ -", max_size=12)


def _decode_args(case: Feedback, args: list[object]) -> list[object]:
    dialect = ReaperDialect()
    if case.select is not None:
        dialect.decode("/track/number/str", [case.select])
    return list(dialect.decode(fill(case.pattern[1:], *case.numbers), args))


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(NUMERIC), data=st.data())
def test_numeric_feedback_with_garbage_decodes_to_nothing(
    case: Feedback, data: st.DataObject
) -> None:
    garbage = [non_numbers, non_finite]
    if case.pattern[0] in "nbt":
        garbage.append(outside_unit)  # normalised values live in 0..1
    elif case.expect is not None and case.expect.param == "volume_db":
        # Above +150 dB is no mixer state (very low values are -inf: REAPER floors at -150).
        garbage.append(st.floats(min_value=150.0, exclude_min=True) | st.integers(min_value=151))
    arg = data.draw(st.one_of(garbage))
    assert _decode_args(case, [arg]) == []
    assert _decode_args(case, []) == []  # a missing argument


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(TEXTUAL), data=st.data())
def test_text_feedback_with_garbage_decodes_to_nothing(case: Feedback, data: st.DataObject) -> None:
    garbage: list[st.SearchStrategy[object]] = [
        st.none(),
        st.binary(max_size=8),
        st.integers(),
        st.floats(),
    ]
    if case in PARSED_TEXT:
        garbage += [garbage_text, st.sampled_from(["nan dB", "1e3dB", "+999dB", "9" * 400 + "dB"])]
    arg = data.draw(st.one_of(garbage))
    assert _decode_args(case, [arg]) == []
    assert _decode_args(case, []) == []


STOCK_ADDRESSES = sorted({re.sub("@", "3", p.address) for p in DEFAULT.patterns})
any_arg = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**1100),  # beyond float: float(n) raises OverflowError
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=8),
    st.lists(st.floats(), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(
    address=st.one_of(st.sampled_from(STOCK_ADDRESSES), st.text(max_size=30)),
    args=st.lists(any_arg, max_size=3),
    selected=st.one_of(
        st.none(), st.text(max_size=5), st.sampled_from(["0", "3", "²", "١٢", "9" * 400])
    ),
)
def test_decode_never_raises_and_only_yields_sane_values(
    address: str, args: list[object], selected: str | None
) -> None:
    dialect = ReaperDialect()
    if selected is not None:
        dialect.decode("/track/number/str", [selected])
    for item in dialect.decode(address, args):
        assert isinstance(item, Update)
        value = item.value
        if isinstance(value, float):
            assert not math.isnan(value)
            assert value == -math.inf or math.isfinite(value)
        if item.param == "volume_db" or item.param.endswith("level_db"):
            assert isinstance(value, float)
            assert value == -math.inf or -150.0 < value <= 150.0
        if item.param in ("pan", "width"):
            assert isinstance(value, float)
            assert -1.0 <= value <= 1.0


# ---- text formats ----


@given(st.floats(min_value=-150.0, max_value=24.0))
def test_db_text_round_trips_to_a_hundredth(db: float) -> None:
    parsed = parse_db(format_db(db))
    assert parsed is not None
    assert abs(parsed - db) <= 0.005 + 1e-9  # two decimals, as REAPER prints them


@pytest.mark.parametrize("db", [-math.inf, -150.01, -1e9])
def test_db_text_below_the_floor_is_minus_infinity(db: float) -> None:
    assert format_db(db) == "-inf dB"
    assert parse_db(format_db(db)) == -math.inf


@pytest.mark.parametrize(
    ("text", "db"),
    [
        ("-6.00dB", -6.0),
        ("+0.00dB", 0.0),
        ("-6.02 dB", -6.02),
        (" -inf dB ", -math.inf),
        ("-INF DB", -math.inf),
        ("12dB", 12.0),
        ("dB", None),
        ("6", None),
        ("nan dB", None),
        ("1e3dB", None),
        ("-6.00 dB extra", None),
        ("", None),
    ],
)
def test_parse_db(text: str, db: float | None) -> None:
    assert parse_db(text) == db


@given(st.floats(min_value=-1.0, max_value=1.0))
def test_pan_text_round_trips_to_a_percent(pan: float) -> None:
    parsed = parse_pan(format_pan(pan))
    assert parsed is not None
    assert abs(parsed - pan) <= 0.005 + 1e-9  # whole percent


@pytest.mark.parametrize(
    ("text", "pan"),
    [
        ("C", 0.0),  # what REAPER's OSC sends for centre
        ("center", 0.0),
        ("35%L", -0.35),
        ("100%R", 1.0),
        (" 5%L", -0.05),
        ("35%", None),
        ("L", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_pan(text: str, pan: float | None) -> None:
    assert parse_pan(text) == pan


def test_width_text_is_reapers_percent_w() -> None:
    assert format_width(0.6) == "60W"
    assert format_width(-1.0) == "-100W"
    dialect = ReaperDialect()
    for width in (-1.0, -0.37, 0.0, 0.5, 1.0):
        (update,) = dialect.decode("/track/1/pan2/str", [format_width(width)])
        assert isinstance(update, Update)
        assert isinstance(update.value, float)
        assert abs(update.value - width) <= update.tolerance
    assert dialect.decode("/track/1/pan2/str", ["100%W"]) == [Update(1, "width", 1.0, 0.005)]
    assert dialect.decode("/track/1/pan2/str", ["60"]) == []
