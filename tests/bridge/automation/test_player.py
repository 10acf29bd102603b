"""LanePlayer against the embedded virtual DAW, in real time over real UDP.

The virtual DAW records what a REAPER would record in each automation mode, so
the pass is checked against the DAW's own recorded points (not against what the
player believes it sent), then rendered. The modes a pass leaves behind, and
the refusal of a master lane before anything is sent, are read from the
virtual DAW's own state too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation.lane import Lane, Point
from bridge.automation.passmodes import ModeUnavailableError
from bridge.automation.player import LanePlayer
from bridge.osc.message import Message
from bridge.virtual.session import VirtualMixer, start_virtual

RATE = 48000


@pytest.fixture
def mixer(tmp_path: Path) -> Iterator[VirtualMixer]:
    stems = tmp_path / "stems"
    stems.mkdir()
    t = np.arange(int(3.0 * RATE)) / RATE
    sf.write(stems / "lead.wav", 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_24")
    sf.write(stems / "pad.wav", 0.2 * np.sin(2 * np.pi * 330 * t), RATE, subtype="PCM_24")
    with start_virtual(stems, render_dir=tmp_path / "renders", rate=RATE, timeout=5.0) as m:
        yield m


def _settled(mixer: VirtualMixer, track: str) -> str:
    """The track's mode once the DAW has processed what was sent (UDP is asynchronous)."""
    mixer.mirror.wait_for(lambda m: m.get(None, "playing") is False, 2.0)
    handled = -1
    while handled != mixer.daw.handled:  # until the server is idle
        handled = mixer.daw.handled
        mixer.mirror.wait_for(lambda _: False, 0.05)
    return mixer.daw.automation_mode(track)


def _recorded_at(points: list[tuple[float, float]], t: float) -> float:
    times = np.array([p[0] for p in points])
    values = np.array([p[1] for p in points])
    return float(np.interp(t, times, values))


@pytest.mark.parametrize("mode", ["auto", "latch", "write"])
def test_a_pass_is_recorded_by_the_daw_at_every_breakpoint(mixer: VirtualMixer, mode: str) -> None:
    volume = Lane(
        "lead", "volume_db", (Point(0.2, -18.0, "s_curve"), Point(0.9, -4.0), Point(1.4, -9.0))
    )
    pan = Lane("lead", "pan", (Point(0.2, -0.5), Point(1.4, 0.5)))
    player = LanePlayer(mixer, [volume, pan], rate_hz=50, mode=mode)
    assert player.mode == ("touch" if mode == "auto" else mode)  # REAPER's choice
    report = player.run()
    assert not report.interrupted
    assert report.ticks >= 55  # 1.2 s at 50 Hz, plus the last tick
    assert report.position_reports >= 5  # steered by the DAW's /time
    points = mixer.daw.automation("lead")
    for lane, tolerance in ((volume, 0.25), (pan, 0.02)):
        recorded = points[lane.param]
        assert recorded[0][0] <= lane.start_s + 0.03
        assert recorded[-1][0] >= lane.end_s - 0.03
        for p in lane.points:
            assert abs(_recorded_at(recorded, p.time_s) - p.value) <= tolerance, (lane.param, p)
    # Clean-up: touch released, transport stopped, the lane left in read so REAPER plays it.
    assert report.modes_after == "read"
    assert _settled(mixer, "lead") == "read"
    assert mixer.tracks["lead"].get("automation/volume_db") == "read"  # REAPER's own report
    assert not mixer.daw.playing
    assert mixer.daw.automation("pad") == {} or all(
        not v for v in mixer.daw.automation("pad").values()
    )
    # The render plays the pass: the lead alone (the pad muted) follows the lane.
    mixer.tracks["pad"].mute = True
    mixer.tracks["pad"].wait_for("mute", True)
    take = mixer.render_and_wait(timeout=30)
    audio, _ = sf.read(take.path, always_2d=True)

    def level(at: float) -> float:  # L and R power: the constant-power pan drops out
        seg = audio[int((at - 0.01) * RATE) : int((at + 0.01) * RATE)]
        return 10 * math.log10(float(np.mean(np.sum(seg**2, axis=1))) / 0.3**2 * 2)

    for at in (0.25, 0.55, 0.9, 1.2):
        assert level(at) == pytest.approx(volume.value_at(at), abs=0.5)


