"""A real Ardour 7 headless: start, OSC set → engine state, busy port, tracks, clean stop.

One Ardour serves the module (each start costs about 2 s); the lifecycle test
starts its own. OSC messages are built with explicit type tags and sent from a
raw UDP socket, so replies (Ardour answers the source port) come back to it.
"""

from __future__ import annotations

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
from bridge.hosts import ArdourHostError, HeadlessArdour
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
    ],
)
def test_invalid_arguments_are_refused(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ArdourHostError, match=match):
        HeadlessArdour(tmp_path, **kwargs)  # type: ignore[arg-type]
