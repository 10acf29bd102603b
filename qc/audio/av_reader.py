"""Stream what libsndfile cannot read (AAC and ALAC in MP4/M4A, Opus in WebM/MP4) through PyAV.

PyAV (FFmpeg's libraries) is the optional extra ``codecs``; it is imported only
when a file needs it, so the plain ``mixdesk check`` of a WAV never loads it.
:class:`AvSource` keeps the contract of :class:`~qc.audio.reader.AudioSource`:
float64 blocks of shape ``(frames, channels)``, one-line
:class:`~qc.errors.AudioReadError` messages naming the file, memory flat in length.

Encoder delay and padding (gapless playback, see `qc.audio.gapless`): libavcodec
drops the priming an edit list, a WebM ``CodecDelay`` or an Opus pre-skip
declares as the packets are decoded; an MP4 that has only an ``iTunSMPB`` tag
has its priming dropped here, by the decoded frames' times. So the first sample
read is the first sample of the programme (times line up, priming is not counted
as silence), and the padding past the programme's length is dropped too. Both
counts are reported in :class:`~qc.audio.info.StreamInfo`.

Whether a file needs PyAV, and loading it: `qc.audio.av_load`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from qc.audio.av_frames import Gather, frame_block
from qc.audio.av_load import AV_HINT, load_av, needs_av, wants_av
from qc.audio.gapless import parse_smpb, priming
from qc.audio.header import error_reason, rate_problem, read_head
from qc.audio.info import StreamInfo
from qc.audio.limits import MAX_FLOAT_SAMPLE, MAX_MPEG_SAMPLE, level_problem
from qc.audio.reader import AudioSource, Block
from qc.audio.sniff import Container, sniff
from qc.errors import AudioReadError

# The loader's and the frames' names stay importable from here (qc.audio.reader uses them).
__all__ = ["AV_HINT", "AvSource", "frame_block", "load_av", "needs_av", "wants_av"]

_LOSSLESS = frozenset({"alac", "flac", "pcm"})
# A stream may end up to a few codec frames short of its declared length (the last
# frame's padding, a demuxer's rounding): more than this is a truncated file.
_SLACK_FRAMES = 8192
_CODEC_NAMES = {"mp3float": "mp3", "mp2float": "mp2", "libopus": "opus", "libvorbis": "vorbis"}


def _av_reason(err: BaseException) -> str:
    """FFmpeg's message without its errno and function name, lower-cased: one line."""
    text = getattr(err, "strerror", None) or error_reason(err)
    text = " ".join(str(text).split()).rstrip(".")
    return (text[:1].lower() + text[1:])[:200] if text else type(err).__name__


def _bit_depth(codec: str, extradata: bytes | None, sample_format: str) -> int | None:
    """Bits per sample of a lossless stream (the ALAC magic cookie's bitDepth), else None."""
    if codec == "alac" and extradata and len(extradata) >= 18 and extradata[4:8] == b"alac":
        return int(extradata[17]) or None  # ALACSpecificConfig: bitDepth after frameLength
    if codec in _LOSSLESS:
        return {"s16": 16, "s32": 32, "u8": 8}.get(sample_format.rstrip("p"))
    return None


