"""Targets and ceilings from the shipped profiles; the gain plan and its --max-gr stop."""

from __future__ import annotations

import pytest

from qc.fix.gain import LoudnessTarget, ceiling_of, plan_gain, target_of
from qc.profiles import load_profile


def _target(*names: str) -> LoudnessTarget | None:
    return target_of([load_profile(n) for n in names])


def test_targets_from_profiles() -> None:
    assert _target("spotify") == LoudnessTarget(-14.0, False, "spotify LUF004")  # boosts
    assert _target("apple-music") == LoudnessTarget(-16.0, True, "apple-music LUF004")
    assert _target("ebu-r128") == LoudnessTarget(-23.0, False, "ebu-r128 LUF001")
    assert _target("cd-redbook") is None
    # Several: the quietest target wins.
    assert _target("spotify", "apple-music") == LoudnessTarget(-16.0, True, "apple-music LUF004")
    assert ceiling_of([load_profile("spotify"), load_profile("amazon-music")]) == (
        -2.0,
        "amazon-music TP001",
    )
    assert ceiling_of([load_profile("mix-for-mastering")]) == (-3.0, "mix-for-mastering HDR001")


@pytest.mark.parametrize(
    ("lufs", "tp", "turn_down_only", "gain", "short"),
    [
        (-20.0, -8.0, True, 0.0, False),  # quieter than a ceiling target: left as it is
        (-10.0, -0.5, True, -4.0, False),  # louder: turned down to the target
        (-20.0, -8.0, False, 6.0, False),  # exact target, 6 dB up: peaks -2 dBTP, no limiting
        (-20.0, -3.0, False, 5.0, True),  # needs 4 dB of limiting; max_gr 3 stops at +5 dB
    ],
)
def test_plan(lufs: float, tp: float, turn_down_only: bool, gain: float, short: bool) -> None:
    plan = plan_gain(lufs, tp, LoudnessTarget(-14.0, turn_down_only, "t"), -1.0, 3.0)
    assert plan.gain_db == pytest.approx(gain)
    assert (plan.stopped_short is not None) == short
