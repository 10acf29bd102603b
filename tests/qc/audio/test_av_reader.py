"""PyAV reader: AAC/ALAC/Opus/MP3 files encoded by ffmpeg, measured through PyAV.

References are independent of the reader: the same file decoded by the ffmpeg
CLI to 32-bit float WAV (read by libsndfile, measured by mixdesk's meters), and
ffmpeg's own ``ebur128=peak=true`` meter. Test audio is seeded, a few seconds.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.audio import open_audio
from qc.audio.av_reader import AvSource
from qc.engine import measure_file
from qc.measure import Measurements, amplitude_to_db

RATE = 48000


def programme(rng: np.random.Generator, seconds: float = 4.0, rate: int = RATE) -> np.ndarray:
    """Music-like stereo: tones below 5 kHz with a swell, band-limited noise, fades in and out."""
    t = np.arange(round(seconds * rate)) / rate
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t)
    left = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.15 * np.sin(2 * np.pi * 1320 * t + 0.3)
    right = 0.28 * np.sin(2 * np.pi * 330 * t) + 0.12 * np.sin(2 * np.pi * 2640 * t)
    noise = np.convolve(rng.standard_normal(len(t)), np.hanning(32) / 16, mode="same") * 0.05
    x = np.stack([left + noise, right - noise], axis=1) * swell[:, None]
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.05)  # 50 ms fades: no edge at either end
    return x * ramp[:, None]


def encode(ffmpeg: str, src: Path, dst: Path, *args: str) -> Path:
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(src), *args, str(dst)], check=True)
    return dst


def ffmpeg_wav(ffmpeg: str, src: Path) -> Path:
    """The ffmpeg CLI's own decode, as 32-bit float WAV."""
    return encode(ffmpeg, src, src.with_suffix(".ref.wav"), "-c:a", "pcm_f32le")


