"""Dither: TPDF-distributed, error moments independent of the signal, exact rounding on the grid."""

from __future__ import annotations

import numpy as np
import pytest

from qc.fix.dither import Quantizer


@pytest.mark.parametrize("kind", ["tpdf", "sloped"])
def test_dither_is_triangular(kind: str) -> None:
    q = Quantizer(16, 1, dither=kind, seed=1)  # type: ignore[arg-type]
    d = q.noise(400_000)[:, 0]
    # Triangular on (-1, 1) LSB: CDF F(v) = (1 + v)^2 / 2 below 0, 1 - (1 - v)^2 / 2 above.
    v = np.sort(d)
    cdf = np.where(v < 0, (1 + v) ** 2 / 2, 1 - (1 - v) ** 2 / 2)
    ks = np.abs(cdf - np.arange(1, len(v) + 1) / len(v)).max()
    assert ks < 1.63 / np.sqrt(len(v))  # Kolmogorov-Smirnov at 1 %
    assert d.var() == pytest.approx(1 / 6, rel=0.01)
    spectrum = np.abs(np.fft.rfft(d[: 1 << 16])) ** 2
    low, high = spectrum[1:4096].mean(), spectrum[-4096:].mean()
    if kind == "tpdf":
        assert low == pytest.approx(high, rel=0.15)  # white
    else:
        assert high > 20 * low  # first-order high-pass: |1 - e^-jw|^2 from ~0 to 4


@pytest.mark.parametrize("offset_lsb", [0.0, 0.25, 0.5, 0.8])
def test_error_moments_independent_of_signal(offset_lsb: float) -> None:
    # A constant between two steps: undithered rounding makes a constant error; TPDF dither
    # makes the total error zero-mean with power 1/4 LSB^2 whatever the input (LWV 1992).
    q = Quantizer(16, 1, dither="tpdf", seed=2)
    x = np.full((200_000, 1), (1000 + offset_lsb) / 32768)
    err = q(x)[:, 0] - (1000 + offset_lsb)
    assert abs(err.mean()) < 0.01
    assert err.var() == pytest.approx(0.25, rel=0.02)


def test_error_uncorrelated_with_signal(rng: np.random.Generator) -> None:
    t = np.arange(200_000) / 44100
    x = 0.3 * np.sin(2 * np.pi * 997 * t)[:, None]
    q = Quantizer(16, 1, dither="tpdf", seed=3)
    err = q(x)[:, 0] / 32768 - x[:, 0]
    corr = np.corrcoef(err, x[:, 0])[0, 1]
    assert abs(corr) < 4 / np.sqrt(len(t))
    # Rounding alone: the error follows the signal (harmonic distortion) on a low-level tone.
    low = 3.3e-5 * np.sin(2 * np.pi * 997 * t)[:, None]
    plain = Quantizer(16, 1, dither="none")(low)[:, 0] / 32768 - low[:, 0]
    dith = Quantizer(16, 1, dither="tpdf", seed=4)(low)[:, 0] / 32768 - low[:, 0]
    cube = low[:, 0] ** 3
    assert abs(np.corrcoef(plain, cube)[0, 1]) > 10 * abs(np.corrcoef(dith, cube)[0, 1])


def test_rounding_is_exact_on_the_grid() -> None:
    ints = np.arange(-32768, 32768, 7)[:, None]
    q = Quantizer(16, 1, dither="none")
    assert np.array_equal(q(ints / 32768.0), ints)
