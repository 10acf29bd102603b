"""Analytic tests: clipping runs, DC offset, sample peak, short and silent programmes."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from qc.measure import ClipDetector, LevelMeter, MeasureOptions, analyze

FS = 48000


def _feed_all(x: np.ndarray, block: int) -> list[np.ndarray]:
    return [x[i : i + block] for i in range(0, len(x), block)]


@pytest.mark.parametrize("block", [1, 5, 1000, 65536])
@pytest.mark.parametrize("level", [1.0, 0.5])
def test_clipped_sine_runs(block: int, level: float) -> None:
    # 100 Hz sine driven 6 dB into a clipper, then scaled to `level`:
    # 2 flat tops per period (one positive, one negative), 0.2 s = 20 periods.
    n = np.arange(int(0.2 * FS))
    x = np.clip(2.0 * np.sin(2 * np.pi * 100 * n / FS + 0.1), -1.0, 1.0) * level
    # Width of each flat top: |sin| >= 0.5 for 1/3 of a half period (160 samples).
    det = ClipDetector(1, min_run=3, tolerance=1e-9)
    for b in _feed_all(x[:, None], block):
        det.feed(b)
    r = det.result()
    assert r.runs == 40
    assert r.full_scale is (level == 1.0)
    assert r.level == pytest.approx(level)
    assert abs(r.longest - 160) <= 1
    assert r.samples == pytest.approx(40 * 160, abs=40)
    # The first top starts where 2 sin(phase) reaches 1: phase = pi/6.
    assert r.first_runs[0].start == math.ceil((math.pi / 6 - 0.1) / (2 * math.pi * 100 / FS))


def test_unclipped_sine_has_no_runs() -> None:
    n = np.arange(FS)
    x = 0.9 * np.sin(2 * np.pi * 1000 * n / FS + 0.3)[:, None]
    det = ClipDetector(1, tolerance=2.0**-23)
    det.feed(x)
    assert det.result().runs == 0


def test_runs_shorter_than_min_run_do_not_count() -> None:
    x = np.zeros((100, 1))
    x[10:12] = 1.0  # 2 samples
    x[50:53] = -1.0  # 3 samples
    det = ClipDetector(1, min_run=3)
    det.feed(x)
    r = det.result()
    assert (r.runs, r.samples, r.longest) == (1, 3, 3)
    assert r.first_runs[0].start == 50


def test_dc_offset_and_sample_peak() -> None:
    n = np.arange(FS)
    x = np.stack([0.25 + 0.5 * np.sin(2 * np.pi * 50 * n / FS), -0.01 + 0 * n], axis=1)
    meter = LevelMeter(2)
    for b in _feed_all(x, 7000):
        meter.feed(b)
    r = meter.result()
    assert r.channel_dc[0] == pytest.approx(0.25, abs=1e-9)  # whole periods: the sine averages out
    assert r.channel_dc[1] == pytest.approx(-0.01, abs=1e-12)
    assert r.channel_peak[0] == pytest.approx(0.75, abs=1e-6)
    assert r.frames == FS


def test_short_programme_measures_what_it_can() -> None:
    x = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(int(0.3 * FS)) / FS)
    m = analyze([np.stack([x, x], 1)], FS, 2)
    assert m.loudness.integrated_lufs is None  # no 400 ms gating block
    assert m.loudness.max_momentary_lufs is None
    assert m.loudness.max_short_term_lufs is None
    assert m.loudness.loudness_range_lu is None
    assert 20 * math.log10(max(m.levels.channel_peak)) == pytest.approx(-6.02, abs=0.01)
    assert m.true_peak.dbtp == pytest.approx(-6.02, abs=0.05)
    assert m.frames == len(x)


def test_digital_silence_is_minus_infinity() -> None:
    m = analyze([np.zeros((5 * FS, 2))], FS, 2)
    assert m.loudness.integrated_lufs == -math.inf
    assert m.loudness.max_momentary_lufs == -math.inf
    assert m.loudness.loudness_range_lu is None
    assert m.true_peak.dbtp == -math.inf
    assert m.clipping.runs == 0


def test_gating_ignores_silence() -> None:
    # 10 s of tone then 10 s of silence: the absolute gate drops the silence.
    x = 0.1 * np.sin(2 * np.pi * 997 * np.arange(10 * FS) / FS)
    tone = analyze([np.stack([x, x], 1)], FS, 2).loudness.integrated_lufs
    padded = np.concatenate([x, np.zeros(10 * FS)])
    gated = analyze([np.stack([padded, padded], 1)], FS, 2).loudness.integrated_lufs
    assert tone == pytest.approx(-20.0, abs=0.05)  # 997 Hz calibrates K-weighting
    # Without the gate, half silence would read 3 dB lower; the gate keeps all
    # but the three 400 ms blocks straddling the end (slightly quieter, kept).
    assert gated == pytest.approx(tone, abs=0.1)


def _peak_traced_bytes(seconds: int) -> int:
    """Peak traced memory while measuring a generated stream of `seconds`."""
    rng = np.random.default_rng(0)
    block = 65536

    def blocks():  # type: ignore[no-untyped-def]
        for _ in range(seconds * FS // block):
            yield rng.standard_normal((block, 2)) * 0.1

    tracemalloc.start()
    analyze(blocks(), FS, 2, MeasureOptions())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_length() -> None:
    # The peak is the largest coincidence of the two threads' per-block
    # temporaries, so both runs must be long enough to meet it (60 s = 44 blocks).
    short = _peak_traced_bytes(60)
    long = _peak_traced_bytes(600)
    # 10x the audio: only the 10 Hz series grow (a few hundred KB per hour). The
    # peak varies by up to ~40 % from run to run with how the threads' temporaries
    # coincide (measured under load); growth with length would be ~10x.
    assert long < short * 1.6 + 2_000_000
    assert long < 90_000_000  # the 600 s of audio alone would be 460 MB


def _decay(seconds: float = 4.0) -> np.ndarray:
    n = np.arange(round(seconds * FS))
    return 0.5 * np.sin(2 * np.pi * 997 * n / FS) * 10 ** (-3 * n / len(n))


def _q(x: np.ndarray, bits: int) -> np.ndarray:
    return np.rint(x * 2 ** (bits - 1)) / 2 ** (bits - 1)


@pytest.mark.parametrize(
    ("signal", "container", "padded", "used"),
    [
        pytest.param(lambda: _q(_decay(), 24), 24, False, 24, id="genuine-24"),
        pytest.param(lambda: _q(_q(_decay(), 16), 24), 24, True, 16, id="padded-16"),
        # A gain change after padding leaves a lattice (every 228 codes), checked
        # against the louder codes; a steady tone's quiet samples make a lattice
        # too, but its louder samples bend away from it: genuine 24-bit.
        pytest.param(lambda: _q(_q(_decay(), 16) * 0.891, 24), 24, True, 24, id="16-then-gain"),
        pytest.param(
            lambda: _q(0.1 * np.sin(2 * np.pi * 997 * np.arange(3 * FS) / FS), 24),
            24,
            False,
            24,
            id="pure-tone-lattice",
        ),
        pytest.param(lambda: np.tile(_q(_decay(0.5), 24), 8), 24, False, 24, id="looped-24"),
        pytest.param(lambda: _q(_q(_decay(), 16), 24), 16, None, None, id="16-bit-container"),
        pytest.param(lambda: _q(0.5 * np.ones(FS), 24), 24, None, 2, id="no-quiet-material"),
    ],
)
def test_effective_bit_depth(
    signal: object, container: int, padded: bool | None, used: int | None
) -> None:
    from qc.measure.bitdepth import BitDepthMeter

    x = signal()  # type: ignore[operator]
    meter = BitDepthMeter(container)
    for b in _feed_all(np.stack([x, x], 1), 65536):
        meter.feed(b)
    r = meter.result()
    assert r.padded is padded
    assert r.used_bits == used


@pytest.mark.parametrize("freq", [20.0, 50.0, 100.0])
def test_quantised_slow_crests_are_not_flat_tops_but_cut_ones_are(freq: float) -> None:
    """A 16-bit bass sine stays within one step of its crest for 3+ samples: not clipping.

    The same wave clipped and then turned down 3 dB (a flat top below full scale) is.
    """
    rate, step = 48000, 2.0**-15
    t = np.arange(5 * rate) / rate
    clean = np.round(0.5 * np.sin(2 * np.pi * freq * t + 0.3) / step) * step
    cut = np.round(0.7 * np.clip(1.05 * np.sin(2 * np.pi * freq * t + 0.3), -1, 1) / step) * step
    for x, crests in ((clean, 0), (cut, int(10 * freq))):
        det = ClipDetector(1, tolerance=step)
        det.feed(x[:, None])
        assert det.result().runs == crests