@pytest.mark.parametrize(
    ("interrupt_at", "restore", "after", "mode"),
    [
        (15, False, "read", "read"),  # mid-pass: the part written so far plays
        (15, True, "restored", "trim"),  # --restore-modes, also on Ctrl-C
    ],
)
def test_ctrl_c_releases_stops_and_leaves_what_was_written_playing(
    mixer: VirtualMixer, interrupt_at: int, restore: bool, after: str, mode: str
) -> None:
    lane = Lane("pad", "volume_db", (Point(0.0, -6.0), Point(3.0, -20.0)))
    calls = 0

    def sleep(seconds: float) -> None:
        nonlocal calls
        calls += 1
        if calls == interrupt_at:
            raise KeyboardInterrupt
        time.sleep(seconds)

    player = LanePlayer(mixer, [lane], rate_hz=50, sleep=sleep, restore_modes=restore)
    with pytest.raises(KeyboardInterrupt):
        player.run()
    assert player.last_report is not None
    assert player.last_report.interrupted
    assert player.last_report.modes_after == after
    assert _settled(mixer, "pad") == mode
    assert not mixer.daw.playing
    recorded = mixer.daw.automation("pad")["volume_db"]
    assert recorded[-1][0] < 1.0  # the pass ended where it was interrupted


def test_ctrl_c_before_the_first_value_puts_the_modes_back(
    mixer: VirtualMixer, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_raw = mixer.send_raw

    def interrupted_play(messages: Sequence[Message]) -> None:
        if any(m.address == "/play" for m in messages):
            raise KeyboardInterrupt  # as if Ctrl-C came just before play
        send_raw(messages)

    monkeypatch.setattr(mixer, "send_raw", interrupted_play)
    player = LanePlayer(mixer, [Lane("pad", "volume_db", (Point(0.0, -6.0), Point(1.0, -9.0)))])
    with pytest.raises(KeyboardInterrupt):
        player.run()
    assert player.last_report is not None
    assert player.last_report.modes_after == "restored"
    assert _settled(mixer, "pad") == "trim"  # it was in touch for a moment
    assert not mixer.daw.automation("pad").get("volume_db")


def test_restore_modes_puts_the_previous_mode_back(mixer: VirtualMixer) -> None:
    mixer.send_raw(mixer.dialect.automation_mode(1, "volume_db", "latch"))  # lead: not trim
    mixer.tracks["lead"].wait_for("automation/volume_db", "latch")
    lane = Lane("lead", "volume_db", (Point(0.1, -12.0), Point(0.5, -3.0)))
    report = LanePlayer(mixer, [lane], rate_hz=50, restore_modes=True).run()
    assert report.modes_after == "restored"
    assert _settled(mixer, "lead") == "latch"
    assert mixer.daw.automation("lead")["volume_db"]  # the pass was written all the same


def test_a_master_lane_is_refused_before_anything_is_sent(mixer: VirtualMixer) -> None:
    handled = mixer.daw.handled
    ride = Lane("lead", "volume_db", (Point(0.2, -12.0), Point(1.0, -3.0)))
    fade = Lane("master", "volume_db", (Point(0.5, 0.0), Point(1.0, -60.0)))
    with pytest.raises(ModeUnavailableError) as caught:
        LanePlayer(mixer, [ride, fade], rate_hz=50)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("lane 'master' volume_db: a touch pass cannot write it,")
    assert "Default.ReaperOSC has no pattern for it" in message
    assert "--mode none" in message
    assert "docs/virtual-daw.md" in message
    mixer.mirror.wait_for(lambda _: False, 0.2)  # anything sent would have arrived
    assert mixer.daw.handled == handled  # not one datagram
    assert not mixer.daw.playing
    assert mixer.daw.position == 0.0
    assert mixer.daw.automation_mode("lead") == "trim"
    assert mixer.daw.automation("lead") == {}
    assert mixer.daw.state.tracks["lead"].volume_db == 0.0
    assert mixer.daw.state.master_volume_db == 0.0


def test_with_mode_none_a_master_lane_streams(mixer: VirtualMixer) -> None:
    fade = Lane("master", "volume_db", (Point(0.1, 0.0), Point(0.6, -30.0)))
    levels: list[tuple[float, float]] = []
    sleep_calls = 0

    def sleep(seconds: float) -> None:  # sample the DAW's master fader during the pass
        nonlocal sleep_calls
        sleep_calls += 1
        if sleep_calls % 5 == 0:
            levels.append((mixer.daw.position, mixer.daw.state.master_volume_db))
        time.sleep(seconds)

    report = LanePlayer(mixer, [fade], rate_hz=50, mode=None, sleep=sleep).run()
    assert report.modes_after == "unchanged"
    assert _settled(mixer, "lead") == "trim"
    assert mixer.daw.state.master_volume_db == pytest.approx(-30.0, abs=0.01)
    middle = [db for at, db in levels if 0.25 < at < 0.45]
    assert middle, levels
    assert all(-25.0 < db < -3.0 for db in middle), levels  # it moved along the fade


def test_bad_lanes_fail_before_anything_is_sent(mixer: VirtualMixer) -> None:
    import bridge

    with pytest.raises(bridge.UnknownTrackError, match="no track named 'vox'"):
        LanePlayer(mixer, [Lane("vox", "volume_db", (Point(0.0, -6.0),))])
    with pytest.raises(bridge.UnsupportedError, match="master width"):
        LanePlayer(mixer, [Lane("master", "width", (Point(0.0, 0.0),))])
    assert mixer.daw.automation_mode("lead") == "trim"
