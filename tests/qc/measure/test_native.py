"""The compiled kernels against independent references and against their numpy twins.

* ``biquad2`` against ``scipy.signal.sosfilt`` (direct form, float64), across
  block boundaries, for 1 to 6 channels;
* ``truepeak_crests`` against 4x values computed here in float64 with
  ``numpy.convolve`` and the crest rule written out;
* the loudness meter's compiled pass against its numpy pass (segments, running
  sums and window maxima), and ``window_maxima`` against numpy's reductions;
* the whole true-peak meter, compiled pass vs numpy pass, on the material the
  accurate method is tested on (clipped masters, clipped noise, abrupt 19 kHz
  onsets, a lone sample at the start, silence, very short inputs), block sizes
  drawn at random;
* a library built from another ``kernels.c`` is refused, a missing one is named;
* under ``CI=true`` the compiled kernels must be in use (the build hook ran).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import sosfilt

from qc.measure import native
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter, LoudnessResult
from qc.measure.oversample import kaiser_kernel
from qc.measure.truepeak import TruePeakMeter, TruePeakResult

needs_native = pytest.mark.skipif(not native.available(), reason=native.status())


def test_compiled_kernels_are_in_use() -> None:
    if os.environ.get("CI") == "true":
        assert native.available(), f"CI must build the compiled kernels: {native.status()}"
    elif not native.available():
        pytest.skip(native.status())
    assert native.status().startswith("on")


def test_a_library_built_from_another_source_is_refused(tmp_path: Path) -> None:
    if not native.LIBRARY.exists():
        pytest.skip(native.status())
    other = tmp_path / "kernels.c"
    other.write_bytes(native.SOURCE.read_bytes() + b"/* changed */\n")
    lib, why = native.open_library(native.LIBRARY, other)
    assert lib is None
    assert why.startswith("stale")
    same = tmp_path / "same.c"
    shutil.copy(native.SOURCE, same)
    assert native.open_library(native.LIBRARY, same)[0] is not None


def test_a_missing_library_is_named(tmp_path: Path) -> None:
    lib, why = native.open_library(tmp_path / "_kernels.so", None)
    assert lib is None
    assert "_kernels.so missing" in why


@needs_native
@pytest.mark.parametrize("channels", [1, 2, 3, 6])
@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_biquad2_equals_scipy_sosfilt_across_blocks(
    rng: np.random.Generator, channels: int, rate: int
) -> None:
    x = rng.standard_normal((20000, channels)) * np.linspace(0.01, 1.0, channels)
    sos = k_weighting_sos(rate)
    want = sosfilt(sos, x, axis=0)
    f = BlockIIR(sos, channels=channels)
    cuts = np.sort(rng.choice(np.arange(1, len(x)), 12, replace=False))
    got = np.concatenate([f.process(b) for b in np.split(x, cuts)])
    assert got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    f.reset()
    np.testing.assert_allclose(f.process(x[:100]), want[:100], rtol=0, atol=1e-12)


def _values_and_crests(x: np.ndarray, lead: np.ndarray, threshold: float) -> tuple:
    """Float64 reference: the 4x value sequence and its crests, from the definition."""
    kernel = kaiser_kernel(4, 16, 8.0)
    half = 16
    frames = len(x) - 2 * half
    seq = np.empty(2 + 4 * frames)
    seq[:2] = lead
    seq[2::4] = x[half : half + frames]
    for p in (1, 2, 3) if frames else ():
        # value p of sample j = sum_k kernel[p, k] x[j + k] (x starts half before sample 0)
        seq[2 + p :: 4] = np.convolve(x, kernel[p][::-1], mode="valid")
    mag = np.abs(seq)
    i = np.arange(1, len(seq) - 1)
    crest = (mag[i] >= threshold) & (mag[i] >= mag[i - 1]) & ~(mag[i + 1] >= mag[i])
    return seq, i[crest]


@needs_native
@pytest.mark.parametrize("frames", [0, 1, 7, 8, 9, 511, 512, 513, 5000])
def test_truepeak_crests_match_the_definition(rng: np.random.Generator, frames: int) -> None:
    x = (rng.standard_normal(frames + 32) * 0.4).astype(np.float32)
    lead = np.array([0.3, -0.9], dtype=np.float32)
    threshold = 0.5
    kernel3 = np.ascontiguousarray(kaiser_kernel(4, 16, 8.0)[1:], dtype=np.float32)
    idx, around, down, up, tail = native.truepeak_crests(x, kernel3, lead, threshold)
    seq, want = _values_and_crests(x.astype(np.float64), lead.astype(np.float64), threshold)
    np.testing.assert_array_equal(idx, want)
    np.testing.assert_allclose(tail, seq[-2:], atol=2e-6)
    if len(want):
        ref = np.stack([seq[want - 1], seq[want], seq[want + 1]], axis=1)
        np.testing.assert_allclose(around, ref, atol=2e-6)
    bounds = np.concatenate([[0], want])
    np.testing.assert_array_equal(down, np.logical_or.reduceat(seq <= 0, bounds))
    np.testing.assert_array_equal(up, np.logical_or.reduceat(seq >= 0, bounds))


def _signals(rng: np.random.Generator, rate: int) -> dict[str, np.ndarray]:
    n = rate * 3
    t = np.arange(n) / rate
    music = np.convolve(rng.standard_normal(n), np.hanning(9) / 3, mode="same")
    music += 0.5 * np.sin(2 * np.pi * 110 * t)
    onset = np.where(t > 1.0, 0.95 * np.sin(2 * np.pi * 19000 * t), 0.0)
    lone = np.zeros(n)
    lone[0] = 0.9
    lone[rate] = -0.8
    return {
        "clipped master": np.clip(music * 1.6, -0.89, 0.89),
        "clipped noise": np.clip(rng.standard_normal(n) * 0.7, -0.8, 0.8),
        "19 kHz onset": onset,
        "lone samples": lone,
        "silence": np.zeros(n),
        "tiny": rng.standard_normal(5) * 0.5,
    }


def _fed(feed: Callable[[np.ndarray], None], x: np.ndarray, sizes: list[int]) -> None:
    """Feed ``x`` in blocks of the given sizes, then the rest."""
    at = 0
    for size in sizes:
        feed(x[at : at + size])
        at += size
    feed(x[at:])


def _run(x: np.ndarray, rate: int, sizes: list[int], compiled: bool) -> TruePeakResult:
    meter = TruePeakMeter(rate, 2)
    assert meter._fused is compiled  # the path under test
    _fed(meter.feed, np.stack([x, -0.7 * x[::-1]], axis=1), sizes)
    return meter.result()


@needs_native
@pytest.mark.parametrize("rate", [44100, 48000])
def test_the_compiled_true_peak_pass_equals_the_numpy_one(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch, rate: int
) -> None:
    for name, x in _signals(rng, rate).items():
        sizes = [int(s) for s in rng.integers(1, 40000, 6)]
        compiled = _run(x, rate, sizes, compiled=True)
        if name not in ("silence", "tiny", "19 kHz onset"):
            assert sum(compiled.channel_overs) > 0, name  # the overs are compared too
        with monkeypatch.context() as m:
            m.setattr(native, "available", lambda: False)
            numpy_pass = _run(x, rate, sizes, compiled=False)
        np.testing.assert_allclose(
            compiled.channel_dbtp, numpy_pass.channel_dbtp, atol=1e-6, err_msg=name
        )
        assert compiled.channel_overs == numpy_pass.channel_overs, name
        for a, b in zip(compiled.channel_time_s, numpy_pass.channel_time_s, strict=True):
            assert (a is None) == (b is None), name
            if a is not None and b is not None:
                assert abs(a - b) < 1e-7, name
        assert len(compiled.worst_overs) == len(numpy_pass.worst_overs), name
        for u, v in zip(compiled.worst_overs, numpy_pass.worst_overs, strict=True):
            assert abs(u.dbtp - v.dbtp) < 1e-6, name
            assert abs(u.time_s - v.time_s) < 1e-7, name


def _loudness(x: np.ndarray, rate: int, sizes: list[int], compiled: bool) -> LoudnessResult:
    meter = LoudnessMeter(rate, channel_weights(x.shape[1]))
    assert meter._native is compiled  # the path under test
    _fed(meter.feed, x, sizes)
    return meter.result()


@needs_native
@pytest.mark.parametrize(("rate", "channels"), [(44100, 2), (48000, 2), (48000, 1), (32000, 5)])
def test_the_compiled_loudness_pass_equals_the_numpy_one(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch, rate: int, channels: int
) -> None:
    seconds = 9.0
    n = int(seconds * rate)
    env = np.repeat(rng.uniform(0.01, 1.0, 90), -(-n // 90))[:n, None]  # level steps
    x = rng.standard_normal((n, channels)) * env * np.linspace(1.0, 0.3, channels)
    sizes = [int(s) for s in rng.integers(1, 3 * rate, 5)]
    compiled = _loudness(x, rate, sizes, compiled=True)
    with monkeypatch.context() as m:
        m.setattr(native, "available", lambda: False)
        numpy_pass = _loudness(x, rate, sizes, compiled=False)
    for field in ("integrated_lufs", "loudness_range_lu", "max_momentary_lufs",
                  "max_short_term_lufs"):  # fmt: skip
        assert getattr(compiled, field) == pytest.approx(getattr(numpy_pass, field), abs=1e-9)
    assert compiled.max_momentary_time_s == numpy_pass.max_momentary_time_s
    assert compiled.max_short_term_time_s == numpy_pass.max_short_term_time_s
    for series in ("momentary_lufs", "short_term_lufs", "momentary_max_lufs",
                   "short_term_max_lufs"):  # fmt: skip
        np.testing.assert_allclose(
            getattr(compiled, series), getattr(numpy_pass, series), atol=1e-9, err_msg=series
        )
    np.testing.assert_allclose(
        np.array(compiled.channel_integrated_lufs, dtype=float),
        np.array(numpy_pass.channel_integrated_lufs, dtype=float),
        atol=1e-9,
    )


@needs_native
def test_window_maxima_match_numpy(rng: np.random.Generator) -> None:
    full = np.cumsum(rng.uniform(0.0, 1.0, 5000))
    full[1234] = full[1233]  # a flat stretch: equal sums, the first one wins
    cuts = np.array([0, 7, 300, 301, 2000], dtype=np.int64)
    a, b, count = 600, 200, 3000
    seg_max, at, best = native.window_maxima(full, a, b, count, cuts)
    sums = full[a : a + count] - full[b : b + count]
    np.testing.assert_array_equal(seg_max, np.maximum.reduceat(sums, cuts))
    assert at == int(np.argmax(sums))
    assert best == sums.max()


def test_a_stale_build_is_said_by_check_and_the_numpy_twins_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import soundfile as sf

    from qc.cli.main import main

    wav = tmp_path / "tone.wav"
    t = np.arange(48000) / 48000
    sf.write(wav, 0.25 * np.sin(2 * np.pi * 997 * t), 48000, subtype="PCM_24")
    stale = "stale (_kernels.so was built from another kernels.c; reinstall mixdesk)"
    monkeypatch.setattr(native.loader, "_load", lambda: (None, stale))
    assert not native.available()
    code = main(["check", "--format", "json", str(wav)])
    err = capsys.readouterr().err
    assert code == 0
    assert f"mixdesk: warning: compiled kernels {stale}; their numpy twins ran" in err
    off = "off (MIXDESK_NATIVE=0): numpy kernels"
    monkeypatch.setattr(native.loader, "_load", lambda: (None, off))
    main(["check", "--format", "json", str(wav)])
    assert "warning" not in capsys.readouterr().err


@needs_native
def test_the_wrappers_refuse_what_the_c_code_would_read_out_of_bounds() -> None:
    kernel3 = np.ascontiguousarray(kaiser_kernel(4, 16, 8.0)[1:], dtype=np.float32)
    lead = np.zeros(2, dtype=np.float32)
    with pytest.raises(ValueError, match="truepeak_crests"):
        native.truepeak_crests(np.zeros(10, dtype=np.float32), kernel3, lead, 0.5)  # < 2 * half
    with pytest.raises(ValueError, match="float32"):
        native.truepeak_crests(np.zeros(100), kernel3, lead, 0.5)  # float64
    with pytest.raises(ValueError, match="contiguous"):
        native.truepeak_crests(np.zeros(200, dtype=np.float32)[::2], kernel3, lead, 0.5)
    sos = np.ascontiguousarray(k_weighting_sos(48000))
    with pytest.raises(ValueError, match="biquad2"):
        native.biquad2(np.zeros((10, 2)), sos, np.zeros((3, 4)))  # state of 3 channels
    with pytest.raises(ValueError, match="loudness_pieces"):
        native.loudness_pieces(np.zeros((10, 2)), np.ones(2), [0, 10], np.zeros(10), 0.0)
    with pytest.raises(ValueError, match="window_maxima"):
        native.window_maxima(np.zeros(100), 50, -1, 10, np.zeros(1, dtype=np.int64))
    with pytest.raises(ValueError, match="window_maxima"):
        native.window_maxima(np.zeros(100), 95, 80, 10, np.zeros(1, dtype=np.int64))


@needs_native
@pytest.mark.parametrize("rate", [44100, 48000])
def test_the_compiled_grid_search_equals_the_numpy_one(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch, rate: int
) -> None:
    """Bit for bit: the gather and the count follow numpy's order of operations."""
    from qc.measure.mdct import FAMILIES, grid_search
    from tests.qc.measure.test_detectors import _codec_like

    n = int(1.5 * rate)
    t = np.arange(n) / rate
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 5300 * t)
    signals = {
        "noise": rng.standard_normal(n) * 0.2,
        "tones": tones,
        "quiet": rng.standard_normal(n) * 2.0**-14,  # coefficients near the threshold
        "coded": _codec_like(0.1 * rng.standard_normal(n), 1024, "kbd", keep=120, offset=301),
    }
    for name, x in signals.items():
        for family in FAMILIES:
            compiled = grid_search(x, rate, family)
            with monkeypatch.context() as m:
                m.setattr(native, "available", lambda: False)
                numpy_pass = grid_search(x, rate, family)
            assert compiled == numpy_pass, (name, family.name, compiled, numpy_pass)
        if name == "coded":
            assert grid_search(x, rate, FAMILIES[0]).z > 20  # the grid is there to find
