"""The preview's integrated-only loudness against the full meter and pyloudnorm.

`IntegratedLoudness` skips the per-sample maximum momentary/short-term loudness
of `LoudnessMeter`; its integrated value must be the same. pyloudnorm (an
independent BS.1770-4 implementation) is the outside reference.
"""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from qc.codec.meter import DecodedMeter, IntegratedLoudness
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter


def programme(
    rng: np.random.Generator, rate: int, seconds: float, low_db: float = -40.0
) -> np.ndarray:
    """Noise whose level steps every second (so the relative gate removes some blocks)."""
    n = round(rate * seconds)
    x = rng.standard_normal((n, 2)) * 0.1
    steps = np.repeat(10 ** (rng.uniform(low_db, 0, int(seconds) + 1) / 20), rate)[:n]
    return x * steps[:, None]


@pytest.mark.parametrize("rate", [44100, 48000])
def test_equals_the_full_loudness_meter(rng: np.random.Generator, rate: int) -> None:
    x = programme(rng, rate, 7.3)
    kfilter = BlockIIR(k_weighting_sos(rate), channels=2)
    full = LoudnessMeter(rate, channel_weights(2))
    light = IntegratedLoudness(rate, channel_weights(2))
    cuts = np.cumsum(rng.integers(1, 30000, 40))  # odd block sizes across segment ends
    for block in np.split(x, cuts[cuts < len(x)]):
        k = kfilter.process(block)
        full.feed(k)
        light.feed(k)
    expected = full.result().integrated_lufs
    assert expected is not None
    assert light.result() == pytest.approx(expected, abs=1e-9)


def test_decoded_meter_loudness_agrees_with_pyloudnorm(rng: np.random.Generator) -> None:
    rate = 48000
    x = programme(rng, rate, 6.0, low_db=-9.0)  # no block near a gate
    meter = DecodedMeter(rate, 2, -1.0)
    for block in np.array_split(x, 5):
        meter.feed(block)
    reference = pyloudnorm.Meter(rate).integrated_loudness(x)
    got = meter.result().integrated_lufs
    assert got is not None
    # pyloudnorm's own K-filter and blocks: within 0.05 LU, as tests/qc/album states.
    assert got == pytest.approx(reference, abs=0.05)  # LU


def test_under_400_ms_has_no_integrated_loudness() -> None:
    meter = IntegratedLoudness(48000, channel_weights(1))
    meter.feed(np.full((19000, 1), 0.1))
    assert meter.result() is None
