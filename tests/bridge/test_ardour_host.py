"""A real Ardour 7 headless: start, OSC set → engine state, busy port, tracks, clean stop;
buses, aux sends and ACE plugins, and the agreement of their numbering with Ardour's OSC.

One Ardour serves the plain tests and another the plugin tests (each start costs
about 2 s); the lifecycle and removal tests start their own. OSC messages are built
with explicit type tags and sent from a raw UDP socket, so replies (Ardour answers
the source port) come back to it.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from bridge.errors import BridgeError
from bridge.hosts import ACE_PLUGINS, ArdourHostError, HeadlessArdour, PluginParam, RouteState
from bridge.hosts.ardour import query_strip_list
from tests.bridge import free_udp_port, wait_dump

TRACKS = ("Vocals", "Bass")
FADER_MINUS_6_DB = 10 ** (-6 / 20)


class Osc:
    """A raw OSC client: typed arguments, replies read from the same socket."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    def send(self, address: str, *args: tuple[str, float | int | str]) -> None:
        builder = OscMessageBuilder(address)
        for tag, value in args:
            builder.add_arg(value, tag)
        self.sock.sendto(builder.build().dgram, ("127.0.0.1", self.port))

    def query(self, address: str, *args: tuple[str, float | int | str]) -> list[object]:
        """Send a query; return the answer (one parameter: query answers carry no ssid).

        Ardour handles one socket's messages in order, so an answer also proves that
        everything sent before the query was processed.
        """
        self.send(address, *args)
        return self.receive(address, count=1)

    def _next(self, deadline: float) -> tuple[str, list[object]]:
        self.sock.settimeout(max(deadline - time.monotonic(), 1e-3))
        dgram, _ = self.sock.recvfrom(65536)
        if dgram.startswith(b"#"):  # python-osc refuses the "#reply" address
            dgram = b"/" + dgram[1:]
        message = OscMessage(dgram)
        return message.address, list(message.params)

    def collect(self, end: str, *, timeout: float = 2.0) -> list[tuple[str, list[object]]]:
        """Every message that arrives up to and including the first one to ``end``."""
        deadline = time.monotonic() + timeout
        out: list[tuple[str, list[object]]] = []
        while time.monotonic() < deadline:
            out.append(self._next(deadline))
            if out[-1][0] == end:
                return out
        raise TimeoutError(f"no {end} message; got {out}")

    def drain(self, seconds: float) -> list[tuple[str, list[object]]]:
        """Every message that arrives within ``seconds``."""
        deadline = time.monotonic() + seconds
        out: list[tuple[str, list[object]]] = []
        with contextlib.suppress(TimeoutError):
            while time.monotonic() < deadline:
                out.append(self._next(deadline))
        return out

    def receive(self, address: str, *, count: int, timeout: float = 2.0) -> list[object]:
        """Parameters of the next message to ``address`` that has ``count`` of them."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            dgram, _ = self.sock.recvfrom(65536)
            if dgram.startswith(address.encode() + b"\0"):
                params = list(OscMessage(dgram).params)
                if len(params) == count:
                    return params
        raise TimeoutError(f"no {address} message with {count} parameters")

    def reply(self, address: str, *, timeout: float = 2.0) -> list[object]:
        """Parameters of the next message to ``address`` (``#reply`` read as ``/reply``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got, params = self._next(deadline)
            if got == address:
                return params
        raise TimeoutError(f"no {address} message")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def daw(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour"), port=free_udp_port(), tracks=TRACKS, binary=ardour_bin
    )
    with host:
        yield host


@pytest.fixture
def osc(daw: HeadlessArdour) -> Iterator[Osc]:
    """An OSC client; the mixer is back at defaults before each test."""
    client = Osc(daw.port)
    strips = daw.dump()["strips"]
    for ssid in range(1, len(strips) + 1):
        client.send("/strip/gain/automation", ("i", ssid), ("i", 0))
        client.send("/strip/gain", ("i", ssid), ("f", 0.0))
        client.send("/strip/pan_stereo_position", ("i", ssid), ("f", 0.5))
        client.send("/strip/mute", ("i", ssid), ("i", 0))
    client.query("/strip/gain", ("i", 1))
    wait_dump(daw, lambda s: not any(r["mute"] for r in s["routes"].values()))
    yield client
    client.close()


def test_fresh_session_has_the_named_tracks_at_unity(daw: HeadlessArdour, osc: Osc) -> None:
    state = daw.dump()
    assert state["strips"] == list(TRACKS)
    assert query_strip_list(daw.port) == list(TRACKS)
    assert state["sample_rate"] == 48000
    assert state["rolling"] is False
    for name in TRACKS:
        route = state["routes"][name]
        assert route["kind"] == "audio_track"
        assert route["gain_db"] == pytest.approx(0.0, abs=1e-6)
        assert route["mute"] is False
        assert route["solo"] is False
        assert route["rec_enable"] is False
        assert route["pan_azimuth"] == pytest.approx(0.5)
        assert route["gain_automation"]["state"] == "Manual"
        assert route["plugins"] == []
        assert route["sends"] == []
    assert state["routes"]["Master"]["kind"] == "master"
    assert daw.session_file.is_file()
    assert daw.pid is not None
    assert daw.log_path.is_file()


def test_float_gain_is_applied_and_int_gain_is_not(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/gain", ("i", 1), ("f", -6.0))
    state = wait_dump(daw, lambda s: abs(s["routes"]["Vocals"]["gain_db"] + 6.0) < 0.01)
    assert state["routes"]["Vocals"]["gain_db"] == pytest.approx(-6.0, abs=0.01)
    assert state["routes"]["Vocals"]["gain"] == pytest.approx(FADER_MINUS_6_DB, rel=1e-4)
    assert state["routes"]["Bass"]["gain_db"] == pytest.approx(0.0, abs=1e-6)

    # An int32 value is parsed but not applied; Ardour echoes [ssid, 0].
    osc.send("/strip/gain", ("i", 1), ("i", -12))
    assert osc.receive("/strip/gain", count=2) == [1, 0]
    answer = osc.query("/strip/gain", ("i", 1))  # barrier: everything before was handled
    assert answer == [pytest.approx(-6.0, abs=0.1)]  # query answers use Ardour's fast dB
    assert daw.dump()["routes"]["Vocals"]["gain_db"] == pytest.approx(-6.0, abs=0.01)


def test_pan_position_is_one_minus_azimuth(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/pan_stereo_position", ("i", 2), ("f", 0.25))
    state = wait_dump(daw, lambda s: s["routes"]["Bass"]["pan_azimuth"] != 0.5)
    assert state["routes"]["Bass"]["pan_azimuth"] == pytest.approx(0.75, abs=1e-6)
    assert state["routes"]["Vocals"]["pan_azimuth"] == pytest.approx(0.5, abs=1e-6)


def test_mute_on_and_off(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/mute", ("i", 1), ("i", 1))
    state = wait_dump(daw, lambda s: s["routes"]["Vocals"]["mute"])
    assert state["routes"]["Vocals"]["mute"] is True
    assert state["routes"]["Bass"]["mute"] is False
    osc.send("/strip/mute", ("i", 1), ("f", 0.0))
    state = wait_dump(daw, lambda s: not s["routes"]["Vocals"]["mute"])
    assert state["routes"]["Vocals"]["mute"] is False


def test_touch_automation_while_stopped_adds_a_point(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/gain/automation", ("i", 2), ("i", 3))  # 3 = Touch
    osc.send("/strip/gain", ("i", 2), ("f", -10.0))
    state = wait_dump(daw, lambda s: bool(s["routes"]["Bass"]["gain_automation"]["events"]))
    automation = state["routes"]["Bass"]["gain_automation"]
    assert automation["state"] == "Touch"
    target = 10 ** (-10 / 20)
    assert any(t == 0.0 and math.isclose(v, target, rel_tol=1e-6) for t, v in automation["events"])
    assert state["routes"]["Vocals"]["gain_automation"]["events"] == []


def test_save_writes_the_session_file(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/gain", ("i", 2), ("f", -20.0))
    wait_dump(daw, lambda s: s["routes"]["Bass"]["gain_db"] < -19)
    before = daw.session_file.stat().st_mtime_ns
    path = daw.save()
    assert path == daw.session_file
    assert path.stat().st_mtime_ns > before
    root = ElementTree.parse(path).getroot()
    osc_node = next(p for p in root.iter("Protocol") if p.get("name") == "Open Sound Control (OSC)")
    assert osc_node.get("active") == "1"
    assert osc_node.get("address-only") == "0"
    bass = next(r for r in root.iter("Route") if r.get("name") == "Bass")
    gain = next(c for c in bass.iter("Controllable") if c.get("name") == "gaincontrol")
    assert float(gain.get("value", "nan")) == pytest.approx(10 ** (-20 / 20), rel=1e-4)


def test_busy_port_is_refused(daw: HeadlessArdour, ardour_bin: str, tmp_path: Path) -> None:
    second = HeadlessArdour(tmp_path / "second", port=daw.port, binary=ardour_bin)
    with pytest.raises(ArdourHostError, match=rf"UDP port {daw.port} is busy"):
        second.start()
    assert second.pid is None

    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))  # loopback only still blocks Ardour's 0.0.0.0 bind
    try:
        port = blocker.getsockname()[1]
        third = HeadlessArdour(tmp_path / "third", port=port, binary=ardour_bin)
        with pytest.raises(ArdourHostError, match="busy"):
            third.start()
        assert third.pid is None
    finally:
        blocker.close()


def test_add_and_remove_track_shift_strip_ids(daw: HeadlessArdour, osc: Osc) -> None:
    osc.send("/strip/gain", ("i", 2), ("f", -9.0))  # Bass, kept across the removal
    wait_dump(daw, lambda s: s["routes"]["Bass"]["gain_db"] < -8)

    daw.add_track("Keys", position=0)
    assert query_strip_list(daw.port) == ["Keys", "Vocals", "Bass"]
    assert daw.dump()["strips"] == ["Keys", "Vocals", "Bass"]
    osc.send("/strip/gain", ("i", 1), ("f", -3.0))  # ssid 1 is Keys now
    state = wait_dump(daw, lambda s: s["routes"]["Keys"]["gain_db"] < -2)
    assert state["routes"]["Keys"]["gain_db"] == pytest.approx(-3.0, abs=0.01)
    assert state["routes"]["Vocals"]["gain_db"] == pytest.approx(0.0, abs=1e-6)

    with pytest.raises(ArdourHostError, match="exists"):
        daw.add_track("Vocals")

    old_pid = daw.pid
    daw.remove_track("Keys")
    assert daw.pid is not None
    assert daw.pid != old_pid
    assert query_strip_list(daw.port) == ["Vocals", "Bass"]
    state = daw.dump()
    assert state["strips"] == ["Vocals", "Bass"]
    assert "Keys" not in state["routes"]
    assert state["routes"]["Bass"]["gain_db"] == pytest.approx(-9.0, abs=0.01)
    assert "Invalid Source port" not in daw.log_path.read_text()
    with pytest.raises(ArdourHostError, match="no track"):
        daw.remove_track("Keys")


# Buses, aux sends and plugins -----------------------------------------------------

FX_BUS = "Reverb Bus"
FX_TRACKS = ("Vocals", "Guitar")
FX_PLUGINS = {"Vocals": ("ACE EQ", "ACE Compressor"), FX_BUS: ("ACE Reverb",)}
FX_SENDS = {"Vocals": (FX_BUS,), "Guitar": (FX_BUS,)}
# Parameter names from the reference (ardour-headless.md, "Plugins").
EQ_PARAMS = {
    "Frequency L",
    "Gain L",
    *(f"{kind} {band}" for kind in ("Frequency", "Gain", "Bandwidth") for band in range(1, 5)),
    "Frequency H",
    "Gain H",
    "Master Gain",
    *(f"Filter {band}" for band in "L1234H"),
    "Enable",
}
COMP_INPUTS = {"Attack", "Release", "Knee", "Ratio", "Threshold", "Makeup", "Sidechain", "Enable"}
REVERB_PARAMS = {"Blend", "Room Size", "Enable"}
# /set_surface 0 31 16384 0 0 0 0: all strips but master, "/reply", replies to the sender.
SURFACE_ARGS = [("i", value) for value in (0, 31, 16384, 0, 0, 0, 0)]


def _fader_position(gain: float) -> float:
    """Ardour's fader law with max gain 2.0 (reference osc/ardour.md §6)."""
    return ((6 * math.log2(gain) + 192) / 198) ** 8 if gain > 0 else 0.0


def _param(plugin_params: list[PluginParam], name: str) -> PluginParam:
    (found,) = [param for param in plugin_params if param["name"] == name]
    return found


def _plugin_param(route: RouteState, piid: int, name: str) -> PluginParam:
    return _param(route["plugins"][piid - 1]["params"], name)


def _descriptor(params: list[object]) -> dict[str, object]:
    """One ``/strip/plugin/descriptor`` reply of Ardour 7.3, by field."""
    count = params[9]
    assert isinstance(count, int)
    assert len(params) == 11 + 2 * count, params
    keys = ("ssid", "piid", "number", "name", "flags", "datatype", "lower", "upper", "format")
    fields = dict(zip(keys, params[:9], strict=True))
    fields["scale_points"] = params[10 : 10 + 2 * count]
    fields["value"] = params[-1]
    return fields


@pytest.fixture(scope="module")
def fx_daw(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour-fx"),
        port=free_udp_port(),
        tracks=FX_TRACKS,
        buses=(FX_BUS,),
        plugins=FX_PLUGINS,
        sends=FX_SENDS,
        binary=ardour_bin,
    )
    with host:
        yield host


@pytest.fixture
def fx_osc(fx_daw: HeadlessArdour) -> Iterator[Osc]:
    """An OSC client whose replies come back to its own port as ``/reply``."""
    client = Osc(fx_daw.port)
    client.send("/set_surface", *SURFACE_ARGS)
    client.query("/strip/gain", ("i", 1))  # barrier: the surface is set up
    yield client
    client.close()


def test_buses_plugins_and_sends_are_in_the_dump(fx_daw: HeadlessArdour) -> None:
    state = fx_daw.dump()
    assert state["strips"] == [*FX_TRACKS, FX_BUS]
    assert query_strip_list(fx_daw.port) == state["strips"]
    routes = state["routes"]
    bus = routes[FX_BUS]
    assert bus["kind"] == "bus"
    assert bus["rec_enable"] is None
    assert bus["gain_db"] == pytest.approx(0.0, abs=1e-6)

    for name, route in routes.items():
        expected = list(FX_PLUGINS.get(name, ()))
        assert [plugin["name"] for plugin in route["plugins"]] == expected, name
        assert all(plugin["active"] for plugin in route["plugins"]), name
    eq, comp = routes["Vocals"]["plugins"]
    (reverb,) = bus["plugins"]
    assert {param["name"] for param in eq["params"]} == EQ_PARAMS
    assert {param["name"] for param in comp["params"] if param["input"]} == COMP_INPUTS
    assert {param["name"] for param in reverb["params"]} == REVERB_PARAMS
    gain_1 = _param(eq["params"], "Gain 1")
    assert (gain_1["lower"], gain_1["upper"]) == (-20.0, 20.0)
    assert gain_1["input"] is True
    meters = [param for param in comp["params"] if not param["input"]]
    assert meters  # the compressor's outputs are listed, as OSC lists them
    assert all(param["automation"] is None for param in meters)
    for plugin in (eq, comp, reverb):
        numbers = [param["number"] for param in plugin["params"]]
        assert numbers[0] >= 1
        assert numbers == sorted(set(numbers))
        for param in plugin["params"]:
            assert param["lower"] < param["upper"], param
            if param["input"]:
                assert param["lower"] <= param["value"] <= param["upper"], param
                assert param["automation"] is not None
                assert param["automation"]["state"] == "Manual"
                assert param["automation"]["events"] == []

    for name in FX_TRACKS:
        (send,) = routes[name]["sends"]
        assert send["target"] == FX_BUS
        assert send["active"] is True
        expected_db = 20 * math.log10(send["gain"]) if send["gain"] > 0 else -math.inf
        assert send["gain_db"] == expected_db
    assert bus["sends"] == []
    assert routes["Master"]["sends"] == []


def test_plugin_and_send_numbering_agrees_with_osc(fx_daw: HeadlessArdour, fx_osc: Osc) -> None:
    state = fx_daw.dump()
    described = 0
    for ssid, name in enumerate(state["strips"], start=1):
        route = state["routes"][name]
        fx_osc.send("/strip/plugin/list", ("i", ssid))
        expected: list[object] = [ssid]
        for piid, plugin in enumerate(route["plugins"], start=1):
            expected += [piid, plugin["name"], int(plugin["active"])]
        assert fx_osc.reply("/strip/plugin/list") == expected

        for piid, plugin in enumerate(route["plugins"], start=1):
            fx_osc.send("/strip/plugin/descriptor", ("i", ssid), ("i", piid))
            messages = fx_osc.collect("/strip/plugin/descriptor_end")
            assert messages[-1][1] == [ssid, piid]
            replies = [
                _descriptor(params)
                for address, params in messages
                if address == "/strip/plugin/descriptor"
            ]
            assert [(r["ssid"], r["piid"]) for r in replies] == [(ssid, piid)] * len(replies)
            assert [(r["number"], r["name"]) for r in replies] == [
                (param["number"], param["name"]) for param in plugin["params"]
            ]
            for reply, param in zip(replies, plugin["params"], strict=True):
                assert reply["lower"] == pytest.approx(param["lower"], rel=1e-6)
                assert reply["upper"] == pytest.approx(param["upper"], rel=1e-6)
                assert isinstance(reply["flags"], int)
                assert bool(reply["flags"] & 128) == param["input"]  # bit 7: an input
                if param["input"]:
                    assert reply["value"] == pytest.approx(param["value"], rel=1e-6, abs=1e-6)
            described += len(replies)

        fx_osc.send("/strip/sends", ("i", ssid))
        sends = fx_osc.reply("/strip/sends")
        assert sends[0] == ssid
        entries = [sends[i : i + 5] for i in range(1, len(sends), 5)]
        assert [(e[0], e[1], e[2], e[4]) for e in entries] == [
            (state["strips"].index(send["target"]) + 1, send["target"], sendid, int(send["active"]))
            for sendid, send in enumerate(route["sends"], start=1)
        ]
        for entry, send in zip(entries, route["sends"], strict=True):
            assert entry[3] == pytest.approx(_fader_position(send["gain"]), abs=1e-6)
    assert described == len(EQ_PARAMS) + 11 + len(REVERB_PARAMS)  # 3 compressor meters


def test_osc_plugin_parameter_sets_the_engine_value(fx_daw: HeadlessArdour, fx_osc: Osc) -> None:
    state = fx_daw.dump()
    ssid = state["strips"].index("Vocals") + 1
    vocals = state["routes"]["Vocals"]
    gain_1 = _plugin_param(vocals, 1, "Gain 1")
    freq_1 = _plugin_param(vocals, 1, "Frequency 1")
    ratio = _plugin_param(vocals, 2, "Ratio")
    new_gain = 6.5 if gain_1["value"] != 6.5 else -4.5
    new_freq = 4000.0 if freq_1["value"] != 4000.0 else 5000.0  # Hz, on a log scale
    new_ratio = 8.0 if ratio["value"] != 8.0 else 2.5

    def set_param(piid: int, param: PluginParam, value: float) -> None:
        fx_osc.send(
            "/strip/plugin/parameter",
            ("i", ssid),
            ("i", piid),
            ("i", param["number"]),
            ("f", value),
        )

    set_param(1, gain_1, new_gain)
    set_param(1, freq_1, new_freq)
    state = wait_dump(
        fx_daw,
        lambda s: _plugin_param(s["routes"]["Vocals"], 1, "Frequency 1")["value"] == new_freq,
    )
    assert _plugin_param(state["routes"]["Vocals"], 1, "Gain 1")["value"] == new_gain
    assert _plugin_param(state["routes"]["Vocals"], 1, "Frequency 1")["value"] == new_freq
    assert _plugin_param(state["routes"]["Vocals"], 2, "Ratio")["value"] == ratio["value"]

    # Out of range on either side: dropped. A later in-range value on the same
    # socket shows that Ardour handled them.
    set_param(1, gain_1, gain_1["upper"] + 5.0)
    set_param(1, gain_1, gain_1["lower"] - 5.0)
    set_param(2, ratio, new_ratio)
    state = wait_dump(
        fx_daw, lambda s: _plugin_param(s["routes"]["Vocals"], 2, "Ratio")["value"] == new_ratio
    )
    assert _plugin_param(state["routes"]["Vocals"], 2, "Ratio")["value"] == new_ratio
    assert _plugin_param(state["routes"]["Vocals"], 1, "Gain 1")["value"] == new_gain
    assert state["routes"]["Guitar"]["plugins"] == []
    # Ardour 7.3 answers none of these.
    assert [a for a, _ in fx_osc.drain(0.2) if a.startswith("/strip/plugin")] == []

    fx_osc.send("/strip/plugin/descriptor", ("i", ssid), ("i", 1))
    replies = [
        _descriptor(params)
        for address, params in fx_osc.collect("/strip/plugin/descriptor_end")
        if address == "/strip/plugin/descriptor"
    ]
    by_name = {reply["name"]: reply["value"] for reply in replies}
    assert by_name["Gain 1"] == new_gain
    assert by_name["Frequency 1"] == new_freq


def test_osc_send_gain_sets_the_send_level(fx_daw: HeadlessArdour, fx_osc: Osc) -> None:
    state = fx_daw.dump()
    ssid = state["strips"].index("Vocals") + 1
    bus_ssid = state["strips"].index(FX_BUS) + 1
    before = state["routes"]["Vocals"]["sends"][0]["gain_db"]
    guitar = state["routes"]["Guitar"]["sends"]
    target = -6.0 if abs(before + 6.0) > 0.5 else -9.0

    fx_osc.send("/strip/send/gain", ("i", ssid), ("i", 1), ("f", target))
    state = wait_dump(
        fx_daw, lambda s: abs(s["routes"]["Vocals"]["sends"][0]["gain_db"] - target) < 0.01
    )
    (send,) = state["routes"]["Vocals"]["sends"]
    assert send["target"] == FX_BUS
    assert send["gain_db"] == pytest.approx(target, abs=1e-4)
    assert send["gain"] == pytest.approx(10 ** (target / 20), rel=1e-6)
    assert state["routes"]["Guitar"]["sends"] == guitar

    # OSC reads the level back as a fader position, from either end of the send.
    fx_osc.send("/strip/sends", ("i", ssid))
    position = pytest.approx(_fader_position(10 ** (target / 20)), abs=1e-6)
    assert fx_osc.reply("/strip/sends") == [ssid, bus_ssid, FX_BUS, 1, position, 1]
    fx_osc.send("/strip/receives", ("i", bus_ssid))
    receives = fx_osc.reply("/strip/receives")
    assert receives[:6] == [bus_ssid, ssid, "Vocals", 1, position, 1]


def test_plugins_and_sends_survive_remove_track(ardour_bin: str, tmp_path: Path) -> None:
    bus_plugins = ("ACE Reverb", "ACE Compressor (stereo)")
    host = HeadlessArdour(
        tmp_path,
        port=free_udp_port(),
        tracks=("Vocals", "Guitar"),
        buses=(FX_BUS,),
        plugins={"Guitar": tuple(ACE_PLUGINS), "Vocals": ("ACE Compressor",), FX_BUS: bus_plugins},
        sends={"Vocals": (FX_BUS,), "Guitar": (FX_BUS,)},
        binary=ardour_bin,
    )
    with host:
        osc = Osc(host.port)
        try:
            state = host.dump()
            guitar = state["routes"]["Guitar"]["plugins"]
            assert [plugin["name"] for plugin in guitar] == list(ACE_PLUGINS)
            threshold = _plugin_param(state["routes"]["Vocals"], 1, "Threshold")
            osc.send(
                "/strip/plugin/parameter",
                ("i", 1),
                ("i", 1),
                ("i", threshold["number"]),
                ("f", -20.0),
            )
            osc.send("/strip/send/gain", ("i", 1), ("i", 1), ("f", -10.0))
            wait_dump(
                host,
                lambda s: (
                    abs(s["routes"]["Vocals"]["sends"][0]["gain_db"] + 10) < 0.01
                    and _plugin_param(s["routes"]["Vocals"], 1, "Threshold")["value"] == -20.0
                ),
            )
            host.remove_track("Guitar")
            state = host.dump()
            assert state["strips"] == ["Vocals", FX_BUS]
            vocals = state["routes"]["Vocals"]
            assert [plugin["name"] for plugin in vocals["plugins"]] == ["ACE Compressor"]
            assert _plugin_param(vocals, 1, "Threshold")["value"] == -20.0
            (send,) = vocals["sends"]
            assert send["target"] == FX_BUS
            assert send["gain_db"] == pytest.approx(-10.0, abs=1e-4)
            bus = state["routes"][FX_BUS]
            assert [plugin["name"] for plugin in bus["plugins"]] == list(bus_plugins)
            stereo = bus["plugins"][1]
            assert {p["name"] for p in stereo["params"] if p["input"]} == COMP_INPUTS
        finally:
            osc.close()


def _zombie_children() -> list[int]:
    me = str(os.getpid())
    zombies = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[1] == me and fields[0] == "Z":
            zombies.append(int(entry.name))
    return zombies


def _session_members(sid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def test_lifecycle_stop_is_clean_and_idempotent(ardour_bin: str, tmp_path: Path) -> None:
    port = free_udp_port()
    host = HeadlessArdour(tmp_path, port=port, tracks=("Solo",), rate=44100, binary=ardour_bin)
    with host:
        pid = host.pid
        assert pid is not None
        assert os.getpgid(pid) == pid  # setsid: its own session and process group
        assert host.dump()["sample_rate"] == 44100
        assert query_strip_list(port) == ["Solo"]
        with pytest.raises(ArdourHostError, match="already running"):
            host.start()
        started = time.monotonic()
    stop_s = time.monotonic() - started
    assert host.pid is None
    assert not Path(f"/proc/{pid}").exists()  # reaped, not a zombie
    assert _session_members(pid) == []
    assert _zombie_children() == []
    assert stop_s < 5.0  # the stop file worked; no SIGTERM escalation
    assert "mixdesk: stopped" in host.log_path.read_text()
    host.stop()  # idempotent
    assert query_strip_list(port, timeout=0.3) is None
    with pytest.raises(ArdourHostError, match="not running"):
        host.dump()


def test_start_failure_names_the_log_and_its_last_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake-ardour"
    fake.write_text("#!/bin/sh\necho 'lua/unknown direct dispatch noise'\necho 'boom: no engine'\n")
    fake.chmod(0o755)
    host = HeadlessArdour(tmp_path / "work", port=free_udp_port(), binary=str(fake))
    with pytest.raises(ArdourHostError) as info:
        host.start()
    message = str(info.value)
    assert "exited with status 0" in message
    assert str(host.log_path) in message
    assert message.endswith("boom: no engine")
    assert "\n" not in message
    assert host.pid is None
    assert isinstance(info.value, BridgeError)


def test_start_timeout_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "silent-ardour"
    fake.write_text("#!/bin/sh\necho 'waiting for nothing'\nexec sleep 30\n")
    fake.chmod(0o755)
    host = HeadlessArdour(
        tmp_path / "work", port=free_udp_port(), binary=str(fake), start_timeout=0.5
    )
    started = time.monotonic()
    with pytest.raises(
        ArdourHostError, match=r"did not answer .* within 0.5 s.*waiting for nothing"
    ):
        host.start()
    assert time.monotonic() - started < 5.0  # stop-file ignored → SIGTERM
    assert host.pid is None


def test_start_kills_an_ardour_left_by_a_crashed_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    script = work / "ardour_serve.lua"  # the stale process's argv names this file
    stale = subprocess.Popen(["/bin/sh", "-c", "sleep 60; :", str(script)], start_new_session=True)
    unrelated = subprocess.Popen(["/bin/sh", "-c", "exec sleep 60"], start_new_session=True)
    try:
        (work / "ardour.pid").write_text(f"{stale.pid}\n")
        fake = tmp_path / "fake-ardour"
        fake.write_text("#!/bin/sh\necho 'no engine'\nexit 2\n")
        fake.chmod(0o755)
        host = HeadlessArdour(work, port=free_udp_port(), binary=str(fake))
        with pytest.raises(ArdourHostError, match="status 2"):
            host.start()
        assert stale.wait(timeout=5) == -signal.SIGKILL
        # A pid file naming a process that is not ours is only dropped.
        (work / "ardour.pid").write_text(f"{unrelated.pid}\n")
        with pytest.raises(ArdourHostError, match="status 2"):
            host.start()
        assert unrelated.poll() is None
        assert not (work / "ardour.pid").exists()
    finally:
        for proc in (stale, unrelated):
            proc.kill()
            proc.wait()


def test_missing_binary_is_reported(tmp_path: Path) -> None:
    host = HeadlessArdour(tmp_path, binary="no-such-ardour-binary")
    with pytest.raises(ArdourHostError, match="no-such-ardour-binary not found"):
        host.start()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tracks": ("A", "A")}, "unique"),
        ({"tracks": ("",)}, "non-empty"),
        ({"tracks": ("a\nb",)}, "control character"),
        ({"tracks": ("Master",)}, "reserved"),
        ({"tracks": "Vocals"}, "sequence"),
        ({"port": 80}, "1024..65535"),
        ({"rate": 1000}, "sample rate"),
        ({"start_timeout": 0.0}, "positive"),
        ({"buses": "Bus"}, "sequence"),
        ({"buses": ("Track1",)}, "unique"),
        ({"buses": ("master",)}, "bus name 'master' is reserved"),
        ({"plugins": {"Track1": ("ACE Chorus",)}}, r"unknown plugin 'ACE Chorus'.*'ACE EQ'"),
        ({"plugins": {"Track1": "ACE EQ"}}, "sequence"),
        ({"plugins": {"Nobody": ("ACE EQ",)}}, "no such track or bus"),
        ({"sends": {"Track1": ("Bus",)}}, "no such bus"),
        ({"buses": ("Bus",), "sends": {"Bus": ("Bus",)}}, "no such track"),
        ({"buses": ("Bus",), "sends": {"Track1": ("Bus", "Bus")}}, "repeat"),
        ({"buses": ("Bus",), "sends": {"Track1": "Bus"}}, "sequence"),
    ],
)
def test_invalid_arguments_are_refused(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ArdourHostError, match=match):
        HeadlessArdour(tmp_path, **kwargs)  # type: ignore[arg-type]
