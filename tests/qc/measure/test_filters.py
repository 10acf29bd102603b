"""The two linear filters against independent references.

* :class:`BlockIIR` equals ``scipy.signal.sosfilt`` (direct form) to 1e-9,
  for any block size.
* :func:`k_weighting_sos` at 48 kHz equals BS.1770-4 Tables 1 and 2 to 1e-8.
* :class:`Interpolator` with the default Kaiser kernel matches ideal (FFT)
  band-limited interpolation of noise band-limited to 0.45 fs within 0.5 %.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.oversample import Interpolator, kaiser_kernel

# BS.1770-4 Table 1 (shelf) and Table 2 (high-pass), 48 kHz.
BS1770_48K = np.array(
    [
        [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            1.0,
            -1.69065929318241,
            0.73248077421585,
        ],
        [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
    ]
)


def test_k_weighting_matches_bs1770_tables() -> None:
    np.testing.assert_allclose(k_weighting_sos(48000), BS1770_48K, atol=1e-8)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("block", [1, 63, 64, 1000, 65536])
def test_block_iir_equals_sosfilt(rng: np.random.Generator, rate: int, block: int) -> None:
    sos = k_weighting_sos(rate)
    x = rng.standard_normal((20000 if block > 1 else 3000, 2))
    f = BlockIIR(sos, channels=2)
    y = np.concatenate([f.process(x[i : i + block]) for i in range(0, len(x), block)])
    ref = signal.sosfilt(sos, x, axis=0)
    np.testing.assert_allclose(y, ref, atol=1e-9)


def test_channel_weights() -> None:
    assert channel_weights(2).tolist() == [1.0, 1.0]
    assert channel_weights(6).tolist() == [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]  # LFE excluded
    assert channel_weights(5).tolist() == [1.0, 1.0, 1.0, 1.41, 1.41]


@pytest.mark.parametrize("block", [777, 65536])
def test_interpolator_matches_ideal(rng: np.random.Generator, block: int) -> None:
    n = 20000
    spec = np.fft.rfft(rng.standard_normal(n))
    spec[np.fft.rfftfreq(n) > 0.45] = 0
    x = np.fft.irfft(spec, n)
    x /= np.abs(x).max()
    spec = np.fft.rfft(x)
    ideal = np.fft.irfft(np.concatenate([spec, np.zeros(3 * n // 2)]), 4 * n) * 4
    ip = Interpolator(kaiser_kernel(4, 16, 8.0), channels=1, skip_phase0=True)
    parts = [ip.feed(x[i : i + block, None])[1][0] for i in range(0, n, block)]
    parts.append(ip.flush()[1][0])
    y = np.concatenate(parts)
    assert y.shape == (n, 4)
    np.testing.assert_array_equal(y[:, 0], x)  # phase 0 is the input itself
    err = np.abs(y.reshape(-1) - ideal)[400:-400]  # ideal is circular: ignore the ends
    assert err.max() < 0.005
