"""One codec round trip, streamed: master blocks → encoder → packets → decoder → meters.

Nothing is written to disk and nothing is held whole: each block of the master
is encoded as it is read (FFmpeg's encoders, through PyAV), each packet is
decoded as it comes out, and the decoded audio is measured block by block by
:class:`~qc.codec.meter.DecodedMeter`. The encoder's priming is dropped (by
the decoder for Opus and MP3, here for AAC: the samples before time 0 of the
first packet), and the padding after the master's last sample, so the decoded
times are the master's.

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
from qc.audio.av_reader import AV_HINT, frame_block, load_av, rebuffer
from qc.audio.reader import Block
from qc.codec.meter import DecodedMeter
from qc.codec.result import CodecPreview
from qc.codec.spec import CodecSpec
from qc.errors import QCError

__all__ = ["round_trip"]

_LAYOUTS = {1: "mono", 2: "stereo"}
_BLOCK_FRAMES = 65536


def _failed(spec: CodecSpec, reason: str, started: float, encoder: str = "") -> CodecPreview:
    nan = float("nan")
    return CodecPreview(
        spec.text, spec.codec, encoder, spec.kbps, nan, 0, nan, None, None, nan, 0, None,
        nan, 0, (), time.perf_counter() - started, error=reason,
    )  # fmt: skip


def _encoder(av: ModuleType, spec: CodecSpec) -> tuple[str, str]:
    """The first encoder of the spec's list this PyAV build has, and a note about it."""
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
            return name, (
                "FFmpeg's native AAC encoder without PNS (Apple's own encoder is aac_at, on macOS)"
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
    if name == "vorbis":  # ignores the bit rate; its default quality is used
        enc.options = {"strict": "experimental"}
    if name == "aac":  # PNS decodes to the decoder's own random noise: peaks differ by decoder
        enc.options = {"aac_pns": "0"}
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


class _Pipeline:
    """Master blocks in, decoded blocks out, priming and padding dropped."""

    def __init__(self, av: ModuleType, enc: Any, dec: Any, resampler: Any, skips: bool) -> None:
        self._av, self._enc, self._dec, self._resampler = av, enc, dec, resampler
        self._skips = skips
        self.coded_bytes = 0
        self._lead: int | None = None  # samples still to drop at the start
        self._limit: int | None = None  # decoded samples to keep in all
        self._out = 0

    def run(self, blocks: Iterator[Block], in_rate: int, layout: str) -> Iterator[Block]:
        """Decoded blocks of every master block, in order; ends with the flush."""
        fed = 0
        out_rate = self._enc.sample_rate
        for block in blocks:
            frame = self._av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block.T, dtype=np.float32), format="fltp", layout=layout
            )
            frame.sample_rate = in_rate
            frame.pts = fed
            frame.time_base = Fraction(1, in_rate)
            fed += len(block)
            for piece in self._resampler.resample(frame):
                yield from self._code(piece)
        self._limit = round(fed * out_rate / in_rate)
        for piece in self._resampler.resample(None):
            yield from self._code(piece)
        yield from self._code(None)

    def _code(self, frame: Any) -> Iterator[Block]:
        for packet in self._enc.encode(frame):
            self.coded_bytes += packet.size
            if self._lead is None:
                self._lead = 0 if self._skips or packet.pts is None else max(0, -packet.pts)
            yield from self._trim(self._dec.decode(packet))
        if frame is None:
            yield from self._trim(self._dec.decode(None))

    def _trim(self, frames: list[Any]) -> Iterator[Block]:
        for frame in frames:
            block = frame_block(frame)
            if self._lead:
                drop = min(self._lead, len(block))
                block, self._lead = block[drop:], self._lead - drop
            if self._limit is not None:
                block = block[: max(0, self._limit - self._out)]
            self._out += len(block)
            if len(block):
                yield block


def round_trip(path: str, spec: CodecSpec, over_dbtp: float) -> CodecPreview:
    """Encode a file with one codec in memory, decode it, and measure the decoded audio.

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
        return _failed(spec, f"codec preview needs PyAV: {AV_HINT}", started)
    encoder = ""
    try:
        encoder, note = _encoder(av, spec)
        with open_audio(path) as source:
            info = source.info
            layout = _LAYOUTS.get(info.channels)
            if layout is None:
                raise QCError(f"{info.channels} channels: the preview takes mono or stereo")
            rates = spec.encoding.rates
            out_rate = info.sample_rate if info.sample_rate in rates else rates[-1]
            enc = _open_encoder(av, encoder, spec, out_rate, layout)
            dec = _open_decoder(av, spec, enc, out_rate, layout)
            resampler = av.AudioResampler(
                format=spec.encoding.sample_format,
                layout=layout,
                rate=out_rate,
                frame_size=enc.frame_size or None,
            )
            pipe = _Pipeline(av, enc, dec, resampler, spec.encoding.decoder_skips)
            meter = DecodedMeter(out_rate, info.channels, over_dbtp)
            decoded = pipe.run(source.blocks(_BLOCK_FRAMES), info.sample_rate, layout)
            for block in rebuffer(decoded, _BLOCK_FRAMES):
                meter.feed(block)
    except QCError as err:
        return _failed(spec, str(err), started, encoder)
    except (av.error.FFmpegError, ValueError, OSError, MemoryError) as err:
        return _failed(spec, f"{encoder or spec.codec}: {err}", started, encoder)
    lv = meter.result()
    seconds = lv.frames / out_rate if lv.frames else 0.0
    return CodecPreview(
        spec=spec.text,
        codec=spec.codec,
        encoder=encoder,
        kbps=spec.kbps,
        coded_kbps=pipe.coded_bytes * 8 / seconds / 1000 if seconds else 0.0,
        sample_rate=out_rate,
        true_peak_dbtp=lv.true_peak_dbtp,
        true_peak_time_s=lv.true_peak_time_s,
        channel=lv.channel,
        sample_peak_dbfs=lv.sample_peak_dbfs,
        clipped_samples=lv.clipped_samples,
        integrated_lufs=lv.integrated_lufs,
        over_threshold_dbtp=lv.over_threshold_dbtp,
        overs=lv.overs,
        worst_times_s=lv.worst_times_s,
        seconds=time.perf_counter() - started,
        note=note,
    )
