"""MPEG audio layer III frame headers, read from bytes: where the first frame is, and its facts.

Pure functions on ``bytes`` (ISO/IEC 11172-3 and 13818-3 frame headers), used
by :mod:`qc.audio.lametag` to find the frame that carries a VBR header. Never
raise: a header that is not layer III, or is reserved or free format, is None.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Frame", "crc16", "frame_at", "skip_id3v2", "u32"]

# kbit/s by bitrate index, layer III: MPEG-1, then MPEG-2 and 2.5 (index 0 is free format).
_KBPS_MPEG1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_KBPS_MPEG2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
# Sample rates by the header's 2-bit version field (0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1).
_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}
_MAX_ID3_TAGS = 16


@dataclass(frozen=True)
class Frame:
    """One layer III frame header: where it is, and what it declares."""

    pos: int
    version: int  # header bits: 0 MPEG-2.5, 2 MPEG-2, 3 MPEG-1
    kbps: int
    sample_rate: int
    channels: int
    length: int

    @property
    def side_info(self) -> int:
        """Bytes of side information after the header (where a Xing header starts)."""
        if self.version == 3:
            return 17 if self.channels == 1 else 32
        return 9 if self.channels == 1 else 17

    @property
    def samples(self) -> int:
        """Samples per channel in the frame."""
        return 1152 if self.version == 3 else 576


def u32(b: bytes, off: int) -> int:
    """The big-endian unsigned 32-bit integer at ``off``."""
    return int.from_bytes(b[off : off + 4], "big")


def crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005 reflected, initial 0), as LAME's tag CRC."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def skip_id3v2(head: bytes) -> int:
    """Offset just past any ID3v2 tags at the start (may lie beyond ``head``)."""
    pos = 0
    for _ in range(_MAX_ID3_TAGS):
        hdr = head[pos : pos + 10]
        if len(hdr) < 10 or hdr[:3] != b"ID3":
            break
        if hdr[3] == 0xFF or hdr[4] == 0xFF or any(b & 0x80 for b in hdr[6:10]):
            break  # not a valid ID3v2 header: leave it to the frame scan
        size = (hdr[6] << 21) | (hdr[7] << 14) | (hdr[8] << 7) | hdr[9]
        footer = 10 if hdr[3] >= 4 and hdr[5] & 0x10 else 0
        pos += 10 + size + footer
    return pos


def frame_at(head: bytes, pos: int) -> Frame | None:
    """The layer III frame header at ``pos``, or None if there is none."""
    if pos < 0 or pos + 4 > len(head) or head[pos] != 0xFF:
        return None
    b1, b2, b3 = head[pos + 1], head[pos + 2], head[pos + 3]
    version = (b1 >> 3) & 3
    if b1 & 0xE0 != 0xE0 or version == 1 or (b1 >> 1) & 3 != 1:
        return None  # no sync, reserved version, or not layer III
    br_index, sr_index = b2 >> 4, (b2 >> 2) & 3
    if br_index in (0, 15) or sr_index == 3 or b3 & 3 == 2:
        return None  # free format, bad bitrate, reserved rate, reserved emphasis
    kbps = (_KBPS_MPEG1 if version == 3 else _KBPS_MPEG2)[br_index]
    rate = _RATES[version][sr_index]
    coef = 144000 if version == 3 else 72000
    length = coef * kbps // rate + ((b2 >> 1) & 1)
    channels = 1 if b3 >> 6 == 3 else 2
    return Frame(pos, version, kbps, rate, channels, length)
