"""The AbletonOSC dialect: encoding, decoding, the fader curve, plugin scaling, one real UDP run.

Everything but the last test is pure: messages are built and parsed without a
socket. The last one drives :class:`~bridge.mixer.Mixer` over UDP against
:class:`FakeLive`, a minimal stand-in for Ableton Live + AbletonOSC (Live cannot
run here), which replies to a fixed port as AbletonOSC replies to 11001.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_bundle import OscBundle
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket
from pythonosc.osc_server import BlockingOSCUDPServer
from pythonosc.parsing import osc_types

from bridge.dialects import get_dialect
from bridge.dialects.ableton import (
    VOLUME_TOLERANCE_DB,
    AbletonDialect,
    db_to_live,
    live_to_db,
)
from bridge.dialects.base import MASTER, Decoded, TrackList, Update
from bridge.dialects.path import parse
from bridge.dialects.plugins import PluginList, PluginSpecs
from bridge.errors import BridgeError, UnsupportedError, ValueRangeError
from bridge.mixer import Mixer
from bridge.mixer.mirror import Mirror
from bridge.osc.message import Message
from bridge.osc.transport import pack_bundles
from tests.bridge import free_udp_port


@pytest.fixture
def live() -> AbletonDialect:
    return AbletonDialect()


def only_messages(items: Sequence[Decoded]) -> list[Message]:
    return [m for m in items if isinstance(m, Message)]


def only_updates(items: Sequence[Decoded]) -> list[Update]:
    return [u for u in items if isinstance(u, Update)]


def sent(msgs: Sequence[Message]) -> list[tuple[str, str]]:
    """``(address, type tags)`` of each message."""
    return [(m.address, m.types) for m in msgs]


# ---- description ----
def test_class_attributes_describe_abletonosc() -> None:
    assert AbletonDialect.name == "ableton"
    assert AbletonDialect.title == "Ableton Live (AbletonOSC)"
    assert (AbletonDialect.default_port, AbletonDialect.default_listen_port) == (11000, 11001)
    assert AbletonDialect.lists_tracks is True
    assert AbletonDialect.echoes_sets is True
    assert AbletonDialect.heartbeat_s is None
    assert not any(c.startswith("master") for c in AbletonDialect.capabilities)
    assert {"width", "render"}.isdisjoint(AbletonDialect.capabilities)


def test_the_registry_resolves_ableton() -> None:
    assert isinstance(get_dialect("Ableton"), AbletonDialect)


def test_messages_are_never_bundled(live: AbletonDialect) -> None:
    """Older AbletonOSC releases parse only plain messages."""
    datagrams = [m.encode() for m in live.hello()]
    packets = pack_bundles(datagrams, AbletonDialect.max_packet)
    assert packets == datagrams
    assert not any(p.startswith(b"#bundle") for p in packets)


def test_tracks_are_numbered_from_1_and_indexed_from_0(live: AbletonDialect) -> None:
    assert [live.track_key(n) for n in (1, 2, 10)] == [0, 1, 9]
    assert [live.track_number(k) for k in (0, 1, 9)] == [1, 2, 10]
    with pytest.raises(BridgeError, match="from 1"):
        live.track_key(0)


# ---- hello and the track list ----
def test_hello_asks_for_names_and_starts_song_listeners(live: AbletonDialect) -> None:
    msgs = live.hello()
    addresses = [m.address for m in msgs]
    assert all(m.args == () for m in msgs)
    assert addresses.index("/live/song/get/tempo") < addresses.index("/live/song/get/track_names")
    assert {
        "/live/song/get/track_names",
        "/live/song/get/tempo",
        "/live/song/get/is_playing",
        "/live/song/start_listen/is_playing",
        "/live/song/start_listen/tempo",
        "/live/song/start_listen/current_song_time",
        "/live/song/start_listen/beat",
        "/live/song/start_listen/record_mode",
    } <= set(addresses)


def test_track_names_give_a_0_based_track_list_and_start_listeners(live: AbletonDialect) -> None:
    out = live.decode("/live/song/get/track_names", ["Drums", "Bass"])
    lists = [x for x in out if isinstance(x, TrackList)]
    assert lists == [TrackList(((0, "Drums"), (1, "Bass")))]
    msgs = only_messages(out)
    for t in (0, 1):
        mine = sorted(m.address for m in msgs if m.args == (t,))
        assert mine == sorted(
            [f"/live/track/start_listen/{p}" for p in ("volume", "panning", "mute", "solo", "name")]
            + ["/live/track/get/can_be_armed"]
        )
    assert all(m.types == "i" for m in msgs)
    assert len(msgs) == 12


def test_an_empty_set_gives_an_empty_track_list(live: AbletonDialect) -> None:
    assert live.decode("/live/song/get/track_names", []) == [TrackList(())]


@pytest.mark.parametrize(("armable", "expected"), [(True, 1), (1, 1), (False, 0), (0, 0)])
def test_arm_is_listened_to_only_on_tracks_that_can_be_armed(
    live: AbletonDialect, armable: object, expected: int
) -> None:
    out = live.decode("/live/track/get/can_be_armed", [3, armable])
    assert out == [Message("/live/track/start_listen/arm", (3,), "i")] * expected


# ---- encode ----
def test_volume_is_sent_as_a_fader_position(live: AbletonDialect) -> None:
    (msg,) = live.set(1, "volume_db", -6.0)
    assert (msg.address, msg.types) == ("/live/track/set/volume", "if")
    assert msg.args[0] == 1
    assert msg.args[1] == pytest.approx(0.70, abs=1e-12)


@pytest.mark.parametrize(("db", "position"), [(-math.inf, 0.0), (-90.0, 0.0), (10.0, 1.0)])
def test_volume_extremes_are_silence_or_clamped(
    live: AbletonDialect, db: float, position: float
) -> None:
    assert live.set(0, "volume_db", db)[0].args == (0, position)


@pytest.mark.parametrize("bad", [math.nan, "loud", True])
def test_a_volume_that_is_not_a_number_is_refused(live: AbletonDialect, bad: object) -> None:
    with pytest.raises(BridgeError, match="volume_db"):
        live.set(0, "volume_db", bad)  # type: ignore[arg-type]


def test_pan_is_live_minus_one_to_plus_one(live: AbletonDialect) -> None:
    assert live.set(2, "pan", -0.5) == [Message("/live/track/set/panning", (2, -0.5), "if")]
    with pytest.raises(BridgeError, match="out of range"):
        live.set(2, "pan", 1.5)


@pytest.mark.parametrize(
    ("param", "address"),
    [
        ("mute", "/live/track/set/mute"),
        ("solo", "/live/track/set/solo"),
        ("rec_arm", "/live/track/set/arm"),
    ],
)
def test_switches_are_int_0_or_1(live: AbletonDialect, param: str, address: str) -> None:
    assert live.set(4, param, True) == [Message(address, (4, 1), "ii")]
    assert live.set(4, param, False) == [Message(address, (4, 0), "ii")]


def test_name_is_a_string(live: AbletonDialect) -> None:
    assert live.set(0, "name", "Lead") == [Message("/live/track/set/name", (0, "Lead"), "is")]


def test_a_send_is_set_then_read_back_because_sends_have_no_listener(
    live: AbletonDialect,
) -> None:
    msgs = live.set(2, "send/1/level_db", -6.0)
    assert sent(msgs) == [("/live/track/set/send", "iif"), ("/live/track/get/send", "ii")]
    assert msgs[0].args[:2] == (2, 0)
    assert msgs[0].args[2] == pytest.approx(0.70, abs=1e-12)
    assert msgs[1].args == (2, 0)


def test_unknown_parameters_are_refused(live: AbletonDialect) -> None:
    with pytest.raises(UnsupportedError, match="colour"):
        live.set(0, "colour", 3)
    with pytest.raises(BridgeError, match="cannot set"):
        live.set(0, "fx/1/param/2/name", "Gain")
    with pytest.raises(BridgeError, match="start at 1"):
        live.set(0, "send/0/level_db", -6.0)


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("volume_db", [Message("/live/track/get/volume", (5,), "i")]),
        ("pan", [Message("/live/track/get/panning", (5,), "i")]),
        ("rec_arm", [Message("/live/track/get/arm", (5,), "i")]),
        ("send/3/level_db", [Message("/live/track/get/send", (5, 2), "ii")]),
        ("fx/2/name", [Message("/live/track/get/devices/name", (5,), "i")]),
        ("fx/2/param/4/name", [Message("/live/device/get/parameters/name", (5, 1), "ii")]),
    ],
)
def test_queries(live: AbletonDialect, param: str, expected: list[Message]) -> None:
    assert live.query(5, param) == expected


# ---- unsupported ----
@pytest.mark.parametrize(
    ("call", "operation"),
    [
        (lambda d: d.set(MASTER, "volume_db", -6.0), "master volume"),
        (lambda d: d.set(MASTER, "pan", 0.0), "master pan"),
        (lambda d: d.set(MASTER, "mute", True), "master mute"),
        (lambda d: d.query(MASTER, "volume_db"), "master volume"),
        (lambda d: d.set(0, "width", 0.5), "width"),
        (lambda d: d.transport("render"), "render"),
        (lambda d: d.transport("add_marker", "Chorus"), "add marker"),
    ],
)
def test_unsupported_operations_name_live_and_the_operation(
    live: AbletonDialect, call: Callable[[AbletonDialect], object], operation: str
) -> None:
    with pytest.raises(UnsupportedError) as err:
        call(live)
    assert "Ableton Live" in str(err.value)
    assert err.value.operation.startswith(operation)
    assert err.value.daw == "Ableton Live (AbletonOSC)"


def test_the_master_error_gives_the_reason(live: AbletonDialect) -> None:
    with pytest.raises(UnsupportedError, match=r"return tracks.*#47"):
        live.set(MASTER, "volume_db", 0.0)


# ---- decode ----
def test_volume_decodes_to_db_with_a_tolerance(live: AbletonDialect) -> None:
    (update,) = live.decode("/live/track/get/volume", [1, 0.699999988079071])  # float32 0.70
    assert update == Update(1, "volume_db", -6.0, VOLUME_TOLERANCE_DB)
    assert 0 < VOLUME_TOLERANCE_DB <= 0.01
    assert live.decode("/live/track/get/volume", [1, 0.0]) == [
        Update(1, "volume_db", -math.inf, VOLUME_TOLERANCE_DB)
    ]


def test_a_small_fader_move_reaches_the_mirror(live: AbletonDialect) -> None:
    """The tolerance must stay below the 0.01 dB that Track.wait_for checks by default."""
    mirror = Mirror()
    for db in (-6.0, -6.05):
        for item in live.decode("/live/track/get/volume", [0, db_to_live(db)]):
            assert isinstance(item, Update)
            mirror.apply(item)
    assert mirror.get(0, "volume_db") == pytest.approx(-6.05, abs=1e-4)


@pytest.mark.parametrize(
    ("address", "args", "expected"),
    [
        ("/live/track/get/panning", [2, -0.25], Update(2, "pan", -0.25, 1e-6)),
        ("/live/track/get/mute", [0, True], Update(0, "mute", True)),
        ("/live/track/get/mute", [0, 0], Update(0, "mute", False)),
        ("/live/track/get/solo", [3, 1], Update(3, "solo", True)),
        ("/live/track/get/arm", [3, False], Update(3, "rec_arm", False)),
        ("/live/track/get/name", [1, "Bass DI"], Update(1, "name", "Bass DI")),
        (
            "/live/track/get/send",
            [4, 1, 0.85],
            Update(4, "send/2/level_db", 0.0, VOLUME_TOLERANCE_DB),
        ),
    ],
)
def test_track_feedback(
    live: AbletonDialect, address: str, args: list[object], expected: Update
) -> None:
    assert live.decode(address, args) == [expected]


@pytest.mark.parametrize(
    ("address", "args"),
    [
        ("/live/track/get/volume", []),
        ("/live/track/get/volume", ["x", 0.5]),
        ("/live/track/get/volume", [-1, 0.5]),
        ("/live/track/get/volume", [0, math.nan]),
        ("/live/track/get/send", [0, 0.85]),  # pre-2022 replies carry no send index
        ("/live/track/get/color", [0, 123]),
        ("/live/clip/get/name", [0, 0, "x"]),
        ("/nothing", []),
    ],
)
def test_unknown_or_malformed_feedback_is_ignored(
    live: AbletonDialect, address: str, args: list[object]
) -> None:
    assert live.decode(address, args) == []


def test_live_errors_are_logged_as_warnings(
    live: AbletonDialect, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bridge.dialects.ableton"):
        out = live.decode("/live/error", ["Unknown OSC address: /live/track/set/width"])
    assert out == []
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "Unknown OSC address: /live/track/set/width" in caplog.records[0].getMessage()


def test_a_restarted_abletonosc_is_greeted_again(live: AbletonDialect) -> None:
    assert live.decode("/live/startup", []) == live.hello()


# ---- transport ----
def test_play_stop_and_record(live: AbletonDialect) -> None:
    assert live.transport("play") == [Message("/live/song/start_playing")]
    assert live.transport("stop") == [
        Message("/live/song/stop_playing"),
        Message("/live/song/set/record_mode", (0,), "i"),
    ]
    assert live.transport("record") == [
        Message("/live/song/set/record_mode", (1,), "i"),
        Message("/live/song/start_playing"),
    ]


def test_locate_converts_seconds_to_beats_at_the_reported_tempo(live: AbletonDialect) -> None:
    assert live.transport("locate", 30.0) == [
        Message("/live/song/set/current_song_time", (60.0,), "f")  # 120 BPM until told
    ]
    live.decode("/live/song/get/tempo", [90.0])
    assert live.transport("locate", 30.0)[0].args == (45.0,)


def test_markers_are_cue_points_numbered_from_1(live: AbletonDialect) -> None:
    assert live.transport("goto_marker", 2.0) == [Message("/live/song/cue_point/jump", (1,), "i")]
    with pytest.raises(BridgeError, match="from 1"):
        live.transport("goto_marker", 0)
    with pytest.raises(BridgeError, match="unknown transport"):
        live.transport("rewind")


def test_position_is_beats_converted_with_the_tempo(live: AbletonDialect) -> None:
    assert live.decode("/live/song/get/current_song_time", [8.0]) == [
        Update(None, "position_s", 4.0)
    ]
    assert live.decode("/live/song/get/tempo", [60.0]) == [Update(None, "position_s", 8.0)]
    assert live.decode("/live/song/get/beat", [8]) == []  # same beat, coarser
    assert live.decode("/live/song/get/beat", [9]) == [Update(None, "position_s", 9.0)]


def test_cue_points_become_markers_in_seconds(live: AbletonDialect) -> None:
    out = live.decode("/live/song/get/cue_points", ["Intro", 0.0, "Verse", 16.0])
    assert sorted(out, key=lambda u: u.param if isinstance(u, Update) else "") == [
        Update(None, "marker/1/name", "Intro"),
        Update(None, "marker/1/time_s", 0.0),
        Update(None, "marker/2/name", "Verse"),
        Update(None, "marker/2/time_s", 8.0),
    ]


@pytest.mark.parametrize(
    ("address", "flag", "param"),
    [
        ("/live/song/get/is_playing", True, "playing"),
        ("/live/song/get/is_playing", 0, "playing"),
        ("/live/song/get/record_mode", 1, "recording"),
    ],
)
def test_transport_state(live: AbletonDialect, address: str, flag: object, param: str) -> None:
    assert live.decode(address, [flag]) == [Update(None, param, bool(flag))]


# ---- the volume curve ----
@pytest.mark.parametrize(
    ("db", "position"),
    [(6.0, 1.0), (0.0, 0.85), (-6.0, 0.70), (-12.0, 0.55), (-18.0, 0.40)],
)
def test_reference_points(db: float, position: float) -> None:
    assert db_to_live(db) == pytest.approx(position, abs=1e-4)
    assert live_to_db(position) == pytest.approx(db, abs=0.01)


def test_round_trip_within_a_hundredth_of_a_db() -> None:
    for db in np.linspace(-69.99, 6.0, 20001):
        assert live_to_db(db_to_live(float(db))) == pytest.approx(float(db), abs=0.01)


def test_round_trip_through_float32() -> None:
    """What crosses the wire is a float32 fader position."""
    for db in np.linspace(-69.0, 6.0, 3001):
        position = float(np.float32(db_to_live(float(db))))
        assert live_to_db(position) == pytest.approx(float(db), abs=1e-3)


def test_the_curve_rises_strictly_and_has_no_steps() -> None:
    dbs = np.linspace(-69.99, 6.0, 200001)  # 0.00038 dB apart
    positions = np.array([db_to_live(float(db)) for db in dbs])
    steps = np.diff(positions)
    assert (steps > 0).all()
    assert steps.max() < 2e-5  # the published branches would jump by up to 2e-4


def test_silence_and_clamping() -> None:
    assert db_to_live(-math.inf) == 0.0
    assert db_to_live(-70.0) == 0.0
    assert live_to_db(0.0) == -math.inf
    assert live_to_db(-0.1) == -math.inf
    assert db_to_live(12.0) == 1.0
    assert live_to_db(1.0) == 6.0
    assert live_to_db(1.5) == 6.0
    for bad in (db_to_live, live_to_db):
        with pytest.raises(ValueError, match="NaN"):
            bad(math.nan)


# ---- plugin parameters: Live's own values, in min..max ----
def describe(live: AbletonDialect, t: int, d: int, **lists: Sequence[object]) -> list[Decoded]:
    """Ask for a description and feed AbletonOSC's five replies; return what the last gives."""
    queries = live.describe_plugin(t, d + 1)
    assert [m.address for m in queries] == [
        f"/live/device/get/parameters/{p}" for p in ("name", "value", "min", "max", "is_quantized")
    ]
    assert all(m.args == (t, d) for m in queries)
    out: list[Decoded] = []
    for prop in ("name", "value", "min", "max", "is_quantized"):
        out = live.decode(f"/live/device/get/parameters/{prop}", [t, d, *lists[prop]])
    return out


