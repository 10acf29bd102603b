"""Streaming reader: format info, exact block contents, errors, and bounded memory."""

from __future__ import annotations

import inspect
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.audio import AudioSource, StreamInfo, open_audio, read_info
from qc.errors import AudioReadError, QCError
from tests.builders import ffmpeg_encode, hand_wav

RATE = 48000


def read_all(path: Path | str, frames: int = 4096) -> np.ndarray:
    with open_audio(path) as src:
        blocks = list(src.blocks(frames))
    for block in blocks:
        assert block.ndim == 2
        assert block.dtype == np.float64
        assert 1 <= block.shape[0] <= frames
    return np.concatenate(blocks)


def assert_one_line_error(err: AudioReadError, path: Path | str, fragment: str) -> None:
    text = str(err)
    assert text.startswith(f"{path}: ")
    assert "\n" not in text
    assert "Traceback" not in text
    assert err.path == str(path)
    assert fragment in err.reason, text


# --- info and exact contents ---------------------------------------------------------


@pytest.mark.parametrize(
    ("subtype", "channels", "bit_depth", "codec"),
    [
        ("PCM_16", 2, 16, "pcm"),
        ("PCM_16", 1, 16, "pcm"),
        ("PCM_16", 6, 16, "pcm"),
        ("PCM_24", 2, 24, "pcm"),
        ("PCM_24", 6, 24, "pcm"),
        ("FLOAT", 2, 32, "float"),
        ("FLOAT", 1, 32, "float"),
        ("DOUBLE", 2, 64, "float"),
    ],
)
def test_info_fields(
    tmp_path: Path, subtype: str, channels: int, bit_depth: int, codec: str
) -> None:
    path = tmp_path / "x.wav"
    sf.write(path, np.zeros((12_345, channels)), RATE, subtype)
    info = read_info(path)
    assert info == StreamInfo(
        path=str(path), container="wav", codec=codec, lossy=False, subtype=subtype,
        bit_depth=bit_depth, sample_rate=RATE, channels=channels, frames=12_345,
        duration_s=12_345 / RATE,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "subtype", "container", "bit_depth"),
    [("FLAC", "PCM_16", "flac", 16), ("FLAC", "PCM_24", "flac", 24),
     ("AIFF", "PCM_24", "aiff", 24), ("RF64", "PCM_16", "rf64", 16),
     ("W64", "FLOAT", "w64", 32), ("WAV", "PCM_U8", "wav", 8), ("WAV", "ULAW", "wav", 8)],
)  # fmt: skip
def test_other_containers(
    tmp_path: Path, fmt: str, subtype: str, container: str, bit_depth: int
) -> None:
    path = tmp_path / "x.audio"  # the extension says nothing; sniffing decides
    sf.write(path, np.zeros((1000, 2)), 44100, subtype, format=fmt)
    info = read_info(path)
    assert (info.container, info.subtype, info.bit_depth) == (container, subtype, bit_depth)
    assert info.lossy == (subtype == "ULAW")
    assert (info.frames, info.sample_rate, info.channels) == (1000, 44100, 2)


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_pcm16_blocks_are_exact(tmp_path: Path, channels: int) -> None:
    rng = np.random.default_rng(16)
    data = rng.integers(-(2**15), 2**15, (10_007, channels)) / 2**15
    path = tmp_path / "x.wav"
    sf.write(path, data, RATE, "PCM_16")
    np.testing.assert_array_equal(read_all(path, 1000), data)


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_pcm24_blocks_within_one_lsb(tmp_path: Path, channels: int) -> None:
    data = np.random.default_rng(24).uniform(-0.99, 0.99, (10_007, channels))
    path = tmp_path / "x.wav"
    sf.write(path, data, RATE, "PCM_24")
    np.testing.assert_allclose(read_all(path, 777), data, rtol=0, atol=2**-23)


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_float_blocks_are_exact(tmp_path: Path, subtype: str) -> None:
    data = np.random.default_rng(32).uniform(-4.0, 4.0, (5000, 2)).astype(np.float32)
    path = tmp_path / "x.wav"
    sf.write(path, data, RATE, subtype)
    np.testing.assert_array_equal(read_all(path, 4096), data.astype(np.float64))


