"""Loudness range on a short file where the percentile rounding matters (EBU Tech 3342).

Tech 3342's reference code takes the 10th and 95th percentiles of the gated
short-term loudness by nearest rank, the rank ``(n - 1) * p / 100`` rounded half
up (MATLAB ``round``; libebur128 adds 0.5 and truncates). Python's ``round``
rounds half to even. With six short-term values the 10th-percentile rank is
exactly 0.5, so the two roundings pick different values.

The signal: a 1 kHz tone, 3.0 s at amplitude ``a`` and then 0.5 s at
``a * sqrt(10)`` (+10 dB). The six short-term windows (3 s, every 0.1 s) hold
0.0, 0.1, ..., 0.5 s of the loud part, so their mean powers are known
analytically, relative to the quiet level; K-weighting is one fixed gain at
1 kHz and cancels in the loudness range. The expected value is computed here
from those powers with the Tech 3342 algorithm.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qc.measure import analyze

QUIET = 0.1  # -20 dBFS peak
STEP_DB = 10.0


def _signal(rate: int) -> np.ndarray:
    n = np.arange(round(3.5 * rate))
    amp = np.where(n < 3 * rate, QUIET, QUIET * 10 ** (STEP_DB / 20))
    return (amp * np.sin(2 * np.pi * 1000 * n / rate))[:, None]


def _tech3342(short_term_lu: np.ndarray, rank: object) -> float:
    """Tech 3342: -70 LUFS absolute gate, -20 LU relative gate, P95 - P10 by nearest rank."""
    kept = short_term_lu[short_term_lu > -70.0]
    mean = 10 * math.log10(float(np.mean(10 ** (kept / 10))))
    vals = np.sort(kept[kept > mean - 20.0])
    n = len(vals)
    pick = rank  # a function of the fractional rank
    return float(vals[pick((n - 1) * 0.95)] - vals[pick((n - 1) * 0.10)])  # type: ignore[operator]


def _expected_short_term() -> np.ndarray:
    """Short-term loudness relative to the quiet tone, LU, for the six windows."""
    loud = 10 ** (STEP_DB / 10)
    seconds_loud = 0.1 * np.arange(6)
    power = ((3.0 - seconds_loud) * 1.0 + seconds_loud * loud) / 3.0
    return 10 * np.log10(power) - 23.0  # any level well above the gates


def _half_up(r: float) -> int:
    return math.floor(r + 0.5)


def _half_even(r: float) -> int:
    return round(r)


def test_the_two_roundings_differ_here_by_more_than_half_an_lu() -> None:
    st = _expected_short_term()
    assert abs(_tech3342(st, _half_up) - _tech3342(st, _half_even)) > 0.5


@pytest.mark.parametrize("rate", [48000, 44100])
def test_lra_rounds_the_percentile_rank_half_up(rate: int) -> None:
    m = analyze(iter([_signal(rate)]), rate, 1)
    assert len(m.loudness.short_term_lufs) == 6
    expected = _tech3342(_expected_short_term(), _half_up)  # 2.84 LU
    # 0.02 LU covers the K-filter's settling at the start and at the level step.
    assert m.loudness.loudness_range_lu == pytest.approx(expected, abs=0.02)
    # And the measured short-term values are the analytic ones (same offset for all).
    st = np.asarray(m.loudness.short_term_lufs)
    rel = st - st[0]
    ref = _expected_short_term()
    assert np.allclose(rel, ref - ref[0], atol=0.02)
