"""The virtual DAW's compressor against Giannoulis, Massberg and Reiss (JAES 60(6), 2012).

The reference below is a plain per-sample Python loop typed from the paper:
level ``20·log10(max |s|)``, the soft-knee static curve (eq. 4), the smooth
branching detector in the log domain (eq. 16, ``α = exp(-1/(τ·fs))``), gain
``M - y_L`` dB. Tolerances:

* against the reference loop: 1e-9 dB of gain (1.2e-10 relative);
* static curve with steady tones after settling: 0.3 dB (sines), 0.01 dB
  (square waves, whose level is constant);
* attack and release time constants from a level step: within 10 %;
* identity at ratio 1: exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bridge.virtual.dsp.compressor import Compressor
from bridge.virtual.dsp.scan import branching_smoother, linear_recurrence

FS = 48000


def static_curve(x: float, t: float, r: float, w: float) -> float:
    """Giannoulis et al. eq. 4: output level y_G (dB) of input level x (dB)."""
    if 2 * (x - t) < -w:
        return x
    if 2 * abs(x - t) <= w and w > 0:
        return x + (1 / r - 1) * (x - t + w / 2) ** 2 / (2 * w)
    return t + (x - t) / r


def reference(x: np.ndarray, params, fs: int = FS) -> np.ndarray:
    """Per-sample loop; ``params`` = per-frame arrays or floats (T, R, att ms, rel ms, W, M)."""
    n = len(x)
    cols = [np.broadcast_to(np.asarray(p, dtype=float), (n,)).tolist() for p in params]
    peaks = np.max(np.abs(x), axis=1).tolist()
    gains = []
    y = 0.0
    for i in range(n):
        t, r, att, rel, w, m = (c[i] for c in cols)
        level = 20 * math.log10(max(peaks[i], 1e-10))
        xl = level - static_curve(level, t, r, w)
        a_a = math.exp(-1 / (att / 1000 * fs))
        a_r = math.exp(-1 / (rel / 1000 * fs))
        y = a_a * y + (1 - a_a) * xl if xl > y else a_r * y + (1 - a_r) * xl
        gains.append(10 ** ((m - y) / 20))
    return x * np.array(gains)[:, None]


def run(comp: Compressor, x: np.ndarray, params, sizes=(65536,)) -> np.ndarray:
    out, pos, i = [], 0, 0
    while pos < len(x):
        n = min(sizes[i % len(sizes)], len(x) - pos)
        vals = [p[pos : pos + n] if isinstance(p, np.ndarray) else p for p in params]
        out.append(comp.process(x[pos : pos + n], vals))
        pos += n
        i += 1
    return np.concatenate(out)


def music(n: int, seed: int = 1) -> np.ndarray:
    """Music-like stereo test input: noise and tones under hits and swells (peak 0.9)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS
    env = np.zeros(n)
    for start in rng.integers(0, n, 12):
        k = np.arange(n - start)
        env[start:] += np.exp(-k / (FS * rng.uniform(0.01, 0.3)))
    env += 0.3 * (1 + np.sin(2 * np.pi * 0.7 * t))
    tone = np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 1375 * t)
    left = env * (0.6 * tone + 0.4 * rng.standard_normal(n))
    right = env * (0.6 * np.roll(tone, 17) + 0.4 * rng.standard_normal(n))
    x = np.stack([left, right], axis=1)
    return 0.9 * x / np.max(np.abs(x))


