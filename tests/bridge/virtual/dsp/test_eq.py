"""The virtual DAW's EQ against the RBJ Audio EQ Cookbook, written again here.

The reference coefficients below are typed from the cookbook text (Robert
Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients")
in plain ``math``, with the bandwidth form of alpha for every type, and run
through ``scipy.signal.sosfilt`` in one call. Tolerances:

* filtered audio: max |eq - reference| <= 2 LSB of 24-bit = 2 / 2**23;
* a whole strip's magnitude from a rendered impulse vs the product of the
  bands' ``sosfreqz``: 0.001 dB (the impulse response is 2**16 frames long
  and has decayed far below that);
* identities: exact (or 1e-12 where a 0 dB biquad runs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import sosfilt, sosfreqz

from bridge.dialects.virtual_fx import EQ, EQ_BANDS
from bridge.virtual.dsp.biquad import section
from bridge.virtual.dsp.eq import CONTROL_FRAMES, Eq

LSB24 = 2.0**-23


def cookbook(kind: str, fs: float, f0: float, gain: float, bw: float) -> list[float]:
    """One normalised section ``[b0, b1, b2, 1, a1, a2]`` from the cookbook text."""
    a_ = 10 ** (gain / 40)
    w0 = 2 * math.pi * f0 / fs
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw * math.sinh(math.log(2) / 2 * bw * w0 / sw)
    if kind == "hpf":
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peaking":
        b = [1 + alpha * a_, -2 * cw, 1 - alpha * a_]
        a = [1 + alpha / a_, -2 * cw, 1 - alpha / a_]
    elif kind == "notch":
        b = [1, -2 * cw, 1]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "lowshelf":
        r = 2 * math.sqrt(a_) * alpha
        b = [
            a_ * ((a_ + 1) - (a_ - 1) * cw + r),
            2 * a_ * ((a_ - 1) - (a_ + 1) * cw),
            a_ * ((a_ + 1) - (a_ - 1) * cw - r),
        ]
        a = [
            (a_ + 1) + (a_ - 1) * cw + r,
            -2 * ((a_ - 1) + (a_ + 1) * cw),
            (a_ + 1) + (a_ - 1) * cw - r,
        ]
    elif kind == "highshelf":
        r = 2 * math.sqrt(a_) * alpha
        b = [
            a_ * ((a_ + 1) + (a_ - 1) * cw + r),
            -2 * a_ * ((a_ - 1) + (a_ + 1) * cw),
            a_ * ((a_ + 1) + (a_ - 1) * cw - r),
        ]
        a = [
            (a_ + 1) - (a_ - 1) * cw + r,
            2 * ((a_ - 1) - (a_ + 1) * cw),
            (a_ + 1) - (a_ - 1) * cw - r,
        ]
    else:
        raise AssertionError(kind)
    return [b[0] / a[0], b[1] / a[0], b[2] / a[0], 1.0, a[1] / a[0], a[2] / a[0]]


def signal(n: int, fs: int, seed: int = 3) -> np.ndarray:
    """Stereo test input: white noise plus a log sweep 20 Hz .. 0.45 fs, peak below 1."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    f1, f2, dur = 20.0, 0.45 * fs, n / fs
    k = math.log(f2 / f1)
    sweep = np.sin(2 * math.pi * f1 * dur / k * (np.exp(t / dur * k) - 1))
    x = 0.25 * rng.standard_normal((n, 2)) + 0.4 * np.stack([sweep, -sweep], axis=1)
    return x / np.max(np.abs(x)) * 0.9


def band_values(settings: dict[str, tuple[float, float, float]]) -> list[float]:
    """EQ values with each band in ``settings`` (key -> freq Hz, gain dB, BW oct) set."""
    v = EQ.defaults()
    for b in EQ_BANDS:
        if b.key in settings:
            f, g, bw = settings[b.key]
            v[EQ.params.index(next(p for p in EQ.params if p.name == f"{b.label} freq"))] = f
            v[[p.name for p in EQ.params].index(f"{b.label} BW")] = bw
            if b.has_gain:
                v[[p.name for p in EQ.params].index(f"{b.label} gain")] = g
    return v


