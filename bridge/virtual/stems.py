"""A stems folder: one track per audio file, read in blocks.

:func:`load_stems` checks a folder once, up front: every ``.wav``, ``.flac``,
``.aif`` or ``.aiff`` file (case-insensitive; hidden files are skipped) must be
readable, mono or stereo, and at the project's sample rate. Track names are the
file stems (``drums.wav`` is track ``drums``), tracks are sorted by file name,
and two files with the same stem are an error. Every error is one line naming
the file or folder.

:class:`StemReader` then streams one stem as float64 blocks (full scale = 1.0),
padding with digital silence after the stem's end, so stems of different
lengths mix to the longest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import numpy as np
import numpy.typing as npt
import soundfile as sf

from bridge.virtual.errors import VirtualDawError

__all__ = ["AUDIO_SUFFIXES", "Stem", "StemReader", "load_stems"]

AUDIO_SUFFIXES: Final[frozenset[str]] = frozenset({".wav", ".flac", ".aif", ".aiff"})

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Stem:
    """One stem file, as checked by :func:`load_stems`.

    Attributes:
        name: Track name: the file name without its suffix.
        path: The audio file.
        channels: 1 (mono) or 2 (stereo).
        frames: Length in frames (samples per channel).
        rate: Sample rate in Hz.
    """

    name: str
    path: Path
    channels: int
    frames: int
    rate: int

    @property
    def seconds(self) -> float:
        """Length in s."""
        return self.frames / self.rate


def _one_line(error: BaseException) -> str:
    """Return an exception's message with its whitespace collapsed to single spaces."""
    return " ".join(str(error).split())


def _inspect(path: Path, rate: int) -> Stem:
    """Return the :class:`Stem` of one file, or raise naming it."""
    try:
        info = sf.info(os.fspath(path))
    except (RuntimeError, OSError) as e:  # soundfile.LibsndfileError is a RuntimeError
        raise VirtualDawError(f"{path}: cannot read this stem ({_one_line(e)})") from e
    if info.channels not in (1, 2):
        raise VirtualDawError(
            f"{path}: {info.channels} channels; a stem must be mono or stereo (split it)"
        )
    if info.samplerate != rate:
        raise VirtualDawError(
            f"{path}: sample rate {info.samplerate} Hz differs from the project rate {rate} Hz "
            "(resample the stem or change the project rate)"
        )
    return Stem(path.stem, path, info.channels, info.frames, info.samplerate)


def load_stems(folder: str | os.PathLike[str], rate: int) -> list[Stem]:
    """Check a stems folder and return one :class:`Stem` per audio file.

    Args:
        folder: Folder holding the stems (not searched recursively).
        rate: Project sample rate in Hz; every stem must have it.

    Returns:
        The stems, sorted by file name.

    Raises:
        VirtualDawError: The folder is missing or holds no audio file; a file
            is unreadable, has more than 2 channels or another sample rate; two
            files share a track name.
    """
    root = Path(folder)
    if not root.is_dir():
        raise VirtualDawError(f"{root}: not a folder")
    files = sorted(
        (p for p in root.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES),
        key=lambda p: p.name,
    )
    files = [p for p in files if not p.name.startswith(".") and p.is_file()]
    if not files:
        suffixes = ", ".join(sorted(AUDIO_SUFFIXES))
        raise VirtualDawError(f"{root}: no audio stems ({suffixes}) in this folder")
    stems: list[Stem] = []
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise VirtualDawError(
                f"{path}: track name {path.stem!r} is already taken by {seen[path.stem].name}"
            )
        seen[path.stem] = path
        stems.append(_inspect(path, rate))
    return stems


class StemReader:
    """Sequential block reader of one stem, zero-padded past its end.

    Example:
        >>> with StemReader(stem) as reader:  # doctest: +SKIP
        ...     block = reader.read(65536)  # shape (65536, stem.channels)
    """

    def __init__(self, stem: Stem) -> None:
        self.stem = stem
        try:
            self._file = sf.SoundFile(os.fspath(stem.path))
        except (RuntimeError, OSError) as e:
            raise VirtualDawError(f"{stem.path}: cannot read this stem ({_one_line(e)})") from e

    def read(self, frames: int) -> Floats:
        """Return the next ``frames`` frames.

        Args:
            frames: Block length in frames.

        Returns:
            Float64 array of shape ``(frames, channels)``, full scale = 1.0;
            frames past the end of the stem are 0.0.

        Raises:
            VirtualDawError: The file cannot be read (e.g. it changed on disk).
        """
        out = np.zeros((frames, self.stem.channels), dtype=np.float64)
        try:
            self._file.read(frames, dtype="float64", always_2d=True, out=out)
        except (RuntimeError, OSError) as e:
            raise VirtualDawError(f"{self.stem.path}: read failed ({_one_line(e)})") from e
        return out

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