EQ = {
    "name": ["Device On", "1 Frequency A", "1 Filter Type A"],
    "value": [1.0, 1000.0, 3.0],
    "min": [0.0, 20.0, 0.0],
    "max": [1.0, 20000.0, 7.0],
    "is_quantized": [True, False, True],
}


def test_a_device_is_described_as_live_reports_it(live: AbletonDialect) -> None:
    assert live.describes_plugins
    out = describe(live, 1, 1, **EQ)
    (specs,) = [o for o in out if isinstance(o, PluginSpecs)]
    assert (specs.target, specs.fx) == (1, 2)
    on, freq, kind = specs.params
    assert (freq.number, freq.name, freq.min, freq.max, freq.value) == (
        2,
        "1 Frequency A",
        20.0,
        20000.0,
        1000.0,
    )
    assert (on.toggle, kind.integer, kind.toggle, freq.integer) == (True, True, False, False)
    assert Update(1, "fx/2/param/2", 1000.0, 1e-6) in out
    # A second reply of one list alone describes nothing: only a complete answer does.
    assert not any(
        isinstance(o, PluginSpecs)
        for o in live.decode("/live/device/get/parameters/value", [1, 1, 1.0, 500.0, 2.0])
    )


def test_lists_of_different_lengths_describe_nothing(live: AbletonDialect) -> None:
    changed = dict(EQ, max=[1.0, 20000.0])  # the device changed between two replies
    assert not any(isinstance(o, PluginSpecs) for o in describe(live, 0, 0, **changed))