def test_mono_is_two_dimensional_and_blocks_restart(tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    sf.write(path, np.linspace(-0.5, 0.5, 2500), RATE, "PCM_16")
    with open_audio(path) as src:
        first = [b.shape for b in src.blocks(1000)]
        again = np.concatenate(list(src.blocks()))
    assert first == [(1000, 1), (1000, 1), (500, 1)]
    assert again.shape == (2500, 1)


def test_empty_audio_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros((0, 2)), RATE, "PCM_16")
    with open_audio(path) as src:
        assert src.info.frames == 0
        assert list(src.blocks()) == []


def test_pathlike_and_close(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    sf.write(path, np.zeros((100, 1)), RATE, "PCM_16")
    src = open_audio(path)
    assert isinstance(src, AudioSource)
    assert src.info.path == src.path == str(path)
    src.close()
    src.close()
    assert src.closed
    with pytest.raises(AudioReadError):
        list(src.blocks())


def test_block_size_must_be_positive(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    sf.write(path, np.zeros((100, 1)), RATE, "PCM_16")
    with open_audio(path) as src, pytest.raises(ValueError, match="at least 1"):
        src.blocks(0)


def test_open_audio_matches_class_signature() -> None:
    cls = list(inspect.signature(AudioSource.__init__).parameters.values())[1:]
    assert list(inspect.signature(open_audio).parameters.values()) == cls
    assert list(inspect.signature(read_info).parameters.values()) == cls


# --- errors ---------------------------------------------------------------------------


def _directory(tmp: Path) -> Path:
    (tmp / "bounce.wav").mkdir()
    return tmp / "bounce.wav"


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    return make


def _truncated(tmp: Path) -> Path:
    sf.write(tmp / "full.wav", np.zeros((RATE, 2)), RATE, "PCM_16")
    raw = (tmp / "full.wav").read_bytes()
    (tmp / "half.wav").write_bytes(raw[: len(raw) // 2])
    return tmp / "half.wav"


def _symlink_loop(tmp: Path) -> Path:
    try:
        os.symlink(tmp / "b.wav", tmp / "a.wav")
        os.symlink(tmp / "a.wav", tmp / "b.wav")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks unavailable")
    return tmp / "a.wav"


def _dangling(tmp: Path) -> Path:
    try:
        os.symlink(tmp / "gone.wav", tmp / "link.wav")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks unavailable")
    return tmp / "link.wav"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_directory, "is a directory"),
        (lambda tmp: tmp / "missing.wav", "no such file"),
        (_symlink_loop, "symbolic link loop"),
        (_dangling, "broken symbolic link"),
        (_write("empty.wav", b""), "empty file"),
        (_write("notes.wav", b"just some text\n" * 50), "not a recognised audio file"),
        (_truncated, "header declares 192,000 bytes of audio but the file holds 95,978"),
        (_write("huge.wav", hand_wav(2, RATE, declared=0x7FFFFFF0)), "2,147,483,632 bytes"),
        (_write("ph.wav", hand_wav(2, RATE, declared=0xFFFFFFFF)), "placeholders"),
        (_write("ph0.wav", hand_wav(2, RATE, declared=0)), "placeholders"),
        (_write("ch0.wav", hand_wav(0, RATE)), "0 channels"),
        (_write("hz0.wav", hand_wav(2, 0)), "0 Hz"),
        (_write("riff.wav", b"RIFF\x04\x00\x00\x00WAVE"), "cannot decode wav"),
    ],
)
def test_bad_inputs_raise_one_line_errors(
    tmp_path: Path, make: Callable[[Path], Path], fragment: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(AudioReadError) as caught:
        open_audio(path)
    assert_one_line_error(caught.value, path, fragment)
    assert isinstance(caught.value, QCError)
    with pytest.raises(AudioReadError):
        read_info(str(path))


def test_markup_and_escape_codes_in_name_are_kept_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[bold]x["  # with the file name below, the path holds "[bold]x[/bold]"
    folder.mkdir()
    path = folder / "bold]\x1b[31m.wav"
    path.write_text("not audio")
    with pytest.raises(AudioReadError) as caught:
        open_audio(str(path))
    assert "[bold]x[/bold]\x1b[31m.wav" in str(caught.value)
    assert_one_line_error(caught.value, path, "not a recognised audio file")


@pytest.mark.parametrize(("subtype", "bad"), [("FLOAT", np.nan), ("DOUBLE", np.inf)])
def test_nan_or_inf_raise_while_iterating(tmp_path: Path, subtype: str, bad: float) -> None:
    data = np.zeros((RATE, 2))
    data[30_000, 1] = bad
    path = tmp_path / "x.wav"
    sf.write(path, data, RATE, subtype)
    with open_audio(path) as src:  # opening succeeds: the header is fine
        blocks = src.blocks(4096)
        delivered = sum(next(blocks).shape[0] for _ in range(7))  # frames 0..28671 are fine
        with pytest.raises(AudioReadError) as caught:
            next(blocks)
    assert delivered == 7 * 4096
    assert_one_line_error(caught.value, path, "NaN or Inf samples at 0.625 s (frame 30000)")


def test_truncated_flac_raises_while_iterating(tmp_path: Path) -> None:
    noise = np.random.default_rng(7).uniform(-0.5, 0.5, (10 * RATE, 2))
    sf.write(tmp_path / "full.flac", noise, RATE, "PCM_16")
    raw = (tmp_path / "full.flac").read_bytes()
    path = tmp_path / "half.flac"
    path.write_bytes(raw[: len(raw) // 2])
    with open_audio(path) as src, pytest.raises(AudioReadError) as caught:
        for _ in src.blocks():
            pass
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert "\n" not in text


# --- real lossy files from ffmpeg -----------------------------------------------------


@pytest.mark.ffmpeg
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-c:a", "libmp3lame", "-f", "mp3"], ("mp3", "mp3", "MPEG_LAYER_III")),
        (["-c:a", "libvorbis", "-f", "ogg"], ("ogg", "vorbis", "VORBIS")),
        (["-c:a", "adpcm_ms", "-f", "wav"], ("wav", "adpcm_ms", "MS_ADPCM")),
        (["-c:a", "libmp3lame", "-f", "wav"], ("wav", "mp3", "MPEG_LAYER_III")),
    ],
)
def test_lossy_files_are_flagged_and_stream(
    tmp_path: Path, ffmpeg: str, args: list[str], expected: tuple[str, str, str]
) -> None:
    path = ffmpeg_encode(ffmpeg, tmp_path / "bounce.wav", *args)
    with open_audio(path) as src:
        info = src.info
        total = sum(block.shape[0] for block in src.blocks())
    assert (info.container, info.codec, info.subtype) == expected
    assert info.lossy
    assert info.bit_depth is None
    assert total >= info.frames - 4 * 1152


@pytest.mark.ffmpeg
def test_undecodable_container_names_the_codec(tmp_path: Path, ffmpeg: str) -> None:
    # A whole M4A is decoded through PyAV (tests/qc/audio/test_av_reader.py); its first
    # 4 KiB (ffmpeg writes the 'moov' index at the end) cannot be.
    path = ffmpeg_encode(ffmpeg, tmp_path / "bounce.m4a", "-c:a", "aac")
    path.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(AudioReadError) as caught:
        open_audio(path)
    assert_one_line_error(caught.value, path, "cannot decode mp4 (aac)")


@pytest.mark.ffmpeg
def test_truncated_mp3_reports_missing_frames(tmp_path: Path, ffmpeg: str) -> None:
    full = ffmpeg_encode(ffmpeg, tmp_path / "full.mp3", "-c:a", "libmp3lame", seconds=5)
    raw = full.read_bytes()
    path = tmp_path / "half.mp3"
    path.write_bytes(raw[: len(raw) // 2])
    with open_audio(path) as src, pytest.raises(AudioReadError) as caught:
        for _ in src.blocks():
            pass
    assert_one_line_error(caught.value, path, "truncated: header declares 240,000 frames")


# --- memory ---------------------------------------------------------------------------


def test_memory_stays_flat_over_ten_minutes(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    second = (np.sin(np.arange(RATE) * 2 * np.pi * 997 / RATE) * 20000).astype(np.int16)
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for _ in range(600):
            out.write(second)
    tracemalloc.start()
    try:
        total = 0
        with open_audio(path) as src:
            for block in src.blocks():
                total += block.shape[0]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 600 * RATE
    assert peak < 20_000_000, f"peak traced memory {peak:,} bytes"
