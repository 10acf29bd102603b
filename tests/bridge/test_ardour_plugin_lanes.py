"""Plugin parameter lanes, by name and in real units, streamed into a real Ardour 7.

Ardour's OSC can set the automation mode of gain, trim, pan, mute and sends, not of
a plugin parameter, so a write pass with a plugin lane is refused before anything is
sent; with the lane armed in Ardour (here from Lua, as a user would in the GUI) and
``mode=None``, the pass streams the values and Ardour records them. Everything is
read back inside Ardour's engine (Lua), not from OSC.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import bridge
from bridge.automation.errors import AutomationError
from bridge.automation.lane import Lane, Point
from bridge.automation.passmodes import ModeUnavailableError
from bridge.automation.player import LanePlayer
from bridge.hosts.ardour import HeadlessArdour
from tests.bridge import free_udp_port


@pytest.fixture(scope="module")
def ardour(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour-fx-lanes"),
        port=free_udp_port(),
        tracks=("Vocals",),
        plugins={"Vocals": ["ACE EQ", "ACE Compressor"]},
        binary=ardour_bin,
    )
    with host:
        yield host


def _param(ardour: HeadlessArdour, fx: int, name: str) -> dict[str, object]:
    plugin = ardour.dump()["routes"]["Vocals"]["plugins"][fx - 1]
    return next(dict(p) for p in plugin["params"] if p["name"] == name)


RIDE = Lane("Vocals", "fx/ACE EQ/param/Gain 1", (Point(0.0, -12.0), Point(1.0, 6.0)))


def test_a_write_pass_with_a_plugin_lane_is_refused_before_anything_is_sent(
    ardour: HeadlessArdour,
) -> None:
    before = ardour.dump()
    with (
        bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer,
        pytest.raises(ModeUnavailableError, match=r"fx/1/param/4.*--mode none"),
    ):
        LanePlayer(mixer, [RIDE], rate_hz=50, mode="write")
    after = ardour.dump()
    assert after["routes"]["Vocals"]["plugins"] == before["routes"]["Vocals"]["plugins"]
    assert after["transport_sample"] == before["transport_sample"]


def test_a_point_outside_the_range_is_refused_naming_the_lane(ardour: HeadlessArdour) -> None:
    loud = Lane("Vocals", "fx/ACE Compressor/param/Threshold", (Point(0.0, -20.0), Point(1, 6.0)))
    with (
        bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer,
        pytest.raises(
            AutomationError, match=r"'Threshold', \[-60, 0\] dB\): a point 6 is out of range"
        ),
    ):
        LanePlayer(mixer, [loud], rate_hz=50, mode=None)
    unknown = Lane("Vocals", "fx/Pro-Q/param/Gain", (Point(0.0, 0.0),))
    with (
        bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer,
        pytest.raises(AutomationError, match=r"no plugin named 'Pro-Q'.*'ACE EQ'"),
    ):
        LanePlayer(mixer, [unknown], rate_hz=50, mode=None)


def test_an_armed_plugin_lane_is_streamed_by_name_and_recorded(ardour: HeadlessArdour) -> None:
    number = _param(ardour, 1, "Gain 1")["number"]
    assert number == 4
    ardour.set_plugin_automation("Vocals", 1, 4, "Write")
    try:
        with bridge.connect("ardour", port=ardour.port, timeout=5.0) as mixer:
            report = LanePlayer(mixer, [RIDE], rate_hz=50, mode=None).run()
        assert report.messages > 20
        gain1 = _param(ardour, 1, "Gain 1")
        assert gain1["value"] == pytest.approx(6.0, abs=0.5)  # the engine followed to the end
        auto = gain1["automation"]
        assert isinstance(auto, dict)
        events = auto["events"]
        assert len(events) > 10, auto
        # Every recorded event lies on the lane (Ardour records what it was sent).
        for t, value in events:
            if 0.05 <= t <= 0.95:
                assert value == pytest.approx(RIDE.value_at(t), abs=1.5), (t, value)
        values = [v for _, v in events]
        assert min(values) < -9.0
        assert max(values) > 3.0
    finally:
        ardour.set_plugin_automation("Vocals", 1, 4, "Manual")