def test_a_parameter_is_set_in_its_own_range_and_listened_to_once(live: AbletonDialect) -> None:
    assert live.set(1, "fx/2/param/2", 10010.0) == [
        Message("/live/device/set/parameter/value", (1, 1, 1, 10010.0), "iiif"),
        Message("/live/device/start_listen/parameter/value", (1, 1, 1), "iii"),
    ]
    assert live.set(1, "fx/2/param/2", 5015.0) == [
        Message("/live/device/set/parameter/value", (1, 1, 1, 5015.0), "iiif")
    ]
    assert live.decode("/live/device/get/parameter/value", [1, 1, 1, 5015.0]) == [
        Update(1, "fx/2/param/2", 5015.0, 1e-6)
    ]
    assert live.query(1, "fx/2/param/2") == [
        Message("/live/device/get/parameter/value", (1, 1, 1), "iii")
    ]
    assert live.query(1, "fx/2/param/3") == [
        Message("/live/device/start_listen/parameter/value", (1, 1, 2), "iii")
    ]


def test_the_device_list_names_the_plugins(live: AbletonDialect) -> None:
    out = live.decode("/live/track/get/devices/name", [0, "EQ Eight", "Reverb"])
    assert out == [
        PluginList(0, ((1, "EQ Eight", None), (2, "Reverb", None))),
        Update(0, "fx/1/name", "EQ Eight"),
        Update(0, "fx/2/name", "Reverb"),
    ]
    assert live.list_plugins(0) == [Message("/live/track/get/devices/name", (0,), "i")]