def run_blocks(eq: Eq, x: np.ndarray, values, sizes, bands_on=None) -> np.ndarray:
    """Process ``x`` in blocks of the given sizes (cycled), slicing per-frame values."""
    out, pos, i = [], 0, 0
    while pos < len(x):
        n = min(sizes[i % len(sizes)], len(x) - pos)
        vals = [v[pos : pos + n] if isinstance(v, np.ndarray) else v for v in values]
        out.append(eq.process(x[pos : pos + n], vals, bands_on))
        pos += n
        i += 1
    return np.concatenate(out)


CASES = [
    ("hipass", "hpf", [(40.0, 0.0, 1.8995), (120.0, 0.0, 1.0), (1000.0, 0.0, 3.0)]),
    ("loshelf", "lowshelf", [(100.0, 6.0, 1.0), (300.0, -12.0, 2.0), (60.0, 24.0, 0.5)]),
    ("band/1", "peaking", [(250.0, 3.0, 1.0), (1000.0, -18.0, 0.1), (5000.0, 12.0, 4.0)]),
    ("band/4", "peaking", [(12000.0, 9.0, 0.3), (20000.0, -6.0, 1.0)]),
    ("notch", "notch", [(1000.0, 0.0, 0.05), (60.0, 0.0, 0.5), (8000.0, 0.0, 2.0)]),
    ("hishelf", "highshelf", [(8000.0, 6.0, 1.0), (3000.0, -9.0, 2.5), (15000.0, 24.0, 0.4)]),
]


@pytest.mark.parametrize("fs", [44100, 48000])
@pytest.mark.parametrize(("key", "kind", "settings"), CASES)
def test_each_band_matches_the_cookbook(fs, key, kind, settings):
    x = signal(20011, fs)
    for f, g, bw in settings:
        ref = sosfilt(np.array([cookbook(kind, fs, f, g, bw)]), x, axis=0)
        eq = Eq(fs, 2)
        got = run_blocks(eq, x, band_values({key: (f, g, bw)}), [997, 4093, 1, 15000], {key})
        err = np.max(np.abs(got - ref))
        assert err <= 2 * LSB24, (key, f, g, bw, err / LSB24)
        assert np.max(np.abs(ref - x)) > 0.01  # the band does something measurable


def test_section_rows_equal_the_cookbook_and_zero_db_is_identity():
    for kind, (f, g, bw) in [("lowshelf", (200.0, 0.0, 1.3)), ("peaking", (3000.0, 0.0, 0.2))]:
        row = section(kind, 48000, f, g, bw)
        assert np.array_equal(row[:3], row[3:])  # b == a exactly
    row = section("highshelf", 48000, 5000.0, 0.0, 2.0)
    assert np.array_equal(row[:3], row[3:])
    for kind in ("hpf", "lowshelf", "peaking", "notch", "highshelf"):
        np.testing.assert_allclose(
            section(kind, 44100, 777.0, -5.0, 0.7),
            cookbook(kind, 44100, 777.0, -5.0, 0.7),
            rtol=1e-13,
            atol=1e-15,
        )


def test_zero_db_band_and_bypassed_band_are_identity():
    x = signal(9000, 48000)
    eq = Eq(48000, 2)
    flat = band_values({"band/2": (800.0, 0.0, 1.0), "loshelf": (100.0, 0.0, 2.0)})
    np.testing.assert_array_equal(run_blocks(eq, x, flat, [4000], {"band/2", "loshelf"}), x)
    loud = band_values({"band/2": (800.0, 12.0, 1.0), "hipass": (500.0, 0.0, 1.0)})
    np.testing.assert_array_equal(run_blocks(Eq(48000, 2), x, loud, [3001], set()), x)
    # ...and the same values with the bands in do change the signal
    assert np.max(np.abs(run_blocks(Eq(48000, 2), x, loud, [3001], None) - x)) > 0.1


