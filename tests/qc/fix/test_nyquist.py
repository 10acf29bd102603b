"""Content up to Nyquist, where the limiter's short detector reads crests low.

Reference: the ideal (32x FFT, band-limited) true peak of the written file. ``fix``
must land at or under the ceiling there, or say that it did not (exit 1): never a
pass on an over.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.fix import fix
from qc.fix.limiter import TruePeakLimiter

from .helpers import ideal_true_peak_dbtp, pyloudnorm_lufs


def _correlated_noise(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    """White noise (flat to rate / 2), two channels correlated 0.9 (not a phase problem)."""
    n = int(rate * seconds)
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    x = np.stack([a, 0.9 * a + 0.44 * b], axis=1)
    return 0.5 * x / np.abs(x).max()


@pytest.mark.parametrize("rate", [44100, 48000])
def test_white_noise_limited_10_db_is_under_the_ceiling(
    rng: np.random.Generator, tmp_path: Path, rate: int
) -> None:
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    x = _correlated_noise(rng, rate, 4.0)
    sf.write(src, x, rate, subtype="FLOAT")
    # Noise's crest factor is about 12 dB: -4 LUFS at -1 dBTP needs ~10 dB of limiting.
    report = fix(src, "spotify", out, target_lufs=-4.0, max_gr_db=10.0, ceiling_dbtp=-1.0)
    y, _ = sf.read(out)
    assert report.max_gr_db > 8.0  # the case limits hard
    assert ideal_true_peak_dbtp(y) <= -1.0  # 32x FFT reconstruction, no tolerance
    assert report.exit_code() in {0, 1}
    assert np.isfinite(pyloudnorm_lufs(y, rate))


@pytest.mark.parametrize(("rate", "freq"), [(44100, 21500.0), (48000, 23500.0)])
def test_abrupt_near_nyquist_tone_is_under_the_ceiling(
    tmp_path: Path, rate: int, freq: float
) -> None:
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    n = rate * 3
    t = np.arange(n) / rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t + 0.7) * (t >= 1.5)  # switched on abruptly
    bed = 0.3 * np.sin(2 * np.pi * 440.0 * t)  # something to measure before the onset
    x = (bed + tone)[:, None]
    sf.write(src, x, rate, subtype="FLOAT")
    report = fix(src, "spotify", out, target_lufs=-6.0, max_gr_db=12.0, ceiling_dbtp=-1.0)
    y, _ = sf.read(out, always_2d=True)
    assert report.max_gr_db > 1.0  # the onset is limited
    # Silence around the file (as every meter assumes), so the FFT does not wrap end to start.
    ideal = ideal_true_peak_dbtp(np.pad(y, ((4096, 4096), (0, 0))))
    assert ideal <= -1.0
    assert report.exit_code() == 0, report.leftovers


def _tone_file(path: Path, rate: int, freq: float) -> None:
    n = rate * 3
    t = np.arange(n) / rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t + 0.7) * (t >= 1.5)
    bed = 0.3 * np.sin(2 * np.pi * 440.0 * t)
    sf.write(path, (bed + tone)[:, None], rate, subtype="FLOAT")


def test_an_over_left_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the safety passes the limiter alone leaves this tone over: fix must say so."""
    import qc.fix.run

    monkeypatch.setattr(qc.fix.run, "SAFETY_PASSES", 0)
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    _tone_file(src, 48000, 23500.0)
    report = fix(src, "spotify", out, target_lufs=-6.0, max_gr_db=12.0, ceiling_dbtp=-1.0)
    y, _ = sf.read(out, always_2d=True)
    assert ideal_true_peak_dbtp(np.pad(y, ((4096, 4096), (0, 0)))) > -1.0  # the case is over
    assert report.exit_code() == 1
    assert any(
        left.code == "TP001" and "ideal true peak" in left.message for left in report.leftovers
    )


def _sinc_peak(x: np.ndarray, around: float) -> float:
    """Whittaker-Shannon sum over the whole channel (silence outside), 1/200-sample grid, dB."""
    idx = np.arange(len(x))
    grid = np.arange(around - 0.5, around + 0.5, 0.005)
    return max(20 * np.log10(abs(float(np.sum(x * np.sinc(p - idx))))) for p in grid)


def test_ideal_peak_meter_against_the_sinc_sum(rng: np.random.Generator) -> None:
    from qc.measure.idealpeak import IdealPeakMeter

    rate = 44100
    n = rate * 2
    noise = rng.standard_normal(n)  # flat to Nyquist
    t = np.arange(n) / rate
    tone = np.sin(2 * np.pi * 21900.0 * t + 0.3) * (t >= 1.2)  # abrupt, 150 Hz under Nyquist
    x = np.stack([noise / np.abs(noise).max(), 0.8 * tone], axis=1)
    meter = IdealPeakMeter(2)
    for at in range(0, n, 30000):
        meter.feed(x[at : at + 30000])
    got = meter.result()
    for c in range(2):
        want = _sinc_peak(x[:, c], float(meter.position[c]))
        assert got[c] == pytest.approx(want, abs=0.01)  # IDEAL_SLACK_DB in qc/fix/run.py
        assert got[c] <= want + 0.005
        # and it is the channel's maximum: the 32x FFT of the file in a sea of silence
        whole = ideal_true_peak_dbtp(np.pad(x[:, c : c + 1], ((16384, 16384), (0, 0))))
        assert got[c] == pytest.approx(whole, abs=0.02)


def test_peak_in_the_first_samples_is_limited() -> None:
    """The look-ahead cannot start before sample 0: the gain there is already reduced."""
    rate = 44100
    x = np.zeros((rate, 1))
    x[5, 0] = 0.9  # a lone sample near the start, no room for an attack ramp
    x[20000, 0] = 0.9  # and the same mid-file
    lim = TruePeakLimiter(rate, 1, gain_db=6.0, ceiling_dbtp=-1.0)
    y = np.concatenate([lim.process(x), lim.flush()])
    thr = 10 ** ((-1.0 - 0.15) / 20)  # threshold: ceiling less the limiter's margin
    assert abs(y[5, 0]) <= thr * (1 + 1e-6)  # the sample itself (float32 detector)
    assert ideal_true_peak_dbtp(y) <= -1.0
    assert lim.stats().max_gr_db > 6.0
