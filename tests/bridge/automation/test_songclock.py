"""The song clock: extrapolated on the local clock, steered by the DAW's position reports."""

from __future__ import annotations

import pytest

from bridge.automation.songclock import SongClock
from bridge.dialects.base import Update
from bridge.mixer.mirror import Mirror


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _setup() -> tuple[FakeClock, Mirror, SongClock]:
    clock = FakeClock()
    mirror = Mirror(clock)
    return clock, mirror, SongClock(mirror, clock=clock, gain=0.25, snap_s=0.25)


def test_without_reports_it_runs_on_the_local_clock() -> None:
    clock, _, song = _setup()
    song.start(10.0)
    clock.t += 1.5
    assert song.now() == pytest.approx(11.5, abs=1e-12)
    assert song.reports == 0


def test_a_small_error_is_corrected_a_fraction_at_a_time() -> None:
    clock, mirror, song = _setup()
    song.start(0.0)
    clock.t += 1.0
    mirror.apply(Update(None, "position_s", 1.02))  # the DAW is 20 ms ahead
    assert song.now() == pytest.approx(1.0 + 0.25 * 0.02, abs=1e-12)
    assert song.last_error_s == pytest.approx(0.02, abs=1e-12)
    # A report repeated at the same instant is not taken twice.
    assert song.now() == pytest.approx(1.005, abs=1e-12)
    # Reports keep coming: the error shrinks geometrically, values never jump.
    for _ in range(20):
        clock.t += 0.1
        mirror.apply(Update(None, "position_s", song.at(clock.t) + 0.02 * 0.75**song.reports))
        song.now()
    assert abs(song.last_error_s) < 0.02 * 0.75**15


def test_a_large_error_is_taken_at_once() -> None:
    clock, mirror, song = _setup()
    song.start(0.0)
    clock.t += 0.5
    mirror.apply(Update(None, "position_s", 30.0))  # someone located the DAW
    assert song.now() == pytest.approx(30.0, abs=1e-12)
    clock.t += 0.25
    assert song.now() == pytest.approx(30.25, abs=1e-12)


def test_reports_from_before_the_start_are_ignored() -> None:
    clock, mirror, song = _setup()
    mirror.apply(Update(None, "position_s", 99.0))  # a stale report while stopped
    song.start(5.0)
    clock.t += 1.0
    assert song.now() == pytest.approx(6.0, abs=1e-12)
