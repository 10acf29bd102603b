"""The near-Nyquist guard: its estimate bounds the short pass's error; it reads what it guards.

References computed here: the short pass's error is the DTFT of its kernel rows
(``qc.measure.oversample.kaiser_kernel(4, 16, 8)``) against the ideal delay
``exp(-2j pi f p / 4)``; the ideal maximum is a 32x FFT reconstruction
(``ideal_up`` of test_truepeak_ideal.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.measure.nyquist import RATIO, NyquistGuard, near_nyquist
from qc.measure.oversample import kaiser_kernel
from qc.measure.truepeak import TruePeakMeter

from .test_truepeak_ideal import db, ideal_up, limited_tone

ROOT = Path(__file__).resolve().parents[3]


def short_pass_error(f: float) -> float:
    """Largest |H_p(f) - exp(-2j pi f p / 4)| over the phases of the short 4x kernel."""
    kernel = kaiser_kernel(4, 16, 8.0)
    taps = np.arange(-16, 17)
    return max(
        abs(np.sum(kernel[p] * np.exp(-2j * np.pi * f * (taps - p / 4))) - 1.0) for p in range(4)
    )


@pytest.mark.parametrize("f", np.linspace(0.43, 0.499, 24))
def test_estimate_covers_the_short_pass_error(f: float) -> None:
    rng = np.random.default_rng(int(f * 1e4))
    n = np.arange(16384)
    tone = np.sin(2 * np.pi * f * n + rng.uniform(0, 2 * np.pi))  # amplitude 1
    rows = np.stack([tone, 0.5 * tone])
    est = near_nyquist(rows)
    assert est[0] >= short_pass_error(f) - 1e-3, (f, est[0], short_pass_error(f))
    assert est[1] == pytest.approx(est[0] / 2, rel=1e-9)  # linear in the amplitude
    assert est[0] <= 1.0 + 1e-9  # never above the tone's amplitude


def test_estimate_ignores_the_band_below() -> None:
    n = np.arange(16384)
    for f in (0.0625, 0.25, 0.375):  # 3, 12 and 18 kHz at 48 kHz: nulls of the estimate
        assert near_nyquist(np.sin(2 * np.pi * f * n)[None, :])[0] < 1e-6
    for f in (0.05, 0.2, 0.3):  # between them, |sin(16 pi d) / (16 sin(pi d))|, d = 0.5 - f
        d = 0.5 - f
        bound = abs(np.sin(16 * np.pi * d) / (16 * np.sin(np.pi * d)))
        assert near_nyquist(np.sin(2 * np.pi * f * n)[None, :])[0] <= bound + 1e-9
        assert bound < 0.07


@pytest.mark.parametrize("block", [1000, 4096, 65536])
def test_guard_reads_the_ideal_maximum_and_its_time(block: int) -> None:
    rate = 44100
    x = limited_tone(rate, 21500.0, 0.7)
    y = ideal_up(x)
    k = int(np.argmax(np.abs(y)))
    meter = TruePeakMeter(rate, 1)
    for i in range(0, len(x), block):
        meter.feed(x[i : i + block, None])
    r = meter.result()
    assert r.dbtp == pytest.approx(db(float(np.abs(y[k]))), abs=0.01)
    assert r.time_s is not None
    assert abs(r.time_s * rate - k / 32) <= 0.25  # within a quarter sample of the ideal crest


def test_guarded_stretches_are_the_loud_near_nyquist_ones() -> None:
    rate = 44100
    x = limited_tone(rate, 21500.0, 0.7)  # the tone starts at 0.75 s (+512 samples of silence)
    guard = NyquistGuard(1)
    for i in range(0, len(x), 4096):
        b = x[i : i + 4096, None]
        guard.feed(b, b.T, np.zeros(1))
    guard.finish()
    onset = 512 + int(0.75 * rate)
    assert guard.ranges[0]
    assert all(hi > onset - 4096 for _, hi in guard.ranges[0])  # nothing before the tone
    assert guard.ranges[0][-1][1] >= len(x)  # to the end, where it rings out
    assert guard.position[0] > onset


def test_the_benchmark_master_is_never_guarded(tmp_path: Path) -> None:
    """The common case (a hard-clipped 48 kHz master) pays for the estimate alone."""
    sys.path.insert(0, str(ROOT))
    from examples.music import write_master

    path = tmp_path / "loud.wav"
    write_master(path, seconds=20.0, rate=48000, subtype="PCM_24", seed=1770, loud=True)
    meter = TruePeakMeter(48000, 2)
    worst = 0.0
    with sf.SoundFile(path) as f:
        for b in f.blocks(65536, dtype="float64", always_2d=True):
            rows = np.ascontiguousarray(b.T)
            worst = max(worst, float((near_nyquist(rows) / np.abs(rows).max(axis=1)).max()))
            meter.feed(b)
    meter.result()
    assert worst < RATIO * 0.8  # well under the threshold, measured: 0.17 at most
    assert meter._guard is not None
    assert meter._guard.ranges == [[], []]
