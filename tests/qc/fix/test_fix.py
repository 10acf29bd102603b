"""mixdesk fix end to end.

Loudness on target (pyloudnorm and ffmpeg), ceiling met (ideal reconstruction), exact gain,
idempotence, leftovers named with the exit code, safe writing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.cli.main import main
from qc.fix import FixOptions, fix

from .helpers import ffmpeg_lufs, ideal_true_peak_dbtp, master, pyloudnorm_lufs, rendered


def _write(path: Path, x: np.ndarray, rate: int, subtype: str, lufs: float) -> None:
    sf.write(path, rendered(x, rate, lufs), rate, subtype=subtype)


CASES = [
    # rate, subtype, channels, input LUFS, profile, target LUFS override, max GR, expected target
    (44100, "PCM_16", 2, -30.0, "spotify", None, 3.0, -14.0),
    (48000, "PCM_24", 1, -12.0, "ebu-r128", None, 3.0, -23.0),
    (96000, "FLOAT", 2, -6.0, "spotify", None, 3.0, -14.0),
    (48000, "FLOAT", 2, -20.0, "cd-redbook", -10.0, 8.0, -10.0),
    (44100, "PCM_24", 2, -18.0, "spotify", -9.0, 8.0, -9.0),
]


@pytest.mark.parametrize(
    ("rate", "subtype", "channels", "lufs", "profile", "target", "max_gr", "want"), CASES
)
def test_on_target_and_under_ceiling(  # noqa: PLR0917
    rng: np.random.Generator, ffmpeg: str, tmp_path: Path,
    rate: int, subtype: str, channels: int, lufs: float, profile: str,
    target: float | None, max_gr: float, want: float,
) -> None:  # fmt: skip
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    _write(src, master(rng, rate, channels, 6.0), rate, subtype, lufs)
    report = fix(src, profile, out, target_lufs=target, max_gr_db=max_gr, seed=1)
    y, out_rate = sf.read(out)
    y = y.reshape(len(y), -1)
    ceiling = -0.1 if profile == "cd-redbook" else -1.0
    assert ideal_true_peak_dbtp(y) <= ceiling  # 32x FFT reconstruction
    assert pyloudnorm_lufs(y, out_rate) == pytest.approx(want, abs=0.1)
    assert ffmpeg_lufs(ffmpeg, str(out)) == pytest.approx(want, abs=0.1)
    if profile == "cd-redbook":  # 48 kHz float -> 44.1 kHz 16-bit, dithered once
        assert (out_rate, sf.info(out).subtype, report.dither) == (44100, "PCM_16", "tpdf")
        assert report.resampled == (48000, 44100)
    assert report.exit_code() == 0, report.leftovers


def test_no_limiting_means_exact_gain(rng: np.random.Generator, tmp_path: Path) -> None:
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    _write(src, master(rng, 48000, 2, 4.0), 48000, "FLOAT", -24.0)
    report = fix(src, "spotify", out, target_lufs=-18.0)
    assert report.max_gr_db == 0.0
    assert report.gain_db == pytest.approx(6.0, abs=0.05)
    x, _ = sf.read(src, dtype="float32")
    y, _ = sf.read(out, dtype="float32")
    expected = (x.astype(np.float64) * 10 ** (report.gain_db / 20)).astype(np.float32)
    assert np.array_equal(y, expected)  # bit for bit (float output: no dither)


def test_idempotent(rng: np.random.Generator, tmp_path: Path) -> None:
    src = tmp_path / "in.wav"
    _write(src, master(rng, 44100, 2, 4.0), 44100, "PCM_24", -11.0)
    first, second, third = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    fix(src, "spotify", first, max_gr_db=6.0, seed=1)
    again = fix(first, "spotify", second, seed=2)
    assert again.gain_db == 0.0
    assert again.max_gr_db == 0.0
    assert again.dither == "none"  # 24-bit in, 24-bit out: nothing to dither
    a, _ = sf.read(first, dtype="int32")
    b, _ = sf.read(second, dtype="int32")
    assert np.array_equal(a, b)
    fix(second, "spotify", third, dither="none")
    c, _ = sf.read(third, dtype="int32")
    assert np.array_equal(b, c)


def test_reduced_to_16_bit_is_dithered_per_dth001(rng: np.random.Generator, tmp_path: Path) -> None:
    from qc.engine import check_file
    from qc.profiles import load_profile

    x = master(rng, 44100, 2, 8.0) * 0.5
    x[len(x) // 2 :] *= 10 ** (-85 / 20)  # a very quiet tail, where dither shows
    src = tmp_path / "in.wav"
    sf.write(src, x, 44100, subtype="PCM_24")
    verdicts = {}
    for kind in ("tpdf", "none"):
        out = tmp_path / f"{kind}.wav"
        report = fix(src, "cd-redbook", out, dither=kind, seed=5)
        assert report.dither == kind
        assert sf.info(out).subtype == "PCM_16"
        m = check_file(out, [load_profile("cd-redbook")]).measurements
        assert m is not None
        verdicts[kind] = m.dither.verdict
    assert verdicts["tpdf"] == "dithered"  # DTH001's detector
    assert verdicts["none"] != "dithered"


def _cli(*args: str) -> int:
    return main(["fix", *args])


def test_clipped_mix_is_named_and_fails(
    rng: np.random.Generator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "clipped.wav", tmp_path / "out.wav"
    x = np.clip(master(rng, 44100, 2, 4.0) * 3.0, -1.0, 1.0)
    sf.write(src, x, 44100, subtype="PCM_24")
    assert _cli(str(src), "--profile", "cd-redbook", "-o", str(out)) == 1
    text = capsys.readouterr().out
    assert "CLP001" in text
    assert "clipping made in the mix cannot be repaired in mastering" in text


def test_dual_mono_is_named(
    rng: np.random.Generator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "mono.wav", tmp_path / "out.wav"
    x = master(rng, 44100, 1, 4.0) * 0.3
    sf.write(src, np.repeat(x, 2, axis=1), 44100, subtype="PCM_24")
    code = _cli(str(src), "--profile", "spotify", "-o", str(out))
    text = capsys.readouterr().out
    assert "CH003" in text
    assert "dual mono" in text
    assert code == 0  # spotify rates dual mono as info: listed, not failing


def test_mp3_decoded_wav_is_named(
    rng: np.random.Generator, ffmpeg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, mp3, dec, out = (tmp_path / n for n in ("s.wav", "s.mp3", "dec.wav", "out.wav"))
    sf.write(src, master(rng, 44100, 2, 8.0) * 0.5, 44100, subtype="PCM_16")
    subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-i", str(src), "-b:a", "128k", str(mp3)], check=True
    )
    subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-i", str(mp3), str(dec)], check=True)
    code = _cli(str(dec), "--profile", "mix-for-mastering", "-o", str(out))
    text = capsys.readouterr().out
    assert "LSY001" in text
    assert "lossy history" in text
    assert code == 1


def test_never_overwrites(
    rng: np.random.Generator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    _write(src, master(rng, 44100, 2, 2.0), 44100, "PCM_24", -20.0)
    before = src.read_bytes()
    assert _cli(str(src), "--profile", "spotify", "-o", str(src), "--force") == 2
    assert "refusing to overwrite the input" in capsys.readouterr().err
    out.write_bytes(b"keep")
    assert _cli(str(src), "--profile", "spotify", "-o", str(out)) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"keep"
    assert src.read_bytes() == before
    assert _cli(str(src), "--profile", "spotify", "-o", str(out), "--force") == 0
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEjunk")
    assert _cli(str(bad), "--profile", "spotify", "-o", str(tmp_path / "o.wav")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "bad.wav" in err
    assert _cli(str(bad), "--profile", "nosuch", "-o", str(tmp_path / "o.wav")) == 2


def test_options_reach_the_api() -> None:
    assert FixOptions(max_gr_db=5.0).max_gr_db == 5.0


def test_too_short_is_named(rng: np.random.Generator, tmp_path: Path) -> None:
    src = tmp_path / "short.wav"
    sf.write(src, 0.1 * rng.standard_normal((8000, 1)), 48000, subtype="PCM_24")  # 167 ms
    report = fix(src, "ebu-r128", tmp_path / "out.wav")
    [left] = [x for x in report.leftovers if x.code == "LUF001"]
    assert "too short" in left.message
    assert "400 ms" in left.why
    assert report.exit_code() == 1


def test_cd_output_fixed_again_is_identical(rng: np.random.Generator, tmp_path: Path) -> None:
    src, first, second = tmp_path / "in.wav", tmp_path / "a.wav", tmp_path / "b.wav"
    _write(src, master(rng, 48000, 2, 3.0), 48000, "PCM_24", -12.0)
    a = fix(src, "cd-redbook", first, target_lufs=-12.0, seed=1)
    assert (a.dither, a.resampled) == ("tpdf", (48000, 44100))
    b = fix(first, "cd-redbook", second, target_lufs=-12.0, seed=2)
    assert (b.dither, b.resampled, b.gain_db, b.max_gr_db) == ("none", None, 0.0, 0.0)
    assert np.array_equal(sf.read(first, dtype="int16")[0], sf.read(second, dtype="int16")[0])


@pytest.mark.parametrize(
    ("target", "message"),
    [("out.mp3", "fix writes .wav, .flac or .aiff"), ("nowhere/out.wav", "no folder")],
)
def test_bad_output_is_one_line(
    rng: np.random.Generator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    message: str,
) -> None:
    src = tmp_path / "in.wav"
    sf.write(src, master(rng, 44100, 2, 1.0) * 0.1, 44100, subtype="PCM_24")
    assert _cli(str(src), "--profile", "spotify", "-o", str(tmp_path / target)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not list(tmp_path.glob(".*.tmp"))


def test_folder_as_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(str(tmp_path), "--profile", "spotify", "-o", str(tmp_path / "o.wav")) == 2
    assert capsys.readouterr().err.count("\n") == 1
