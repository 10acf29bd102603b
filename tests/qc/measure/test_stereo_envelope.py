"""Analytic tests: phase correlation, mid/side peaks, peak envelope and silence."""

from __future__ import annotations

import itertools
import math
import tracemalloc

import numpy as np
import pytest

from qc.measure._types import Floats
from qc.measure.envelope import EnvelopeResult, PeakEnvelope
from qc.measure.stereo import StereoMeter, StereoResult

FS = 48000
BLOCKS = [1, 777, 65536]


def _stereo(x: Floats, block: int, rate: int = FS) -> StereoResult:
    meter = StereoMeter(rate, x.shape[1])
    for i in range(0, len(x), block):
        meter.feed(x[i : i + block])
    return meter.result()


def _envelope(x: Floats, block: int, rate: int = FS) -> EnvelopeResult:
    meter = PeakEnvelope(rate, x.shape[1])
    for i in range(0, len(x), block):
        meter.feed(x[i : i + block])
    return meter.result()


def _sine(seconds: float, freq: float = 1000.0, phase: float = 0.5, rate: int = FS) -> Floats:
    n = np.arange(round(seconds * rate))
    out: Floats = 0.5 * np.sin(2 * np.pi * freq * n / rate + phase)
    return out


def _edges(frames: int, rate: int) -> list[int]:
    """Segment boundaries floor(j * rate / 10), the partial last segment included."""
    edges = [j * rate // 10 for j in range(frames * 10 // rate + 2)]
    return [e for e in edges if e < frames] + [frames]


# --- stereo -----------------------------------------------------------------


@pytest.mark.parametrize("block", [777, 65536])
def test_dual_mono(block: int) -> None:
    x = _sine(2.0)
    r = _stereo(np.stack([x, x], 1), block)
    assert r.correlation == pytest.approx(1.0, abs=1e-12)
    assert r.max_side_dbfs == -math.inf
    assert r.max_mid_dbfs == pytest.approx(20 * math.log10(np.abs(x).max()), abs=1e-9)
    assert np.allclose(r.segment_correlation, 1.0, atol=1e-12)
    assert r.worst_correlation == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("block", [777, 65536])
def test_inverted_polarity(block: int) -> None:
    x = _sine(2.0)
    r = _stereo(np.stack([x, -x], 1), block)
    assert r.correlation == pytest.approx(-1.0, abs=1e-12)
    assert r.max_mid_dbfs == -math.inf
    assert r.max_side_dbfs == pytest.approx(20 * math.log10(2 * np.abs(x).max()), abs=1e-9)


def test_independent_noise_is_uncorrelated() -> None:
    rng = np.random.default_rng(1)
    r = _stereo(0.1 * rng.standard_normal((10 * FS, 2)), 65536)
    assert r.correlation is not None
    assert abs(r.correlation) < 0.05


@pytest.mark.parametrize("block", [777, 65536])
def test_quarter_period_delay_is_uncorrelated(block: int) -> None:
    # 1 kHz at 48 kHz: a 12-sample delay is a quarter period (sin vs -cos).
    x = _sine(2.0)
    r = _stereo(np.stack([x[12:], x[:-12]], 1), block)
    assert r.correlation == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize("block", BLOCKS)
def test_out_of_phase_section_is_located(block: int) -> None:
    rate = 8000  # keeps the 1-frame feed fast
    x = _sine(10.0, freq=440.0, rate=rate)
    right = x.copy()
    right[round(4.25 * rate) : round(6.0 * rate)] *= -1.0
    r = _stereo(np.stack([x, right], 1), block, rate)
    seg = r.segment_correlation
    assert seg.shape == (100,)
    out = np.flatnonzero(seg < 0.0)
    assert out[0] / 10 == pytest.approx(4.25, abs=0.1)
    assert (out[-1] + 1) / 10 == pytest.approx(6.0, abs=0.1)
    assert r.worst_correlation == pytest.approx(-1.0, abs=1e-9)
    assert r.worst_time_s is not None
    assert 4.2 <= r.worst_time_s < 6.0
    assert r.correlation == pytest.approx(1.0 - 2 * 1.75 / 10, abs=0.01)


def test_silent_segments_are_nan_and_not_worst() -> None:
    x = _sine(1.0)
    right = x.copy()
    right[: FS // 2] = 0.0  # R silent for 0.5 s
    left = x.copy()
    left[FS // 2 : FS // 2 + FS // 10] *= 1e-4  # -86 dB, inverted below: ignored
    right[FS // 2 : FS // 2 + FS // 10] *= -1.0
    r = _stereo(np.stack([left, right], 1), 777)
    assert np.isnan(r.segment_correlation[:5]).all()
    assert r.segment_correlation[5] == pytest.approx(-1.0)
    assert r.worst_correlation == pytest.approx(1.0)  # the inverted segment is too quiet
    assert r.worst_time_s is not None
    assert r.worst_time_s >= 0.6


def test_silence_and_mono() -> None:
    r = _stereo(np.zeros((FS, 2)), 65536)
    assert r.correlation is None
    assert r.max_side_dbfs == r.max_mid_dbfs == -math.inf
    assert np.isnan(r.segment_correlation).all()
    assert r.worst_correlation is None
    mono = _stereo(_sine(1.0)[:, None], 777)
    assert mono.correlation is mono.max_side_dbfs is mono.max_mid_dbfs is None
    assert mono.segment_correlation.shape == (0,)
    assert mono.worst_correlation is mono.worst_time_s is None


@pytest.mark.parametrize("block", BLOCKS)
def test_stereo_block_size_invariance(block: int) -> None:
    rate = 44101  # boundaries floor(j * rate / 10) are not multiples of 10 ms
    rng = np.random.default_rng(2)
    x = rng.standard_normal((round(0.73 * rate), 2)) * [0.3, 0.1]
    x[:, 1] += 0.5 * x[:, 0]
    r = _stereo(x, block, rate)
    whole = _stereo(x, len(x), rate)
    edges = _edges(len(x), rate)
    ref = [
        float(np.sum(x[a:b, 0] * x[a:b, 1]) / math.sqrt(np.sum(x[a:b] ** 2, 0).prod()))
        for a, b in itertools.pairwise(edges)
    ]
    assert r.segment_correlation.shape == (8,)
    np.testing.assert_allclose(r.segment_correlation, ref, rtol=1e-10)
    np.testing.assert_allclose(r.segment_correlation, whole.segment_correlation, rtol=1e-12)
    assert r.correlation == pytest.approx(whole.correlation, abs=1e-12)
    assert r.max_side_dbfs == whole.max_side_dbfs
    assert r.max_mid_dbfs == whole.max_mid_dbfs


# --- envelope ---------------------------------------------------------------


@pytest.mark.parametrize("block", BLOCKS)
def test_silence_tone_silence(block: int) -> None:
    rate = 8000
    tone = _sine(2.0, rate=rate)  # phase 0.5: the first and last samples are loud
    x = np.concatenate([np.zeros(rate), tone, np.zeros(rate // 2)])
    x = np.stack([x, 0.5 * x], 1)
    env = _envelope(x, block, rate)
    assert env.peak_dbfs.shape == (35, 2)
    assert env.frames == len(x)
    assert env.duration_s == pytest.approx(3.5)
    assert env.first_sound_frame == rate
    assert env.last_sound_frame == 3 * rate - 1
    loud = np.flatnonzero(np.abs(x).max(axis=1) > 10 ** (-90 / 20))
    assert (env.first_sound_frame, env.last_sound_frame) == (loud[0], loud[-1])
    assert env.leading_silence_s(-60.0) == pytest.approx(1.0, abs=0.1)
    assert env.trailing_silence_s(-60.0) == pytest.approx(0.5, abs=0.1)
    assert env.leading_silence_s(-90.0) == 1.0  # frame-accurate at the floor
    assert env.trailing_silence_s(-90.0) == 0.5
    assert (env.peak_dbfs[:10] == -math.inf).all()
    assert (env.peak_dbfs[30:] == -math.inf).all()
    peak = 20 * math.log10(np.abs(tone).max())
    np.testing.assert_allclose(env.peak_dbfs[10:30, 0], peak, atol=0.01)
    np.testing.assert_allclose(env.peak_dbfs[10:30, 1], peak - 6.02, atol=0.01)
    assert env.silent_channels(-60.0) == ()
    assert env.silent_channels(peak - 3.0) == (1,)


def test_one_silent_channel() -> None:
    x = np.zeros((2 * FS, 3))
    x[:, 0] = _sine(2.0)
    x[:, 2] = 1e-6 * _sine(2.0)  # -126 dBFS: hiss, not signal
    env = _envelope(x, 777)
    assert env.silent_channels(-90.0) == (1, 2)
    assert env.silent_channels(-200.0) == (1,)


def test_all_silent() -> None:
    env = _envelope(np.zeros((FS + 123, 2)), 777)
    assert env.peak_dbfs.shape == (11, 2)
    assert (env.peak_dbfs == -math.inf).all()
    assert env.first_sound_frame is env.last_sound_frame is None
    for thr in (-90.0, -60.0):
        assert env.leading_silence_s(thr) == env.duration_s == (FS + 123) / FS
        assert env.trailing_silence_s(thr) == env.duration_s
    assert env.silent_channels(-90.0) == (0, 1)
    empty = PeakEnvelope(FS, 2).result()
    assert empty.peak_dbfs.shape == (0, 2)
    assert empty.leading_silence_s(-60.0) == 0.0
    assert empty.silent_channels(-60.0) == (0, 1)


@pytest.mark.parametrize("block", BLOCKS)
def test_envelope_block_size_invariance(block: int) -> None:
    rate = 44101
    rng = np.random.default_rng(3)
    n = round(0.73 * rate)
    x = rng.standard_normal((n, 2)) * np.linspace(0, 1, n)[:, None]
    env = _envelope(x, block, rate)
    edges = _edges(len(x), rate)
    ref = 20 * np.log10(np.maximum.reduceat(np.abs(x), edges[:-1], axis=0))
    assert env.peak_dbfs.shape == (8, 2)
    np.testing.assert_array_equal(env.peak_dbfs, ref)
    np.testing.assert_array_equal(env.peak_dbfs, _envelope(x, len(x), rate).peak_dbfs)


def test_segments_match_the_loudness_meter() -> None:
    from qc.measure.loudness import LoudnessMeter

    rate = 44101
    x = np.full((round(2.37 * rate), 1), 0.1)
    loud = LoudnessMeter(rate, np.ones(1))
    env = PeakEnvelope(rate, 1)
    for i in range(0, len(x), 777):
        loud.feed(x[i : i + 777])
        env.feed(x[i : i + 777])
    # The loudness meter's per-segment maxima cover every segment (partial last included).
    assert len(loud.result().momentary_max_lufs) == len(env.result().peak_dbfs) == 24


# --- memory -----------------------------------------------------------------


def test_memory_is_bounded() -> None:
    rng = np.random.default_rng(0)
    block = 65536
    stereo = StereoMeter(FS, 2)
    env = PeakEnvelope(FS, 2)
    n_blocks = 600 * FS // block
    tracemalloc.start()
    for _ in range(n_blocks):
        b = rng.standard_normal((block, 2)) * 0.1
        stereo.feed(b)
        env.feed(b)
    s, e = stereo.result(), env.result()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    segments = math.ceil(n_blocks * block / (FS // 10))  # 599.4 s, partial last segment
    assert e.peak_dbfs.shape[0] == s.segment_correlation.shape[0] == segments
    assert peak < 10_000_000
