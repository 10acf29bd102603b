"""One codec round trip, streamed: master blocks → encoder → packets → decoder → blocks.

Nothing is written to disk and nothing is held whole: each block of the master
is encoded as it is read (FFmpeg's encoders, through PyAV), each packet is
decoded as it comes out, and the decoded frames (1024 samples for AAC, 960 for
Opus) are copied into one buffer of 65,536 frames that is handed on when full.
The encoder's priming is dropped (by the decoder for Opus and MP3, here for
AAC: the samples before time 0 of the first packet), and the padding after the
master's last sample, so the decoded times are the master's.

`Transcoder` yields the decoded blocks; `qc.codec.meter.measure_blocks` meters
them; `round_trip` does both in this process (`qc.codec.stages` runs them in two).
PyAV is imported only here, when a preview runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np

from qc.audio import open_audio
from qc.audio.av_frames import Gather
from qc.audio.av_load import AV_HINT, load_av
from qc.codec.meter import measure_blocks, preview_of
from qc.codec.result import CodecPreview, failed
from qc.codec.spec import CodecSpec
from qc.errors import QCError

__all__ = ["BLOCK_FRAMES", "Transcoder", "encoder_for", "round_trip"]

BLOCK_FRAMES = 65536
"""Frames per decoded block handed to the meters."""
_LAYOUTS = {1: "mono", 2: "stereo"}


def encoder_for(av: ModuleType, spec: CodecSpec) -> tuple[str, str]:
    """The first encoder of the spec's list this PyAV build has, and a note about it.

    Raises:
        QCError: The build has none of them.
    """
    names = spec.encoding.encoders
    for name in names:
        try:
            av.codec.Codec(name, "w")
        except (av.error.FFmpegError, ValueError, KeyError):
            continue
        if name == "vorbis":
            return name, (
                "FFmpeg's native Vorbis encoder (experimental; this PyAV build has no "
                "libvorbis): it ignores the bit rate; peaks indicative only"
            )
        if name == "aac":
            coder = "fast" if spec.options.get("aac_coder") == "fast" else "twoloop"
            return name, (
                f"FFmpeg's native AAC encoder ({coder} coder) without PNS (Apple's own "
                "encoder is aac_at, on macOS)"
            )
        return name, ""
    raise QCError(f"this PyAV build has no {spec.codec} encoder ({', '.join(names)})")


def _open_encoder(av: ModuleType, name: str, spec: CodecSpec, rate: int, layout: str) -> Any:
    enc = av.CodecContext.create(name, "w")
    enc.sample_rate = rate
    enc.format = spec.encoding.sample_format
    enc.layout = layout
    enc.bit_rate = spec.kbps * 1000
    enc.time_base = Fraction(1, rate)
    if name == spec.encoding.encoders[-1] and spec.options:  # FFmpeg's own encoder
        enc.options = spec.options
    enc.open()
    return enc


def _open_decoder(av: ModuleType, spec: CodecSpec, enc: Any, rate: int, layout: str) -> Any:
    dec = av.CodecContext.create(spec.encoding.decoder, "r")
    dec.sample_rate = rate
    dec.layout = layout
    if enc.extradata:
        dec.extradata = enc.extradata
    dec.open()
    return dec


class Transcoder:
    """A master encoded with one codec and decoded again, block by block.

    Use as a context manager; `blocks` runs the whole round trip once.

    Args:
        av: The ``av`` module.
        path: The master.
        spec: Codec, bit rate and variant.
        encoder: FFmpeg encoder name (from `encoder_for`).

    Raises:
        QCError: The master cannot be read (`qc.errors.AudioReadError`) or has
            more than 2 channels.
        av.error.FFmpegError: The encoder or decoder refuses the settings.
    """

    def __init__(self, av: ModuleType, path: str, spec: CodecSpec, encoder: str) -> None:
        self._av = av
        self._source = open_audio(path)
        try:
            info = self._source.info
            layout = _LAYOUTS.get(info.channels)
            if layout is None:
                raise QCError(f"{info.channels} channels: the preview takes mono or stereo")
            rates = spec.encoding.rates
            self.rate = info.sample_rate if info.sample_rate in rates else rates[-1]
            self.channels = info.channels
            self._in_rate, self._layout = info.sample_rate, layout
            self._enc = _open_encoder(av, encoder, spec, self.rate, layout)
            self._dec = _open_decoder(av, spec, self._enc, self.rate, layout)
            self._resampler = av.AudioResampler(
                format=spec.encoding.sample_format,
                layout=layout,
                rate=self.rate,
                frame_size=self._enc.frame_size or None,
            )
        except BaseException:
            self._source.close()
            raise
        self._skips = spec.encoding.decoder_skips
        self._gather = Gather(info.channels, BLOCK_FRAMES, np.float32)
        self.coded_bytes = 0

    def blocks(self) -> Iterator[np.ndarray]:
        """Decoded blocks, float32 of shape ``(frames, channels)``, in the master's timeline."""
        fed = 0
        av = self._av
        for block in self._source.blocks(BLOCK_FRAMES):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block.T, dtype=np.float32), format="fltp", layout=self._layout
            )
            frame.sample_rate = self._in_rate
            frame.pts = fed
            frame.time_base = Fraction(1, self._in_rate)
            fed += len(block)
            for piece in self._resampler.resample(frame):
                yield from self._code(piece)
        self._gather.limit = round(fed * self.rate / self._in_rate)
        for piece in self._resampler.resample(None):
            yield from self._code(piece)
        yield from self._code(None)
        yield from self._gather.rest()

    def _code(self, frame: Any) -> Iterator[np.ndarray]:
        gather = self._gather
        for packet in self._enc.encode(frame):
            self.coded_bytes += packet.size
            if gather.lead is None:
                gather.lead = 0 if self._skips or packet.pts is None else max(0, -packet.pts)
            for decoded in self._dec.decode(packet):
                yield from gather.add(decoded)
        if frame is None:
            for decoded in self._dec.decode(None):
                yield from gather.add(decoded)

    def close(self) -> None:
        """Close the master; idempotent."""
        self._source.close()

    def __enter__(self) -> Transcoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def round_trip(path: str, spec: CodecSpec, over_dbtp: float) -> CodecPreview:
    """Encode a file with one codec in memory, decode it, and measure it, in this process.

    Args:
        path: The master.
        spec: Codec and bit rate.
        over_dbtp: Over threshold of the decoded true peak (the ceiling), dBTP.

    Returns:
        The measurements; ``error`` is set (never raised) when PyAV, the encoder
        or the file fails.
    """
    started = time.perf_counter()
    av = load_av()
    if av is None:
        return failed(spec, f"codec preview needs PyAV: {AV_HINT}", started)
    encoder = ""
    try:
        encoder, note = encoder_for(av, spec)
        with Transcoder(av, path, spec, encoder) as tr:
            meter = measure_blocks(tr.rate, tr.channels, tr.blocks(), over_dbtp)
            coded = tr.coded_bytes
    except QCError as err:
        return failed(spec, str(err), started, encoder)
    except (av.error.FFmpegError, ValueError, OSError, MemoryError) as err:
        return failed(spec, f"{encoder or spec.codec}: {err}", started, encoder)
    return preview_of(
        spec, encoder=encoder, note=note, rate=tr.rate, meter=meter, coded_bytes=coded,
        started=started,
    )  # fmt: skip
