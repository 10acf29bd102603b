"""MP3 frame grid (qc.measure.mp3grid): the ISO hybrid filterbank and LAME round trips.

The pure tests check the analysis filterbank against the standard: printed window
values, where tones land, the alias reduction, and a round trip through an
independent ISO decoder-side synthesis written here from the standard's formulas.
The ffmpeg tests encode music-like material with libmp3lame (CBR 128/192/320k and V0),
decode it, and run the detector on the mono mix of the loudest 3 s; lossless renders
and AAC and Vorbis round trips are the controls.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.measure.mp3grid import C_WINDOW, GRANULE, Mp3GridResult, hybrid_analysis, mp3_grid
from tests.builders import unavailable

THRESHOLD = 8.0  # recommended decision threshold on z
RATE = 48000

# Alias-reduction coefficients, restated from the standard for the synthesis below.
_CI = np.array([-0.6, -0.535, -0.33, -0.185, -0.095, -0.041, -0.0142, -0.0037])
_CS, _CA = 1 / np.sqrt(1 + _CI**2), _CI / np.sqrt(1 + _CI**2)


def iso_decode(lines: np.ndarray) -> np.ndarray:
    """ISO 11172-3 long-block synthesis: lines (granules, 576) -> PCM (granules * 576,).

    Decoder butterflies, 36-point IMDCT with sine window and overlap-add, frequency
    inversion, then the polyphase synthesis with D[i] = 32 C[i]. Output sample 0 is
    the start of granule 0 (no delay compensation).
    """
    n_gr = lines.shape[0]
    x = lines.reshape(n_gr, 32, 18).copy()
    for i in range(8):
        bu, bd = x[:, :-1, 17 - i].copy(), x[:, 1:, i].copy()
        x[:, :-1, 17 - i] = bu * _CS[i] - bd * _CA[i]
        x[:, 1:, i] = bd * _CS[i] + bu * _CA[i]
    n, k = np.arange(36)[:, None], np.arange(18)[None, :]
    imdct = np.sin(np.pi / 36 * (n + 0.5)) * np.cos(np.pi / 72 * (2 * n + 19) * (2 * k + 1))
    y = x @ (np.sqrt(2 / 18) * imdct.T)  # (granule, band, 36)
    sub = np.zeros((18 * (n_gr + 1), 32))
    for g in range(n_gr):
        sub[18 * g : 18 * g + 36] += y[g].T
    sub[1::2, 1::2] *= -1  # frequency inversion
    v = sub @ np.cos(np.outer(16 + np.arange(64), 2 * np.arange(32) + 1) * np.pi / 64).T
    slots = v.shape[0]
    vbuf = np.vstack([np.zeros((16, 64)), v])  # V of slot s - r is row 16 + s - r
    d = 32 * C_WINDOW
    out = np.zeros((slots, 32))
    for i in range(8):  # U[64 i + j] = V[128 i + j], U[64 i + 32 + j] = V[128 i + 96 + j]
        out += vbuf[16 - 2 * i : 16 - 2 * i + slots, :32] * d[64 * i : 64 * i + 32]
        out += vbuf[15 - 2 * i : 15 - 2 * i + slots, 32:] * d[64 * i + 32 : 64 * i + 64]
    return out.reshape(-1)


def sparse_lines(seed: int, granules: int, zeros: float) -> np.ndarray:
    """Laplacian lines with a fraction ``zeros`` set to exactly zero, shape (granules, 576)."""
    rng = np.random.default_rng(seed)
    c = rng.laplace(size=(granules, GRANULE)) * 0.01
    c[rng.random(c.shape) < zeros] = 0.0
    return c


def to_16_bit(x: np.ndarray) -> np.ndarray:
    return np.round(x * 32768) / 32768


def tone_lines(line: int, granules: int = 10) -> np.ndarray:
    freq = (line + 0.5) * RATE / (2 * GRANULE)
    n = np.arange(GRANULE * (granules + 2))
    return hybrid_analysis(np.sin(2 * np.pi * freq * n / RATE + 0.3), 511, granules)


# ---------------------------------------------------------------- pure filterbank tests


def test_window_is_the_iso_table() -> None:
    printed = {1: -0.000000477, 64: 0.000101566, 100: -0.000339031, 200: 0.000033379,
               256: 0.035780907, 300: 0.007703304, 320: 0.003134727, 400: 0.000747204,
               448: 0.000101566, 500: 0.000001431, 511: 0.000000477}  # fmt: skip
    assert C_WINDOW.shape == (512,)
    for i, value in printed.items():
        assert C_WINDOW[i] == pytest.approx(value, abs=6e-10), i
    units = C_WINDOW * 2**21
    np.testing.assert_array_equal(units, np.round(units))  # exact multiples of 2**-21
    proto = C_WINDOW * (-1.0) ** (np.arange(512) // 64)  # the low-pass prototype
    np.testing.assert_array_equal(proto[1:256], proto[511:256:-1])
    assert np.argmax(proto) == 256


def test_white_noise_keeps_its_rms(rng: np.random.Generator) -> None:
    lines = hybrid_analysis(rng.standard_normal(GRANULE * 40), 511, 36)
    assert float(np.std(lines)) == pytest.approx(1.0, abs=0.03)


# Lines in even and odd subbands, at band centres and near band edges: a missing
# frequency inversion would mirror the odd subbands (line 18 k + l -> 18 k + 17 - l).
@pytest.mark.parametrize("line", [40, 47, 92, 100, 107, 150, 161, 200, 215, 313, 350])
def test_tone_lands_on_its_line(line: int) -> None:
    energy = np.sum(tone_lines(line) ** 2, axis=0)
    assert int(np.argmax(energy)) == line
    assert energy[line - 1 : line + 2].sum() / energy.sum() > 0.98


@pytest.mark.parametrize(("band", "i"), [(4, 2), (5, 2), (11, 3), (20, 4)])
def test_alias_reduction_removes_the_image(band: int, i: int) -> None:
    """A tone in line 17 - i of a subband has its alias in line i of the next one."""
    line, image = 18 * band + 17 - i, 18 * (band + 1) + i
    energy = np.sum(tone_lines(line) ** 2, axis=0)
    ratio_db = 10 * np.log10(energy[image] / energy[line])
    assert ratio_db < -30, ratio_db  # about -40 dB; -10 dB without the butterflies


def test_analysis_inverts_iso_synthesis() -> None:
    lines = sparse_lines(3, 24, zeros=0.5)
    back = hybrid_analysis(iso_decode(lines), 512, 20)  # granule grid at offset 0
    ref = lines[:20]
    gain = float(np.sum(back * ref) / np.sum(ref * ref))
    assert gain == pytest.approx(np.sqrt(32), rel=1e-3)  # D = 32 C, orthonormal analysis
    assert np.max(np.abs(back - gain * ref)) < 2e-4 * np.max(np.abs(gain * ref))


def test_grid_of_synthetic_mp3_is_found_at_its_offset() -> None:
    pcm = to_16_bit(iso_decode(sparse_lines(4, 60, zeros=0.5)))
    first = mp3_grid(pcm, RATE)
    print(f"\nsynthetic sparse lines: {first}")
    assert first.z > 100
    assert first.offset == 0
    for cut in (0, 1, 32, 100, 1000):  # windows starting on odd and even subband samples
        moved = mp3_grid(pcm[cut:], RATE)
        assert moved.offset == (-cut) % GRANULE, cut
        assert moved.z > 100, cut
        assert moved.zero_fraction == pytest.approx(0.5, abs=0.03), cut  # half were zeroed


def test_dense_lines_white_noise_and_silence_show_no_grid(rng: np.random.Generator) -> None:
    dense = mp3_grid(to_16_bit(iso_decode(sparse_lines(5, 60, zeros=0.0))), RATE)
    noise = mp3_grid(to_16_bit(0.1 * rng.standard_normal(3 * RATE)), RATE)
    print(f"\ndense lines: {dense}\nwhite noise: {noise}")
    assert dense.z < THRESHOLD
    assert noise.z < THRESHOLD
    assert noise.granules == 24
    assert np.isnan(mp3_grid(np.zeros(3 * RATE), RATE).z)  # every line is zero
    short = mp3_grid(np.ones(3000), RATE)
    assert np.isnan(short.z)
    assert short.granules == 0


# ---------------------------------------------------------------- ffmpeg round trips


@functools.lru_cache(maxsize=2)
def music(rate: int) -> np.ndarray:
    """6 s of the loud chorus of the example song, float64 (n, 2)."""
    from examples.music import master_chunks

    song = next(master_chunks(seconds=20, rate=rate, seed=11, loud=False, chunk_s=11))
    return song[5 * rate : 11 * rate]


def run(ffmpeg: str, *args: str | Path) -> None:
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        unavailable(f"ffmpeg {' '.join(map(str, args))} failed: {proc.stderr.strip()[:300]}")


def round_trip(
    ffmpeg: str, tmp: Path, x: np.ndarray, rate: int, *, codec: list[str], ext: str, pcm: str
) -> np.ndarray:
    """Write ``x`` as 24-bit WAV, encode with ``codec``, decode to ``pcm``; (n, 2)."""
    src, enc, dec = tmp / "src.wav", tmp / f"enc.{ext}", tmp / f"dec-{pcm}.wav"
    sf.write(src, x, rate, subtype="PCM_24")
    run(ffmpeg, "-i", src, *codec, enc)
    run(ffmpeg, "-i", enc, "-c:a", pcm, dec)
    y, _ = sf.read(dec, always_2d=True)
    return np.asarray(y, dtype=np.float64)


def has_encoder(ffmpeg: str, name: str) -> bool:
    cmd = [ffmpeg, "-hide_banner", "-encoders"]
    return name in subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def loudest(x: np.ndarray, rate: int, seconds: float = 3.0) -> np.ndarray:
    """The loudest ``seconds`` of ``x`` (n, 2), searched in 0.25 s steps, as (m, 2)."""
    n = round(seconds * rate)
    energy = np.sum(x**2, axis=1)
    starts = range(0, len(x) - n + 1, rate // 4)
    best = max(starts, key=lambda s: float(np.sum(energy[s : s + n])))
    return x[best : best + n]


def grid(x: np.ndarray, rate: int) -> Mp3GridResult:
    return mp3_grid(loudest(x, rate).mean(axis=1), rate)


def tpdf_16(x: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(x * 32768 + rng.random(x.shape) - rng.random(x.shape)) / 32768


MP3_CASES = {
    "128k": (["-b:a", "128k"], RATE, None),
    "192k": (["-b:a", "192k"], RATE, None),
    "320k": (["-b:a", "320k"], RATE, None),
    "V0": (["-q:a", "0"], RATE, None),
    "128k-s16": (["-b:a", "128k"], RATE, "s16"),
    "V0-gain-tpdf16": (["-q:a", "0"], RATE, "gain"),
    "128k-44k1": (["-b:a", "128k"], 44100, None),
    "V0-44k1": (["-q:a", "0"], 44100, None),
}


@pytest.mark.ffmpeg
@pytest.mark.parametrize("case", list(MP3_CASES))
def test_mp3_round_trip_shows_the_grid(ffmpeg: str, tmp_path: Path, case: str) -> None:
    args, rate, post = MP3_CASES[case]
    codec = ["-c:a", "libmp3lame", *args]
    plain = round_trip(ffmpeg, tmp_path, music(rate), rate, codec=codec, ext="mp3", pcm="pcm_s24le")
    ref = grid(plain, rate)
    if post == "s16":
        y = round_trip(ffmpeg, tmp_path, music(rate), rate, codec=codec, ext="mp3", pcm="pcm_s16le")
    elif post == "gain":
        y = round_trip(ffmpeg, tmp_path, music(rate), rate, codec=codec, ext="mp3", pcm="pcm_f32le")
        y = tpdf_16(y * 10 ** (-1.5 / 20), seed=1)
    else:
        y = plain
    res = grid(y, rate)
    print(f"\nmp3 {case}: z={res.z:.1f} offset={res.offset} zeros={res.zero_fraction:.3f}")
    assert res.z >= 2 * THRESHOLD
    assert res.offset == ref.offset  # the alignment survives re-quantisation and gain
    assert res.granules == 24


CONTROLS = ["s16", "tpdf16", "lowpass15k", "aac128k", "vorbis-q5", "s16-44k1", "aac128k-44k1"]


@pytest.mark.ffmpeg
@pytest.mark.parametrize("case", CONTROLS)
def test_lossless_and_other_codecs_stay_below(ffmpeg: str, tmp_path: Path, case: str) -> None:
    rate = 44100 if case.endswith("44k1") else RATE
    x = music(rate)
    if case.startswith("s16"):
        y = to_16_bit(x)
    elif case == "tpdf16":
        y = tpdf_16(x, seed=2)
    elif case == "lowpass15k":
        from scipy.signal import butter, sosfiltfilt

        low = sosfiltfilt(butter(8, 15000, fs=rate, output="sos"), x, axis=0)
        y = np.round(low * 2**23) / 2**23
    elif case.startswith("aac"):
        codec = ["-c:a", "aac", "-b:a", "128k"]
        y = round_trip(ffmpeg, tmp_path, x, rate, codec=codec, ext="m4a", pcm="pcm_s24le")
    else:
        if not has_encoder(ffmpeg, "libvorbis"):
            pytest.skip("this ffmpeg has no libvorbis")
        codec = ["-c:a", "libvorbis", "-q:a", "5"]
        y = round_trip(ffmpeg, tmp_path, x, rate, codec=codec, ext="ogg", pcm="pcm_s24le")
    res = grid(y, rate)
    print(f"\ncontrol {case}: z={res.z:.1f} offset={res.offset} zeros={res.zero_fraction:.4f}")
    assert res.z < THRESHOLD


@pytest.mark.ffmpeg
def test_trimming_shifts_the_offset_and_every_mix_sees_it(ffmpeg: str, tmp_path: Path) -> None:
    codec = ["-c:a", "libmp3lame", "-b:a", "320k"]
    y = round_trip(ffmpeg, tmp_path, music(RATE), RATE, codec=codec, ext="mp3", pcm="pcm_s24le")
    n = 3 * RATE
    base = mp3_grid(y[:n].mean(axis=1), RATE)
    for cut in (1, 333):
        moved = mp3_grid(y[cut : cut + n].mean(axis=1), RATE)
        assert moved.offset == (base.offset - cut) % GRANULE, cut
    part = loudest(y, RATE)
    mixes = {
        "L": part[:, 0],
        "R": part[:, 1],
        "M": part.mean(axis=1),
        "S": (part[:, 0] - part[:, 1]) / 2,
    }
    zs = {name: mp3_grid(mix, RATE).z for name, mix in mixes.items()}
    print("\n320k by channel mix: " + ", ".join(f"{k}={v:.1f}" for k, v in zs.items()))
    assert min(zs.values()) >= 2 * THRESHOLD
