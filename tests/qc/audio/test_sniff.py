"""Container sniffing: hand-built headers, real encoder output, and robustness."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from qc.audio import Container, header_consistent, sniff
from qc.audio.sniff import HEAD_BYTES
from tests.builders import ffmpeg_encode

KSDATAFORMAT_TAIL = bytes.fromhex("000000001000800000aa00389b71")
ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
RATE_48K_EXT80 = bytes.fromhex("400ebb80000000000000")  # 48000.0 as an 80-bit float


# --- byte builders ------------------------------------------------------------------


def chunk(cid: bytes, body: bytes, order: str = "<") -> bytes:
    pad = b"\0" if len(body) % 2 else b""
    return cid + struct.pack(order + "I", len(body)) + body + pad


def fmt_body(
    tag: int, ch: int = 2, rate: int = 48000, bits: int = 16, sub: int | None = None
) -> bytes:
    align = ch * bits // 8
    body = struct.pack("<HHIIHH", tag, ch, rate, rate * align, align, bits)
    if sub is not None:
        body += struct.pack("<HHI", 22, bits, 3) + struct.pack("<H", sub) + KSDATAFORMAT_TAIL
    return body


def wav(
    tag: int = 1,
    *,
    data: bytes = b"\0" * 400,
    declared: int | None = None,
    sub: int | None = None,
    pre: bytes = b"",
) -> bytes:
    size = len(data) if declared is None else declared
    body = b"WAVE" + chunk(b"fmt ", fmt_body(tag, sub=sub)) + pre
    body += b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def rf64(data_len: int) -> bytes:
    ds64 = struct.pack("<QQQI", 0, data_len, data_len // 4, 0)
    body = b"WAVE" + chunk(b"ds64", ds64) + chunk(b"fmt ", fmt_body(1))
    body += b"data" + b"\xff\xff\xff\xff" + b"\0" * data_len
    return b"RF64\xff\xff\xff\xff" + body


def aiff(kind: bytes | None = None, frames: int = 100, ssnd_offset: int = 0) -> bytes:
    comm = struct.pack(">hIh", 2, frames, 16) + RATE_48K_EXT80
    if kind is not None:
        comm += kind + b"\0\0"  # compression type, empty Pascal-string name
    ssnd = struct.pack(">II", ssnd_offset, 0) + b"\0" * (ssnd_offset + 4 * frames)
    body = (b"AIFC" if kind else b"AIFF") + chunk(b"COMM", comm, ">") + chunk(b"SSND", ssnd, ">")
    return b"FORM" + struct.pack(">I", len(body)) + body


def id3(size: int = 100) -> bytes:
    safe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + safe + b"\0" * size


def ogg_page(packet: bytes) -> bytes:
    return b"OggS\x00\x02" + b"\0" * 20 + bytes([1, len(packet)]) + packet


def mpeg_frames(header: bytes, length: int, count: int = 3) -> bytes:
    return (header + b"\0" * (length - 4)) * count


def adts_frames(count: int = 3, payload: int = 100) -> bytes:
    n = 7 + payload
    header = bytes(
        [0xFF, 0xF1, 0x4C, 0x80 | (n >> 11), (n >> 3) & 0xFF, ((n & 7) << 5) | 0x1F, 0xFC]
    )
    return (header + b"\0" * payload) * count


def mp4(*boxes: bytes, brand: bytes = b"isom") -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + b"\0\0\0\0" + b"isomiso2"
    return ftyp + b"".join(struct.pack(">I", 8 + len(b)) + b for b in boxes)


def caf(fourcc: bytes, flags: int = 0) -> bytes:
    desc = struct.pack(">d", 48000.0) + fourcc + struct.pack(">IIIII", flags, 4, 1, 2, 16)
    return b"caff\x00\x01\x00\x00" + b"desc" + struct.pack(">q", len(desc)) + desc


FLAC = b"fLaC" + b"\x00\x00\x00\x22" + b"\0" * 34
MP3_L3 = mpeg_frames(b"\xff\xfb\x90\x00", 417)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
MP2_L2 = mpeg_frames(b"\xff\xfd\x90\x00", 522)  # MPEG-1 layer II, 160 kbit/s, 44.1 kHz
MP3_LSF = mpeg_frames(b"\xff\xf3\x80\x00", 208)  # MPEG-2 layer III, 64 kbit/s, 22.05 kHz


def sniffed(data: bytes) -> Container:
    return sniff(data[:HEAD_BYTES], len(data))


# --- hand-built headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "container", "codec", "lossy"),
    [
        (wav(1), "wav", "pcm", False),
        (wav(3), "wav", "float", False),
        (wav(0xFFFE, sub=1), "wav", "pcm", False),
        (wav(0xFFFE, sub=3), "wav", "float", False),
        (wav(0x55), "wav", "mp3", True),
        (wav(0x02), "wav", "adpcm_ms", True),
        (wav(0x11), "wav", "adpcm_ima", True),
        (wav(0x06), "wav", "alaw", True),
        (wav(0x07), "wav", "ulaw", True),
        (wav(0xFFFE, sub=0x55), "wav", "mp3", True),
        (wav(0x1234), "wav", "unknown", False),
        (rf64(400), "rf64", "pcm", False),
        (aiff(), "aiff", "pcm", False),
        (aiff(b"NONE"), "aifc", "pcm", False),
        (aiff(b"sowt"), "aifc", "pcm", False),
        (aiff(b"fl32"), "aifc", "float", False),
        (aiff(b"ima4"), "aifc", "ima4", True),
        (aiff(b"ulaw"), "aifc", "ulaw", True),
        (FLAC, "flac", "flac", False),
        (id3() + FLAC, "flac", "flac", False),
        (ogg_page(b"\x01vorbis" + b"\0" * 23), "ogg", "vorbis", True),
        (ogg_page(b"OpusHead\x01\x02" + b"\0" * 9), "ogg", "opus", True),
        (ogg_page(b"\x7fFLAC\x01\x00" + b"\0" * 40), "ogg", "flac", False),
        (ogg_page(b"\x80theora" + b"\0" * 20), "ogg", "unknown", False),
        (MP3_L3, "mp3", "mp3", True),
        (MP2_L2, "mp3", "mp2", True),
        (MP3_LSF, "mp3", "mp3", True),
        (id3() + MP3_L3, "mp3", "mp3", True),
        (id3(), "mp3", "mp3", True),
        (adts_frames(), "aac", "aac", True),
        (id3() + adts_frames(), "aac", "aac", True),
        (mp4(b"moov....stsd....mp4a"), "mp4", "aac", True),
        (mp4(b"moov....stsd....alac", brand=b"M4A "), "mp4", "alac", False),
        (mp4(b"mdat" + b"\0" * 16, brand=b"M4A "), "mp4", "aac", True),
        (mp4(b"mdat" + b"\0" * 16), "mp4", "unknown", False),
        (ASF_GUID + b"\0" * 100, "wma", "wma", True),
        (caf(b"lpcm"), "caf", "pcm", False),
        (caf(b"lpcm", flags=1), "caf", "float", False),
        (caf(b"alac"), "caf", "alac", False),
        (caf(b"aac "), "caf", "aac", True),
    ],
)
def test_sniff_identifies_by_magic(data: bytes, container: str, codec: str, lossy: bool) -> None:
    c = sniffed(data)
    assert (c.container, c.codec, c.lossy) == (container, codec, lossy)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world\n" * 20,
        bytes(1000),
        b"\xff\xfb\xf0\x00" * 200,  # bitrate index 15 is invalid
        b"\xff\xfb\x90\x00" + b"\x12" * 1000,  # one sync word, no second frame
        b"\xff\xf9\x4c\x80",  # ADTS sync cut short
        b"RIFF\x10\x00\x00\x00WAVX",
    ],
)
def test_sniff_unknown(data: bytes) -> None:
    assert sniffed(data) == Container("unknown", "unknown", False)


def test_wav_layout_fields() -> None:
    c = sniffed(wav(1))
    assert c == Container("wav", "pcm", False, declared_data_bytes=400, data_offset=44,
                          block_align=4, format_tag=1)  # fmt: skip


def test_wav_extensible_keeps_raw_format_tag() -> None:
    c = sniffed(wav(0xFFFE, sub=3))
    assert (c.format_tag, c.codec, c.data_offset) == (0xFFFE, "float", 12 + 8 + 40 + 8)


def test_wav_walks_past_other_chunks_with_padding() -> None:
    pre = chunk(b"LIST", b"INFOodd") + chunk(b"bext", b"\1" * 20)  # 7-byte body gets a pad byte
    c = sniffed(wav(1, pre=pre))
    assert c.data_offset == 44 + 16 + 28
    assert c.declared_data_bytes == 400


def test_rf64_takes_data_size_from_ds64() -> None:
    c = sniffed(rf64(4000))
    assert (c.declared_data_bytes, c.data_offset, c.block_align) == (4000, 80, 4)
    assert header_consistent(c, len(rf64(4000))) is None


def test_aiff_ssnd_offset_and_block_align() -> None:
    c = sniffed(aiff(frames=100, ssnd_offset=6))
    assert c.declared_data_bytes == 400
    assert c.data_offset == 12 + 8 + 18 + 8 + 8 + 6
    assert c.block_align == 4


@pytest.mark.parametrize(
    ("fmt", "subtype", "dtype"),
    [("WAV", "PCM_16", "<i2"), ("RF64", "PCM_16", "<i2"), ("W64", "PCM_16", "<i2"),
     ("AIFF", "PCM_16", ">i2"), ("WAV", "PCM_32", "<i4")],
)  # fmt: skip
def test_data_offset_points_at_samples(tmp_path: Path, fmt: str, subtype: str, dtype: str) -> None:
    samples = np.arange(-500, 500, dtype=np.int32).reshape(-1, 2) * 3
    path = tmp_path / "x.bin"
    sf.write(path, samples.astype(f"i{np.dtype(dtype).itemsize}"), 8000, subtype, format=fmt)
    raw = path.read_bytes()
    c = sniff(raw[:HEAD_BYTES], len(raw))
    assert c.container == fmt.lower()
    assert c.data_offset is not None
    assert c.declared_data_bytes == samples.size * np.dtype(dtype).itemsize
    assert c.block_align == 2 * np.dtype(dtype).itemsize
    start = c.data_offset
    got = np.frombuffer(raw[start : start + c.declared_data_bytes], dtype=dtype)
    np.testing.assert_array_equal(got.reshape(-1, 2), samples)
    assert header_consistent(c, len(raw)) is None


# --- header_consistent ----------------------------------------------------------------


def test_header_consistent_exact_fit_and_slack() -> None:
    data = wav(1)
    c = sniffed(data)
    assert header_consistent(c, len(data)) is None
    assert header_consistent(c, len(data) + 1000) is None  # trailing chunks are fine


def test_header_consistent_reports_truncation() -> None:
    c = Container("wav", "pcm", False, declared_data_bytes=1_234_567, data_offset=44)
    assert header_consistent(c, 44 + 12_345) == (
        "header declares 1,234,567 bytes of audio but the file holds 12,345 "
        "(truncated or still being written)"
    )


@pytest.mark.parametrize("declared", [0, 0xFFFFFFFF])
def test_header_consistent_placeholders(declared: int) -> None:
    data = wav(1, declared=declared)
    reason = header_consistent(sniffed(data), len(data))
    assert reason == "header sizes are placeholders (file still being written?)"


def test_header_consistent_empty_data_chunk_is_fine() -> None:
    data = wav(1, data=b"")
    assert header_consistent(sniffed(data), len(data)) is None


@pytest.mark.parametrize("data", [FLAC, MP3_L3, b"junk", aiff(b"ima4")[:30]])
def test_header_consistent_none_without_declared_size(data: bytes) -> None:
    assert header_consistent(sniffed(data), len(data)) is None


def test_aiff_truncated_is_inconsistent() -> None:
    data = aiff(frames=1000)
    reason = header_consistent(sniffed(data), len(data) // 2)
    assert reason is not None
    assert reason.startswith("header declares 4,000 bytes of audio")


# --- robustness -----------------------------------------------------------------------

VALID = [
    wav(1),
    wav(0xFFFE, sub=1),
    rf64(40),
    aiff(),
    aiff(b"sowt"),
    FLAC,
    id3() + FLAC,
    ogg_page(b"OpusHead\x01\x02"),
    MP3_L3,
    adts_frames(),
    mp4(b"mp4a"),
    caf(b"lpcm"),
]
MAGICS = [
    b"RIFF\0\0\0\0WAVE",
    b"RF64\0\0\0\0WAVE",
    b"FORM\0\0\0\0AIFC",
    b"FORM\0\0\0\0AIFF",
    b"fLaC",
    b"OggS",
    b"caff\0\1\0\0desc",
    b"ID3\4\0\0",
    b"\xff\xfb",
    b"\xff\xf1",
    b"\0\0\0\x18ftyp",
    ASF_GUID,
    VALID[2][:40],
]


def _check_total(data: bytes, size: int) -> None:
    c = sniff(data, size)
    assert isinstance(c, Container)
    reason = header_consistent(c, size)
    assert reason is None or ("\n" not in reason and reason)


@pytest.mark.parametrize("data", VALID)
def test_every_truncation_of_valid_headers(data: bytes) -> None:
    for n in range(len(data) + 1):
        _check_total(data[:n], n)


@pytest.mark.parametrize("size", [0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0])
def test_huge_and_zero_chunk_sizes(size: int) -> None:
    for cid in (b"fmt ", b"LIST", b"data", b"ds64"):
        riff = b"RIFF" + struct.pack("<I", size) + b"WAVE" + cid + struct.pack("<I", size)
        _check_total(riff + b"\0" * 64, 100)
    form = b"FORM" + struct.pack(">I", size) + b"AIFCSSND" + struct.pack(">I", size) + b"\0" * 8
    _check_total(form, 100)
    w64 = bytes.fromhex("726966662e91cf11a5d628db04c10000") + b"\0" * 8
    w64 += b"wave" + bytes.fromhex("f3acd3118cd100c04f8edb8a")
    _check_total(w64 + b"fmt " + b"\0" * 12 + struct.pack("<Q", size) + b"\0" * 40, 100)


def test_head_longer_than_64k_and_many_tiny_chunks() -> None:
    many = b"WAVE" + b"JUNK\0\0\0\0" * 20000
    _check_total(b"RIFF\0\0\0\0" + many, 200000)
    _check_total(b"\xff" * (HEAD_BYTES * 2), HEAD_BYTES * 2)


@given(st.binary(max_size=4096), st.integers(min_value=0, max_value=2**40))
def test_sniff_never_raises_on_random_bytes(data: bytes, size: int) -> None:
    _check_total(data, size)


@given(st.sampled_from(MAGICS), st.binary(max_size=2048), st.integers(0, 2**40))
def test_sniff_never_raises_after_valid_magic(magic: bytes, tail: bytes, size: int) -> None:
    _check_total(magic + tail, size)


# --- real files from ffmpeg -------------------------------------------------------------


@pytest.mark.ffmpeg
@pytest.mark.parametrize(
    ("ext", "args", "expected"),
    [
        ("mp3", ["-c:a", "libmp3lame"], ("mp3", "mp3", True)),
        ("mp3", ["-c:a", "libmp3lame", "-id3v2_version", "0"], ("mp3", "mp3", True)),
        ("m4a", ["-c:a", "aac"], ("mp4", "aac", True)),
        ("m4a", ["-c:a", "alac"], ("mp4", "alac", False)),
        ("aac", ["-c:a", "aac"], ("aac", "aac", True)),
        ("ogg", ["-c:a", "libvorbis"], ("ogg", "vorbis", True)),
        ("opus", ["-c:a", "libopus"], ("ogg", "opus", True)),
        ("oga", ["-c:a", "flac"], ("ogg", "flac", False)),
        ("flac", ["-c:a", "flac"], ("flac", "flac", False)),
        ("wav", ["-c:a", "adpcm_ms"], ("wav", "adpcm_ms", True)),
        ("wav", ["-c:a", "adpcm_ima_wav"], ("wav", "adpcm_ima", True)),
        ("wav", ["-c:a", "libmp3lame"], ("wav", "mp3", True)),
        ("wav", ["-c:a", "pcm_f32le"], ("wav", "float", False)),
        ("wav", ["-rf64", "always", "-c:a", "pcm_s24le"], ("rf64", "pcm", False)),
        ("w64", ["-c:a", "pcm_s16le"], ("w64", "pcm", False)),
        ("aiff", ["-c:a", "pcm_s16be"], ("aiff", "pcm", False)),
        ("caf", ["-c:a", "pcm_s16le"], ("caf", "pcm", False)),
        ("wma", ["-c:a", "wmav2"], ("wma", "wma", True)),
    ],
)
def test_real_encoder_output_renamed_to_wav(
    tmp_path: Path, ffmpeg: str, ext: str, args: list[str], expected: tuple[str, str, bool]
) -> None:
    encoded = ffmpeg_encode(ffmpeg, tmp_path / f"source.{ext}", *args)
    renamed = encoded.rename(tmp_path / "renamed.wav")
    raw = renamed.read_bytes()
    c = sniff(raw[:HEAD_BYTES], len(raw))
    assert (c.container, c.codec, c.lossy) == expected
    assert header_consistent(c, len(raw)) is None
    if c.declared_data_bytes is not None:  # the same file cut in half must be flagged
        assert header_consistent(c, len(raw) // 2) is not None
