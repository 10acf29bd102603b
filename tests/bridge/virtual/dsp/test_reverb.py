"""The reverb return's DSP, measured from its rendered impulse responses.

Measurements are written here from the literature, never taken from the module:

* RT60 by Schroeder's backward integration (M. R. Schroeder, "New method of
  measuring reverberation time", JASA 37, 1965) and ISO 3382-1's T30: a
  least-squares line through the energy decay curve from −5 to −35 dB, times 2;
  within 15 % of ``Decay``;
* pre-delay ``P`` = ``Pre-delay`` at the nearest frame: frames before it are
  exactly 0, and the onset (first frame above −60 dB re the peak) comes at most
  10 ms after it;
* no growth: the energy of successive 1-s windows of the 10-s decay falls;
* determinism and block-size independence: bit-identical or within 1e-12 re peak;
* width: 0 % gives L == R exactly; at 100 % the tail's inter-channel correlation
  is below 0.2 in magnitude; 50 % halves the side signal (L − R) within 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from bridge.dialects.virtual_fx import REVERB
from bridge.virtual.dsp.reverb import Reverb


def render(
    rate: int,
    x: np.ndarray,
    values: list[float | np.ndarray],
    block: int = 65536,
    reverb: Reverb | None = None,
) -> np.ndarray:
    r = reverb if reverb is not None else Reverb(rate)
    out = []
    for s in range(0, x.shape[0], block):
        vals = [v if np.ndim(v) == 0 else v[s : s + block] for v in values]
        out.append(r.process(x[s : s + block], vals))
    return np.concatenate(out)


def impulse_response(
    rate: int,
    seconds: float,
    decay: float,
    *,
    pre_ms: float = 0.0,
    damping: float = 0.0,
    width: float = 100.0,
) -> np.ndarray:
    x = np.zeros((int(seconds * rate), 2))
    x[0] = 1.0
    return render(rate, x, [decay, pre_ms, damping, width])


def t30(h: np.ndarray, rate: int) -> float:
    """ISO 3382-1 T30 (s) of an impulse response ``h`` of shape (n, channels)."""
    energy = np.sum(h**2, axis=1)
    edc = np.cumsum(energy[::-1])[::-1]
    edc_db = 10 * np.log10(edc / edc[0])
    i5 = int(np.argmax(edc_db <= -5.0))
    i35 = int(np.argmax(edc_db <= -35.0))
    assert 0 < i5 < i35, "the decay curve does not reach -35 dB"
    t = np.arange(i5, i35) / rate
    slope = np.polyfit(t, edc_db[i5:i35], 1)[0]  # dB/s
    return -60.0 / slope


def test_t30_of_an_exact_exponential() -> None:
    """The measurement itself: an exponentially decaying noise of known RT60."""
    rate = 48000
    t = np.arange(3 * rate) / rate
    noise = np.random.default_rng(0).standard_normal((t.size, 2))
    h = noise * 10 ** (-3 * t / 1.5)[:, None]
    assert t30(h, rate) == pytest.approx(1.5, rel=0.03)


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("decay", [0.5, 2.0, 8.0])
def test_rt60_equals_decay(rate: int, decay: float) -> None:
    h = impulse_response(rate, decay + 0.5, decay)
    assert t30(h, rate) == pytest.approx(decay, rel=0.15)


@pytest.mark.parametrize("damping", [0.5, 1.0])
def test_damping_keeps_low_band_rt60_and_shortens_broadband(damping: float) -> None:
    """Damping leaves the low band's T30 (below 300 Hz) at Decay, shortens the broadband T30."""
    rate, decay = 48000, 2.0
    h = impulse_response(rate, decay + 0.5, decay, damping=damping)
    low = sosfilt(butter(4, 300.0, fs=rate, output="sos"), h, axis=0)
    assert t30(low, rate) == pytest.approx(decay, rel=0.15)
    broadband_undamped = t30(impulse_response(rate, decay + 0.5, decay), rate)
    assert t30(h, rate) < 0.95 * broadband_undamped
    high = sosfilt(butter(4, 8000.0, btype="high", fs=rate, output="sos"), h, axis=0)
    # The RT60 at Nyquist is Decay·(1 − 0.9·Damping); 8 kHz and up lies between that and Decay.
    assert t30(high, rate) < 0.9 * decay


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("pre_ms", [0.0, 12.5, 200.0])
def test_nothing_before_predelay_and_onset_within_10_ms(rate: int, pre_ms: float) -> None:
    h = impulse_response(rate, 0.6, 1.0, pre_ms=pre_ms)
    pre = math.floor(pre_ms * rate / 1000 + 0.5)
    assert not np.any(h[:pre])
    level = np.max(np.abs(h), axis=1)
    onset = int(np.argmax(level > np.max(level) * 10 ** (-60 / 20)))
    assert pre <= onset <= pre + 0.010 * rate


