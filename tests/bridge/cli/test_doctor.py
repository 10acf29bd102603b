"""``mixdesk doctor``: a real headless Ardour for its checks, UDP fakes for REAPER and Live.

The fakes stand in for DAWs that cannot run here: a UDP peer that answers
every datagram to the sender, to a fixed port, or not at all, which is all the
REAPER and AbletonOSC checks look at; and one Ardour that real Ardour 7.3 cannot
play, answering everything but plugin queries.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest
from pythonosc.osc_packet import OscPacket

from bridge.dialects import DIALECTS
from bridge.dialects.reaper import ReaperDialect
from bridge.doctor import Finding, Probe, probe
from bridge.hosts import HeadlessArdour
from bridge.osc.message import message
from tests.bridge import free_udp_port, wait_dump
from tests.bridge.cli import cli, one_line

TRACKS = ("Vocals", "Bass")
CHECKS = ["listen port", "DAW port", "answer", "reply port", "feedback", "value types", "plugins"]


def rows(out: str) -> list[tuple[str, str, str]]:
    """(status, check, rest) of each printed line."""
    parsed = []
    for line in out.splitlines():
        status, rest = line[:4].strip(), line[6:]
        parsed.append((status, rest[:11].strip(), rest[13:]))
    return parsed


def test_all_ok_against_ardour(daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "doctor", "--daw", "ardour", "--port", daw.port)
    assert code == 0, out
    found = rows(out)
    assert [check for _, check, _ in found] == CHECKS
    assert {status for status, _, _ in found} == {"ok"}
    by_check = {check: text for _, check, text in found}
    assert f"UDP {daw.port} is bound by" in by_check["DAW port"]
    assert f"(pid {daw.pid})" in by_check["DAW port"]
    assert by_check["answer"] == "Ardour answered /strip/list: Vocals, Bass."
    assert by_check["value types"].startswith(
        "Ardour ignored '/strip/gain 1 0' sent as int32 (it answered '/strip/gain 1 0')"
    )
    assert by_check["plugins"] == "Ardour answered '/strip/plugin/list 1': Vocals has no plugins."
    assert err == f"mixdesk doctor: ardour at 127.0.0.1:{daw.port}: no problems found\n"


def test_doctor_leaves_the_mix_as_it_was(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.sendto(message("/strip/gain", 1, -6.0).encode(), ("127.0.0.1", daw.port))
        sock.sendto(
            message("/strip/pan_stereo_position", 1, 0.25).encode(), ("127.0.0.1", daw.port)
        )
    finally:
        sock.close()
    before = wait_dump(daw, lambda s: s["routes"]["Vocals"]["pan_azimuth"] != 0.5)["routes"][
        "Vocals"
    ]
    assert before["gain_db"] == pytest.approx(-6.0, abs=0.01)

    code, out, _ = cli(capsys, "doctor", "--daw", "ardour", "--port", daw.port)
    assert code == 0, out
    assert "Ardour ignored '/strip/gain 1 -6' sent as int32 (it answered '/strip/gain 1 0')" in out
    after = daw.dump()["routes"]["Vocals"]
    assert after["gain"] == before["gain"]  # bit for bit
    assert after["pan_azimuth"] == before["pan_azimuth"]
    assert after["mute"] is False


def _first_reply(sock: socket.socket) -> bytes:
    """The first datagram that answers a query (``#reply`` or ``/reply``), skipping feedback."""
    while True:
        data = sock.recvfrom(65536)[0]  # the socket's timeout fails the test
        if data.startswith((b"#reply", b"/reply")):
            return data


def test_manual_reply_port_is_found_and_put_back(daw: HeadlessArdour) -> None:
    manual = free_udp_port()
    ardour = ("127.0.0.1", daw.port)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    watch = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    watch.bind(("127.0.0.1", manual))
    watch.settimeout(5.0)
    try:
        client.sendto(message("/set_surface/port", manual).encode(), ardour)  # Manual mode
        client.sendto(message("/strip/list").encode(), ardour)
        assert watch.recvfrom(65536)[0].startswith(b"#reply")  # replies go to `manual` now
        watch.close()

        findings = {f.check: f for f in probe("ardour", port=daw.port, stray_ports=(manual,))}
        assert findings["reply port"].status == "warn"
        assert f"Ardour replied to its manual reply port {manual}" in findings["reply port"].message
        assert f"we set manual port {manual} and its surface settings back" in (
            findings["reply port"].message
        )
        assert "Port Mode to Auto" in findings["reply port"].fix
        assert findings["answer"].status == findings["feedback"].status == "ok"

        watch = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        watch.bind(("127.0.0.1", manual))
        watch.settimeout(5.0)
        client.sendto(message("/strip/list").encode(), ardour)
        # Manual mode is back, and so is its feedback 0 (so '#reply', not our '/reply').
        # Under load, feedback Ardour queued during the probe can still arrive first.
        assert _first_reply(watch).startswith(b"#reply")
    finally:
        client.sendto(message("/set_surface/port", 0).encode(), ardour)  # auto for the others
        client.close()
        watch.close()


def test_manual_reply_port_that_is_ours_warns_and_exits_0(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = free_udp_port()
    ardour = ("127.0.0.1", daw.port)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    watch = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    watch.bind(("127.0.0.1", ours))
    watch.settimeout(5.0)
    try:
        client.sendto(message("/set_surface/port", ours).encode(), ardour)  # Manual, to `ours`
        client.sendto(message("/strip/list").encode(), ardour)
        assert watch.recvfrom(65536)[0].startswith(b"#reply")  # replies go to `ours` now
        watch.close()

        code, out, err = cli(
            capsys, "doctor", "--daw", "ardour", "--port", daw.port, "--listen-port", ours
        )
        assert code == 0, out  # a warning is advice, not a failure
        found = {check: (status, text) for status, check, text in rows(out)}
        assert [check for _, check, _ in rows(out)] == CHECKS
        status, text = found["reply port"]
        assert status == "warn"
        assert text.startswith(
            f"Ardour is in manual reply-port mode and sends every reply to port {ours}, where we"
            " listen: this works, but only for one OSC app on this host"
        )
        assert f"Fix: keep --listen-port {ours}, or set Port Mode to Auto" in text
        assert {s for c, (s, _) in found.items() if c != "reply port"} == {"ok"}
        assert err == f"mixdesk doctor: ardour at 127.0.0.1:{daw.port}: 1 warning found\n"

        watch = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        watch.bind(("127.0.0.1", ours))
        watch.settimeout(5.0)
        client.sendto(message("/strip/list").encode(), ardour)
        assert _first_reply(watch).startswith(b"#reply")  # manual mode and feedback 0 are back
    finally:
        client.sendto(message("/set_surface/port", 0).encode(), ardour)  # auto for the others
        client.close()
        watch.close()


def _two_free_ports() -> int:
    """A UDP port P such that P and P + 1 were both free a moment ago."""
    for _ in range(50):
        port = free_udp_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind(("0.0.0.0", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two adjacent free UDP ports")


def test_another_program_on_ardours_port_and_ardour_moved_up(
    ardour_bin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    held = _two_free_ports()
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", held))  # what Ardour finds busy at start, so it takes held + 1
    moved = held + 1
    try:
        with HeadlessArdour(
            tmp_path / "ardour",
            port=moved,
            tracks=TRACKS,
            plugins={"Vocals": ["ACE EQ"]},
            binary=ardour_bin,
        ) as daw:
            code, out, err = cli(capsys, "doctor", "--daw", "ardour", "--port", held)
            assert code == 1
            found = rows(out)
            assert [(s, c) for s, c, _ in found] == [
                ("ok", "listen port"),
                ("fail", "DAW port"),
                ("skip", "answer"),
            ]
            text = found[1][2]
            assert text.startswith(f"UDP {held} is held by ")
            assert f"(pid {os.getpid()}), not Ardour; Ardour listens on {moved} (" in text
            assert f"(pid {daw.pid})): it moves up when its port is busy at start." in text
            assert f"Fix: pass --port {moved}, or close " in text
            assert f"and restart Ardour to get {held} back." in text
            assert found[2][2] == f"not asked: UDP {held} is another program's."
            assert err == f"mixdesk doctor: ardour at 127.0.0.1:{held}: 1 problem found\n"

            # At the port it names, everything is fine, and the plugin queries answer.
            code, out, _ = cli(capsys, "doctor", "--daw", "ardour", "--port", moved)
            assert code == 0, out
            plugins = {c: (s, m) for s, c, m in rows(out)}["plugins"]
            params = len(daw.dump()["routes"]["Vocals"]["plugins"][0]["params"])
            assert plugins == (
                "ok",
                f"Ardour lists the plugins of Vocals (ACE EQ) and describes the {params}"
                " parameters of the first.",
            )
    finally:
        blocker.close()


# ---- an Ardour that answers everything but plugin queries ----
Answer = Callable[[str, tuple[object, ...]], list[bytes]]


@contextmanager
def osc_peer(answer: Answer) -> Iterator[int]:
    """A UDP peer that answers each OSC message (bundles unpacked) to its sender."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, sender = sock.recvfrom(65536)
            except TimeoutError:
                continue
            for timed in OscPacket(data).messages:
                for reply in answer(timed.message.address, tuple(timed.message.params)):
                    sock.sendto(reply, sender)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        sock.close()


def no_plugin_answers(address: str, args: tuple[object, ...]) -> list[bytes]:
    """Ardour's answers to /strip/list and /set_surface, and nothing to plugin queries."""
    if address == "/strip/list":
        return [
            message("/reply", "AT", "Vocals", 1, 2, 0, 0, 1, 0).encode(),
            message("/reply", "end_route_list", 48000, 0, 0).encode(),
            message("/strip/gain", 1, 0.0).encode(),
        ]
    if address == "/set_surface" and not args:
        return [message("/set_surface", 0, 159, 0, 0, 0, 0, 0, 0, 0).encode()]
    return []


def test_plugin_queries_unanswered_say_what_to_change(capsys: pytest.CaptureFixture[str]) -> None:
    with osc_peer(no_plugin_answers) as port:
        code, out, err = cli(
            capsys, "doctor", "--daw", "ardour", "--port", port, "--timeout", "0.3"
        )
    assert code == 1
    found = {check: (status, text) for status, check, text in rows(out)}
    assert found["answer"] == ("ok", "Ardour answered /strip/list: Vocals.")
    assert found["feedback"][0] == "ok"
    status, text = found["plugins"]
    assert status == "fail"
    assert text.startswith(
        "Ardour answers /strip/list but not '/strip/plugin/list 1' (Vocals) within 0.3 s, so"
        " plugin names and parameters (fx:N:M) stay unknown. Fix: Ardour 5.5 and later answer"
        " it whatever the OSC settings (plugin page size and feedback bits do not matter to"
        " it): update Ardour, or turn on Debug in its OSC settings"
    )
    assert err.endswith(": 1 problem found\n")


# ---- a new DAW is one dialect class ----
def toy_checks(run: Probe) -> list[Finding]:
    """The toy DAW's own doctor checks."""
    run.ours.send(run.dialect.hello())
    heard = run.ours.inbox.wait(run.heard, run.timeout)
    return [Finding("answer", "ok" if heard else "fail", f"{run.dialect.title}: heard {heard}")]


class ToyDialect(ReaperDialect):
    """A DAW the registry does not know, described in one place."""

    name: ClassVar[str] = "toy"
    title: ClassVar[str] = "ToyDAW"
    default_port: ClassVar[int] = 1
    default_listen_port: ClassVar[int] = 0
    setup_hint: ClassVar[str] = "start ToyDAW with --osc"
    stray_ports: ClassVar[tuple[int, ...]] = ()
    doctor_probe: ClassVar[str | None] = "tests.bridge.cli.test_doctor:toy_checks"


def test_the_doctor_reads_a_daw_from_its_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DIALECTS, "toy", f"{__name__}:ToyDialect")
    dead = free_udp_port()
    findings = probe("toy", port=dead, timeout=0.2)
    assert (findings[1].status, findings[1].fix) == ("fail", "start ToyDAW with --osc")
    assert f"nothing listens on UDP {dead} on this machine: ToyDAW is not running" in (
        findings[1].message
    )
    with fake_daw(REAPER_FEEDBACK) as port:
        last = probe("toy", port=port, timeout=2.0)[-1]
    assert (last.check, last.status, last.message) == ("answer", "ok", "ToyDAW: heard True")


def test_nothing_listening_fails_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_udp_port()
    code, out, err = cli(capsys, "doctor", "--daw", "ardour", "--port", port)
    assert code == 1
    assert err == f"mixdesk doctor: ardour at 127.0.0.1:{port}: 1 problem found\n"
    found = rows(out)
    assert [(s, c) for s, c, _ in found] == [
        ("ok", "listen port"),
        ("fail", "DAW port"),
        ("skip", "answer"),
    ]
    assert found[1][2].startswith(
        f"nothing listens on UDP {port} on this machine: Ardour is not running, or its OSC"
        " surface is off or on another port. Fix: start Ardour and enable Edit > Preferences"
    )


def test_busy_listen_port_names_the_holder(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    try:
        busy = blocker.getsockname()[1]
        code, out, _ = cli(
            capsys, "doctor", "--daw", "ardour", "--port", daw.port, "--listen-port", busy
        )
    finally:
        blocker.close()
    assert code == 1
    status, check, text = rows(out)[0]
    assert (status, check) == ("fail", "listen port")
    assert text.startswith(f"UDP port {busy} is busy: held by ")
    assert f"(pid {os.getpid()})" in text
    assert "Fix: close that program, or pick another --listen-port" in text
    assert rows(out)[-1][:2] == ("skip", "answer")


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys, "doctor", "--daw", "ardour", "--port", free_udp_port(), "--format", "json"
    )
    assert code == 1
    doc = json.loads(out)
    assert (doc["schema"], doc["daw"], doc["ok"]) == ("mixdesk.doctor/1", "ardour", False)
    assert [f["status"] for f in doc["findings"]] == ["ok", "fail", "skip"]
    assert doc["findings"][1]["fix"].startswith("start Ardour")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--daw", "virtual"], "doctor checks reaper, ardour or ableton"),
        ([], "which DAW? add --daw"),
        (["--daw", "ardour", "--timeout", "0"], "--timeout must be between 0 and 600 s"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = cli(capsys, "doctor", *args)
    assert (code, out) == (2, "")
    assert message in one_line(err)


# ---- REAPER and AbletonOSC, played by a UDP fake ----
@contextmanager
def fake_daw(reply: bytes | None, to_port: int | None = None) -> Iterator[int]:
    """A UDP peer answering each datagram with ``reply`` (to the sender, or to ``to_port``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                _, sender = sock.recvfrom(65536)
            except TimeoutError:
                continue
            if reply is not None:
                sock.sendto(reply, sender if to_port is None else ("127.0.0.1", to_port))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        sock.close()


REAPER_FEEDBACK = message("/track/1/volume/str", "-6.00dB").encode()


def test_reaper_feedback_to_us(capsys: pytest.CaptureFixture[str]) -> None:
    listen = free_udp_port()
    with fake_daw(REAPER_FEEDBACK) as port:
        code, out, _ = cli(
            capsys, "doctor", "--daw", "reaper", "--port", port, "--listen-port", listen
        )
    assert code == 0, out
    assert rows(out)[-1] == ("ok", "feedback", "REAPER sent 1 feedback message to our port.")


def test_reaper_without_feedback_explains_the_device_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listen = free_udp_port()
    with fake_daw(None) as port:
        code, out, _ = cli(
            capsys,
            "doctor",
            "--daw",
            "reaper",
            "--port",
            port,
            "--listen-port",
            listen,
            "--timeout",
            "0.3",
        )
    assert code == 1
    status, check, text = rows(out)[-1]
    assert (status, check) == ("fail", "feedback")
    assert f"REAPER at 127.0.0.1:{port} sent no feedback within 0.3 s" in text
    assert f"Device port {listen} (where REAPER sends), Local listen port {port}" in text


def test_reaper_sending_to_another_port() -> None:
    listen, fixed = free_udp_port(), free_udp_port()
    with fake_daw(REAPER_FEEDBACK, to_port=fixed) as port:
        findings = probe("reaper", port=port, listen_port=listen, stray_ports=(fixed,))
    last = findings[-1]
    assert (last.check, last.status) == ("reply port", "fail")
    assert last.message == f"REAPER sends feedback to port {fixed}, but we listen on {listen}"
    assert last.fix.startswith(f"pass --listen-port {fixed}")


def test_ableton_answers_and_misdirected_answers() -> None:
    listen, fixed = free_udp_port(), free_udp_port()
    test_reply = message("/live/test", "ok").encode()
    with fake_daw(test_reply) as port:
        ok = probe("ableton", port=port, listen_port=listen, stray_ports=())
    assert (ok[-1].check, ok[-1].status) == ("answer", "ok")
    with fake_daw(test_reply, to_port=fixed) as port:
        bad = probe("ableton", port=port, listen_port=listen, stray_ports=(fixed,))
    assert (bad[-1].check, bad[-1].status) == ("reply port", "fail")
    assert f"AbletonOSC replies to port {fixed}" in bad[-1].message


@pytest.mark.parametrize(
    ("daw", "status", "says"),
    [
        ("ardour", "ok", "(a free port; Ardour replies to the sender)"),
        ("reaper", "warn", "but REAPER sends its replies to the port set in its own OSC"),
        ("ableton", "warn", "(11001 by default), so they will not arrive here"),
    ],
)
def test_any_free_listen_port_warns_where_the_daw_replies_to_a_fixed_one(
    daw: str, status: str, says: str
) -> None:
    [first, *_] = probe(daw, port=free_udp_port(), listen_port=0, timeout=0.2)
    assert (first.check, first.status) == ("listen port", status)
    assert first.message.startswith("we listen on 127.0.0.1:")
    assert says in first.message
    assert ("--listen-port" in first.fix) is (status == "warn")
