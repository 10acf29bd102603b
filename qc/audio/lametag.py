"""Read an MP3's Xing/Info (or VBRI) header and LAME extension tag from its first bytes.

Pure functions on ``bytes``: no I/O, never raise. `read_lame_tag` skips any ID3v2
tags, finds the first MPEG audio layer III frame and reads the VBR header that
encoders put in place of audio in that frame:

- ``Xing`` (VBR) or ``Info`` (CBR), written by LAME and by ffmpeg's mp3 muxer, at the
  end of the frame's side information, followed by the LAME extension tag
  (layout: http://gabriel.mp3-tech.org/mp3infotag.html, LAME's ``VbrTag.c``);
- ``VBRI``, written by Fraunhofer encoders 32 bytes after the frame header.

LAME extension tag, by offset from its first byte (multi-byte fields big-endian)::

    0   9  encoder version string, e.g. "LAME3.100" ("Lavc59.37" from ffmpeg)
    9   1  tag revision (high nibble) | VBR method (low nibble)
    10  1  lowpass frequency / 100 Hz (0: unknown)
    11  8  peak amplitude (float), radio and audiophile replay gain (skipped)
    19  1  encoding flags (high nibble) | ATH type (low nibble)
    20  1  ABR target kbps (ABR), CBR kbps (CBR) or minimum kbps (VBR); 255 means >= 255
    21  3  encoder delay (12 bits) | end padding (12 bits), in samples
    24  1  misc: noise shaping, stereo mode, unwise settings, source sample rate
    25  1  MP3Gain change
    26  2  surround info (bits 11-13) | preset (11 bits)
    28  4  music length in bytes
    32  2  music CRC-16
    34  2  CRC-16 of the frame up to here

What the tag says about a transcode is judged in :mod:`qc.audio.lamehint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qc.audio.mpegframe import Frame, crc16, frame_at, skip_id3v2, u32

__all__ = ["CBR_METHODS", "LameTag", "read_lame_tag"]


_VBR_METHODS = {
    1: "cbr",
    2: "abr",
    3: "vbr-old",
    4: "vbr-mtrh",
    5: "vbr-mt",
    6: "vbr-4",
    8: "cbr-2pass",
    9: "abr-2pass",
}
CBR_METHODS = frozenset({"cbr", "cbr-2pass"})
_ABR_METHODS = frozenset({"abr", "abr-2pass"})

_XING_FRAMES, _XING_BYTES, _XING_TOC, _XING_SCALE = 1, 2, 4, 8
_LAME_TAG_LEN = 36
_LAME_VERSION = re.compile(r"LAME(\d+)\.(\d+)")


@dataclass(frozen=True)
class LameTag:
    """What an MP3's first frame says about how the file was encoded.

    Attributes:
        encoder: Encoder string of the LAME extension tag with padding stripped, e.g.
            ``LAME3.100`` (ffmpeg writes e.g. ``Lavc59.37``); ``""`` without one.
        vbr_method: ``cbr``, ``abr``, ``vbr-old``, ``vbr-mtrh``, ``vbr-mt``, ``vbr-4``,
            ``cbr-2pass``, ``abr-2pass``, or ``unknown`` (no tag, ffmpeg's tag, VBRI).
        lowpass_hz: The encoder's lowpass in Hz (stored to 100 Hz), or None when
            the tag records none.
        bitrate_kbps: CBR: the frame header's bit rate. ABR: the tag's target
            (255 means 255 or more). Otherwise the average over the stream from
            the header's frame and byte counts, or failing those the frame
            header's bit rate.
        encoder_delay: Encoder delay in samples as stored in the tag (LAME 3.100
            stores 576; a decoder's own 529 samples come on top), or None.
        padding: Samples of padding at the end as stored in the tag, or None.
        frames: Audio frame count from the Xing/Info or VBRI header, or None.
        preset: LAME preset code (e.g. 500 for V0; LAME 3.100 stores the bit rate
            for CBR and ABR), or None when 0 or absent.
        sample_rate: Sample rate from the frame header, in Hz.
        header: ``Xing``, ``Info`` or ``VBRI``.
        channels: 1 for a mono frame header, else 2.
        crc_ok: Whether the LAME tag's own CRC-16 matches the frame, or None
            without a LAME tag.
    """

    encoder: str
    vbr_method: str
    lowpass_hz: int | None
    bitrate_kbps: int | None
    encoder_delay: int | None
    padding: int | None
    frames: int | None
    preset: int | None
    sample_rate: int
    header: str
    channels: int = 2
    crc_ok: bool | None = None


def _first_frame(head: bytes, start: int) -> tuple[Frame, str] | None:
    """The first frame from ``start`` that carries a VBR header, with the header's name.

    A candidate frame without one counts as the first audio frame (and ends the
    search with None) only when another frame header follows it directly, so a
    stray sync pattern in junk before the audio is skipped.
    """
    pos = head.find(b"\xff", start)
    while 0 <= pos < len(head) - 3:
        frame = frame_at(head, pos)
        if frame is not None:
            xing = pos + 4 + frame.side_info
            magic = head[xing : xing + 4]
            if magic in (b"Xing", b"Info"):
                return frame, magic.decode("ascii")
            if head[pos + 36 : pos + 40] == b"VBRI":
                return frame, "VBRI"
            after = frame_at(head, pos + frame.length)
            if after is not None and (after.version, after.sample_rate) == (
                frame.version,
                frame.sample_rate,
            ):
                return None
        pos = head.find(b"\xff", pos + 1)
    return None


def _average_kbps(frame: Frame, frames: int | None, nbytes: int | None) -> int | None:
    """Mean bit rate of the audio frames, from a VBR header's counts (which include its frame)."""
    if not frames or not nbytes or nbytes <= frame.length:
        return None
    seconds = frames * frame.samples / frame.sample_rate
    return round((nbytes - frame.length) * 8 / seconds / 1000)


def _vbri(head: bytes, frame: Frame) -> LameTag:
    at = frame.pos + 36
    body = head[at : at + 18]
    nbytes = u32(body, 10) if len(body) >= 14 else None
    frames = u32(body, 14) if len(body) >= 18 else None
    return LameTag(
        encoder="",
        vbr_method="unknown",
        lowpass_hz=None,
        bitrate_kbps=_average_kbps(frame, frames, nbytes) or frame.kbps,
        encoder_delay=None,
        padding=None,
        frames=frames,
        preset=None,
        sample_rate=frame.sample_rate,
        header="VBRI",
        channels=frame.channels,
    )


def _encoder(raw: bytes) -> str:
    """The tag's encoder string, or "" if it is not printable ASCII."""
    text = raw.rstrip(b"\x00 ")
    if not text or any(b < 0x20 or b > 0x7E for b in text):
        return ""
    return text.decode("ascii")


def _lame_fields_present(encoder: str) -> bool:
    """Whether the tag has the rev-1 fields: not LAME before 3.90 (a bare version string)."""
    match = _LAME_VERSION.match(encoder)
    if match is None:
        return not encoder.startswith("LAME")
    return (int(match[1]), int(match[2])) >= (3, 90)


def _xing(head: bytes, frame: Frame, name: str) -> LameTag:
    at = frame.pos + 4 + frame.side_info + 4
    flags = u32(head, at) if len(head) >= at + 4 else 0
    at += 4
    frames = nbytes = None
    if flags & _XING_FRAMES:
        frames = u32(head, at) if len(head) >= at + 4 else None
        at += 4
    if flags & _XING_BYTES:
        nbytes = u32(head, at) if len(head) >= at + 4 else None
        at += 4
    at += (100 if flags & _XING_TOC else 0) + (4 if flags & _XING_SCALE else 0)

    header_kbps = frame.kbps if name == "Info" else None
    fallback_kbps = header_kbps or _average_kbps(frame, frames, nbytes) or frame.kbps
    tag = head[at : at + _LAME_TAG_LEN]
    encoder = _encoder(tag[:9]) if len(tag) == _LAME_TAG_LEN else ""
    if not encoder or not _lame_fields_present(encoder):
        return LameTag(
            encoder=encoder,
            vbr_method="unknown",
            lowpass_hz=None,
            bitrate_kbps=fallback_kbps,
            encoder_delay=None,
            padding=None,
            frames=frames,
            preset=None,
            sample_rate=frame.sample_rate,
            header=name,
            channels=frame.channels,
        )

    method = _VBR_METHODS.get(tag[9] & 0x0F, "unknown")
    if method in CBR_METHODS:
        kbps: int | None = frame.kbps
    elif method in _ABR_METHODS and tag[20]:
        kbps = tag[20]
    else:
        kbps = fallback_kbps
    delay_padding = int.from_bytes(tag[21:24], "big")
    preset = int.from_bytes(tag[26:28], "big") & 0x7FF
    return LameTag(
        encoder=encoder,
        vbr_method=method,
        lowpass_hz=tag[10] * 100 or None,
        bitrate_kbps=kbps,
        encoder_delay=delay_padding >> 12,
        padding=delay_padding & 0xFFF,
        frames=frames,
        preset=preset or None,
        sample_rate=frame.sample_rate,
        header=name,
        channels=frame.channels,
        crc_ok=_tag_crc_ok(head, frame.pos, at, encoder),
    )


def _tag_crc_ok(head: bytes, pos: int, tag_at: int, encoder: str) -> bool:
    """Check the LAME tag's CRC-16 of the frame from its header up to the CRC field.

    ffmpeg (``Lavc``/``Lavf``) always sums the frame's first 190 bytes with the
    CRC field zeroed, which is the same range only for MPEG-1 stereo; that sum
    is accepted from it too.
    """
    crc_at = tag_at + _LAME_TAG_LEN - 2
    stored = int.from_bytes(head[crc_at : crc_at + 2], "big")
    if crc16(head[pos:crc_at]) == stored:
        return True
    if not encoder.startswith("Lav") or len(head) < pos + 190:
        return False
    frame = bytearray(head[pos : pos + 190])
    if crc_at + 2 - pos <= len(frame):
        frame[crc_at - pos : crc_at + 2 - pos] = b"\0\0"
    return crc16(bytes(frame)) == stored


def read_lame_tag(head: bytes) -> LameTag | None:
    """Read the Xing/Info or VBRI header, and any LAME tag, of an MP3's first frame.

    Args:
        head: The first bytes of the file (64 KiB is plenty), ID3v2 tags included.

    Returns:
        The header's contents, or None when the bytes hold no MP3 frame with an
        Info/Xing/VBRI header (including when the first audio frame has none).
        Never raises: truncated or malformed input yields None or a `LameTag`
        with the fields that could not be read set to None.
    """
    found = _first_frame(head, skip_id3v2(head))
    if found is None:
        return None
    frame, name = found
    return _vbri(head, frame) if name == "VBRI" else _xing(head, frame, name)