def test_strip_magnitude_from_an_impulse_equals_the_product_of_the_bands():
    fs, n = 48000, 1 << 16
    bands = {
        "hipass": (80.0, 0.0, 1.8995),
        "loshelf": (150.0, 4.0, 1.2),
        "band/1": (400.0, -6.0, 0.8),
        "band/3": (2500.0, 5.0, 1.5),
        "notch": (6000.0, 0.0, 0.3),
        "hishelf": (10000.0, -3.0, 1.0),
    }
    kinds = {b.key: b.kind for b in EQ_BANDS}
    x = np.zeros((n, 1))
    x[0] = 1.0
    ir = run_blocks(Eq(fs, 1), x, band_values(bands), [6000, 777], set(bands))[:, 0]
    spec = np.abs(np.fft.rfft(ir))
    freqs = np.fft.rfftfreq(n, 1 / fs)
    expected = np.ones_like(freqs)
    for key, (f, g, bw) in bands.items():
        _, h = sosfreqz(np.array([cookbook(kinds[key], fs, f, g, bw)]), worN=freqs, fs=fs)
        expected *= np.abs(h)
    sel = (freqs > 20) & (np.abs(freqs - 6000) > 200)  # skip the notch's zero (-inf dB)
    err_db = np.max(np.abs(20 * np.log10(spec[sel] / expected[sel])))
    assert err_db < 1e-3, err_db
    at_notch = spec[np.argmin(np.abs(freqs - 6000))]
    assert at_notch < 1e-3  # the notch is there


def test_block_size_independence_constant_and_automated():
    fs = 44100
    x = signal(12345, fs)
    v = band_values({"band/2": (900.0, 6.0, 1.0), "hipass": (60.0, 0.0, 1.8995)})
    whole = run_blocks(Eq(fs, 2), x, v, [len(x)], {"band/2", "hipass"})
    for sizes in ([1, 2, 3, 500], [31, 33], [4096]):
        got = run_blocks(Eq(fs, 2), x, v, sizes, {"band/2", "hipass"})
        assert np.max(np.abs(got - whole)) < 1e-13
    gain_idx = [p.name for p in EQ.params].index("Band 2 gain")
    auto = list(v)
    auto[gain_idx] = np.linspace(-12.0, 12.0, len(x))
    whole = run_blocks(Eq(fs, 2), x, auto, [len(x)], {"band/2", "hipass"})
    for sizes in ([1, 7, 1000], [CONTROL_FRAMES + 1], [65536]):
        got = run_blocks(Eq(fs, 2), x, auto, sizes, {"band/2", "hipass"})
        assert np.max(np.abs(got - whole)) < 1e-13


def test_automation_updates_coefficients_every_control_period():
    """Ramped gain and freq: sosfilt per 32-frame sub-block, values at its first frame."""
    fs, n = 48000, 6000
    x = signal(n, fs, seed=9)
    names = [p.name for p in EQ.params]
    v = band_values({"band/1": (500.0, 0.0, 1.0)})
    gain = np.linspace(-10.0, 15.0, n)
    freq = np.geomspace(200.0, 5000.0, n)
    v[names.index("Band 1 gain")] = gain
    v[names.index("Band 1 freq")] = freq
    got = run_blocks(Eq(fs, 2), x, v, [1000, 333], {"band/1"})
    ref = np.empty_like(x)
    zi = np.zeros((1, 2, 2))
    for s in range(0, n, CONTROL_FRAMES):
        e = min(n, s + CONTROL_FRAMES)
        sos = np.array([cookbook("peaking", fs, freq[s], gain[s], 1.0)])
        ref[s:e], zi = sosfilt(sos, x[s:e], axis=0, zi=zi)
    assert np.max(np.abs(got - ref)) <= 2 * LSB24
    # a coarser control rate would differ measurably: the test can fail
    coarse = np.empty_like(x)
    zi = np.zeros((1, 2, 2))
    for s in range(0, n, 4 * CONTROL_FRAMES):
        e = min(n, s + 4 * CONTROL_FRAMES)
        sos = np.array([cookbook("peaking", fs, freq[s], gain[s], 1.0)])
        coarse[s:e], zi = sosfilt(sos, x[s:e], axis=0, zi=zi)
    assert np.max(np.abs(coarse - ref)) > 100 * LSB24