def test_no_growth_at_longest_decay() -> None:
    rate = 48000
    decay = REVERB.params[0].max
    h = impulse_response(rate, 12.0, decay, damping=0.0)
    energy = np.sum(h**2, axis=1)[: 12 * rate].reshape(12, rate).sum(axis=1)
    assert np.all(np.diff(energy[1:]) < 0)
    # And at the decay law's rate: 60 dB per Decay seconds, 6 dB per 1-s window, ±1.5 dB.
    drop_db = 10 * np.log10(energy[2:-1] / energy[3:])
    assert np.all(np.abs(drop_db - 60.0 / decay) < 1.5)


@pytest.mark.parametrize(
    "values",
    [[0.2, 0.0, 0.0, 100.0], [10.0, 200.0, 1.0, 0.0], [10.0, 0.0, 0.0, 100.0], [0.2, 0.0, 1.0, 50]],
)
def test_stable_at_extreme_settings(values: list[float]) -> None:
    rate = 48000
    x = np.random.default_rng(2).uniform(-1.0, 1.0, (rate * 4, 2))
    x[rate * 2 :] = 0.0  # then silence: the tail must fall
    y = render(rate, x, list(values))
    assert np.all(np.isfinite(y))
    tail = np.sum(y[rate * 2 :] ** 2, axis=1).reshape(4, -1).sum(axis=1)
    assert np.all(np.diff(tail) < 0)


def test_two_renders_are_bit_identical() -> None:
    rate = 48000
    x = np.random.default_rng(4).standard_normal((rate * 2, 2))
    values: list[float | np.ndarray] = [1.7, 23.0, 0.4, 80.0]
    assert np.array_equal(render(rate, x, values), render(rate, x, values))


def test_reset_gives_a_fresh_reverb() -> None:
    rate = 48000
    x = np.random.default_rng(6).standard_normal((rate, 2))
    r = Reverb(rate)
    first = render(rate, x, [2.0, 10.0, 0.3, 100.0], reverb=r)
    r.reset()
    assert np.array_equal(render(rate, x, [2.0, 10.0, 0.3, 100.0], reverb=r), first)


@pytest.mark.parametrize("block", [333, 4096])
def test_block_size_independence(block: int) -> None:
    rate = 48000
    x = np.random.default_rng(8).standard_normal((rate * 3, 2))
    values: list[float | np.ndarray] = [3.0, 40.0, 0.6, 100.0]
    ref = render(rate, x, values, block=65536)
    y = render(rate, x, values, block=block)
    assert np.max(np.abs(y - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_automation_block_size_independence_and_constant_lanes() -> None:
    rate = 48000
    n = rate * 2
    x = np.random.default_rng(10).standard_normal((n, 2))
    lanes: list[float | np.ndarray] = [
        np.geomspace(0.3, 6.0, n),
        np.linspace(0.0, 80.0, n),
        np.linspace(1.0, 0.0, n),
        np.linspace(0.0, 100.0, n),
    ]
    a = render(rate, x, lanes, block=4096)
    b = render(rate, x, lanes, block=1000)
    assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(a))
    constant: list[float | np.ndarray] = [np.full(n, 2.5), np.full(n, 30.0), np.full(n, 0.2), 70.0]
    assert np.array_equal(render(rate, x, constant), render(rate, x, [2.5, 30.0, 0.2, 70.0]))


def test_width_zero_is_mono() -> None:
    rate = 48000
    x = np.random.default_rng(12).standard_normal((rate, 2))
    y = render(rate, x, [2.0, 0.0, 0.3, 0.0])
    assert np.array_equal(y[:, 0], y[:, 1])
    assert np.max(np.abs(y)) > 0.01


def test_full_width_is_decorrelated() -> None:
    rate = 48000
    h = impulse_response(rate, 2.0, 2.0)
    tail = h[int(0.1 * rate) :]
    rho = np.corrcoef(tail[:, 0], tail[:, 1])[0, 1]
    assert abs(rho) < 0.2


def test_half_width_halves_the_side() -> None:
    rate = 48000
    full = impulse_response(rate, 1.0, 1.0, width=100.0)
    half = impulse_response(rate, 1.0, 1.0, width=50.0)
    peak = np.max(np.abs(full))
    mid_error = np.abs((half[:, 0] + half[:, 1]) - (full[:, 0] + full[:, 1]))
    side_error = np.abs((half[:, 0] - half[:, 1]) - 0.5 * (full[:, 0] - full[:, 1]))
    assert np.max(mid_error) <= 1e-12 * peak
    assert np.max(side_error) <= 1e-12 * peak


def test_wrong_shapes_raise() -> None:
    r = Reverb(48000)
    with pytest.raises(ValueError, match="shape"):
        r.process(np.zeros((10, 1)), [2.0, 0.0, 0.0, 100.0])
    with pytest.raises(ValueError, match="parameter values"):
        r.process(np.zeros((10, 2)), [2.0, 0.0])


def test_non_finite_values_raise_and_leave_the_state_clean() -> None:
    rate = 48000
    x = np.random.default_rng(14).standard_normal((rate, 2))
    r = Reverb(rate)
    with pytest.raises(ValueError, match=r"parameter 1 .* not finite"):
        r.process(x[:100], [float("nan"), 0.0, 0.0, 100.0])
    assert np.array_equal(
        render(rate, x, [2.0, 0.0, 0.0, 100.0], reverb=r), render(rate, x, [2.0, 0.0, 0.0, 100.0])
    )
