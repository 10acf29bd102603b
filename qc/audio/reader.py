"""Open an audio file and stream it in blocks, with one-line errors naming the file.

Every failure (missing file, directory, empty or truncated file, header that
lies about its size, libsndfile error, NaN/Inf samples) becomes
`qc.errors.AudioReadError` whose message starts with the path exactly as given.
Audio is read block by block; memory does not grow with file length.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import soundfile as sf

from qc.audio.decoder_noise import DecoderNoise
from qc.audio.header import error_reason, header_problem, rate_problem, read_head
from qc.audio.info import StreamInfo
from qc.audio.lamehint import transcode_hint
from qc.audio.lametag import read_lame_tag
from qc.audio.limits import (
    MAX_CHANNELS,
    MAX_FLOAT_SAMPLE,
    MAX_MPEG_SAMPLE,
    fmt_duration,
    level_problem,
)
from qc.audio.sniff import Container, sniff
from qc.errors import AudioReadError

__all__ = ["AudioSource", "Block", "open_audio", "read_info"]

Block = npt.NDArray[np.float64]
"""Samples of one block, shape ``(frames, channels)``, float64 in [-1, 1] for PCM."""

DEFAULT_BLOCK_FRAMES = 65536

_BIT_DEPTHS = dict.fromkeys(("PCM_S8", "PCM_U8", "ALAW", "ULAW"), 8)
_BIT_DEPTHS |= {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32, "DOUBLE": 64}
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})
_MPEG_SUBTYPES = frozenset({"MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"})
_LOSSY_SUBTYPES = _MPEG_SUBTYPES | {"VORBIS", "OPUS", "ALAW", "ULAW", "GSM610", "VOX_ADPCM"}
_LOSSY_SUBTYPES |= {"IMA_ADPCM", "MS_ADPCM", "G721_32", "G723_24", "G723_40"}
_LOSSY_SUBTYPES |= {"NMS_ADPCM_16", "NMS_ADPCM_24", "NMS_ADPCM_32"}
_SUBTYPE_CODECS = {
    "FLOAT": "float",
    "DOUBLE": "float",
    "MPEG_LAYER_III": "mp3",
    "MPEG_LAYER_II": "mp2",
    "VORBIS": "vorbis",
    "OPUS": "opus",
    "ALAW": "alaw",
    "ULAW": "ulaw",
    "MS_ADPCM": "adpcm_ms",
    "IMA_ADPCM": "adpcm_ima",
}
# libsndfile only estimates the length of MPEG streams without an exact frame count.
_MPEG_SLACK_FRAMES = 4 * 1152
# Float files may go over 0 dBFS (and must then be flagged), but 2^15 is +90 dBFS: past
# that, the bytes are not audio (a wrong format tag, garbage, 1e30). qc.audio.limits
# says why an MPEG decoder's output past +16 dBFS is damaged data.
_DECODED_FLOAT = frozenset({"VORBIS", "OPUS"})  # lossy decoders with float output
_SF_ERRORS = (sf.SoundFileError, RuntimeError, OSError, ValueError, TypeError)


class AudioSource:
    """An open audio file read in blocks; use as a context manager.

    Args:
        path: File to open. Messages use ``str(path)`` exactly as given.
        max_duration_s: Refuse a file whose header declares more seconds than
            this (None: no limit). Checked before any sample is read.

    Raises:
        AudioReadError: The file is missing, not a regular file, empty, has an
            inconsistent header, more than `MAX_CHANNELS` channels, is longer
            than ``max_duration_s``, or cannot be opened by libsndfile.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_duration_s: float | None = None
    ) -> None:
        self._path = str(path)
        fs_path = os.fspath(path)
        size, head = read_head(fs_path, self._path)
        container = sniff(head, size)
        self._head = head
        problem = header_problem(head, container, size)
        if problem is not None:
            raise AudioReadError(self._path, problem)
        # libmpg123 prints to descriptor 2 from C; unknown files may turn out to be MPEG.
        self._noise = DecoderNoise(container.codec in ("mp3", "mp2", "unknown"))
        try:
            with self._noise:
                self._sf: Any = sf.SoundFile(fs_path)
        except _SF_ERRORS as e:
            self._noise.close()
            raise AudioReadError(self._path, self._open_reason(e, container)) from e
        try:
            self._info = self._make_info(container)
            self._check_duration(max_duration_s)
        except BaseException:
            self.close()
            raise
        self._noise.enabled = self._info.subtype in _MPEG_SUBTYPES

    def _open_reason(self, err: BaseException, container: Container) -> str:
        reason = error_reason(err)
        if container.container == "unknown":
            return f"not a recognised audio file ({reason})"
        return f"cannot decode {container.container} ({container.codec}): {reason}"

    def _make_info(self, container: Container) -> StreamInfo:
        channels, rate = int(self._sf.channels), int(self._sf.samplerate)
        if channels <= 0:
            raise AudioReadError(self._path, f"{channels} channels")
        if channels > MAX_CHANNELS:
            raise AudioReadError(
                self._path,
                f"{channels} channels: mixdesk measures at most {MAX_CHANNELS} "
                "(split the file into stems)",
            )
        if (problem := rate_problem(rate, "")) is not None:
            raise AudioReadError(self._path, problem)
        subtype, frames = str(self._sf.subtype), int(self._sf.frames)
        name, codec = container.container, container.codec
        if name == "unknown":
            name = str(self._sf.format).lower()
        if codec == "unknown":
            fallback = "pcm" if subtype.startswith("PCM_") else subtype.lower()
            codec = _SUBTYPE_CODECS.get(subtype, fallback)
        return StreamInfo(
            path=self._path,
            container=name,
            codec=codec,
            lossy=container.lossy or subtype in _LOSSY_SUBTYPES,
            subtype=subtype,
            bit_depth=_BIT_DEPTHS.get(subtype),
            sample_rate=rate,
            channels=channels,
            frames=frames,
            duration_s=frames / rate,
            transcode_hint=self._transcode_hint() if codec == "mp3" else None,
        )

    def _check_duration(self, limit: float | None) -> None:
        info = self._info
        if limit is not None and info.duration_s > limit:
            raise AudioReadError(
                self._path,
                f"duration {fmt_duration(info.duration_s)} ({info.duration_s:,.0f} s) exceeds "
                f"the limit of {fmt_duration(limit)} (mixdesk check --max-duration)",
            )

    def _level_limit(self) -> tuple[float, str] | None:
        """Largest decoded magnitude the subtype allows, and what to call a breach."""
        subtype = self._info.subtype
        if subtype in _MPEG_SUBTYPES:
            return MAX_MPEG_SAMPLE, "corrupt MPEG stream"
        if subtype in _DECODED_FLOAT:
            return MAX_FLOAT_SAMPLE, f"corrupt {subtype.capitalize()} stream"
        if subtype in _FLOAT_SUBTYPES:
            return MAX_FLOAT_SAMPLE, ""
        return None  # integer PCM decodes to |x| <= 1 by construction

    def _transcode_hint(self) -> str | None:
        tag = read_lame_tag(self._head)
        return transcode_hint(tag) if tag is not None else None

    @property
    def path(self) -> str:
        """The path exactly as given."""
        return self._path

    @property
    def info(self) -> StreamInfo:
        """Format and length of the stream."""
        return self._info

    @property
    def closed(self) -> bool:
        """True once `close` has been called."""
        return bool(self._sf.closed)

    def blocks(self, frames: int = DEFAULT_BLOCK_FRAMES) -> Iterator[Block]:
        """Stream the whole file from its start in blocks.

        Args:
            frames: Maximum rows per block, in frames. Defaults to 65536.

        Returns:
            Iterator of float64 arrays of shape ``(n, channels)``, ``1 <= n <= frames``.

        Raises:
            ValueError: ``frames`` is less than 1.
            AudioReadError: While iterating: a decode error, NaN or Inf samples in a
                float file, or fewer frames than `info` declares (truncated file).
        """
        if frames < 1:
            raise ValueError(f"frames must be at least 1, got {frames}")
        return self._iter_blocks(frames)

    def _iter_blocks(self, frames: int) -> Iterator[Block]:
        info, snd = self._info, self._sf
        level = self._level_limit()
        done = 0
        while True:
            try:
                with self._noise:
                    if done == 0 and snd.seekable():
                        snd.seek(0)
                    block: Block = snd.read(frames, dtype="float64", always_2d=True)
            except _SF_ERRORS as e:
                at = f"{done / info.sample_rate:.3f} s (frame {done})"
                raise AudioReadError(self._path, f"read error at {at}: {error_reason(e)}") from e
            if block.shape[0] == 0:
                break
            if level is not None:  # NaN and Inf are named before a level
                problem = level_problem(block, done, info.sample_rate, level[0], level[1])
                if problem is not None:
                    raise AudioReadError(self._path, problem)
            done += block.shape[0]
            yield block
        slack = max(_MPEG_SLACK_FRAMES, info.frames // 50) if info.subtype in _MPEG_SUBTYPES else 0
        if done < info.frames - slack:
            noted = self._noise.messages
            damaged = f"; the MP3 decoder hit damaged data ({noted} decoder notes)" if noted else ""
            raise AudioReadError(
                self._path,
                f"truncated: header declares {info.frames:,} frames "
                f"({info.duration_s:.3f} s) but only {done:,} could be read "
                f"({done / info.sample_rate:.3f} s){damaged}",
            )

    def close(self) -> None:
        """Close the file; further reads raise `AudioReadError`. Idempotent."""
        self._sf.close()
        self._noise.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_audio(path: str | os.PathLike[str], *, max_duration_s: float | None = None) -> AudioSource:
    """Open an audio file for streaming.

    Args:
        path: File to open; messages use ``str(path)`` exactly as given.
        max_duration_s: Refuse files declaring more seconds than this (None: no limit).

    Returns:
        An open `AudioSource`; close it or use it as a context manager.

    Raises:
        AudioReadError: See `AudioSource`.
    """
    from qc.audio import av_reader  # AAC, ALAC, WebM: PyAV, imported only for those

    if av_reader.wants_av(path):
        return av_reader.AvSource(path, max_duration_s=max_duration_s)
    return AudioSource(path, max_duration_s=max_duration_s)


def read_info(path: str | os.PathLike[str], *, max_duration_s: float | None = None) -> StreamInfo:
    """Open a file, return its `StreamInfo` and close it.

    Args:
        path: File to inspect.
        max_duration_s: Refuse files declaring more seconds than this (None: no limit).

    Returns:
        Format and length of the file.

    Raises:
        AudioReadError: See `AudioSource`.
    """
    with open_audio(path, max_duration_s=max_duration_s) as src:
        return src.info
