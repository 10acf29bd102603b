"""What an opened audio file is: container, codec, rate, length, encoder delay.

Made once per file by the reader that opens it (:mod:`qc.audio.reader` for
libsndfile, :mod:`qc.audio.av_reader` for PyAV); the rules read it as
``ctx.info``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StreamInfo"]


@dataclass(frozen=True)
class StreamInfo:
    """Format of an opened audio file.

    Attributes:
        path: The path exactly as given (``str(path)``).
        container: Container from sniffing (or libsndfile's format name if unknown).
        codec: Codec name, e.g. ``pcm``, ``float``, ``mp3``, ``vorbis``, ``adpcm_ms``.
        lossy: True if the codec is lossy.
        subtype: libsndfile subtype, e.g. ``PCM_24``, ``FLOAT``, ``MPEG_LAYER_III``.
        bit_depth: Bits per sample for PCM/float/A-law/µ-law subtypes, else None.
        sample_rate: Sample rate in Hz.
        channels: Number of channels.
        frames: Length in frames as the decoder reports it.
        duration_s: Length in seconds (``frames / sample_rate``).
        transcode_hint: For an MP3 whose LAME tag records a low-pass far below
            what LAME uses at its bit rate: one line saying it was probably
            transcoded from a lower bit rate; else None.
        bit_rate: Coded bit rate in bit/s when the container states it (PyAV), else None.
        priming_frames: Encoder delay dropped before the first sample, frames.
        padding_frames: Encoder padding dropped after the declared length, frames.
    """

    path: str
    container: str
    codec: str
    lossy: bool
    subtype: str
    bit_depth: int | None
    sample_rate: int
    channels: int
    frames: int
    duration_s: float
    transcode_hint: str | None = None
    bit_rate: int | None = None
    priming_frames: int = 0
    padding_frames: int = 0