def test_parameter_names(live: AbletonDialect) -> None:
    out = live.decode("/live/device/get/parameters/name", [2, 0, "Device On", "Freq"])
    assert out == [
        Update(2, "fx/1/param/1/name", "Device On"),
        Update(2, "fx/1/param/2/name", "Freq"),
    ]


def test_the_mixer_checks_a_live_value_against_the_devices_range() -> None:
    """Pure: a mixer with no socket, fed AbletonOSC's replies; a refusal sends nothing."""

    mixer = Mixer(AbletonDialect(), timeout=0.2)
    items = mixer.dialect.decode("/live/song/get/track_names", ["Keys"])
    items += mixer.dialect.decode("/live/track/get/devices/name", [0, "EQ Eight"])
    for item in items:
        if isinstance(item, TrackList):
            mixer.mirror.apply_list(item)
        elif isinstance(item, PluginList | PluginSpecs):
            mixer.mirror.apply_plugins(item)
    lists = [(p, [0, 0, *v]) for p, v in EQ.items()]
    mixer.dialect.describe_plugin(0, 1)
    for prop, args in lists:
        for item in mixer.dialect.decode(f"/live/device/get/parameters/{prop}", args):
            if isinstance(item, PluginSpecs):
                mixer.mirror.apply_plugins(item)
    spec = mixer.mirror.specs_since(0, 1)
    assert spec is not None
    freq = spec.params[1]
    assert freq.check(25000.0) == "25000 is out of range [20, 20000]"
    assert freq.check(440.0) is None
    with pytest.raises(ValueRangeError):
        mixer.plugins._checked(0, parse("fx/1/param/2"), freq, 25000.0)


