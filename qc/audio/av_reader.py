"""Stream what libsndfile cannot read (AAC and ALAC in MP4/M4A, Opus in WebM/MP4) through PyAV.

PyAV (FFmpeg's libraries) is the optional extra ``codecs``; it is imported only
when a file needs it, so the plain ``mixdesk check`` of a WAV never loads it.
:class:`AvSource` keeps the contract of :class:`~qc.audio.reader.AudioSource`:
float64 blocks of shape ``(frames, channels)``, one-line
:class:`~qc.errors.AudioReadError` messages naming the file, memory flat in length.

Encoder delay and padding (gapless playback): an AAC encoder primes its first
frame with 1024 (or 2112) samples and pads the last one. MP4 records the real
start and length in its edit list (ISO/IEC 14496-12 8.6.6), WebM in
``CodecDelay``, Opus in the ``OpusHead`` pre-skip (RFC 7845 5.1). libavcodec drops
the priming as the packets are decoded, so the first sample read is the first
sample of the programme (times line up, priming is not counted as silence);
this reader then drops the padding past the length the container declares.
Both counts are reported in :class:`~qc.audio.reader.StreamInfo`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

import numpy as np

from qc.audio.limits import MAX_FLOAT_SAMPLE, MAX_MPEG_SAMPLE, level_problem
from qc.audio.reader import (
    AudioSource,
    Block,
    StreamInfo,
    _error_reason,
    _rate_problem,
    _read_head,
)
from qc.audio.sniff import HEAD_BYTES, Container, sniff
from qc.errors import AudioReadError

__all__ = ["AV_HINT", "AvSource", "frame_block", "load_av", "needs_av", "rebuffer", "wants_av"]

AV_HINT = "pip install 'mixdesk[codecs]'"
"""How to install PyAV, the extra that decodes AAC/ALAC/WebM and runs the codec preview."""

_AV_CONTAINERS = frozenset({"mp4", "webm", "aac", "wma"})
_INT_SCALE = {"s16": 2.0**15, "s32": 2.0**31, "s64": 2.0**63}
_LOSSLESS = frozenset({"alac", "flac", "pcm"})
# A stream may end up to a few codec frames short of its declared length (the last
# frame's padding, a demuxer's rounding): more than this is a truncated file.
_SLACK_FRAMES = 8192
_CODEC_NAMES = {"mp3float": "mp3", "mp2float": "mp2", "libopus": "opus", "libvorbis": "vorbis"}


def needs_av(container: Container) -> bool:
    """True if libsndfile cannot read this container/codec and PyAV should.

    Args:
        container: What `qc.audio.sniff.sniff` found in the file's first bytes.
    """
    return container.container in _AV_CONTAINERS or (
        container.container == "caf" and container.codec == "aac"
    )


def wants_av(path: str | os.PathLike[str]) -> bool:
    """True if the file's first bytes show a container only PyAV reads; never raises.

    Args:
        path: The file; one that cannot be opened is left to the soundfile reader,
            which names the problem.
    """
    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return False
            head = fh.read(HEAD_BYTES)
    except (OSError, ValueError):
        return False
    return needs_av(sniff(head, len(head)))


def load_av() -> ModuleType | None:
    """The ``av`` module, or None when the extra ``codecs`` is not installed."""
    try:
        import av
    except ImportError:
        return None
    return av


def frame_block(frame: Any) -> Block:
    """One decoded ``av.AudioFrame`` as float64 samples, full scale 1.0.

    Args:
        frame: A decoded audio frame, planar or packed, float or integer samples.

    Returns:
        Array of shape ``(frame.samples, channels)``.
    """
    data = frame.to_ndarray()
    fmt = frame.format
    name = fmt.name.rstrip("p")
    channels = len(frame.layout.channels)
    block = data.T if fmt.is_planar else data.reshape(-1, channels)
    if name in _INT_SCALE:
        return np.asarray(block, dtype=np.float64) / _INT_SCALE[name]
    if name == "u8":
        return (np.asarray(block, dtype=np.float64) - 128.0) / 128.0
    return np.asarray(block, dtype=np.float64)


def rebuffer(pieces: Iterable[Block], frames: int) -> Iterator[Block]:
    """Join small decoded pieces into blocks of ``frames`` rows (the last one shorter).

    Codec frames hold 960 to 4096 samples; the meters work best on large blocks.
    At most one block plus one piece is held.

    Args:
        pieces: Arrays of shape ``(n, channels)``.
        frames: Rows per block, at least 1.

    Returns:
        Iterator of arrays of shape ``(frames, channels)``, then the rest.
    """
    pending: list[Block] = []
    held = 0
    for piece in pieces:
        if not len(piece):
            continue
        pending.append(piece)
        held += len(piece)
        while held >= frames:
            joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
            yield joined[:frames]
            rest = joined[frames:]
            pending, held = ([rest], len(rest)) if len(rest) else ([], 0)
    if held:
        yield np.concatenate(pending) if len(pending) > 1 else pending[0]


def _av_reason(err: BaseException) -> str:
    """FFmpeg's message without its errno and function name, lower-cased: one line."""
    text = getattr(err, "strerror", None) or _error_reason(err)
    text = " ".join(str(text).split()).rstrip(".")
    return (text[:1].lower() + text[1:])[:200] if text else type(err).__name__