def test_output_gain_and_wet_mix_per_frame():
    fs, n = 48000, 5000
    x = signal(n, fs, seed=5)
    names = [p.name for p in EQ.params]
    v = band_values({"band/3": (2500.0, 9.0, 1.0)})
    wet = np.linspace(0.0, 100.0, n)
    v[names.index("Output gain")] = -6.0
    v[names.index("Wet")] = wet
    got = run_blocks(Eq(fs, 2), x, v, [1234], {"band/3"})
    eq = sosfilt(np.array([cookbook("peaking", fs, 2500.0, 9.0, 1.0)]), x, axis=0)
    w = (wet / 100.0)[:, None]
    ref = w * 10 ** (-6 / 20) * eq + (1 - w) * x
    assert np.max(np.abs(got - ref)) <= 2 * LSB24
    # output gain alone, no band in
    v2 = EQ.defaults()
    v2[names.index("Output gain")] = 6.0
    got2 = Eq(fs, 2).process(x, v2, set())
    np.testing.assert_allclose(got2, x * 10 ** (6 / 20), rtol=1e-14)


def test_state_survives_a_coefficient_change_between_blocks():
    fs = 48000
    x = signal(8000, fs, seed=11)
    eq = Eq(fs, 2)
    v1 = band_values({"band/2": (800.0, 12.0, 0.5)})
    v2 = band_values({"band/2": (1200.0, -6.0, 0.5)})
    y1 = eq.process(x[:3000], v1, {"band/2"})
    y2 = eq.process(x[3000:], v2, {"band/2"})
    r1, zi = sosfilt(
        np.array([cookbook("peaking", fs, 800.0, 12.0, 0.5)]),
        x[:3000],
        axis=0,
        zi=np.zeros((1, 2, 2)),
    )
    r2, _ = sosfilt(np.array([cookbook("peaking", fs, 1200.0, -6.0, 0.5)]), x[3000:], axis=0, zi=zi)
    assert np.max(np.abs(np.concatenate([y1, y2]) - np.concatenate([r1, r2]))) <= 2 * LSB24


def test_ringing_into_digital_silence_flushes_to_zero_without_subnormals():
    fs = 48000
    x = np.zeros((fs * 3, 2))
    x[:2000] = signal(2000, fs, seed=2)  # a burst, then 3 s of digital silence
    bands = {"hipass": (200.0, 0.0, 1.8995), "band/1": (1000.0, 12.0, 0.5)}
    v = band_values(bands)
    got = run_blocks(Eq(fs, 2), x, v, [65536], set(bands))
    sos = np.array(
        [cookbook("hpf", fs, 200.0, 0.0, 1.8995), cookbook("peaking", fs, 1000.0, 12.0, 0.5)]
    )
    ref = sosfilt(sos, x, axis=0)
    assert np.max(np.abs(got - ref)) <= 2 * LSB24
    tiny = (got != 0) & (np.abs(got) < np.finfo(np.float64).tiny)
    assert not tiny.any()  # no subnormal output
    assert np.all(got[-4096:] == 0.0)  # the ringing was flushed, silence is exact
    assert np.any((ref != 0) & (np.abs(ref) < np.finfo(np.float64).tiny))  # unflushed: subnormals


def test_an_empty_block_changes_nothing():
    fs = 48000
    x = signal(3000, fs, seed=8)
    v = band_values({"band/2": (900.0, 6.0, 1.0)})
    eq = Eq(fs, 2)
    a = eq.process(x[:1000], v, {"band/2"})
    assert eq.process(x[:0], v, {"band/2"}).shape == (0, 2)
    b = eq.process(x[1000:], v, {"band/2"})
    whole = Eq(fs, 2).process(x, v, {"band/2"})
    assert np.max(np.abs(np.concatenate([a, b]) - whole)) < 1e-15
