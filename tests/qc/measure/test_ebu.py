"""EBU Tech 3341 (cases 1-6, 9-23) and Tech 3342 (cases 1-4) at 48 and 44.1 kHz.

Every synthesizable case of tests/data/ebu_cases.json is generated here and
measured through :func:`qc.measure.analyze` in 65536-frame blocks; each
expected value is checked at the tolerance the EBU states for it
(``value - tol_minus <= measured <= value + tol_plus``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qc.measure import Measurements, analyze
from tests.ebu import synthesizable, synthesize

RATES = [48000, 44100]
BLOCK = 65536


def _measure(x: np.ndarray, rate: int) -> Measurements:
    blocks = (x[i : i + BLOCK] for i in range(0, len(x), BLOCK))
    return analyze(blocks, rate, x.shape[1])


def _readings(m: Measurements, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """A 10 Hz series and the end time (s) of each reading."""
    loud = m.loudness
    if metric == "M":
        return loud.momentary_lufs, (np.arange(len(loud.momentary_lufs)) + 4) / 10
    if metric == "S":
        return loud.short_term_lufs, (np.arange(len(loud.short_term_lufs)) + 30) / 10
    if metric == "M_max":
        return loud.momentary_max_lufs, (np.arange(len(loud.momentary_max_lufs)) + 1) / 10
    if metric == "S_max":
        return loud.short_term_max_lufs, (np.arange(len(loud.short_term_max_lufs)) + 1) / 10
    raise AssertionError(metric)


def _measured(m: Measurements, exp: dict[str, Any]) -> list[float]:
    metric, check = exp["metric"], exp["check"]
    if check == "final" and metric == "I":
        return [m.loudness.integrated_lufs]  # type: ignore[list-item]
    if check == "final" and metric == "LRA":
        return [m.loudness.loudness_range_lu]  # type: ignore[list-item]
    if check == "max_over_file" and metric == "TP_max":
        return [m.true_peak.dbtp]
    if check in ("max_over_file", "max_over_file_each_variant"):
        value = (
            m.loudness.max_momentary_lufs if metric == "M_max" else m.loudness.max_short_term_lufs
        )
        return [value]  # type: ignore[list-item]
    series, ends = _readings(m, metric)
    if check == "all_readings_after_s":
        return list(series[ends >= exp["t_s"] - 1e-9])
    if check == "max_within_window":
        lo, hi = exp["window_s"]
        inside = (ends > lo + 1e-9) & (ends <= hi + 1e-9)
        return [float(series[inside].max())]
    raise AssertionError(check)


CASES = [(c, r) for c in synthesizable() for r in RATES]


@pytest.mark.parametrize(("case", "rate"), CASES, ids=[f"{c['id']}@{r}" for c, r in CASES])
def test_ebu_case(case: dict[str, Any], rate: int) -> None:
    for signal in synthesize(case, rate):
        m = _measure(signal, rate)
        for exp in case["expected"]:
            lo, hi = exp["value"] - exp["tol_minus"], exp["value"] + exp["tol_plus"]
            values = _measured(m, exp)
            assert values, f"{exp['metric']}: no readings"
            bad = [v for v in values if v is None or not lo <= v <= hi]
            assert not bad, (
                f"{case['id']} {exp['metric']} {exp['check']}: {bad[:3]} not in [{lo}, {hi}]"
            )


def test_true_peak_never_below_sample_peak() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (48000, 2))
    m = _measure(x, 48000)
    for tp, sp in zip(m.true_peak.channel_dbtp, m.levels.channel_peak, strict=True):
        assert tp >= 20 * np.log10(sp) - 1e-12