# ---- over UDP, against a stand-in for Live ----
Arg = str | int | float | bool
"""An OSC argument the stand-in sends or keeps."""


def type_tags(dgram: bytes) -> str:
    """The type tags of one message datagram, as sent (without the comma)."""
    _, index = osc_types.get_string(dgram, 0)
    if not dgram[index:]:
        return ""
    tags, _ = osc_types.get_string(dgram, index)
    return str(tags)[1:]


class FakeLive(Dispatcher):
    """NOT Ableton Live: a minimal stand-in that answers the way AbletonOSC does.

    It knows a few tracks (the last is a group track, which cannot be armed),
    answers ``/live/song/get/...`` and ``/live/track/get/...``, applies
    ``/live/track/set/...``, and keeps listeners that report the current value
    at once and every change. Replies go to the sender's IP and a fixed port,
    as AbletonOSC's go to 11001. It records each message with its type tags.
    """

    def __init__(self, reply_port: int, names: Sequence[str]) -> None:
        super().__init__()
        self.reply_port = reply_port
        self.tracks: list[dict[str, Arg]] = [
            {"name": n, "volume": 0.85, "panning": 0.0, "mute": False, "solo": False, "arm": False}
            for n in names
        ]
        # Bass carries one device, with Live's own parameter ranges (EQ Eight's first band).
        self.devices: dict[int, list[dict[str, list[Arg]]]] = {1: [dict(EQ)]}
        self.device_names: dict[int, list[str]] = {1: ["EQ Eight"]}
        self.received: list[tuple[str, str, tuple[object, ...]]] = []
        self.bundles = 0
        self._listening: set[tuple[str, int]] = set()
        self._out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.server = BlockingOSCUDPServer(("127.0.0.1", 0), self)  # one thread: in order
        self.port: int = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=2.0)
        self._out.close()

    def call_handlers_for_packet(
        self, data: bytes, client_address: tuple[str, int]
    ) -> list[object]:
        if OscBundle.dgram_is_bundle(data):
            self.bundles += 1
        for timed in OscPacket(data).messages:
            msg = timed.message
            self.received.append((msg.address, type_tags(msg.dgram), tuple(msg.params)))
            self._handle(msg.address, list(msg.params), client_address[0])
        return []

    def _reply(self, host: str, address: str, *args: Arg) -> None:
        builder = OscMessageBuilder(address)
        for a in args:
            builder.add_arg(a)  # inferred like AbletonOSC: float → f, int → i, bool → T/F
        self._out.sendto(builder.build().dgram, (host, self.reply_port))

    def _handle(self, address: str, args: list[Arg], host: str) -> None:
        song: dict[str, Arg] = {
            "tempo": 120.0,
            "is_playing": False,
            "record_mode": 0,
            "current_song_time": 0.0,
        }
        parts = address.split("/")  # ["", "live", "track", "get", "volume"]
        if address == "/live/song/get/track_names":
            self._reply(host, address, *(str(t["name"]) for t in self.tracks))
        elif address == "/live/song/get/cue_points":
            self._reply(host, address)  # none
        elif parts[2:4] == ["song", "get"] and parts[4] in song:
            self._reply(host, address, song[parts[4]])
        elif parts[2:4] == ["song", "start_listen"]:
            pass  # song values never change here
        elif address == "/live/track/get/devices/name" and args:
            t = int(args[0])
            self._reply(host, address, t, *self.device_names.get(t, []))
        elif parts[2] == "track" and args and isinstance(args[0], int):
            self._track(host, parts[3], "/".join(parts[4:]), args, address)
        elif parts[2] == "device" and len(args) >= 2:
            self._device(host, parts[3], "/".join(parts[4:]), args, address)
        else:
            self._reply(host, "/live/error", f"Unknown OSC address: {address}")

    def _track(self, host: str, verb: str, prop: str, args: list[Arg], address: str) -> None:
        t = int(args[0])
        track = self.tracks[t]
        if verb == "get" and prop == "can_be_armed":
            self._reply(host, address, t, t < len(self.tracks) - 1)
        elif verb in ("get", "start_listen") and prop in track:
            if verb == "start_listen":
                self._listening.add((prop, t))
            self._reply(host, f"/live/track/get/{prop}", t, track[prop])
        elif verb == "set" and prop in track and len(args) == 2:
            track[prop] = args[1]
            if (prop, t) in self._listening:
                self._reply(host, f"/live/track/get/{prop}", t, track[prop])
        else:
            self._reply(host, "/live/error", f"Unknown OSC address: {address}")

    def _device(self, host: str, verb: str, prop: str, args: list[Arg], address: str) -> None:
        t, d = int(args[0]), int(args[1])
        lists = self.devices[t][d]
        if verb == "get" and prop.startswith("parameters/"):
            self._reply(host, address, t, d, *lists[prop[len("parameters/") :]])
        elif verb == "set" and prop == "parameter/value" and len(args) == 4:
            p = int(args[2])
            lists["value"] = [*lists["value"][:p], float(args[3]), *lists["value"][p + 1 :]]
        elif verb == "start_listen" and prop == "parameter/value":
            p = int(args[2])
            self._reply(host, "/live/device/get/parameter/value", t, d, p, lists["value"][p])
        else:
            self._reply(host, "/live/error", f"Unknown OSC address: {address}")


