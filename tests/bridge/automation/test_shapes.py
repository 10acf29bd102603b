"""Helpers: ramp, fades, rides, ducks and merging lanes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bridge.automation import (
    AutomationError,
    Lane,
    Point,
    Tempo,
    duck,
    fade_in,
    fade_out,
    merge,
    ramp,
    ride,
)

INF = math.inf
TOL = 1e-9


def test_ramp_in_seconds_and_in_bars() -> None:
    lane = ramp("Keys", "fx/1/param/2", 1.0, 3.0, 0.2, 0.8, "linear_amp")
    assert lane.points == (Point(1.0, 0.2, "linear_amp"), Point(3.0, 0.8, "hold"))
    assert lane.value_at(2.0) == pytest.approx(0.5, abs=TOL)
    bars = ramp("Keys", "pan", "2:1", "3:3", -1.0, 1.0, tempo=Tempo(120))
    assert (bars.start_s, bars.end_s) == (2.0, 5.0)


@pytest.mark.parametrize(("start", "end"), [(2.0, 2.0), (3.0, 1.0)])
def test_ramp_must_move_forward(start: float, end: float) -> None:
    with pytest.raises(AutomationError, match=r"ramp of 'Keys' pan: the end .* is not after"):
        ramp("Keys", "pan", start, end, 0.0, 1.0)


def test_fade_in_from_silence_is_a_raised_cosine_in_amplitude() -> None:
    lane = fade_in("Pad", 4.0, 8.0)
    assert lane.param == "volume_db"
    assert lane.value_at(4.0) == -INF
    assert lane.value_at(8.0) == 0.0
    assert lane.value_at(6.0) == pytest.approx(20 * math.log10(0.5), abs=TOL)  # -6.02 dB
    assert lane.value_at(5.0) == pytest.approx(20 * math.log10(0.5 - 0.5 * math.cos(math.pi / 4)))


def test_fade_out_mirrors_fade_in() -> None:
    fin, fout = fade_in("Pad", 0.0, 2.0), fade_out("Pad", 0.0, 2.0)
    for t in (0.25, 0.5, 1.0, 1.7):
        assert fout.value_at(t) == pytest.approx(fin.value_at(2.0 - t), abs=TOL)


def test_fades_with_a_floor_level_and_a_send() -> None:
    lane = fade_out("Gtr", "1:1", "2:1", -40.0, "linear_db", from_db=-6.0, tempo=Tempo(120))
    assert lane.values_at(np.array([0.0, 1.0, 2.0])).tolist() == [-6.0, -23.0, -40.0]
    send = fade_in("Gtr", 0.0, 1.0, -30.0, to_db=-10.0, param="send/2/level_db")
    assert send.value_at(0.5) == pytest.approx(-20.0, abs=TOL)  # s-curve in dB: the mean
    with pytest.raises(AutomationError, match="a fade moves a level in dB, not 'pan'"):
        fade_in("Gtr", 0.0, 1.0, param="pan")


def test_ride_reaches_each_target_at_its_time() -> None:
    lane = ride("Vox", [(0.0, -6.0), (4.0, -3.0), (6.0, -9.0)])
    assert lane.values_at(np.array([0.0, 4.0, 6.0, 9.0])).tolist() == [-6.0, -3.0, -9.0, -9.0]
    assert lane.value_at(2.0) == pytest.approx(-4.5, abs=TOL)  # s-curve midpoint: the mean
    assert lane.value_at(0.2) > -6.0 - TOL  # moving from the start, slowly
    assert lane.value_at(0.2) - -6.0 < 0.05


def test_ride_with_a_glide_holds_then_moves() -> None:
    lane = ride("Vox", [("1:1", -6.0), ("3:1", -3.0), ("3:2", 0.0)], glide_s=1.0, tempo=Tempo(120))
    # targets at 0, 4 and 4.5 s; the second glide is cut to the 0.5 s available
    assert [p.time_s for p in lane.points] == [0.0, 3.0, 4.0, 4.5]
    assert lane.value_at(2.9) == -6.0
    assert lane.value_at(3.5) == pytest.approx(-4.5, abs=TOL)
    assert lane.value_at(4.25) == pytest.approx(-1.5, abs=TOL)
    assert lane.points[-1].curve == "hold"


def test_bad_rides() -> None:
    with pytest.raises(AutomationError, match="ride of 'Vox' volume_db: no moves"):
        ride("Vox", [])
    with pytest.raises(AutomationError, match="glide_s 0 is not above 0 s"):
        ride("Vox", [(0, 0.0)], glide_s=0)
    with pytest.raises(AutomationError, match=r"point 2 at 1.0 s: times must increase"):
        ride("Vox", [(2.0, 0.0), (1.0, -3.0)])
    with pytest.raises(AutomationError, match=r"value 1.5 is outside"):
        ride("Vox", [(0.0, 0.0), (1.0, 1.5)], param="pan")


def test_duck_dips_for_each_span() -> None:
    lane = duck("Gtr", [(2.0, 4.0), (10.0, 11.0)], 6.0, 0.5, 1.0, level_db=-2.0)
    values = {t: lane.value_at(t) for t in (0.0, 1.5, 2.0, 3.0, 4.0, 5.0, 9.5, 10.5, 13.0)}
    assert values == {
        0.0: -2.0, 1.5: -2.0, 2.0: -8.0, 3.0: -8.0, 4.0: -8.0, 5.0: -2.0,
        9.5: -2.0, 10.5: -8.0, 13.0: -2.0,
    }  # fmt: skip
    assert lane.value_at(1.75) == pytest.approx(-5.0, abs=TOL)  # half way down (s-curve)
    assert lane.value_at(4.5) == pytest.approx(-5.0, abs=TOL)  # half way back up


def test_duck_joins_close_spans_and_steps_without_attack() -> None:
    joined = duck("Gtr", [(5.0, 6.0), (2.0, 4.0)], 10.0, 0.5, 1.0)  # gap 1.5 s = attack + release
    assert joined.value_at(4.75) == -10.0  # stays down between the spans
    stepped = duck("Gtr", [(1.0, 2.0)], 3.0, 0.0, 0.0)
    assert stepped.values_at(np.array([0.5, 1.0, 1.99, 2.0])).tolist() == [0.0, -3.0, -3.0, 0.0]
    early = duck("Gtr", [(0.2, 1.0)], 3.0, 0.5, 0.0)  # the attack starts at 0 s
    assert early.points[0] == Point(0.0, 0.0, "s_curve")
    assert duck("Gtr", [], 3.0, 0.1, 0.1).values_at(np.array([0.0, 9.0])).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth_db": -3.0}, r"depth_db -3.0 is not a finite value ≥ 0"),
        ({"attack_s": math.nan}, r"attack_s nan is not a finite value ≥ 0"),
        ({"release_s": INF}, r"release_s inf"),
    ],
)
def test_bad_ducks(kwargs: dict[str, float], message: str) -> None:
    args = {"depth_db": 3.0, "attack_s": 0.1, "release_s": 0.1} | kwargs
    with pytest.raises(AutomationError, match=message):
        duck("Gtr", [(1.0, 2.0)], args["depth_db"], args["attack_s"], args["release_s"])


def test_merge_joins_lanes_per_track_and_parameter() -> None:
    tempo = Tempo(120)
    lanes = merge(
        [
            fade_out("Pad", "9:1", "11:1", tempo=tempo),
            ramp("Pad", "pan", 0.0, 1.0, -0.5, 0.5),
            fade_in("Pad", "1:1", "3:1", tempo=tempo),
        ]
    )
    assert [(lane.track, lane.param) for lane in lanes] == [("Pad", "volume_db"), ("Pad", "pan")]
    volume = lanes[0]
    assert [p.time_s for p in volume.points] == [0.0, 4.0, 16.0, 20.0]
    assert volume.value_at(10.0) == 0.0  # held between the fades
    assert volume.value_at(18.0) == fade_out("Pad", 16.0, 20.0).value_at(18.0)


def test_merge_of_lanes_that_meet_on_the_same_value() -> None:
    a = ramp("Vox", "volume_db", 0.0, 2.0, -10.0, -4.0)
    b = ramp("Vox", "volume_db", 2.0, 3.0, -4.0, 0.0, "s_curve")
    (lane,) = merge([b, a])
    assert lane.points == (Point(0.0, -10.0), Point(2.0, -4.0, "s_curve"), Point(3.0, 0.0, "hold"))


@pytest.mark.parametrize(
    "second",
    [
        Lane("Vox", "volume_db", (Point(1.0, -6.0), Point(3.0, 0.0))),  # overlaps
        Lane("Vox", "volume_db", (Point(2.0, -6.0), Point(3.0, 0.0))),  # meets on another value
        Lane("Vox", "volume_db", (Point(1.5, -6.0),)),  # a single point inside
    ],
)
def test_merge_refuses_conflicting_lanes(second: Lane) -> None:
    first = ramp("Vox", "volume_db", 0.0, 2.0, -10.0, -4.0)
    with pytest.raises(AutomationError, match=r"cannot merge lane 'Vox' volume_db: .* overlaps"):
        merge([first, second])
