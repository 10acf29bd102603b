"""Musical time: "bar:beat" positions to seconds and back."""

from __future__ import annotations

import math

import pytest

from bridge.automation import AutomationError, Tempo


@pytest.mark.parametrize(
    ("tempo", "pos", "seconds"),
    [
        (Tempo(120), "1:1", 0.0),
        (Tempo(120), "2:1", 2.0),
        (Tempo(120), "1:2.5", 0.75),
        (Tempo(120), "1:4.99", 1.995),
        (Tempo(120), "17:3", 33.0),
        (Tempo(90, 3), "3:2", 4.666666666666667),  # (2 bars * 3 + 1 beat) * 60/90
        (Tempo(60, 7), "2:7", 13.0),
        (Tempo(120), 12.5, 12.5),
        (Tempo(120), 3, 3.0),
        (Tempo(120), "12.5", 12.5),
        (Tempo(120), " 2:1 ", 2.0),
    ],
)
def test_positions_to_seconds(tempo: Tempo, pos: str | float, seconds: float) -> None:
    assert tempo.seconds(pos) == pytest.approx(seconds, abs=1e-12)
    assert Tempo.parse_time(pos, tempo) == pytest.approx(seconds, abs=1e-12)


@pytest.mark.parametrize(
    ("pos", "message"),
    [
        ("0:1", r"time '0:1': bars and beats are numbered from 1"),
        ("1:0", r"time '1:0': bars and beats are numbered from 1"),
        ("3:5", r"time '3:5': a bar of 4 beats has no beat 5"),
        ("3:4.999999", None),
        ("garbage", r"time 'garbage' is neither seconds nor 'bar:beat'"),
        ("1:", r"neither seconds nor 'bar:beat'"),
        ("1:1:1", r"neither seconds nor 'bar:beat'"),
        ("-1:1", r"neither seconds nor 'bar:beat'"),
        ("-2.0", r"time '-2.0' is not a finite number of seconds ≥ 0"),
        (-0.5, r"time -0.5 is not a finite number of seconds ≥ 0"),
        (math.inf, r"time inf is not a finite number"),
        (math.nan, r"time nan is not a finite number"),
        ("nan", r"time 'nan' is not a finite number"),
        (True, r"time True is not seconds or 'bar:beat'"),
        (None, r"time None is not seconds or 'bar:beat'"),
    ],
)
def test_bad_positions(pos: object, message: str | None) -> None:
    tempo = Tempo(120)
    if message is None:
        assert tempo.seconds(pos) == pytest.approx(2 * 4 * 0.5 + 3.999999 * 0.5)  # type: ignore[arg-type]
        return
    with pytest.raises(AutomationError, match=message):
        tempo.seconds(pos)  # type: ignore[arg-type]


def test_bars_and_beats_need_a_tempo() -> None:
    assert Tempo.parse_time(4.0) == 4.0
    with pytest.raises(AutomationError, match=r"time '2:1' is in bars and beats, which needs a"):
        Tempo.parse_time("2:1")


@pytest.mark.parametrize(
    ("bpm", "bpb", "message"),
    [
        (0, 4, r"tempo 0 BPM is not a positive number"),
        (-120, 4, r"tempo -120 BPM"),
        (math.nan, 4, r"tempo nan BPM"),
        (math.inf, 4, r"tempo inf BPM"),
        ("120", 4, r"tempo '120' BPM"),
        (120, 0, r"beats_per_bar 0 is not a whole number of at least 1"),
        (120, 2.5, r"beats_per_bar 2.5"),
        (120, True, r"beats_per_bar True"),
    ],
)
def test_bad_tempos(bpm: object, bpb: object, message: str) -> None:
    with pytest.raises(AutomationError, match=message):
        Tempo(bpm, bpb)  # type: ignore[arg-type]


@pytest.mark.parametrize("pos", ["1:1", "1:2.5", "5:3", "12:4.25", "100:1"])
def test_position_is_the_inverse_of_seconds(pos: str) -> None:
    tempo = Tempo(97, 4)
    assert tempo.position(tempo.seconds(pos)) == pos


def test_lengths() -> None:
    tempo = Tempo(150, 3)
    assert tempo.beat_s == pytest.approx(0.4, abs=1e-15)
    assert tempo.bar_s == pytest.approx(1.2, abs=1e-15)
