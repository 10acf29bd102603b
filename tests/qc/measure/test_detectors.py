"""The dither, bit-depth, cutoff and frame-grid detectors on analytic signals (no external tools).

The corpus tests with sox and ffmpeg renders are in ``test_detect_corpus.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from qc.measure.bitdepth import BitDepthMeter
from qc.measure.cutoff import find_cutoff
from qc.measure.dither import DitherMeter
from qc.measure.mdct import FAMILIES, grid_search, mdct, window

FS = 48000


def decaying_tail(seconds: float = 6.0, seed: int = 3, floor_dbfs: float = -110.0) -> np.ndarray:
    """A chord decaying 24 dB/s from -20 dBFS over a white floor (0.1 LSB): stereo, float64."""
    t = np.arange(round(seconds * FS)) / FS
    rng = np.random.default_rng(seed)
    x = np.zeros((len(t), 2))
    for k, f in enumerate((110.0, 220.0, 330.0, 523.0)):
        x += 0.05 * np.sin(2 * np.pi * f * t[:, None] + rng.uniform(0, 6, 2)) / (1 + k)
    x *= 10 ** (-24 * t / 20)[:, None]
    return x + 10 ** (floor_dbfs / 20) * rng.standard_normal(x.shape)


def quantise(x: np.ndarray, how: str, bits: int = 16, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = x * 2.0 ** (bits - 1)
    noise = {
        "round": 0.0,
        "floor": 0.0,
        "rpdf": rng.uniform(-0.5, 0.5, y.shape),
        "tpdf": rng.uniform(-0.5, 0.5, y.shape) + rng.uniform(-0.5, 0.5, y.shape),
    }[how]
    q = np.floor(y) if how == "floor" else np.rint(y + noise)
    return q / 2.0 ** (bits - 1)


def dither_of(x: np.ndarray, bits: int | None = 16) -> tuple[str, str]:
    meter = DitherMeter(FS, x.shape[1], bits)
    for i in range(0, len(x), 65536):
        meter.feed(x[i : i + 65536])
    r = meter.result()
    return r.verdict, r.kind


@pytest.mark.parametrize(
    ("how", "verdict", "kind"),
    [
        ("round", "undithered", "rounding"),
        ("floor", "undithered", "truncation"),
        ("tpdf", "dithered", "tpdf"),
        ("rpdf", "dithered", "rpdf"),
    ],
)
def test_dither_verdicts_on_a_decaying_chord(how: str, verdict: str, kind: str) -> None:
    assert dither_of(quantise(decaying_tail(), how)) == (verdict, kind)


def test_rpdf_on_a_noiseless_decay_is_never_called_undithered() -> None:
    """RPDF turns a sub-LSB tone into sparse +-1s, like rounding a sub-LSB floor: no verdict."""
    x = decaying_tail(floor_dbfs=-300.0)
    assert dither_of(quantise(x, "rpdf")) == ("inconclusive", "no clear signature")
    assert dither_of(quantise(x, "round")) == ("undithered", "rounding")


def test_high_pass_and_noise_shaped_dither_are_recognised() -> None:
    rng = np.random.default_rng(9)
    x = decaying_tail() * 2**15
    r = rng.uniform(-0.5, 0.5, (len(x) + 1, 2))
    hp = np.rint(x + r[1:] - r[:-1]) / 2**15  # sloped TPDF: difference of successive RPDF values
    assert dither_of(hp) == ("dithered", "high-pass tpdf")
    # Error feedback through -2z^-1 + z^-2 (a second-order high-pass shaper).
    e = np.zeros((2, 2))
    out = np.empty_like(x)
    d = rng.uniform(-0.5, 0.5, x.shape) + rng.uniform(-0.5, 0.5, x.shape)
    for i in range(len(x)):
        v = x[i] - (2 * e[0] - e[1])
        out[i] = np.rint(v + d[i])
        e = np.stack([out[i] - v, e[0]])
    assert dither_of(out / 2**15) == ("dithered", "noise-shaped")


def test_a_noise_floor_above_the_lsb_is_inconclusive_not_a_guess() -> None:
    rng = np.random.default_rng(4)
    x = decaying_tail() + 10 ** (-84 / 20) * rng.standard_normal((6 * FS, 2))  # about 2 LSB rms
    for how in ("round", "tpdf"):
        assert dither_of(quantise(x, how)) == ("inconclusive", "noise floor")


def test_without_quiet_material_the_verdict_is_inconclusive() -> None:
    t = np.arange(3 * FS) / FS
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1)
    assert dither_of(quantise(x, "round"))[0] == "inconclusive"
    assert dither_of(x, None) == ("not-applicable", "float samples")


def test_dither_meter_does_not_depend_on_block_size() -> None:
    x = quantise(decaying_tail(), "round")
    results = []
    for size in (1000, 4096, 65536):
        meter = DitherMeter(FS, 2, 16)
        for i in range(0, len(x), size):
            meter.feed(x[i : i + size])
        results.append(meter.result())
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("db", [-20.0, -30.0, -40.0, -48.0, -60.0, -70.0])
@pytest.mark.parametrize("freq", [50.0, 100.0, 440.0, 997.0, 1000.0, 3000.0, 12000.0])
def test_steady_24bit_tones_are_never_called_padded(db: float, freq: float) -> None:
    """Tones whose period divides the rate make a regular lattice of quiet codes."""
    n = np.arange(4 * FS)
    x = np.rint(10 ** (db / 20) * np.sin(2 * np.pi * freq * n / FS) * 2**23) / 2**23
    meter = BitDepthMeter(24)
    meter.feed(np.stack([x, x], axis=1))
    assert meter.result().padded is not True


@pytest.mark.parametrize("gain_db", [-1.0, 0.5, -3.0, 6.0])
def test_16bit_audio_after_a_gain_change_is_found(gain_db: float) -> None:
    rng = np.random.default_rng(2)
    x = quantise(decaying_tail() + 1e-4 * rng.standard_normal((6 * FS, 2)), "tpdf")
    y = np.rint(x * 10 ** (gain_db / 20) * 2**23) / 2**23
    meter = BitDepthMeter(24)
    meter.feed(y)
    r = meter.result()
    assert r.padded is True
    assert r.lattice_spacing == pytest.approx(256 * 10 ** (gain_db / 20), rel=1e-3)


def test_mdct_matches_its_definition_and_windows_are_princen_bradley() -> None:
    rng = np.random.default_rng(0)
    for n in (16, 960, 1024):
        x = rng.standard_normal((3, 2 * n))
        k, m = np.arange(n), np.arange(2 * n)
        ref = np.sqrt(2 / n) * x @ np.cos(np.pi / n * (m[:, None] + 0.5 + n / 2) * (k + 0.5))
        np.testing.assert_allclose(mdct(x), ref, atol=1e-9)
    for fam in FAMILIES:
        w = window(fam.hop, fam.shape)
        np.testing.assert_allclose(w[: fam.hop] ** 2 + w[fam.hop :] ** 2, 1.0, atol=1e-12)


def _codec_like(x: np.ndarray, hop: int, shape: str, keep: int, offset: int) -> np.ndarray:
    """Analyse at a grid, zero all but the ``keep`` largest coefficients per frame, resynthesise."""
    w = window(hop, shape)
    y = np.zeros(len(x) + 2 * hop)
    n, k = np.arange(2 * hop), np.arange(hop)
    basis = np.sqrt(2 / hop) * np.cos(np.pi / hop * (n[:, None] + 0.5 + hop / 2) * (k + 0.5))
    for start in range(offset - hop, len(x) - 2 * hop, hop):
        frame = x[max(start, 0) : start + 2 * hop]
        if start < 0 or len(frame) < 2 * hop:
            continue
        c = (frame * w) @ basis
        c[np.argsort(np.abs(c))[:-keep]] = 0.0
        y[start : start + 2 * hop] += (basis @ c) * w
    return np.rint(y[: len(x)] * 2**15) / 2**15


def test_grid_search_finds_a_synthetic_codec_grid_and_not_a_clean_signal() -> None:
    rng = np.random.default_rng(5)
    x = 0.1 * rng.standard_normal(int(1.5 * FS))
    coded = _codec_like(x, 1024, "kbd", keep=120, offset=333)
    hit = grid_search(coded, FS, FAMILIES[0])
    assert hit.z > 20
    assert (hit.offset - 333) % 1024 == 0
    clean = grid_search(np.rint(x * 2**15) / 2**15, FS, FAMILIES[0])
    assert clean.z < 5


def test_find_cutoff_on_a_synthetic_shelf() -> None:
    f = np.fft.rfftfreq(4096, 1 / FS)
    power = 1 / (1 + f / 1000.0)
    shelf = find_cutoff(np.where(f < 16000, power, power * 1e-8), FS)
    assert shelf is not None
    assert shelf.hz == pytest.approx(16000, abs=60)
    assert shelf.drop_db > 70
    assert shelf.stays_down
    full = find_cutoff(power, FS)
    assert full is not None
    assert full.drop_db < 5
