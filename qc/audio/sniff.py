"""Identify an audio container and codec from a file's first bytes.

Pure functions on ``bytes``: no I/O, never raise. Identification is by magic
bytes only, never by file extension, so an MP3 renamed to ``.wav`` is still an
MP3. Malformed or truncated input yields a `Container` holding whatever could
be determined; every loop is bounded and chunk sizes that overrun are tolerated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["HEAD_BYTES", "Container", "header_consistent", "sniff"]

HEAD_BYTES = 65536
"""How many leading bytes of a file `sniff` expects (64 KiB)."""

_MAX_CHUNKS = 1024
_PLACEHOLDER_32 = 0xFFFFFFFF
_EXTENSIBLE = 0xFFFE
_ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_W64_RIFF = bytes.fromhex("726966662e91cf11a5d628db04c10000")
_W64_SUFFIX = bytes.fromhex("f3acd3118cd100c04f8edb8a")  # GUID tail after "wave"/"fmt "/"data"

_LOSSY_CODECS = frozenset({"mp2", "mp3", "adpcm_ms", "adpcm_ima", "alaw", "ulaw", "aac"})
_LOSSY_CODECS |= {"opus", "vorbis", "wma"}
_WAV_CODECS = {1: "pcm", 3: "float", 2: "adpcm_ms", 0x11: "adpcm_ima", 6: "alaw", 7: "ulaw"}
_WAV_CODECS |= {0x50: "mp2", 0x55: "mp3"}
_AIFC_LOSSLESS = dict.fromkeys((b"NONE", b"sowt", b"twos", b"in24", b"in32", b"raw "), "pcm")
_AIFC_LOSSLESS |= dict.fromkeys((b"fl32", b"FL32", b"fl64", b"FL64"), "float")
_CAF_CODECS = {b"lpcm": "pcm", b"alac": "alac", b"flac": "flac", b"aac ": "aac", b".mp3": "mp3"}
_CAF_CODECS |= {b"opus": "opus", b"ulaw": "ulaw", b"alaw": "alaw", b"ima4": "adpcm_ima"}
# kbit/s by bitrate index: (MPEG-1 layer III, MPEG-1 layer II, MPEG-2/2.5 layers II and III)
_MPEG_KBPS = (
    (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
)
_MPEG1_RATES = (44100, 48000, 32000)
_MKV_CODECS: tuple[tuple[bytes, str], ...] = ((b"A_OPUS", "opus"), (b"A_VORBIS", "vorbis"))
_MKV_CODECS += ((b"A_AAC", "aac"), (b"A_FLAC", "flac"), (b"A_MPEG/L3", "mp3"), (b"A_PCM", "pcm"))


@dataclass(frozen=True)
class Container:
    """What the first bytes of a file say about its format.

    Attributes:
        container: Container name: ``wav``, ``rf64``, ``w64``, ``aiff``, ``aifc``,
            ``flac``, ``ogg``, ``mp3``, ``aac``, ``mp4``, ``webm`` (Matroska too), ``wma``,
            ``caf`` or ``unknown``.
        codec: Codec name, e.g. ``pcm``, ``float``, ``mp3``, ``adpcm_ms``, ``vorbis``,
            ``opus``, ``aac``, ``alac``, or ``unknown``.
        lossy: True if the codec is lossy (mp3, aac, vorbis, opus, ADPCM, A-/µ-law, ...).
        declared_data_bytes: Size of the sample data the header declares, in bytes
            (wav, rf64, w64, aiff, aifc), or None.
        data_offset: Byte offset where sample data starts, or None.
        block_align: Bytes per frame (all channels), or None.
        format_tag: The WAV ``fmt `` format tag as written (0xFFFE for extensible), or None.
    """

    container: str
    codec: str
    lossy: bool
    declared_data_bytes: int | None = None
    data_offset: int | None = None
    block_align: int | None = None
    format_tag: int | None = None


def _u(b: bytes, off: int, n: int, order: Literal["little", "big"] = "little") -> int | None:
    """Unsigned integer of ``n`` bytes at ``off``, or None if it runs past the end."""
    if off < 0 or off + n > len(b):
        return None
    return int.from_bytes(b[off : off + n], order)


def _name(raw: bytes) -> str:
    """A four-character code as a safe lower-case codec name."""
    text = "".join(ch for ch in raw.decode("latin-1").strip().lower() if ch.isascii())
    return "".join(ch for ch in text if ch.isalnum() or ch in "._-") or "unknown"


def _chunks(head: bytes, pos: int, order: Literal["little", "big"]) -> list[tuple[bytes, int, int]]:
    """Walk IFF-style chunks (4-byte id, 4-byte size, even padding) in ``head``.

    Returns:
        ``(chunk_id, body_offset, size_bytes)`` for each chunk header that lies in ``head``.
    """
    found: list[tuple[bytes, int, int]] = []
    for _ in range(_MAX_CHUNKS):
        size = _u(head, pos + 4, 4, order)
        if size is None:
            break
        found.append((head[pos : pos + 4], pos + 8, size))
        pos += 8 + size + (size & 1)
    return found


def _wave_fields(head: bytes) -> tuple[int | None, int | None, int | None]:
    """Format tag, channels and sample rate (Hz) from a RIFF/RF64 ``fmt `` chunk."""
    if head[:4] not in (b"RIFF", b"RF64", b"BW64") or head[8:12] != b"WAVE":
        return None, None, None
    for cid, body, _size in _chunks(head, 12, "little"):
        if cid == b"fmt ":
            return _u(head, body, 2), _u(head, body + 2, 2), _u(head, body + 4, 4)
    return None, None, None


def _wave_codec(head: bytes, body: int) -> tuple[int | None, str, bool]:
    """Raw format tag, codec name and lossiness from a ``fmt `` chunk body at ``body``."""
    tag = _u(head, body, 2)
    effective = _u(head, body + 24, 2) if tag == _EXTENSIBLE else tag
    codec = _WAV_CODECS.get(effective if effective is not None else -1, "unknown")
    return tag, codec, codec in _LOSSY_CODECS


def _riff(head: bytes, container: str) -> Container:
    tag: int | None = None
    codec, lossy = "unknown", False
    align = declared = offset = ds64_data = None
    for cid, body, size in _chunks(head, 12, "little"):
        if cid == b"ds64":
            ds64_data = _u(head, body + 8, 8)
        elif cid == b"fmt " and tag is None:
            tag, codec, lossy = _wave_codec(head, body)
            align = _u(head, body + 12, 2) or None
        elif cid == b"data" and offset is None:
            declared, offset = size, body
            if container == "rf64" and size == _PLACEHOLDER_32 and ds64_data is not None:
                declared = ds64_data
    return Container(container, codec, lossy, declared, offset, align, tag)


def _w64(head: bytes) -> Container:
    tag: int | None = None
    codec, lossy = "unknown", False
    align = declared = offset = None
    pos = 40
    for _ in range(_MAX_CHUNKS):
        size = _u(head, pos + 16, 8)
        if size is None or size < 24:
            break
        guid, body = head[pos : pos + 16], pos + 24
        if guid == b"fmt " + _W64_SUFFIX and tag is None:
            tag, codec, lossy = _wave_codec(head, body)
            align = _u(head, body + 12, 2) or None
        elif guid == b"data" + _W64_SUFFIX and offset is None:
            declared, offset = size - 24, body
        pos += (size + 7) & ~7
    return Container("w64", codec, lossy, declared, offset, align, tag)


def _aiff(head: bytes, container: str) -> Container:
    codec, lossy = ("pcm", False) if container == "aiff" else ("unknown", False)
    align = declared = offset = None
    for cid, body, size in _chunks(head, 12, "big"):
        if cid == b"COMM":
            channels, bits = _u(head, body, 2, "big"), _u(head, body + 6, 2, "big")
            if container == "aifc" and len(head) >= body + 22:
                kind = head[body + 18 : body + 22]
                codec, lossy = (
                    (_AIFC_LOSSLESS[kind], False) if kind in _AIFC_LOSSLESS else (_name(kind), True)
                )
            if channels and bits and not lossy:
                align = channels * ((bits + 7) // 8)
        elif cid == b"SSND" and offset is None:
            skip = _u(head, body, 4, "big") or 0
            declared, offset = max(size - 8 - skip, 0), body + 8 + skip
    return Container(container, codec, lossy, declared, offset, align)


def _caf(head: bytes) -> Container:
    if head[8:12] != b"desc" or len(head) < 36:
        return Container("caf", "unknown", False)
    fourcc = head[28:32]
    codec = _CAF_CODECS.get(fourcc) or _name(fourcc)
    lossy = codec not in ("pcm", "alac", "flac")
    if fourcc == b"lpcm" and (_u(head, 32, 4, "big") or 0) & 1:
        codec = "float"
    return Container("caf", codec, lossy)


def _ogg(head: bytes) -> Container:
    nseg = _u(head, 26, 1)
    packet = head[27 + nseg :] if nseg is not None else b""
    if packet.startswith(b"\x01vorbis"):
        return Container("ogg", "vorbis", True)
    if packet.startswith(b"OpusHead"):
        return Container("ogg", "opus", True)
    if packet.startswith(b"\x7fFLAC"):
        return Container("ogg", "flac", False)
    return Container("ogg", "unknown", False)


def _mpeg_frame(head: bytes, pos: int) -> tuple[str, int] | None:
    """Codec and frame length (bytes, 0 if free format) of an MPEG layer II/III header."""
    h = head[pos : pos + 4]
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
        return None
    version, layer = (h[1] >> 3) & 3, (h[1] >> 1) & 3  # version 3 = MPEG-1; layer 1 = III
    bitrate_index, rate_index, pad = h[2] >> 4, (h[2] >> 2) & 3, (h[2] >> 1) & 1
    if version == 1 or layer not in (1, 2) or bitrate_index == 15 or rate_index == 3:
        return None
    rate = _MPEG1_RATES[rate_index] >> {3: 0, 2: 1, 0: 2}[version]
    table = (0 if layer == 1 else 1) if version == 3 else 2
    per_frame = 72000 if (version != 3 and layer == 1) else 144000
    kbps = _MPEG_KBPS[table][bitrate_index]
    length = per_frame * kbps // rate + pad if kbps else 0
    return ("mp3" if layer == 1 else "mp2"), length


def _adts_frame(head: bytes, pos: int) -> int | None:
    """Frame length (bytes) of an ADTS AAC header at ``pos``, or None."""
    h = head[pos : pos + 7]
    if len(h) < 7 or h[0] != 0xFF or h[1] & 0xF6 != 0xF0 or (h[2] >> 2) & 0xF > 12:
        return None
    length = ((h[3] & 3) << 11) | (h[4] << 3) | (h[5] >> 5)
    return length if length >= 7 else None


def _stream(head: bytes, pos: int) -> Container | None:
    """A raw ADTS or MPEG audio stream starting at ``pos``, confirmed by the next header."""
    adts = _adts_frame(head, pos)
    if adts is not None and (pos + adts + 7 > len(head) or _adts_frame(head, pos + adts)):
        return Container("aac", "aac", True)
    mpeg = _mpeg_frame(head, pos)
    if mpeg is not None:
        nxt = pos + mpeg[1]
        if mpeg[1] == 0 or nxt + 4 > len(head) or _mpeg_frame(head, nxt) is not None:
            return Container("mp3", mpeg[0], True)
    return None


def _after_id3(head: bytes) -> Container:
    pos = 0
    for _ in range(8):  # tags may repeat
        if head[pos : pos + 3] != b"ID3" or len(head) < pos + 10:
            break
        size = 0
        for byte in head[pos + 6 : pos + 10]:
            size = (size << 7) | (byte & 0x7F)
        pos += 10 + size + (10 if head[pos + 5] & 0x10 else 0)
    if head[pos : pos + 4] == b"fLaC":
        return Container("flac", "flac", False)
    return _stream(head, pos) or Container("mp3", "mp3", True)


def _mp4(head: bytes) -> Container:
    if b"alac" in head:
        return Container("mp4", "alac", False)
    if b"mp4a" in head or b"M4A " in head:
        return Container("mp4", "aac", True)
    return Container("mp4", "unknown", False)


def sniff(head: bytes, file_size: int) -> Container:
    """Identify the container and codec of a file from its first bytes.

    Args:
        head: The first bytes of the file, up to `HEAD_BYTES` (64 KiB).
        file_size: Size of the whole file in bytes (for callers' consistency checks;
            identification uses only ``head``).

    Returns:
        The `Container`; ``container="unknown"`` if no known magic matches. Never raises.
    """
    del file_size  # identification is by content; sizes are checked by header_consistent
    head = bytes(head[:HEAD_BYTES])
    magic = head[:4]
    if magic == b"RIFF" and head[8:12] == b"WAVE":
        return _riff(head, "wav")
    if magic in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return _riff(head, "rf64")
    if head[:16] == _W64_RIFF and head[24:40] == b"wave" + _W64_SUFFIX:
        return _w64(head)
    if magic == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return _aiff(head, head[8:12].decode("ascii").lower())
    if magic == b"fLaC":
        return Container("flac", "flac", False)
    if magic == b"OggS":
        return _ogg(head)
    if magic == b"caff":
        return _caf(head)
    if head[:16] == _ASF_GUID:
        return Container("wma", "wma", True)
    if head[4:8] == b"ftyp":
        return _mp4(head)
    if head[:3] == b"ID3":
        return _after_id3(head)
    if magic == b"\x1a\x45\xdf\xa3":  # EBML: Matroska / WebM, codec IDs as ASCII
        codec = next((n for t, n in _MKV_CODECS if t in head), "unknown")
        return Container("webm", codec, codec in _LOSSY_CODECS)
    return _stream(head, 0) or Container("unknown", "unknown", False)


def header_consistent(c: Container, file_size: int) -> str | None:
    """Check that the header's declared sample-data size fits in the file.

    Args:
        c: The result of `sniff` for the file.
        file_size: Size of the whole file in bytes.

    Returns:
        None if the declared size fits (or nothing is declared), else a short reason.
    """
    if c.declared_data_bytes is None or c.data_offset is None:
        return None
    placeholders = (0, _PLACEHOLDER_32) if c.container == "wav" else (0,)
    is_riff = c.container in ("wav", "rf64")
    if is_riff and c.declared_data_bytes in placeholders and file_size > c.data_offset:
        return "header sizes are placeholders (file still being written?)"
    if c.data_offset + c.declared_data_bytes <= file_size:
        return None
    held = max(file_size - c.data_offset, 0)
    return (
        f"header declares {c.declared_data_bytes:,} bytes of audio but the file holds "
        f"{held:,} (truncated or still being written)"
    )