@pytest.fixture
def fake_live() -> Iterator[FakeLive]:
    peer = FakeLive(free_udp_port(), ["Drums", "Bass", "Group"])
    yield peer
    peer.close()


def test_mixer_sets_a_level_through_a_udp_stand_in_for_live(fake_live: FakeLive) -> None:
    mixer = Mixer(
        AbletonDialect(), port=fake_live.port, listen_port=fake_live.reply_port, timeout=2.0
    )
    with mixer:
        assert [t.name for t in mixer.tracks] == ["Drums", "Bass", "Group"]
        bass = mixer.tracks["Bass"]
        assert bass.number == 2
        assert bass.key == 1
        assert bass.volume_db == pytest.approx(0.0, abs=1e-3)  # 0.85 from its listener
        bass.volume_db = -6
        bass.wait_for("volume_db", -6.0, tolerance=0.01)
        assert bass.volume_db == pytest.approx(-6.0, abs=1e-3)

    sets = [(tags, args) for addr, tags, args in fake_live.received if "/set/volume" in addr]
    assert len(sets) == 1
    tags, args = sets[0]
    assert tags == "if"
    assert args[0] == 1
    assert args[1] == pytest.approx(0.70, abs=1e-3)
    assert fake_live.tracks[1]["volume"] == pytest.approx(0.70, abs=1e-3)
    arm_listeners = [a for addr, _, a in fake_live.received if addr.endswith("start_listen/arm")]
    assert arm_listeners == [(0,), (1,)]  # not the group track
    assert fake_live.bundles == 0


def test_plugins_by_name_in_lives_own_range_through_the_stand_in(fake_live: FakeLive) -> None:
    mixer = Mixer(
        AbletonDialect(), port=fake_live.port, listen_port=fake_live.reply_port, timeout=2.0
    )
    with mixer:
        eq = mixer.tracks["Bass"].fx["EQ Eight"]
        freq = eq.params["1 frequency a"]
        assert (freq.number, freq.min, freq.max, freq.value) == (2, 20.0, 20000.0, 1000.0)
        freq.value = 2500.0  # confirmed by a fresh description
        assert fake_live.devices[1][0]["value"][1] == pytest.approx(2500.0)
        with pytest.raises(ValueRangeError, match=r"25000 is out of range \[20, 20000\]"):
            freq.value = 25000.0
        with pytest.raises(ValueRangeError, match="whole"):
            eq.params["1 Filter Type A"].value = 2.5
    sets = [a for addr, _, a in fake_live.received if addr == "/live/device/set/parameter/value"]
    assert sets == [(1, 0, 1, pytest.approx(2500.0))]  # the refused values were never sent
