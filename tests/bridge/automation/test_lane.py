"""Lanes: validation, scalar and vectorised values, slicing and shifting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bridge.automation import AutomationError, Lane, Point
from bridge.automation.lane import SLICE_PIECES

INF = math.inf

VOLUME = Lane(
    "Vocals",
    "volume_db",
    (
        Point(0.5, -INF, "s_curve"),
        Point(2.0, -6.0, "linear_db"),
        Point(3.0, 0.0, "linear_amp"),
        Point(4.5, -12.0, "exponential"),
        Point(6.0, -3.0, "hold"),
        Point(7.0, -20.0, "s_curve"),
        Point(9.0, -INF, "linear_db"),
    ),
)
PAN = Lane(
    3,
    "pan",
    (Point(0.0, -1.0, "exponential"), Point(1.0, 1.0, "s_curve"), Point(2.5, 0.0, "hold")),
)


def test_values_at_the_points_before_and_after() -> None:
    assert VOLUME.value_at(0.0) == -INF  # before the first point: its value
    assert VOLUME.value_at(2.0) == -6.0
    assert VOLUME.value_at(6.5) == -3.0  # hold
    assert VOLUME.value_at(7.0) == -20.0
    assert VOLUME.value_at(100.0) == -INF  # after the last point: its value
    assert VOLUME.value_at(2.5) == pytest.approx(-3.0, abs=1e-12)  # linear in dB
    assert (VOLUME.start_s, VOLUME.end_s) == (0.5, 9.0)


@pytest.mark.parametrize("lane", [VOLUME, PAN], ids=["volume", "pan"])
def test_vectorised_values_equal_scalar_values(lane: Lane, rng: np.random.Generator) -> None:
    times = np.concatenate(
        [rng.uniform(-1.0, lane.end_s + 1.0, 2000), [p.time_s for p in lane.points]]
    )
    rng.shuffle(times)
    got = lane.values_at(times)
    want = np.array([lane.value_at(float(t)) for t in times])
    assert got.shape == times.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)  # -inf must match -inf


def test_points_may_be_given_as_a_list() -> None:
    lane = Lane("Bass", "mute", [Point(0.0, 0), Point(1.0, 1)])  # type: ignore[arg-type]
    assert isinstance(lane.points, tuple)
    assert lane.values_at(np.array([0.5, 1.0])).tolist() == [0.0, 1.0]  # mute holds


@pytest.mark.parametrize(
    ("track", "param", "points", "message"),
    [
        ("Vox", "volume_db", (), r"lane 'Vox' volume_db: a lane needs at least one point"),
        ("Vox", "volume_db", (Point(-1.0, 0.0),), r"point 1 at -1.0 s: time is before 0 s"),
        ("Vox", "pan", (Point(0.0, 0.0), Point(0.0, 1.0)), r"point 2 at 0.0 s: times must incr"),
        ("Vox", "pan", (Point(2.0, 0.0), Point(1.0, 1.0)), r"point 2 at 1.0 s: times must incr"),
        ("Vox", "pan", (Point(math.nan, 0.0),), r"point 1 at nan s: time nan is not a finite"),
        ("Vox", "pan", (Point(INF, 0.0),), r"point 1 at inf s: time inf is not a finite"),
        ("Vox", "volume_db", (Point(0.0, 30.0),), r"point 1 at 0.0 s: value 30 dB is not a"),
        ("Vox", "volume_db", (Point(0.0, INF),), r"value inf dB is not a level"),
        ("Vox", "send/1/level_db", (Point(0.0, math.nan),), r"value nan dB is not a level"),
        ("Vox", "pan", (Point(0.0, 0.0), Point(1.0, 1.5)), r"point 2 .*value 1.5 is outside"),
        ("Vox", "width", (Point(0.0, -1.01),), r"value -1.01 is outside \[-1, 1\]"),
        ("Vox", "fx/1/param/2", (Point(0.0, math.inf),), r"value inf is not a finite number"),
        ("Vox", "mute", (Point(0.0, 0.5),), r"value 0.5 is not 0 \(off\) or 1 \(on\)"),
        ("Vox", "pan", (Point(0.0, "left"),), r"value 'left' is not"),  # type: ignore[arg-type]
        ("Vox", "pan", (Point(0.0, 0.0, "cubic"),), r"unknown curve"),  # type: ignore[arg-type]
        ("Vox", "pan", ((0.0, 0.0),), r"point 1: \(0.0, 0.0\) is not a Point"),
        ("Vox", "gain", (Point(0.0, 0.0),), r"lane 'Vox': 'gain' is not an automatable"),
        ("Vox", "send/0/level_db", (Point(0.0, 0.0),), r"not an automatable parameter"),
        (0, "pan", (Point(0.0, 0.0),), r"lane track 0: tracks are numbered from 1"),
        (True, "pan", (Point(0.0, 0.0),), r"lane track True is not a name or a number"),
        ("", "pan", (Point(0.0, 0.0),), r"lane track name is empty"),
    ],
)
def test_invalid_lanes_name_the_lane_and_point(
    track: object, param: str, points: tuple[object, ...], message: str
) -> None:
    with pytest.raises(AutomationError, match=message) as info:
        Lane(track, param, points)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_level_lanes_accept_silence_and_plus_24_db() -> None:
    lane = Lane("master", "volume_db", (Point(0.0, -INF), Point(1.0, 24.0)))
    assert lane.value_at(1.0) == 24.0


def _check_slice(lane: Lane, start: float, end: float, tolerance: float) -> Lane:
    part = lane.sliced(start, end)
    assert part.start_s == start
    assert part.end_s == end
    assert part.points[0].value == lane.value_at(start)  # exact endpoints
    assert part.points[-1].value == lane.value_at(end)
    times = np.linspace(start, end, 997)
    np.testing.assert_allclose(part.values_at(times), lane.values_at(times), atol=tolerance)
    return part


def test_slice_of_straight_and_held_segments_is_exact() -> None:
    lane = Lane(
        "Keys",
        "send/1/level_db",
        (
            Point(0.0, -INF, "linear_db"),  # from silence: linear in amplitude
            Point(2.0, -6.0, "linear_amp"),
            Point(3.0, 0.0, "hold"),
            Point(4.0, -10.0, "linear_db"),
            Point(5.0, -4.0),
        ),
    )
    part = _check_slice(lane, 1.0, 4.5, tolerance=1e-9)
    assert [p.time_s for p in part.points] == [1.0, 2.0, 3.0, 4.0, 4.5]
    _check_slice(lane, 0.0, 5.0, tolerance=1e-12)  # the whole lane: the same points
    _check_slice(lane, 0.5, 1.5, tolerance=1e-9)  # inside one segment
    assert lane.sliced(0.0, 5.0).points == (*lane.points[:-1], Point(5.0, -4.0, "hold"))


@pytest.mark.parametrize(
    ("lane", "start", "end", "tolerance"),
    [(VOLUME, 1.0, 7.5, 0.04), (PAN, 0.3, 1.7, 0.004)],
    ids=["volume", "pan"],
)
def test_slice_of_curved_segments_is_close(
    lane: Lane, start: float, end: float, tolerance: float
) -> None:
    # Straight pieces stand for a cut s-curve or exponential: within 0.2 % of the
    # segment's range (VOLUME's cut segments span 20 dB or more: 0.04 dB; PAN's 2: 0.004).
    part = _check_slice(lane, start, end, tolerance)
    assert len(part.points) > len(lane.points)  # the cut curves became pieces
    assert len(part.points) <= len(lane.points) + 2 * SLICE_PIECES


def test_slice_outside_the_points_and_of_zero_length() -> None:
    part = PAN.sliced(5.0, 6.0)
    assert [(p.time_s, p.value) for p in part.points] == [(5.0, 0.0), (6.0, 0.0)]
    assert VOLUME.sliced(2.5, 2.5).points == (Point(2.5, VOLUME.value_at(2.5), "hold"),)
    with pytest.raises(AutomationError, match=r"cannot slice 3.0 … 2.0 s"):
        VOLUME.sliced(3.0, 2.0)
    with pytest.raises(AutomationError, match="cannot slice"):
        VOLUME.sliced(-1.0, 2.0)


def test_shifted_moves_every_point() -> None:
    later = VOLUME.shifted(10.0)
    assert [p.time_s for p in later.points] == [p.time_s + 10.0 for p in VOLUME.points]
    assert [p.value for p in later.points] == [p.value for p in VOLUME.points]
    assert later.value_at(12.5) == VOLUME.value_at(2.5)
    assert VOLUME.shifted(-0.5).start_s == 0.0
    with pytest.raises(AutomationError, match=r"point 1 at -0.5 s: time is before 0 s"):
        VOLUME.shifted(-1.0)