def _bit_depth(codec: str, extradata: bytes | None, sample_format: str) -> int | None:
    """Bits per sample of a lossless stream (the ALAC magic cookie's bitDepth), else None."""
    if codec == "alac" and extradata and len(extradata) >= 18 and extradata[4:8] == b"alac":
        return int(extradata[17]) or None  # ALACSpecificConfig: bitDepth after frameLength
    if codec in _LOSSLESS:
        return {"s16": 16, "s32": 32, "u8": 8}.get(sample_format.rstrip("p"))
    return None


def _priming(codec: str, extradata: bytes | None, first_pts: float) -> int:
    """Encoder delay in frames: Opus pre-skip (RFC 7845 5.1), else the first packet's lead-in."""
    if codec == "opus" and extradata and len(extradata) >= 12 and extradata[:8] == b"OpusHead":
        return int.from_bytes(extradata[10:12], "little")
    return max(0, round(-first_pts))


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
        size, head = _read_head(fs_path, self._path)
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
        if (problem := _rate_problem(rate, "")) is not None:
            raise AudioReadError(self._path, problem)
        codec = _CODEC_NAMES.get(cc.name, cc.name)
        extradata = bytes(cc.extradata) if cc.extradata else None
        self._declared = self._declared_frames(stream, rate)
        first = next((p for p in self._c.demux(stream) if p.pts is not None), None)
        self._c.seek(0)
        lead = float(first.pts * first.time_base * rate) if first is not None else 0.0
        priming = _priming(codec, extradata, lead)
        padding = 0
        if self._declared is not None and stream.frames and cc.frame_size:
            padding = max(0, stream.frames * cc.frame_size - priming - self._declared)
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
            priming_frames=priming,
            padding_frames=padding,
        )

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

    def _iter_blocks(self, frames: int) -> Iterator[Block]:
        info = self._info
        lossy_limit = (MAX_MPEG_SAMPLE, f"corrupt {info.codec} stream")
        limit = lossy_limit if info.lossy else (MAX_FLOAT_SAMPLE, "")
        keep = self._declared
        done = 0
        for block in rebuffer(self._trimmed(keep), frames):
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

    def _trimmed(self, keep: int | None) -> Iterator[Block]:
        """Decoded pieces up to the declared length: the encoder's padding dropped."""
        out = 0
        for piece in self._decoded():
            if keep is not None and out + len(piece) > keep:
                piece = piece[: max(0, keep - out)]  # noqa: PLW2901
            out += len(piece)
            yield piece

    def _check_level(self, block: Block, done: int, limit: tuple[float, str]) -> None:
        problem = level_problem(block, done, self._info.sample_rate, limit[0], limit[1])
        if problem is not None:
            raise AudioReadError(self._path, problem)

    def _decoded(self) -> Iterator[Block]:
        """Every decoded frame in order, as float64 ``(n, channels)``; errors name the time."""
        av, done = self._av, 0
        try:
            for packet in self._c.demux(self._stream):
                for frame in packet.decode():
                    block = frame_block(frame)
                    if block.shape[1] != self._info.channels:
                        raise AudioReadError(
                            self._path,
                            f"channel count changes from {self._info.channels} to "
                            f"{block.shape[1]} at {done / self._info.sample_rate:.3f} s",
                        )
                    done += len(block)
                    yield block
        except (av.error.FFmpegError, OSError, ValueError, MemoryError) as e:
            info = self._info
            at = f"{done / info.sample_rate:.3f} s (frame {done}) of {info.duration_s:.3f} s"
            why = _av_reason(e)
            raise AudioReadError(self._path, f"damaged or truncated: at {at}, {why}") from e

    def close(self) -> None:
        """Close the file; idempotent."""
        if not self._closed:
            self._c.close()
            self._closed = True