class AvSource(AudioSource):
    """An audio file decoded by PyAV, read in blocks; same contract as `AudioSource`.

    Args:
        path: File to open. Messages use ``str(path)`` exactly as given.
        max_duration_s: Refuse a file whose container declares more seconds than
            this (None: no limit), s.

    Raises:
        AudioReadError: Missing or unreadable file, PyAV not installed (the
            message names the extra), no audio stream, a container PyAV cannot
            parse, an unsupported rate or channel count, or too long.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_duration_s: float | None = None
    ) -> None:
        self._path = str(path)
        fs_path = os.fspath(path)
        size, head = read_head(fs_path, self._path)
        found = sniff(head, size)
        what = f"{found.container} ({found.codec})"
        av = load_av()
        if av is None:
            raise AudioReadError(self._path, f"decoding {what} needs PyAV: {AV_HINT}")
        self._av = av
        try:
            self._c: Any = av.open(fs_path, metadata_errors="ignore")
        except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as e:
            raise AudioReadError(self._path, f"cannot decode {what}: {_av_reason(e)}") from e
        try:
            self._info = self._make_av_info(found)
            self._check_duration(max_duration_s)
        except BaseException:
            self._c.close()
            raise

    def _make_av_info(self, found: Container) -> StreamInfo:
        if not self._c.streams.audio:
            raise AudioReadError(self._path, f"{found.container} file has no audio stream")
        stream = self._c.streams.audio[0]
        self._stream = stream
        cc = stream.codec_context
        rate, channels = int(cc.sample_rate or 0), int(cc.channels or 0)
        if channels <= 0:
            raise AudioReadError(self._path, f"{channels} channels")
        if (problem := rate_problem(rate, "")) is not None:
            raise AudioReadError(self._path, problem)
        codec = _CODEC_NAMES.get(cc.name, cc.name)
        extradata = bytes(cc.extradata) if cc.extradata else None
        self._declared = self._declared_frames(stream, rate)
        delay, padding = self._gapless(stream, codec, extradata, rate)
        return StreamInfo(
            path=self._path,
            container=found.container,
            codec=codec,
            lossy=codec not in _LOSSLESS,
            subtype=cc.format.name.upper() if cc.format is not None else codec.upper(),
            bit_depth=_bit_depth(codec, extradata, cc.format.name if cc.format else ""),
            sample_rate=rate,
            channels=channels,
            frames=self._declared or 0,
            duration_s=(self._declared or 0) / rate,
            bit_rate=int(stream.bit_rate or self._c.bit_rate or 0) or None,
            priming_frames=delay,
            padding_frames=padding,
        )

    def _gapless(
        self, stream: Any, codec: str, extradata: bytes | None, rate: int
    ) -> tuple[int, int]:
        """Priming and padding, frames.

        An MP4's ``iTunSMPB`` sets the programme when no edit list does (then
        ``_start`` and ``_declared`` come from the tag).
        """
        first = next((p for p in self._c.demux(stream) if p.pts is not None), None)
        self._c.seek(0)
        lead = float(first.pts * first.time_base * rate) if first is not None else 0.0
        delay = priming(codec, extradata, lead)
        # Frames per packet as coded: the first packet's duration (AAC 1024, Opus 960).
        per_packet = stream.codec_context.frame_size
        if first is not None and first.duration:
            per_packet = round(first.duration * first.time_base * rate)
        coded = stream.frames * per_packet if stream.frames and per_packet else None
        smpb = parse_smpb({**self._c.metadata, **stream.metadata})
        if smpb is not None and lead >= 0 and codec == "aac":  # no edit list: the tag says
            delay = self._start = smpb.priming  # (FFmpeg's demuxer trusts it too)
            if coded is None or smpb.priming + smpb.samples <= coded:
                self._declared = smpb.samples
            elif self._declared is not None:  # a length beyond what was coded: not believed
                self._declared = max(0, self._declared - smpb.priming)
        if self._declared is None or coded is None:
            return delay, 0
        return delay, max(0, coded - delay - self._declared)

    def _declared_frames(self, stream: Any, rate: int) -> int | None:
        """Length the container declares (an MP4 edit list, a WebM duration), frames."""
        seconds: float | None = None
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        elif self._c.duration is not None:
            seconds = float(self._c.duration) / 1_000_000
        return None if seconds is None else round(seconds * rate)

    @property
    def closed(self) -> bool:
        """True once `close` has been called."""
        return self._closed

    _closed = False
    _start: int | None = None  # programme start in the stream's frames (iTunSMPB), else None

    def _iter_blocks(self, frames: int) -> Iterator[Block]:
        info = self._info
        lossy_limit = (MAX_MPEG_SAMPLE, f"corrupt {info.codec} stream")
        limit = lossy_limit if info.lossy else (MAX_FLOAT_SAMPLE, "")
        keep = self._declared
        gather = Gather(info.channels, frames)
        gather.limit = keep  # the padding past the programme dropped
        done = 0
        for block in self._gathered(gather):
            self._check_level(block, done, limit)
            done += len(block)
            yield block
        if keep is not None and done < keep - _SLACK_FRAMES:
            raise AudioReadError(
                self._path,
                f"truncated: the container declares {keep:,} frames ({info.duration_s:.3f} s) "
                f"but only {done:,} could be decoded ({done / info.sample_rate:.3f} s)",
            )
        if done == 0:
            raise AudioReadError(self._path, "no audio could be decoded")

    def _check_level(self, block: Block, done: int, limit: tuple[float, str]) -> None:
        if -limit[0] <= block.min() and block.max() <= limit[0]:  # a NaN fails both
            return  # (two reductions without a temporary: the full search only when needed)
        problem = level_problem(block, done, self._info.sample_rate, limit[0], limit[1])
        if problem is not None:
            raise AudioReadError(self._path, problem)

    def _gathered(self, gather: Gather) -> Iterator[Block]:
        """Every decoded frame, gathered into float64 blocks; errors name the time."""
        av, done, channels = self._av, 0, self._info.channels
        try:
            for packet in self._c.demux(self._stream):
                for frame in packet.decode():
                    if gather.lead is None:  # the decoder may have dropped the tag's priming
                        gather.lead = max(0, (self._start or 0) - self._frame_time(frame))
                    if (got := len(frame.layout.channels)) != channels:
                        at = f"{done / self._info.sample_rate:.3f} s"
                        why = f"channel count changes from {channels} to {got} at {at}"
                        raise AudioReadError(self._path, why)
                    done += frame.samples
                    yield from gather.add(frame)
            yield from gather.rest()
        except (av.error.FFmpegError, OSError, ValueError, MemoryError) as e:
            info = self._info
            at = f"{done / info.sample_rate:.3f} s (frame {done}) of {info.duration_s:.3f} s"
            why = _av_reason(e)
            raise AudioReadError(self._path, f"damaged or truncated: at {at}, {why}") from e

    def _frame_time(self, frame: Any) -> int:
        """Stream time of a decoded frame, frames (0 when it has none)."""
        if frame.pts is None or frame.time_base is None:
            return 0
        at: int = round(frame.pts * frame.time_base * self._info.sample_rate)
        return at

    def close(self) -> None:
        """Close the file; idempotent."""
        if not self._closed:
            self._c.close()
            self._closed = True
