"""Encoder delay (priming) and padding: where a lossy stream's programme starts and ends.

An AAC encoder primes its first frame (1024 samples for FFmpeg's encoder, 2112
for Apple's) and pads the last one; Opus has a pre-skip. Containers record the
programme's real start and length in one of these places:

- the MP4 edit list (ISO/IEC 14496-12, 8.6.6): libavformat applies it, so the
  first packet's time is negative by the priming and the stream's duration is
  the programme's;
- the Opus ``OpusHead`` pre-skip (RFC 7845, 5.1), in the codec's extradata;
- Apple's ``iTunSMPB`` tag (iTunes gapless metadata), for an MP4 without an edit
  list: hexadecimal fields ``0 priming padding samples ...``, as written by
  iTunes and Apple's encoders (documented in Apple's "iTunes Gapless Playback"
  notes, read the same way by FFmpeg's ``mov`` demuxer and Rockbox).

Pure: bytes and strings in, frame counts out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SMPB_TAG", "Smpb", "opus_preskip", "parse_smpb", "priming"]

SMPB_TAG = "iTunSMPB"
"""The tag's name, as PyAV lists it in a container's or stream's metadata."""
_MAX_PRIMING = 16384  # larger is not an encoder delay (FFmpeg's mov demuxer uses the same bound)


@dataclass(frozen=True)
class Smpb:
    """An ``iTunSMPB`` tag: priming, padding and programme length, in frames."""

    priming: int
    padding: int
    samples: int


def parse_smpb(metadata: Mapping[str, str]) -> Smpb | None:
    """The ``iTunSMPB`` tag of a metadata mapping, or None when absent or malformed.

    Args:
        metadata: Tags by name (a PyAV container's or stream's ``metadata``).
    """
    value = next((v for k, v in metadata.items() if k.lower() == SMPB_TAG.lower()), None)
    fields = str(value or "").split()
    if len(fields) < 4:
        return None
    try:
        priming, padding, samples = (int(f, 16) for f in fields[1:4])
    except ValueError:
        return None
    if not (0 <= priming < _MAX_PRIMING and 0 <= padding < _MAX_PRIMING and samples > 0):
        return None
    return Smpb(priming, padding, samples)


def opus_preskip(extradata: bytes | None) -> int | None:
    """The pre-skip of an ``OpusHead`` (RFC 7845, 5.1), frames at 48 kHz; None if absent."""
    if extradata and len(extradata) >= 12 and extradata[:8] == b"OpusHead":
        return int.from_bytes(extradata[10:12], "little")
    return None


def priming(codec: str, extradata: bytes | None, first_pts: float) -> int:
    """Encoder delay in frames: Opus pre-skip, else the first packet's lead-in before time 0.

    Args:
        codec: Codec name (``opus``, ``aac``, ...).
        extradata: The codec's extradata (``OpusHead`` for Opus).
        first_pts: Time of the first packet, in frames (negative by the priming
            under an edit list).
    """
    skip = opus_preskip(extradata) if codec == "opus" else None
    return skip if skip is not None else max(0, round(-first_pts))