def ebur128(ffmpeg: str, path: Path) -> tuple[float, float]:
    """ffmpeg's integrated loudness (LUFS) and true peak (dBFS) of a file."""
    out = subprocess.run(
        [ffmpeg, "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
         "-f", "null", "-"], capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = out[out.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


def measured(path: Path) -> Measurements:
    result = measure_file(path)
    assert result.error is None, result.error
    assert result.measurements is not None
    return result.measurements


FORMATS = [
    ("aac.m4a", ["-c:a", "aac", "-b:a", "256k"], "mp4", "aac", True),
    ("alac.m4a", ["-c:a", "alac"], "mp4", "alac", False),
    ("opus.webm", ["-c:a", "libopus", "-b:a", "160k"], "webm", "opus", True),
    ("opus.mp4", ["-c:a", "libopus", "-b:a", "160k"], "mp4", "opus", True),
]


@pytest.mark.parametrize(("name", "args", "container", "codec", "lossy"), FORMATS)
def test_pyav_decode_measures_as_the_ffmpeg_cli_decode(  # noqa: PLR0917
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator,
    name: str, args: list[str], container: str, codec: str, lossy: bool,
) -> None:  # fmt: skip
    master = tmp_path / "master.wav"
    sf.write(master, programme(rng), RATE, subtype="PCM_24")
    coded = encode(ffmpeg, master, tmp_path / name, *args)
    with open_audio(coded) as src:
        assert isinstance(src, AvSource)
        info = src.info
    assert (info.container, info.codec, info.lossy) == (container, codec, lossy)
    assert info.sample_rate == RATE
    assert info.channels == 2
    mine = measured(coded)
    ref = measured(ffmpeg_wav(ffmpeg, coded))
    # Same decoder family (libavcodec), same meters: within 0.01 LU and 0.01 dB.
    assert mine.loudness.integrated_lufs == pytest.approx(ref.loudness.integrated_lufs, abs=0.01)
    assert mine.true_peak.dbtp == pytest.approx(ref.true_peak.dbtp, abs=0.01)
    peak, ref_peak = max(mine.levels.channel_peak), max(ref.levels.channel_peak)
    assert amplitude_to_db(peak) == pytest.approx(amplitude_to_db(ref_peak), abs=0.01)
    # ffmpeg's own meter on the coded file (its true peak is 4x oversampled): within 0.1.
    integrated, tp = ebur128(ffmpeg, coded)
    assert mine.loudness.integrated_lufs == pytest.approx(integrated, abs=0.1)
    assert mine.true_peak.dbtp == pytest.approx(tp, abs=0.1)
    # The master's length: priming dropped, padding trimmed (within one codec frame).
    assert abs(mine.frames - 4 * RATE) <= (0 if codec == "alac" else 1024)


def test_mp3_through_pyav_matches_the_ffmpeg_cli(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "master.wav"
    sf.write(master, programme(rng), RATE, subtype="PCM_24")
    coded = encode(ffmpeg, master, tmp_path / "x.mp3", "-c:a", "libmp3lame", "-b:a", "320k")
    ref = measured(ffmpeg_wav(ffmpeg, coded))  # libsndfile reads MP3 itself: force PyAV here
    with AvSource(coded) as src:
        assert (src.info.codec, src.info.bit_rate) == ("mp3", 320000)
        blocks = list(src.blocks(65536))
    from qc.measure import analyze

    mine = analyze(blocks, RATE, 2)
    assert mine.loudness.integrated_lufs == pytest.approx(ref.loudness.integrated_lufs, abs=0.01)
    assert mine.true_peak.dbtp == pytest.approx(ref.true_peak.dbtp, abs=0.01)


def test_aac_reports_codec_bit_rate_priming_and_padding(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "master.wav"
    sf.write(master, programme(rng, 2.0), RATE, subtype="PCM_16")
    coded = encode(ffmpeg, master, tmp_path / "x.m4a", "-c:a", "aac", "-b:a", "256k")
    with open_audio(coded) as src:
        info = src.info
        total = sum(len(b) for b in src.blocks(4096))
    assert info.codec == "aac"
    assert info.bit_depth is None
    assert info.priming_frames == 1024  # FFmpeg's AAC encoder primes one frame
    assert info.frames == total == 2 * RATE  # the edit list's length; padding dropped
    # 96,000 + 1,024 samples coded in 1,024-sample frames: 95 frames, 224 samples of padding.
    assert info.padding_frames == 95 * 1024 - 1024 - 2 * RATE
    assert info.bit_rate is not None
    assert 150_000 < info.bit_rate < 300_000


@pytest.mark.parametrize("click_s", [0.25, 1.0, 1.7371])
def test_aac_click_lands_at_its_time(tmp_path: Path, ffmpeg: str, click_s: float) -> None:
    x = np.zeros((2 * RATE, 2))
    at = round(click_s * RATE)
    x[at] = 0.5
    master = tmp_path / "click.wav"
    sf.write(master, x, RATE, subtype="PCM_24")
    coded = encode(ffmpeg, master, tmp_path / "click.m4a", "-c:a", "aac", "-b:a", "256k")
    m = measured(coded)
    peak_frame = m.levels.channel_peak_frame[0]
    assert abs(peak_frame / RATE - click_s) <= 0.001  # within 1 ms, priming not counted
    assert m.true_peak.time_s is not None
    assert abs(m.true_peak.time_s - click_s) <= 0.001


def test_priming_is_not_leading_silence(tmp_path: Path, ffmpeg: str) -> None:
    from qc.engine import check_file
    from qc.profiles import ProfileCache

    t = np.arange(3 * RATE) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    master = tmp_path / "tone.wav"
    sf.write(master, np.stack([tone, tone * 0.9], axis=1), RATE, subtype="PCM_24")
    coded = encode(ffmpeg, master, tmp_path / "tone.m4a", "-c:a", "aac", "-b:a", "256k")
    result = check_file(coded, ProfileCache().resolve(("default",)))
    assert result.error is None
    codes = {d.code for d in result.diagnostics}
    assert "SIL001" not in codes  # 1,024 priming samples would be 21 ms of silence
    assert "FMT001" in codes  # still a lossy file


def test_24_bit_alac_reports_its_depth(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "master.wav"
    sf.write(master, programme(rng, 1.0, 44100), 44100, subtype="PCM_24")
    coded = encode(ffmpeg, master, tmp_path / "x.m4a", "-c:a", "alac")
    with open_audio(coded) as src:
        assert (src.info.codec, src.info.bit_depth, src.info.lossy) == ("alac", 24, False)
        decoded = np.concatenate(list(src.blocks()))
    original, _ = sf.read(master, dtype="float64")
    np.testing.assert_array_equal(decoded, original)  # lossless, bit for bit
