"""A scripted automation pass written into a real Ardour 7, read back and played back.

The lanes are streamed in Ardour's Write mode while its transport rolls (the
Dummy backend runs in real time), then ``/save_state`` is sent over OSC and the
``.ardour`` XML is read: the ``gain`` and ``pan-azimuth`` automation events
must match each lane at every breakpoint within 0.5 dB and 0.02 pan, and span
the lane's time range. Ardour's own engine state (Lua) must agree, and must
show the lanes left in Play; rolling the transport again, with no other step,
Ardour's engine gain must follow the lane. ``--restore-modes`` leaves Manual,
and a master lane is refused before the transport moves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

import bridge
from bridge.automation.lane import Lane, Point
from bridge.automation.lanefile import save_lanes
from bridge.automation.player import LanePlayer
from bridge.dialects.base import TrackId
from bridge.hosts.ardour import HeadlessArdour
from bridge.mixer import Mixer
from bridge.osc.message import message
from qc.cli.main import main
from tests.bridge import free_udp_port, wait_dump

SUPERCLOCK_HZ = 282_240_000  # Ardour 7's superclock ticks per second
EARLY_S = 0.045
"""Ardour says it rolls up to two 1024-sample cycles (42.7 ms) before it moves; the
player's song clock runs that much ahead until the first position report past the
start (0.1 s later at most) sets it (see bridge/automation/passtransport.py)."""


@pytest.fixture(scope="module")
def ardour(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour"),
        port=free_udp_port(),
        tracks=("Vocals", "Bass"),
        binary=ardour_bin,
    )
    with host:
        yield host


def _events(session: Path, route: str, automation_id: str) -> list[tuple[float, float]]:
    """``(seconds, value)`` automation events of one route's control in a saved session.

    Audio-time events are ``a<superclock ticks>``; beat-time events (pan) are
    ``b<ticks>`` at 1920 ticks per quarter note, on the session's constant tempo.
    """
    root = ElementTree.parse(session).getroot()
    tempo = next(root.iter("Tempo"))
    seconds_per_tick = (
        60.0 / float(tempo.get("npm", "nan")) / 1920 * 4 / int(tempo.get("note-type", "4"))
    )
    for node in root.iter("Route"):
        if node.get("name") != route:
            continue
        for alist in node.iter("AutomationList"):
            if alist.get("automation-id") != automation_id:
                continue
            events = alist.find("events")
            out = []
            for line in (events.text or "").split("\n") if events is not None else []:
                when, _, value = line.strip().partition(" ")
                if when.startswith("a"):
                    out.append((int(when[1:]) / SUPERCLOCK_HZ, float(value)))
                elif when.startswith("b"):
                    out.append((int(when[1:]) * seconds_per_tick, float(value)))
            return out
    raise AssertionError(f"no {automation_id} automation for {route} in {session}")


def _save(mixer: Mixer, session: Path) -> None:
    before = session.stat().st_mtime_ns
    mixer.send_raw([message("/save_state")])
    deadline = time.monotonic() + 5
    while session.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert session.stat().st_mtime_ns != before, "Ardour did not save the session"
    time.sleep(0.1)  # let the writer finish


def _at(events: list[tuple[float, float]], t: float) -> float:
    times = np.array([e[0] for e in events if e[0] < 1e6])  # drop Ardour's end guard point
    values = np.array([e[1] for e in events if e[0] < 1e6])
    return float(np.interp(t, times, values))


def _allowed(lane: Lane, point: Point, tolerance: float) -> float:
    """The tolerance at a point; the punch-in (the lane's start) may be written EARLY_S early."""
    if point.time_s != lane.start_s:
        return tolerance
    return tolerance + abs(lane.value_at(point.time_s + EARLY_S) - point.value)


def test_a_written_pass_lands_in_the_session(ardour: HeadlessArdour) -> None:
    volume = Lane(
        "Vocals",
        "volume_db",
        (
            Point(0.5, -20.0, "linear_db"),
            Point(1.5, -3.0, "s_curve"),
            Point(2.2, -8.0, "linear_amp"),
            Point(3.0, -12.0),
        ),
    )
    pan = Lane("Vocals", "pan", (Point(0.5, -0.8), Point(1.8, 0.0, "s_curve"), Point(3.0, 0.6)))
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
        report = LanePlayer(mixer, [volume, pan], rate_hz=50).run()
        assert report.ticks >= 100  # 2.5 s at 50 Hz
        assert report.position_reports >= 10  # steered by Ardour's own position
        assert not report.interrupted
        # The lanes are left in Play (our "read"), as Ardour reports, and the transport stopped.
        assert report.modes_after == "read"
        mixer.tracks["Vocals"].wait_for("automation/volume_db", "read", timeout=3.0)
        mixer.tracks["Vocals"].wait_for("automation/pan", "read", timeout=3.0)
        assert mixer.mirror.wait_for(lambda m: m.get(None, "playing") is False, 3.0)
        _save(mixer, ardour.session_file)

    gain = _events(ardour.session_file, "Vocals", "gain")
    azimuth = _events(ardour.session_file, "Vocals", "pan-azimuth")
    written = [e for e in gain if 0.4 < e[0] < 3.1]
    assert len(written) >= 40  # a point per value Ardour took, not just the endpoints
    for lane, events, to_api, tolerance in (
        (volume, gain, lambda g: 20 * math.log10(g) if g > 0 else -math.inf, 0.5),
        (pan, azimuth, lambda az: 2 * az - 1, 0.02),
    ):
        for point in lane.points:
            got = to_api(_at(events, point.time_s))
            assert abs(got - point.value) <= _allowed(lane, point, tolerance), (lane, point, got)
        inside = [t for t, _ in events if lane.start_s - 0.1 <= t <= lane.end_s + 0.1]
        assert min(inside) <= lane.start_s + 0.05
        assert max(inside) >= lane.end_s - 0.05

    # Ardour's engine holds the same events, and the mode it was left in: Play.
    routes = ardour.dump()["routes"]
    assert routes["Vocals"]["gain_automation"]["state"] == "Play"
    pan_automation = routes["Vocals"]["pan_automation"]
    assert pan_automation is not None
    assert pan_automation["state"] == "Play"
    engine = routes["Vocals"]["gain_automation"]["events"]
    for point in volume.points:
        got = 20 * math.log10(_at(engine, point.time_s))
        assert abs(got - point.value) <= _allowed(volume, point, 0.5)
    assert routes["Bass"]["gain_automation"]["events"] == [] or all(
        abs(v - 1.0) < 1e-6 for _, v in routes["Bass"]["gain_automation"]["events"]
    )


def _manual(mixer: Mixer, key: TrackId) -> None:
    """Put a track's gain and pan in Manual, as a fresh session has them."""
    for param in ("volume_db", "pan"):
        mixer.send_raw(mixer.dialect.automation_mode(key, param, "off"))
        mixer.tracks[key].wait_for(f"automation/{param}", "off", timeout=3.0)


def _locate(ardour: HeadlessArdour, mixer: Mixer, seconds: float) -> None:
    """Locate until Ardour's engine is there (it drops a locate right after a stop)."""
    for _ in range(10):
        mixer.transport.locate(seconds)
        state = wait_dump(
            ardour, lambda s: s["transport_sample"] == round(seconds * s["sample_rate"]), 0.3
        )
        if state["transport_sample"] == round(seconds * state["sample_rate"]):
            return
    raise AssertionError(f"Ardour did not locate to {seconds} s")


def _rolling_gain(
    ardour: HeadlessArdour, mixer: Mixer, route: str, seconds: float
) -> list[tuple[float, float]]:
    """Roll from 0 s and sample Ardour's engine: ``(position s, gain dB)`` every ~0.1 s.

    Ardour 7 drops a locate that comes right after its transport stopped, and a
    play that comes right after a locate finished, so each is sent until the
    engine shows it, as a user presses Home or Play again.
    """
    _locate(ardour, mixer, 0.0)
    for _ in range(10):
        mixer.transport.play()
        if wait_dump(ardour, lambda s: s["rolling"], 0.3)["rolling"]:
            break
    samples = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            state = ardour.dump()
            if state["rolling"]:
                at = state["transport_sample"] / state["sample_rate"]
                samples.append((at, state["routes"][route]["gain_db"]))
            time.sleep(0.1)
    finally:
        mixer.transport.stop()
        wait_dump(ardour, lambda s: not s["rolling"])
    return samples


def test_after_a_pass_rolling_plays_the_lane(ardour: HeadlessArdour) -> None:
    lane = Lane("Bass", "volume_db", (Point(0.3, -24.0), Point(1.3, -4.0, "hold")))
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
        _manual(mixer, mixer.resolve("Bass"))
        # The transport is elsewhere, as in any session: with the mode set before the
        # pass's own locate, Ardour wrote each value as a lone point with guard points
        # back to the old curve, and Play then held -24 dB (see passtransport).
        _locate(ardour, mixer, 2.0)
        report = LanePlayer(mixer, [lane], rate_hz=50).run()
        assert report.modes_after == "read"
        state = wait_dump(ardour, lambda s: not s["rolling"])
        assert state["routes"]["Bass"]["gain_automation"]["state"] == "Play"
        mixer.tracks["Bass"].volume_db = 0.0  # the fader elsewhere: Play must take over
        # No manual step: just roll, and read the gain Ardour's engine applies.
        samples = _rolling_gain(ardour, mixer, "Bass", 1.6)
    inside = [(at, db) for at, db in samples if 0.35 <= at <= 1.25]
    assert len(inside) >= 5, samples
    for at, db in inside:
        assert abs(db - lane.value_at(at)) <= 1.0, (at, db, lane.value_at(at), samples)
    assert max(db for _, db in inside) - min(db for _, db in inside) >= 10.0, samples


def test_restore_modes_leaves_manual(ardour: HeadlessArdour) -> None:
    lane = Lane("Bass", "volume_db", (Point(0.2, -18.0), Point(0.8, -6.0)))
    pan = Lane("Bass", "pan", (Point(0.2, -0.5), Point(0.8, 0.5)))
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
        _manual(mixer, mixer.resolve("Bass"))
        report = LanePlayer(mixer, [lane, pan], rate_hz=50, restore_modes=True).run()
        assert report.modes_after == "restored"
        mixer.tracks["Bass"].wait_for("automation/volume_db", "off", timeout=3.0)
    routes = wait_dump(ardour, lambda s: not s["rolling"])["routes"]
    assert routes["Bass"]["gain_automation"]["state"] == "Manual"
    pan_automation = routes["Bass"]["pan_automation"]
    assert pan_automation is not None
    assert pan_automation["state"] == "Manual"
    assert len(routes["Bass"]["gain_automation"]["events"]) >= 10  # written all the same


def test_ctrl_c_releases_stops_and_leaves_the_part_written_in_play(
    ardour: HeadlessArdour,
) -> None:
    lane = Lane("Bass", "volume_db", (Point(0.0, -6.0), Point(5.0, -12.0)))
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
        _manual(mixer, mixer.resolve("Bass"))
        ticks = 0

        def interrupting_sleep(seconds: float) -> None:
            nonlocal ticks
            ticks += 1
            if ticks == 20:
                raise KeyboardInterrupt
            time.sleep(seconds)

        player = LanePlayer(mixer, [lane], rate_hz=50, sleep=interrupting_sleep)
        with pytest.raises(KeyboardInterrupt):
            player.run()
        assert mixer.mirror.wait_for(lambda m: m.get(None, "playing") is False, 3.0)
        mixer.tracks["Bass"].wait_for("automation/volume_db", "read", timeout=3.0)
    state = ardour.dump()
    assert state["rolling"] is False
    assert state["routes"]["Bass"]["gain_automation"]["state"] == "Play"


def test_cli_leaves_play_and_refuses_a_master_lane(
    ardour: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
        _manual(mixer, mixer.resolve("Vocals"))
        mixer.transport.locate(2.0)  # somewhere a refused pass must not move from
    ride = tmp_path / "ride.toml"
    save_lanes([Lane("Vocals", "volume_db", (Point(0.1, -9.0), Point(0.6, -3.0)))], ride)
    assert main(["automate", "--daw", "ardour", "--port", str(ardour.port), str(ride)]) == 0
    out = capsys.readouterr().out
    assert "lanes left in read mode (REAPER Read, Ardour Play)" in out.splitlines()[-1]
    assert (
        wait_dump(ardour, lambda s: not s["rolling"])["routes"]["Vocals"]["gain_automation"][
            "state"
        ]
        == "Play"
    )

    fade = tmp_path / "fade.toml"
    save_lanes(
        [
            Lane("Vocals", "volume_db", (Point(0.1, -9.0), Point(0.6, -3.0))),
            Lane("master", "volume_db", (Point(0.1, 0.0), Point(0.6, -60.0))),
        ],
        fade,
    )
    before = ardour.dump()
    assert main(["automate", "--daw", "ardour", "--port", str(ardour.port), str(fade)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("mixdesk: lane 'master' volume_db: a write pass cannot write it,")
    assert "--mode none" in err
    assert "Traceback" not in err
    after = ardour.dump()
    assert after["rolling"] is False
    assert after["transport_sample"] == before["transport_sample"]  # not located, not rolled
    assert after["routes"]["Master"]["gain_automation"]["state"] == "Manual"
    assert after["routes"]["Master"]["gain_db"] == before["routes"]["Master"]["gain_db"]