def gain_db(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    nz = np.abs(x[:, 0]) > 1e-12
    return 20 * np.log10(out[nz, 0] / x[nz, 0])


@pytest.mark.parametrize(
    "params",
    [
        (-20.0, 4.0, 10.0, 100.0, 6.0, 3.0),
        (-30.0, 8.0, 0.1, 50.0, 0.0, 0.0),
        (-12.0, 2.0, 30.0, 500.0, 12.0, 6.0),
        (-40.0, 20.0, 200.0, 5.0, 24.0, 0.0),  # attack slower than release
    ],
)
def test_equals_the_per_sample_reference_loop(params):
    x = music(30000)
    got = run(Compressor(FS, 2), x, params, sizes=(4099, 1, 777, 65536))
    ref = reference(x, params)
    assert np.max(np.abs(gain_db(got, x) - gain_db(ref, x))) < 1e-9
    assert np.max(np.abs(gain_db(got, x))) > 1.0  # it compresses measurably


def test_per_sample_automation_of_every_parameter():
    n = 20000
    x = music(n, seed=4)
    params = (
        np.where(np.arange(n) < n // 2, -30.0, -10.0),  # threshold jumps mid-block
        np.geomspace(1.5, 12.0, n),
        np.linspace(0.5, 40.0, n),
        np.linspace(300.0, 20.0, n),
        np.linspace(0.0, 10.0, n),
        np.linspace(0.0, 4.0, n),
    )
    got = run(Compressor(FS, 2), x, params, sizes=(3001, 6007))
    ref = reference(x, params)
    assert np.max(np.abs(gain_db(got, x) - gain_db(ref, x))) < 1e-9


def square(level_db: float, n: int, period: int = 96) -> np.ndarray:
    """Stereo square wave whose |s| is 10^(level/20) at every frame."""
    s = np.where((np.arange(n) // (period // 2)) % 2 == 0, 1.0, -1.0) * 10 ** (level_db / 20)
    return np.stack([s, s], axis=1)


@pytest.mark.parametrize(
    ("t", "r", "w"), [(-30.0, 4.0, 0.0), (-20.0, 10.0, 12.0), (-45.0, 2.0, 6.0)]
)
def test_static_curve_with_steady_tones(t, r, w):
    n = FS  # 1 s; measure over the last 0.2 s
    for level in range(-60, 1, 6):
        params = (t, r, 5.0, 50.0, w, 0.0)
        expected = static_curve(float(level), t, r, w)
        out = Compressor(FS, 2).process(square(level, n), params)
        got = 20 * np.log10(np.max(np.abs(out[-FS // 5 :, 0])))
        assert abs(got - expected) < 0.01, (level, got, expected)
        tt = np.arange(n) / FS
        s = 10 ** (level / 20) * np.sin(2 * np.pi * 440 * tt)
        sine = np.stack([s, 0.5 * s], axis=1)
        out = Compressor(FS, 2).process(sine, (t, r, 0.1, 1000.0, w, 0.0))
        got = 20 * np.log10(np.max(np.abs(out[-FS // 5 :, 0])))
        assert abs(got - expected) < 0.3, (level, got, expected)


def test_knee_points_lie_on_the_quadratic():
    t, r, w = -20.0, 5.0, 10.0
    for level in (-24.0, -22.0, -20.0, -18.0, -16.0):
        out = Compressor(FS, 1).process(square(level, FS // 2)[:, :1], (t, r, 1.0, 20.0, w, 0.0))
        got = 20 * np.log10(np.max(np.abs(out[-1000:])))
        quad = level + (1 / r - 1) * (level - t + w / 2) ** 2 / (2 * w)
        assert abs(got - quad) < 1e-9, (level, got, quad)
        # not the hard-knee curve inside the knee
        assert abs(got - min(level, t + (level - t) / r)) > 1e-3


def step_times(tau_ms: float, attack: bool) -> float:
    """Measured time (ms) for the gain reduction to cover 1-1/e of a level step."""
    n = FS * 4
    levels = np.full(n, -40.0)
    half = n // 2
    if attack:
        levels[half:] = -10.0
    else:
        levels[:half] = -10.0
    x = np.stack([10 ** (levels / 20)] * 2, axis=1)  # DC: the level is exact
    params = (-30.0, 4.0, tau_ms if attack else 1.0, 20.0 if attack else tau_ms, 0.0, 0.0)
    out = Compressor(FS, 2).process(x, params)
    gr = -20 * np.log10(out[half:, 0] / x[half:, 0])  # gain reduction after the step
    step = 20 * (1 - 1 / 4)  # (x - T)(1 - 1/R) at -10 dBFS
    if attack:
        k = int(np.argmax(gr >= (1 - 1 / math.e) * step))
    else:
        k = int(np.argmax(gr <= step / math.e))
    return (k + 1) / FS * 1000


@pytest.mark.parametrize("tau", [0.5, 5.0, 50.0, 200.0])
def test_attack_time_constant(tau):
    assert abs(step_times(tau, attack=True) - tau) <= 0.1 * tau


@pytest.mark.parametrize("tau", [5.0, 100.0, 1500.0])
def test_release_time_constant(tau):
    assert abs(step_times(tau, attack=False) - tau) <= 0.1 * tau


def test_makeup_gain_below_threshold():
    x = music(5000) * 0.01  # about -40 dBFS peak, far below the threshold
    out = Compressor(FS, 2).process(x, (-10.0, 4.0, 10.0, 100.0, 0.0, 7.5))
    np.testing.assert_allclose(out, x * 10 ** (7.5 / 20), rtol=1e-12)


def test_identity_at_ratio_one():
    x = music(10000)
    out = run(Compressor(FS, 2), x, (-60.0, 1.0, 0.1, 5.0, 24.0, 0.0), sizes=(333,))
    assert np.array_equal(out, x)


def test_stereo_link():
    n = FS // 2
    tt = np.arange(n) / FS
    loud = 0.9 * np.sin(2 * np.pi * 300 * tt)
    quiet = 0.01 * np.sin(2 * np.pi * 500 * tt)
    x = np.stack([loud, quiet], axis=1)
    out = Compressor(FS, 2).process(x, (-20.0, 4.0, 1.0, 100.0, 0.0, 0.0))
    right = 20 * np.log10(np.max(np.abs(out[-FS // 10 :, 1])) / 0.01)
    assert right < -8.0  # the quiet right channel (-40 dBFS) is turned down by the loud left
    mono = Compressor(FS, 1).process(x[:, 1:], (-20.0, 4.0, 1.0, 100.0, 0.0, 0.0))
    assert np.array_equal(mono, x[:, 1:])  # alone it is below the threshold


def test_linear_recurrence_and_branching_smoother_match_loops():
    rng = np.random.default_rng(7)
    n = 50000
    a = rng.uniform(0.2, 0.9999, n)
    b = rng.uniform(0.0, 3.0, n)
    ref = np.empty(n)
    y = 1.5
    for i in range(n):
        y = a[i] * y + b[i]
        ref[i] = y
    np.testing.assert_allclose(linear_recurrence(a, b, 1.5), ref, rtol=1e-12)
    x = np.maximum(0.0, rng.standard_normal(n) * 10)
    a_att, a_rel = 0.9, 0.999
    y, passes = branching_smoother(x, a_att, a_rel, 2.0)
    ref = np.empty(n)
    c = 2.0
    for i in range(n):
        c = a_att * c + (1 - a_att) * x[i] if x[i] > c else a_rel * c + (1 - a_rel) * x[i]
        ref[i] = c
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    assert passes >= 1


def test_an_empty_block_changes_nothing():
    x = music(6000, seed=3)
    params = (-20.0, 4.0, 5.0, 80.0, 0.0, 2.0)
    comp = Compressor(FS, 2)
    a = comp.process(x[:2500], list(params))
    assert comp.process(x[:0], list(params)).shape == (0, 2)
    b = comp.process(x[2500:], list(params))
    ref = reference(x, params)
    assert np.max(np.abs(gain_db(np.concatenate([a, b]), x) - gain_db(ref, x))) < 1e-9
