"""The public bridge API against a real Ardour 7, verified through Ardour's own state.

Ardour runs headless (``bridge.hosts.ardour``); every value set over OSC is read
back with Lua inside Ardour (``HeadlessArdour.dump``), not only from the OSC
feedback the bridge itself parses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

import bridge
from bridge.dialects.ardour import MAX_GAIN_DB
from bridge.hosts.ardour import HeadlessArdour
from bridge.mixer import Mixer
from tests.bridge import free_udp_port

TRACKS = ("Vocals", "Guitar", "Bass")


@pytest.fixture(scope="module")
def ardour(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour"), port=free_udp_port(), tracks=TRACKS, binary=ardour_bin
    )
    with host:
        yield host


@pytest.fixture
def mixer(ardour: HeadlessArdour) -> Iterator[Mixer]:
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as m:
        yield m
        # Leave a clean mix for the next test.
        for name in TRACKS:
            track = m.tracks[name]
            track.volume_db, track.pan, track.mute, track.solo = 0.0, 0.0, False, False
        m.master.volume_db = 0.0
        for name in TRACKS:
            m.tracks[name].wait_for("volume_db", 0.0, timeout=5.0)


def test_snapshot_names_tracks_in_strip_order(mixer: Mixer, ardour: HeadlessArdour) -> None:
    assert [name for _, name in mixer.mirror.tracks()] == ardour.dump()["strips"]
    assert [t.name for t in mixer.tracks] == list(TRACKS)
    assert mixer.tracks["Guitar"].number == 2
    assert mixer.mirror.rate == 48000


def test_levels_pan_mute_solo_land_in_ardour(mixer: Mixer, ardour: HeadlessArdour) -> None:
    vocals, bass = mixer.tracks["Vocals"], mixer.tracks["Bass"]
    vocals.volume_db = -6.0
    vocals.pan = -0.5
    bass.mute = True
    mixer.tracks["guitar"].solo = True  # names match case-insensitively as a fallback
    mixer.master.volume_db = -1.5
    vocals.wait_for("volume_db", -6.0, tolerance=1e-3)
    vocals.wait_for("pan", -0.5, tolerance=1e-4)
    bass.wait_for("mute", True)
    mixer.tracks["Guitar"].wait_for("solo", True)
    mixer.master.wait_for("volume_db", -1.5, tolerance=1e-3)

    routes = ardour.dump()["routes"]
    assert routes["Vocals"]["gain_db"] == pytest.approx(-6.0, abs=1e-3)
    # API pan -0.5 is left of centre: Ardour's azimuth 0 is hard left.
    assert routes["Vocals"]["pan_azimuth"] == pytest.approx(0.25, abs=1e-4)
    assert routes["Bass"]["mute"] is True
    assert routes["Guitar"]["solo"] is True
    assert routes["Master"]["gain_db"] == pytest.approx(-1.5, abs=1e-3)
    assert routes["Guitar"]["gain_db"] == pytest.approx(0.0, abs=1e-6)  # untouched


@pytest.mark.parametrize("pan", [-1.0, -0.3, 0.0, 0.6, 1.0])
def test_every_pan_position(mixer: Mixer, ardour: HeadlessArdour, pan: float) -> None:
    mixer.tracks["Bass"].pan = pan
    mixer.tracks["Bass"].wait_for("pan", pan, tolerance=1e-4)
    assert ardour.dump()["routes"]["Bass"]["pan_azimuth"] == pytest.approx((pan + 1) / 2, abs=1e-4)


def test_gain_clamp_and_minus_inf(mixer: Mixer, ardour: HeadlessArdour) -> None:
    guitar = mixer.tracks["Guitar"]
    guitar.volume_db = 12.0  # above Ardour's +6.02 dB fader maximum
    guitar.wait_for("volume_db", MAX_GAIN_DB, tolerance=1e-3)
    assert ardour.dump()["routes"]["Guitar"]["gain_db"] == pytest.approx(MAX_GAIN_DB, abs=1e-3)
    guitar.volume_db = -math.inf
    guitar.wait_for("volume_db", -math.inf)
    assert ardour.dump()["routes"]["Guitar"]["gain"] == 0.0


def test_values_reported_by_ardour_are_read_back(mixer: Mixer, ardour: HeadlessArdour) -> None:
    # Another client moves a fader: the mirror follows Ardour's feedback.
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as other:
        other.tracks["Bass"].volume_db = -9.5
        other.tracks["Bass"].wait_for("volume_db", -9.5, tolerance=1e-3)
    mixer.tracks["Bass"].wait_for("volume_db", -9.5, tolerance=1e-3, timeout=5.0)
    assert mixer.tracks["Bass"].volume_db == pytest.approx(-9.5, abs=1e-3)


def test_unknown_track_and_unsupported_render_name_the_problem(mixer: Mixer) -> None:
    with pytest.raises(bridge.UnknownTrackError, match="no track named 'Drums' in Ardour"):
        mixer.tracks["Drums"]
    with pytest.raises(bridge.UnknownTrackError, match="no track 9 in Ardour"):
        mixer.tracks[9]
    with pytest.raises(bridge.UnsupportedError, match="Ardour cannot do 'render"):
        mixer.render()


def test_strip_ids_shift_and_named_tracks_follow(ardour_bin: str, tmp_path: Path) -> None:
    with (
        HeadlessArdour(
            tmp_path, port=free_udp_port(), tracks=("Drums", "Keys"), binary=ardour_bin
        ) as host,
        bridge.connect("ardour", port=host.port, timeout=5.0) as mixer,
    ):
        keys = mixer.tracks["Keys"]
        assert keys.number == 2
        host.add_track("Lead", position=0)  # every strip id moves up by one
        assert mixer.mirror.wait_for(lambda m: m.track_id("Keys") == 3, 5.0)
        keys.volume_db = -4.0
        keys.wait_for("volume_db", -4.0, tolerance=1e-3)
        routes = host.dump()["routes"]
        assert routes["Keys"]["gain_db"] == pytest.approx(-4.0, abs=1e-3)
        assert routes["Lead"]["gain_db"] == pytest.approx(0.0, abs=1e-6)

        # Ardour restarts (remove_track saves, stops and starts it again): the
        # mixer notices the silence, registers again and follows the new ids.
        host.remove_track("Drums")
        assert mixer.mirror.wait_for(lambda m: m.track_id("Keys") == 2, 15.0)
        keys.volume_db = -7.0
        keys.wait_for("volume_db", -7.0, tolerance=1e-3, timeout=5.0)
        assert host.dump()["routes"]["Keys"]["gain_db"] == pytest.approx(-7.0, abs=1e-3)


def test_no_answer_is_a_one_line_error() -> None:
    port = free_udp_port()  # nothing listens there
    with pytest.raises(
        bridge.BridgeTimeoutError, match=f"no answer from Ardour at 127.0.0.1:{port}"
    ):
        bridge.connect("ardour", port=port, timeout=0.3)
