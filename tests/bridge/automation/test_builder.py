"""``track.automate(param)``: lanes built point by point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation import AutomationError, LaneBuilder, Point, Tempo
from bridge.virtual.session import start_virtual


def test_points_moves_and_holds_in_bars() -> None:
    lane = (
        LaneBuilder("Vocals", "volume_db", tempo=Tempo(96))
        .at("1:1", -6.0)
        .to("9:1", -3.5, "s_curve")
        .hold("17:1")
        .to("21:1", -60.0)
        .lane
    )
    assert lane.points == (
        Point(0.0, -6.0, "s_curve"),
        Point(20.0, -3.5, "hold"),
        Point(40.0, -3.5, "linear_db"),
        Point(50.0, -60.0, "linear_db"),
    )
    assert lane.value_at(10.0) == pytest.approx(-4.75, abs=1e-12)  # s-curve half way
    assert lane.value_at(30.0) == -3.5


def test_mistakes_name_the_lane() -> None:
    with pytest.raises(AutomationError, match="lane 'Bass' pan: 'to' needs a starting point"):
        LaneBuilder("Bass", "pan").to(1.0, 0.5)
    with pytest.raises(AutomationError, match="lane 'Bass' pan: no points"):
        _ = LaneBuilder("Bass", "pan").lane
    with pytest.raises(AutomationError, match="Bass"):
        _ = LaneBuilder("Bass", "pan").at(2.0, 0.0).at(1.0, 0.5).lane  # time goes back
    with pytest.raises(AutomationError, match="Bass"):
        _ = LaneBuilder("Bass", "pan").at(0.0, 1.5).lane  # out of range


def test_track_automate_names_the_track_it_was_taken_by(tmp_path: Path) -> None:
    t = np.arange(4800) / 48000
    sf.write(tmp_path / "lead.wav", 0.1 * np.sin(2 * np.pi * 440 * t), 48000, subtype="PCM_24")
    with start_virtual(tmp_path, render_dir=tmp_path / "out") as mixer:
        lane = mixer.tracks["lead"].automate("pan").at(0.0, -1.0).to(1.0, 1.0).lane
        by_number = mixer.tracks[1].automate("volume_db").at(0.0, -6.0).lane
    assert (lane.track, lane.param, lane.value_at(0.5)) == ("lead", "pan", 0.0)
    assert by_number.track == 1
