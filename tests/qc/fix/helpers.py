"""Test material and independent references for the fix tests."""

from __future__ import annotations

import re
import subprocess

import numpy as np
from scipy.signal import butter, sosfiltfilt


def master(rng: np.random.Generator, rate: int, channels: int, seconds: float) -> np.ndarray:
    """A master-like signal: band-limited noise (to 19.5 kHz) with drum-like bursts and a bass tone.

    Real masters are low-passed below Nyquist by their converters and codecs' input
    filters; the limiter's detector (and any true-peak meter) is exact only there.
    """
    n = int(rate * seconds)
    t = np.arange(n) / rate
    hits = 1.0 + 1.5 * (np.sin(2 * np.pi * 2.0 * t) > 0.97)
    noise = rng.standard_normal((n, channels)) * hits[:, None]
    noise = sosfiltfilt(butter(8, min(19500, 0.44 * rate), fs=rate, output="sos"), noise, axis=0)
    bass = np.sin(2 * np.pi * 55.0 * t)[:, None] * 2.0
    x = noise + bass
    return x / np.abs(x).max()


def ideal_true_peak_dbtp(x: np.ndarray, factor: int = 32) -> float:
    """Band-limited (periodic sinc) reconstruction by FFT zero padding, 32x: the ideal peak."""
    best = 0.0
    for c in range(x.shape[1]):
        spec = np.fft.rfft(x[:, c])
        up = np.fft.irfft(spec, n=len(x) * factor) * factor
        best = max(best, float(np.abs(up).max()))
    return 20 * np.log10(best)


def pyloudnorm_lufs(x: np.ndarray, rate: int) -> float:
    """Integrated loudness by pyloudnorm (an independent BS.1770-4 implementation)."""
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(x))


def ffmpeg_lufs(ffmpeg: str, path: str) -> float:
    """Integrated loudness by ffmpeg's ebur128 filter (libavfilter)."""
    args = ["-nostdin", "-hide_banner", "-nostats", "-i", path, "-af", "ebur128", "-f", "null"]
    err = subprocess.run(
        [ffmpeg, *args, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", err)[-1])


def rendered(x: np.ndarray, rate: int, lufs: float, *, peak_dbfs: float = -0.3) -> np.ndarray:
    """Scale ``x`` to ``lufs``; where its peaks would pass ``peak_dbfs``, saturate it first
    (tanh, then low-passed at 19.5 kHz again) as a loud master's clipper would."""
    drive = 1.0
    while True:
        y = np.tanh(drive * x) / np.tanh(drive)
        y = sosfiltfilt(butter(8, min(19500, 0.44 * rate), fs=rate, output="sos"), y, axis=0)
        y = y * 10 ** ((lufs - pyloudnorm_lufs(y, rate)) / 20)
        if 20 * np.log10(np.abs(y).max()) <= peak_dbfs:
            return y
        drive *= 1.5
