"""The true-peak limiter: ceiling met by the ideal reconstruction, exact gain when idle, smooth."""

from __future__ import annotations

import numpy as np
import pytest

from qc.fix.limiter import TruePeakLimiter

from .helpers import ideal_true_peak_dbtp, master


def _run(lim: TruePeakLimiter, x: np.ndarray, block: int = 10000) -> np.ndarray:
    parts = [lim.process(x[i : i + block]) for i in range(0, len(x), block)]
    return np.concatenate([*parts, lim.flush()])


@pytest.mark.parametrize(
    ("rate", "channels", "gain_db"), [(44100, 2, 8.0), (48000, 1, 4.0), (96000, 2, 10.0)]
)
def test_ceiling_met_by_ideal_reconstruction(
    rng: np.random.Generator, rate: int, channels: int, gain_db: float
) -> None:
    x = master(rng, rate, channels, 3.0) * 0.7
    lim = TruePeakLimiter(rate, channels, gain_db=gain_db, ceiling_dbtp=-1.0)
    y = _run(lim, x)
    assert y.shape == x.shape  # no frames lost or added by the look-ahead
    assert lim.stats().max_gr_db > 1.0  # the case limits
    assert ideal_true_peak_dbtp(y) <= -1.0  # 32x FFT reconstruction, no tolerance


def test_idle_limiter_is_exact_gain(rng: np.random.Generator) -> None:
    x = master(rng, 48000, 2, 2.0) * 0.1  # -20 dBFS peak, +6 dB leaves 13 dB below the ceiling
    lim = TruePeakLimiter(48000, 2, gain_db=6.0, ceiling_dbtp=-1.0)
    y = _run(lim, x, block=7777)
    assert np.array_equal(y, x * 10 ** (6.0 / 20))  # bit for bit
    assert lim.stats().max_gr_db == 0.0


def test_gain_back_to_exact_after_release(rng: np.random.Generator) -> None:
    rate = 48000
    x = master(rng, rate, 2, 3.0) * 0.05
    x[rate // 2] = 0.9  # one loud click early on
    lim = TruePeakLimiter(rate, 2, gain_db=0.0, ceiling_dbtp=-1.0, release_ms=20.0)
    y = _run(lim, x)
    assert lim.stats().max_gr_db > 0.0
    tail = slice(2 * rate, None)  # 1.5 s = 75 release time constants later
    assert np.array_equal(y[tail], x[tail])


def test_envelope_is_smooth_and_release_is_settable(rng: np.random.Generator) -> None:
    rate = 44100
    x = master(rng, rate, 2, 3.0) * 0.9
    gains = {}
    for release in (20.0, 300.0):
        lim = TruePeakLimiter(rate, 2, gain_db=6.0, ceiling_dbtp=-1.0, release_ms=release)
        y = _run(lim, x)
        g = np.abs(y).sum(axis=1) / (np.abs(x).sum(axis=1) * 10 ** (6 / 20) + 1e-300)
        g = g[np.abs(x).sum(axis=1) > 1e-3]
        # Stated bound: |g[n] - g[n-1]| <= (1 - g_min) / A, A = look-ahead in samples.
        a = round(1.5 * rate / 1000)
        steps = np.abs(np.diff(g))
        assert steps.max() <= (1 - g.min()) / a + 1e-9
        assert lim.max_step == pytest.approx(1 / a)
        gains[release] = lim.stats().mean_gr_db
    assert gains[300.0] > gains[20.0] * 1.2  # slower release holds more reduction
