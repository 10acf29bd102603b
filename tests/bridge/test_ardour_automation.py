"""A scripted automation pass written into a real Ardour 7, read back from the saved session.

The lanes are streamed in Ardour's Write mode while its transport rolls (the
Dummy backend runs in real time), then ``/save_state`` is sent over OSC and the
``.ardour`` XML is read: the ``gain`` and ``pan-azimuth`` automation events
must match each lane at every breakpoint within 0.5 dB and 0.02 pan, and span
the lane's time range. Ardour's own engine state (Lua) must agree.
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
from bridge.automation.player import LanePlayer
from bridge.hosts.ardour import HeadlessArdour
from bridge.mixer import Mixer
from bridge.osc.message import message
from tests.bridge import free_udp_port

SUPERCLOCK_HZ = 282_240_000  # Ardour 7's superclock ticks per second


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
        # The previous mode (Manual) is back, and the transport stopped.
        mixer.tracks["Vocals"].wait_for("automation/volume_db", "off", timeout=3.0)
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
            assert abs(got - point.value) <= tolerance, (lane.param, point, got)
        inside = [t for t, _ in events if lane.start_s - 0.1 <= t <= lane.end_s + 0.1]
        assert min(inside) <= lane.start_s + 0.05
        assert max(inside) >= lane.end_s - 0.05

    # Ardour's engine holds the same events, and the mode it was left in.
    routes = ardour.dump()["routes"]
    assert routes["Vocals"]["gain_automation"]["state"] == "Manual"
    engine = routes["Vocals"]["gain_automation"]["events"]
    for point in volume.points:
        got = 20 * math.log10(_at(engine, point.time_s))
        assert abs(got - point.value) <= 0.5
    assert routes["Bass"]["gain_automation"]["events"] == [] or all(
        abs(v - 1.0) < 1e-6 for _, v in routes["Bass"]["gain_automation"]["events"]
    )


def test_ctrl_c_releases_and_stops(ardour: HeadlessArdour) -> None:
    lane = Lane("Bass", "volume_db", (Point(0.0, -6.0), Point(5.0, -12.0)))
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
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
        mixer.tracks["Bass"].wait_for("automation/volume_db", "off", timeout=3.0)
    assert ardour.dump()["rolling"] is False
