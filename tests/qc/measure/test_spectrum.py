"""The long-term spectrum accumulator and the series the plots read, against independent refs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from qc.measure import analyze
from qc.measure.series import reduce_series
from qc.measure.spectrum import SpectrumMeter

RATE = 48000


def _feed(meter: SpectrumMeter, x: np.ndarray, sizes: list[int]) -> None:
    """Feed ``x`` in blocks of the given sizes, cycling (odd sizes test the carry)."""
    i = k = 0
    while i < len(x):
        n = sizes[k % len(sizes)]
        meter.feed(x[i : i + n])
        i += n
        k += 1


def test_equals_scipy_welch_without_stride(rng: np.random.Generator) -> None:
    x = rng.standard_normal((RATE * 2, 2)) * [0.1, 0.3]
    x[:, 1] += 0.5 * x[:, 0]
    meter = SpectrumMeter(RATE, 2, nfft=4096, stride=1)
    _feed(meter, x, [1000, 65536, 7])
    res = meter.result()
    side = 0.5 * (x[:, 0] - x[:, 1])
    for col, sig in enumerate([x[:, 0], x[:, 1], side]):
        f, ref = signal.welch(
            sig, RATE, window="hann", nperseg=4096, noverlap=0, detrend=False, scaling="density"
        )
        np.testing.assert_allclose(res.freqs_hz, f, rtol=0, atol=1e-9)
        np.testing.assert_allclose(res.psd[:, col], ref, rtol=1e-9, atol=0)
    assert res.labels == ("ch1", "ch2", "side")
    assert res.frames == len(x) // 4096


def test_tone_peaks_at_its_bin() -> None:
    nfft = 4096
    k = 300  # bin 300 at 48 kHz / 4096 = 3515.625 Hz
    t = np.arange(RATE * 3) / RATE
    x = (0.5 * np.sin(2 * np.pi * k * RATE / nfft * t))[:, None]
    meter = SpectrumMeter(RATE, 1, nfft=nfft)
    _feed(meter, x, [65536])
    res = meter.result()
    assert int(np.argmax(res.psd[:, 0])) == k
    # A sine of amplitude A has mean square A^2 / 2; the density integrates to it (+-1 %).
    total = res.psd[:, 0].sum() * RATE / nfft
    assert total == pytest.approx(0.5**2 / 2, rel=0.01)


def test_white_noise_level_is_analytic(rng: np.random.Generator) -> None:
    """White noise of variance s^2 has a one-sided density of 2 s^2 / fs."""
    sigma = 0.2
    x = rng.standard_normal((RATE * 20, 1)) * sigma
    meter = SpectrumMeter(RATE, 1)  # default stride 4
    _feed(meter, x, [65536])
    res = meter.result()
    expected_db = 10 * np.log10(2 * sigma**2 / RATE)
    band = (res.freqs_hz > 100) & (res.freqs_hz < 20000)
    # The mean over ~1700 bins of an average of ~59 frames: within 0.1 dB.
    assert 10 * np.log10(res.psd[band, 0].mean()) == pytest.approx(expected_db, abs=0.1)


def test_memory_is_independent_of_length(rng: np.random.Generator) -> None:
    meter = SpectrumMeter(RATE, 2)
    sizes = []
    for _ in range(40):  # 40 x 65536 frames = 55 s
        meter.feed(rng.standard_normal((65536, 2)) * 0.1)
        state = meter.__dict__.values()
        sizes.append(sum(v.nbytes for v in state if isinstance(v, np.ndarray)))
    assert max(sizes) == sizes[0] or max(sizes) <= sizes[0] + 4096 * 2 * 8
    assert max(sizes) < 200_000  # carry (< 4096 x 2) + window + 3 sums of 2049 bins


def test_short_input_gives_zero_frames() -> None:
    meter = SpectrumMeter(RATE, 2)
    meter.feed(np.ones((100, 2)) * 0.1)
    res = meter.result()
    assert res.frames == 0
    assert not res.psd.any()


def test_correlation_series_matches_numpy_windows(rng: np.random.Generator) -> None:
    """The analyzer's 100 ms correlation series equals numpy's per window."""
    n = RATE * 2
    left = rng.standard_normal(n) * 0.2
    right = np.concatenate([left[: n // 2], -left[n // 2 :]]) + rng.standard_normal(n) * 0.05
    m = analyze([np.stack([left, right], axis=1)], RATE, 2)
    series = m.stereo.segment_correlation
    assert len(series) == 20
    for j in range(20):
        a, b = left[j * 4800 : (j + 1) * 4800], right[j * 4800 : (j + 1) * 4800]
        ref = np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b))
        assert series[j] == pytest.approx(ref, abs=1e-9)
    assert m.spectrum is not None
    assert m.spectrum.labels == ("ch1", "ch2", "side")


def test_reduce_series_keeps_extremes(rng: np.random.Generator) -> None:
    x = rng.standard_normal(36_000)
    x[12_345] = 9.0
    x[100] = -np.inf  # silence is ignored, not a minimum
    r = reduce_series(x, points=2000)
    assert len(r.time_s) <= 2000
    assert np.nanmax(r.high) == 9.0
    per = round(r.step_s / 0.1)
    bucket = 12_345 // per
    assert r.high[bucket] == 9.0
    assert r.time_s[bucket] == pytest.approx(bucket * per * 0.1)
    finite = x[np.isfinite(x)]
    assert np.nanmin(r.low) == finite.min()


def test_reduce_short_series_is_identity() -> None:
    x = np.array([1.0, np.nan, 3.0])
    r = reduce_series(x, start_s=0.4, points=10)
    np.testing.assert_array_equal(r.high, [1.0, np.nan, 3.0])
    np.testing.assert_allclose(r.time_s, [0.4, 0.5, 0.6])
