"""Every curve against its formula (docs/automation.md), endpoints, midpoints and monotonicity.

Tolerances: 1e-12 on values computed by the same formula (rounding only).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from bridge.automation import CURVES, AutomationError, interpolate
from bridge.automation.curves import EXPONENTIAL_K

TOL = 1e-12
INF = math.inf
X = np.linspace(0.0, 1.0, 1001)

# (param, a, b): dB levels (finite and from/to silence), bipolar, unit, both directions
CASES = [
    ("volume_db", -12.0, 0.0),
    ("volume_db", 3.0, -20.0),
    ("send/2/level_db", -INF, -6.0),
    ("volume_db", 0.0, -INF),
    ("pan", -1.0, 0.5),
    ("width", 1.0, -0.25),
    ("fx/1/param/3", 0.1, 0.9),
    ("fx/2/param/1", 0.8, 0.2),
]


def gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def db(g: float) -> float:
    return -INF if g == 0 else 20.0 * math.log10(g)


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize(("param", "a", "b"), CASES)
def test_endpoints_are_exact(curve: str, param: str, a: float, b: float) -> None:
    got = interpolate(curve, a, b, np.array([0.0, 1.0]), param=param)  # type: ignore[arg-type]
    assert got[0] == a
    assert got[1] == b


@pytest.mark.parametrize("curve", [c for c in CURVES if c != "hold"])
@pytest.mark.parametrize(("param", "a", "b"), CASES)
def test_monotonic_between_the_points(curve: str, param: str, a: float, b: float) -> None:
    y = interpolate(curve, a, b, X, param=param)  # type: ignore[arg-type]
    steps = np.diff(y[np.isfinite(y)])
    assert np.all(steps * np.sign(b - a) >= -TOL)
    finite = y[np.isfinite(y)]
    assert np.all((finite >= min(a, b) - TOL) & (finite <= max(a, b) + TOL))


def test_linear_db_midpoint_is_the_mean_in_db() -> None:
    mid = interpolate("linear_db", -12.0, -2.0, np.array([0.5]), param="volume_db")[0]
    assert mid == pytest.approx(-7.0, abs=TOL)


def test_linear_db_is_straight_in_db() -> None:
    y = interpolate("linear_db", -30.0, 6.0, X, param="send/1/level_db")
    np.testing.assert_allclose(y, -30.0 + 36.0 * X, rtol=0, atol=TOL)


def test_linear_amp_midpoint_is_the_mean_amplitude() -> None:
    a, b = -12.0, 0.0
    mid = interpolate("linear_amp", a, b, np.array([0.5]), param="volume_db")[0]
    assert mid == pytest.approx(20 * math.log10((gain(a) + gain(b)) / 2), abs=TOL)
    assert mid != pytest.approx(-6.0, abs=0.1)  # not the mean in dB


def test_linear_amp_from_silence() -> None:
    y = interpolate("linear_amp", -INF, 0.0, np.array([0.0, 0.25, 0.5]), param="volume_db")
    assert y[0] == -INF
    assert y[1] == pytest.approx(db(0.25), abs=TOL)
    assert y[2] == pytest.approx(db(0.5), abs=TOL)  # -6.02 dB


def test_s_curve_is_a_raised_cosine_in_db() -> None:
    a, b = -18.0, -6.0
    y = interpolate("s_curve", a, b, X, param="volume_db")
    np.testing.assert_allclose(y, a + (b - a) * (0.5 - 0.5 * np.cos(np.pi * X)), rtol=0, atol=TOL)
    assert y[500] == pytest.approx((a + b) / 2, abs=TOL)  # midpoint: the mean
    assert abs(y[1] - y[0]) < abs(y[501] - y[500]) / 100  # slow at the start


def test_s_curve_from_silence_is_a_raised_cosine_in_amplitude() -> None:
    y = interpolate("s_curve", -INF, 0.0, X, param="volume_db")
    want = [db(float(0.5 - 0.5 * math.cos(math.pi * x))) for x in X]
    np.testing.assert_allclose(y, want, rtol=0, atol=1e-9)
    assert y[500] == pytest.approx(-6.0206, abs=1e-4)


def test_linear_db_toward_silence_is_linear_in_amplitude() -> None:
    x = np.array([0.1, 0.5, 0.9])
    got = interpolate("linear_db", -6.0, -INF, x, param="volume_db")
    want = interpolate("linear_amp", -6.0, -INF, x, param="volume_db")
    np.testing.assert_array_equal(got, want)
    assert got[1] == pytest.approx(db(gain(-6.0) / 2), abs=TOL)


def test_exponential_for_levels_is_the_exponential_shape_in_amplitude() -> None:
    a, b = -20.0, 0.0
    y = interpolate("exponential", a, b, X, param="volume_db")
    shape = np.expm1(EXPONENTIAL_K * X) / np.expm1(EXPONENTIAL_K)
    want = 20 * np.log10(gain(a) + (gain(b) - gain(a)) * shape)
    np.testing.assert_allclose(y, want, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("param", "a", "b"), [("pan", -1.0, 1.0), ("fx/1/param/1", 0.9, 0.1)])
def test_exponential_for_values_formula(param: str, a: float, b: float) -> None:
    y = interpolate("exponential", a, b, X, param=param)
    want = a + (b - a) * (np.exp(4 * X) - 1) / (math.exp(4) - 1)
    np.testing.assert_allclose(y, want, rtol=0, atol=TOL)
    assert (y[500] - a) / (b - a) == pytest.approx(0.1192, abs=1e-4)  # slow start


@pytest.mark.parametrize("curve", ["linear_db", "linear_amp"])
def test_linear_curves_are_linear_in_value_for_other_params(curve: str) -> None:
    y = interpolate(curve, -0.5, 1.0, X, param="pan")  # type: ignore[arg-type]
    np.testing.assert_allclose(y, -0.5 + 1.5 * X, rtol=0, atol=TOL)


@pytest.mark.parametrize(("param", "a", "b"), CASES)
def test_hold_keeps_a_until_the_next_point(param: str, a: float, b: float) -> None:
    y = interpolate("hold", a, b, np.array([0.0, 0.3, 0.999999, 1.0]), param=param)
    assert list(y) == [a, a, a, b]


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("param", ["mute", "solo"])
def test_switches_always_hold(curve: str, param: str) -> None:
    y = interpolate(curve, 0.0, 1.0, np.array([0.0, 0.5, 0.99, 1.0]), param=param)  # type: ignore[arg-type]
    assert list(y) == [0.0, 0.0, 0.0, 1.0]


def test_progress_outside_0_1_is_clipped() -> None:
    y = interpolate("linear_db", -10.0, 0.0, np.array([-0.5, 1.5]), param="volume_db")
    assert list(y) == [-10.0, 0.0]


def test_silence_to_silence_stays_silent() -> None:
    y = interpolate("s_curve", -INF, -INF, X, param="volume_db")
    assert np.all(y == -INF)


def test_unknown_curve_and_param_are_errors() -> None:
    with pytest.raises(AutomationError, match="unknown curve 'log'"):
        interpolate("log", 0.0, 1.0, X, param="pan")  # type: ignore[arg-type]
    with pytest.raises(AutomationError, match="'gain' is not an automatable parameter"):
        interpolate("hold", 0.0, 1.0, X, param="gain")


def test_the_documented_midpoints() -> None:
    """The "middle of −12 → 0 dB" column of docs/automation.md, to the 0.01 dB it shows."""
    docs = (Path(__file__).parents[3] / "docs" / "automation.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| .* \| (−?[\d.]+) dB", docs, re.M)
    assert sorted(curve for curve, _ in rows) == sorted(CURVES)
    for curve, shown in rows:
        mid = interpolate(curve, -12.0, 0.0, np.array([0.5]), param="volume_db")[0]
        assert mid == pytest.approx(float(shown.replace("−", "-")), abs=0.006), curve
