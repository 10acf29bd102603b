"""The delay return's DSP against the feedback comb's own definition.

References are computed here, never by the module under test:

* echo ``k`` of an impulse lands at ``k · D`` frames, ``D = floor(Time·rate/1000 + 0.5)``
  (the nearest frame, halves up), with amplitude ``(Feedback/100) ** (k - 1)``:
  positions exact, amplitudes within 0.01 dB, every other frame exactly 0;
* on noise, the output equals ``scipy.signal.lfilter`` of the difference equation
  ``y[n] = x[n - D] + g·y[n - D]`` run on the whole signal at once, within 1e-12,
  whatever the block size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import lfilter

from bridge.dialects.virtual_fx import DELAY
from bridge.virtual.dsp.delay import CONTROL_FRAMES, Delay


def nearest_frames(ms: float, rate: int) -> int:
    return max(math.floor(ms * rate / 1000.0 + 0.5), 1)


def run(d: Delay, x: np.ndarray, values: list[float | np.ndarray], block: int) -> np.ndarray:
    out = []
    for s in range(0, x.shape[0], block):
        vals = [v if np.ndim(v) == 0 else v[s : s + block] for v in values]
        out.append(d.process(x[s : s + block], vals))
    return np.concatenate(out)


def comb_reference(x: np.ndarray, frames: int, g: float) -> np.ndarray:
    """``y[n] = x[n - D] + g·y[n - D]`` on the whole signal: scipy's lfilter for short D
    (its cost grows with D), else the equation itself a stretch of D frames at a time."""
    if frames <= 2000:
        b = np.zeros(frames + 1)
        b[frames] = 1.0
        a = np.zeros(frames + 1)
        a[0] = 1.0
        a[frames] = -g
        return lfilter(b, a, x, axis=0)
    y = np.zeros_like(x)
    for start in range(frames, x.shape[0], frames):
        stop = min(start + frames, x.shape[0])
        y[start:stop] = x[start - frames : stop - frames] + g * y[start - frames : stop - frames]
    return y


def test_reference_forms_agree() -> None:
    x = np.random.default_rng(11).standard_normal((20_000, 2))
    short = comb_reference(x, 1999, 0.7)
    y = np.zeros_like(x)
    for n in range(1999, x.shape[0]):  # the equation, frame by frame
        y[n] = x[n - 1999] + 0.7 * y[n - 1999]
    assert np.max(np.abs(short - y)) < 1e-12
    long = comb_reference(x, 2001, 0.7)
    y = np.zeros_like(x)
    for n in range(2001, x.shape[0]):
        y[n] = x[n - 2001] + 0.7 * y[n - 2001]
    assert np.max(np.abs(long - y)) < 1e-12


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize(
    ("time_ms", "feedback", "block"),
    [
        (1.0, 50.0, 4097),
        (7.3, 30.0, 333),
        (10.0, 95.0, 65536),
        (375.0, 30.0, 4097),
        (499.99, 80.0, 1001),
        (2000.0, 60.0, 65536),
    ],
)
def test_impulse_echo_times_and_amplitudes(
    rate: int, time_ms: float, feedback: float, block: int
) -> None:
    frames = nearest_frames(time_ms, rate)
    echoes = 5
    x = np.zeros((echoes * frames + 17, 2))
    x[0] = (1.0, -0.5)
    y = run(Delay(rate), x, [time_ms, feedback], block)

    where = [k * frames for k in range(1, echoes + 1)]
    expected = np.array([(feedback / 100.0) ** (k - 1) for k in range(1, echoes + 1)])
    assert np.flatnonzero(y[:, 0]).tolist() == where
    assert np.flatnonzero(y[:, 1]).tolist() == where
    for ch, scale in ((0, 1.0), (1, -0.5)):
        error_db = 20 * np.log10(y[where, ch] / (scale * expected))
        assert np.max(np.abs(error_db)) < 0.01


def test_feedback_zero_gives_one_echo() -> None:
    rate = 48000
    frames = nearest_frames(120.0, rate)
    x = np.zeros((10 * frames, 1))
    x[3, 0] = 0.8
    y = run(Delay(rate, channels=1), x, [120.0, 0.0], 4096)
    assert np.flatnonzero(y[:, 0]).tolist() == [3 + frames]
    assert y[3 + frames, 0] == pytest.approx(0.8, rel=1e-12)


def test_feedback_95_decays() -> None:
    rate = 44100
    frames = nearest_frames(50.0, rate)
    x = np.zeros((200 * frames, 2))
    x[0] = 1.0
    y = run(Delay(rate), x, [50.0, 95.0], 65536)
    peaks = np.abs(y[frames::frames, 0])[:199]
    assert np.all(np.diff(peaks) < 0)
    assert peaks[-1] == pytest.approx(0.95**198, rel=1e-9)
    energy = (y[:, 0] ** 2).reshape(20, -1).sum(axis=1)
    assert np.all(np.diff(energy) < 0)


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize(("time_ms", "feedback"), [(1.0, 70.0), (23.4, 90.0), (700.0, 45.0)])
def test_noise_matches_difference_equation_any_block_size(
    rate: int, time_ms: float, feedback: float
) -> None:
    x = np.random.default_rng(7).standard_normal((rate * 2, 2))
    ref = comb_reference(x, nearest_frames(time_ms, rate), feedback / 100.0)
    for block in (7, 333, 4096, 65536, x.shape[0]):
        y = run(Delay(rate), x, [time_ms, feedback], block)
        assert np.max(np.abs(y - ref)) < 1e-12, block


def test_block_of_one_frame() -> None:
    rate = 8000
    x = np.random.default_rng(3).standard_normal((3000, 2))
    ref = comb_reference(x, nearest_frames(12.0, rate), 0.6)
    y = run(Delay(rate), x, [12.0, 60.0], 1)
    assert np.max(np.abs(y - ref)) < 1e-12


def test_constant_automation_equals_floats() -> None:
    rate = 48000
    x = np.random.default_rng(1).standard_normal((100_000, 2))
    lanes: list[float | np.ndarray] = [np.full(100_000, 250.0), np.full(100_000, 40.0)]
    y_arrays = run(Delay(rate), x, lanes, 4096)
    y_floats = run(Delay(rate), x, [250.0, 40.0], 4096)
    assert np.array_equal(y_arrays, y_floats)


def test_feedback_automation_at_control_rate() -> None:
    """Feedback steps from 50 to 0 % at a grid point inside a block: it applies there."""
    rate = 48000
    frames = nearest_frames(10.0, rate)  # 480
    n = 40 * CONTROL_FRAMES
    step = 20 * CONTROL_FRAMES  # a grid point, inside the block 5000..5999 of 1000 frames
    feedback = np.where(np.arange(n) < step, 50.0, 0.0)
    x = np.zeros((n, 1))
    x[0, 0] = 1.0
    y = run(Delay(rate, channels=1), x, [10.0, feedback], 1000)
    # w[n] = x[n] + g(n)·w[n - D] and y[n] = w[n - D]: w[kD] = 0.5**k while kD < step.
    last = (step - 1) // frames
    where = [(k + 1) * frames for k in range(last + 1)]
    assert np.flatnonzero(y[:, 0]).tolist() == where
    assert np.allclose(y[where, 0], 0.5 ** np.arange(last + 1), rtol=1e-12, atol=0)
    # The grid does not depend on the block size.
    assert np.array_equal(y, run(Delay(rate, channels=1), x, [10.0, feedback], 4097))


def test_time_automation_is_bounded_and_block_independent() -> None:
    rate = 48000
    n = rate * 3
    x = np.random.default_rng(5).uniform(-1.0, 1.0, (n, 2))
    sweep = np.geomspace(DELAY.params[0].min, DELAY.params[0].max, n)
    feedback = 90.0
    y = run(Delay(rate), x, [sweep, feedback], 4096)
    assert np.all(np.isfinite(y))
    # |y| <= max|x| · (1 + g + g² + ...) for any tap positions.
    assert np.max(np.abs(y)) <= 1.0 / (1.0 - feedback / 100.0)
    assert np.array_equal(y, run(Delay(rate), x, [sweep, feedback], 1111))


def test_reset_forgets_the_line() -> None:
    rate = 48000
    x = np.random.default_rng(9).standard_normal((30_000, 2))
    d = Delay(rate)
    first = run(d, x, [100.0, 50.0], 4096)
    d.reset()
    assert np.array_equal(run(d, x, [100.0, 50.0], 4096), first)


def test_out_of_range_values_are_clamped() -> None:
    rate = 48000
    x = np.zeros((5 * rate, 1))
    x[0, 0] = 1.0
    y = run(Delay(rate, channels=1), x, [5000.0, 150.0], 65536)
    frames = nearest_frames(DELAY.params[0].max, rate)
    assert np.flatnonzero(y[:, 0]).tolist() == [frames, 2 * frames]
    assert y[2 * frames, 0] == pytest.approx(DELAY.params[1].max / 100.0, rel=1e-12)


def test_wrong_shapes_raise() -> None:
    d = Delay(48000)
    with pytest.raises(ValueError, match="shape"):
        d.process(np.zeros((10, 3)), [100.0, 10.0])
    with pytest.raises(ValueError, match="automation"):
        d.process(np.zeros((10, 2)), [np.zeros(9), 10.0])
    with pytest.raises(ValueError, match="parameter values"):
        d.process(np.zeros((10, 2)), [100.0])


def test_non_finite_values_raise() -> None:
    d = Delay(48000)
    with pytest.raises(ValueError, match=r"parameter 2 .* not finite"):
        d.process(np.zeros((10, 2)), [100.0, float("nan")])
    lane = np.full(10, 100.0)
    lane[4] = np.inf
    with pytest.raises(ValueError, match=r"parameter 1 .* not finite"):
        d.process(np.zeros((10, 2)), [lane, 10.0])
