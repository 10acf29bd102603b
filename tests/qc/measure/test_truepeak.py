"""True peak against a 32x-oversampled reference.

The reference is ideal band-limited interpolation by FFT zero-padding at 32x
(independent of our FIR code). Targets from the foundation issue: the default
method reads within 0.1 dB of it on tones up to 20 kHz and on music; the
BS.1770 4x method stays inside the ripple its taps are known to have.
"""

from __future__ import annotations

import numpy as np
import pytest

from qc.measure.truepeak import TruePeakMeter

FS = 48000


def _faded_tone(freq: float, amp: float, phase_deg: float, seconds: float = 0.3) -> np.ndarray:
    n = np.arange(int(seconds * FS))
    x = amp * np.sin(2 * np.pi * freq * n / FS + np.deg2rad(phase_deg))
    fade = int(0.02 * FS)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    x[:fade] *= ramp
    x[-fade:] *= ramp[::-1]
    return x


def reference_dbtp(x: np.ndarray, factor: int = 32) -> float:
    """Ideal 32x interpolation (zero-padded FFT, signal padded to avoid wrap)."""
    n = 2 * len(x)
    spec = np.fft.rfft(np.concatenate([x, np.zeros(len(x))]))
    up = np.fft.irfft(np.concatenate([spec, np.zeros((factor - 1) * n // 2)]), factor * n) * factor
    return float(20 * np.log10(np.abs(up).max()))


def measure(x: np.ndarray, method: str = "accurate", block: int = 65536) -> float:
    meter = TruePeakMeter(FS, 1, method=method)  # type: ignore[arg-type]
    for i in range(0, len(x), block):
        meter.feed(x[i : i + block, None])
    return meter.result().dbtp


FREQS = [997, 5000, 9000, 12000, 15000, 17000, 18500, 19500, 20000]


@pytest.mark.parametrize("freq", FREQS)
@pytest.mark.parametrize("phase", [0.0, 17.0, 45.0, 80.0])
def test_accurate_within_0p1_db_of_32x_on_tones(freq: float, phase: float) -> None:
    x = _faded_tone(freq, 0.5, phase)
    assert abs(measure(x) - reference_dbtp(x)) <= 0.1


@pytest.mark.parametrize("freq", FREQS)
def test_bs1770_within_its_known_ripple(freq: float) -> None:
    # The Annex 2 taps ripple: up to +0.22 dB over at 12 kHz and -0.64 dB under
    # at 20 kHz (truepeak.md section 4a); the accurate method exists for this.
    x = _faded_tone(freq, 0.5, 30.0)
    err = measure(x, "bs1770") - reference_dbtp(x)
    assert -0.65 <= err <= 0.23


def _music(rng: np.random.Generator, seconds: float = 4.0) -> np.ndarray:
    """Bright, transient, clipped material: the case where 4x under-reads."""
    n = int(seconds * FS)
    t = np.arange(n) / FS
    bass = 0.5 * np.sin(2 * np.pi * 55 * t)
    hats = np.convolve(rng.standard_normal(n), [1, -1], "same") * (np.sin(2 * np.pi * 8 * t) > 0.6)
    stabs = 0.3 * np.sin(2 * np.pi * 7040 * t) * (np.sin(2 * np.pi * 2 * t) > 0.9)
    x = np.clip(bass + 0.15 * hats + stabs, -0.9, 0.9)  # hard clip: flat tops, inter-sample overs
    spec = np.fft.rfft(x)
    spec[np.fft.rfftfreq(n, 1 / FS) > 21000] = 0  # a DAW's anti-alias filter
    return np.fft.irfft(spec, n)


@pytest.mark.parametrize("block", [4096, 65536])
def test_accurate_within_0p1_db_of_32x_on_music(rng: np.random.Generator, block: int) -> None:
    x = _music(rng)
    assert abs(measure(x, block=block) - reference_dbtp(x)) <= 0.1


def test_never_below_sample_peak_and_time_of_max() -> None:
    x = np.zeros(FS)
    x[12345] = 0.8  # an impulse: true peak is the sample itself
    meter = TruePeakMeter(FS, 1)
    meter.feed(x[:, None])
    r = meter.result()
    assert r.dbtp >= 20 * np.log10(0.8) - 1e-9
    assert r.time_s == pytest.approx(12345 / FS, abs=1 / FS)


def test_overs_are_counted_per_crest() -> None:
    # 100 half-periods of a 1 kHz sine at 0.95 FS (-0.45 dBTP): 100 crests above -1 dBTP.
    n = np.arange(int(0.05 * FS))
    x = 0.95 * np.sin(2 * np.pi * 1000 * n / FS)
    meter = TruePeakMeter(FS, 1, over_dbtp=-1.0)
    meter.feed(np.concatenate([np.zeros(100), x, np.zeros(100)])[:, None])
    r = meter.result()
    assert r.channel_overs == (100,)
    assert len(r.worst_overs) == 20
    assert all(o.dbtp == pytest.approx(20 * np.log10(0.95), abs=0.01) for o in r.worst_overs)


@pytest.mark.parametrize("method", ["accurate", "bs1770"])
@pytest.mark.parametrize("at", [0, 1, 2, 500])
def test_a_lone_sample_reads_its_own_level_wherever_it_is(method: str, at: int) -> None:
    """The reconstruction of one sample, 0.5 sinc(t), peaks at 0.5 itself (-6.02 dBTP).

    The accurate method once refined the very first oversampled value against made-up
    zero neighbours and read a sample at frame 0 about 1 dB high (-5.04 dBTP).
    """
    x = np.zeros((1000, 1))
    x[at, 0] = 0.5
    meter = TruePeakMeter(48000, 1, method=method)
    meter.feed(x)
    assert meter.result().channel_dbtp[0] == pytest.approx(-6.0206, abs=0.01)


@pytest.mark.parametrize("at", [0, 1, 2, 500])
def test_a_lone_sample_above_the_threshold_is_one_over_wherever_it_is(at: int) -> None:
    """A sample of 0.95 (-0.45 dBTP) at frame 0 was the true peak but counted no over."""
    x = np.zeros((1000, 1))
    x[at, 0] = 0.95
    meter = TruePeakMeter(48000, 1, over_dbtp=-1.0)
    meter.feed(x)
    result = meter.result()
    assert result.channel_dbtp[0] == pytest.approx(20 * np.log10(0.95), abs=0.01)
    assert result.channel_overs == (1,)
    assert result.worst_overs[0].time_s == pytest.approx(at / 48000, abs=1e-6)
