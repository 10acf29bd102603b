"""The engine: the only place that joins the reader and the meters.

``measure_file(path)`` never raises for a bad file: every problem becomes the
``error`` of its :class:`FileResult`, so a batch goes on past broken files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from qc.audio import StreamInfo, open_audio
from qc.diagnostic import Diagnostic
from qc.errors import AudioReadError
from qc.measure import Analyzer, Measurements, MeasureOptions

__all__ = ["BLOCK_FRAMES", "FileResult", "measure_file"]

BLOCK_FRAMES = 65536
"""Frames per block read from disk; memory use is a few times this per channel."""

Progress = Callable[[int, int], None]
"""Called with (frames done, frames total) after each block."""


@dataclass(frozen=True)
class FileResult:
    """What was learnt about one file.

    Attributes:
        path: The path as given by the user.
        info: Stream facts, or ``None`` when the header could not be read.
        measurements: The one-pass measurements, or ``None`` on error.
        error: One-line reason the file could not be measured, else ``None``.
        diagnostics: Findings of the rules, sorted (worst first, then by time).
        profiles: Names of the delivery profiles the file was checked against.
    """

    path: str
    info: StreamInfo | None
    measurements: Measurements | None
    error: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    profiles: tuple[str, ...] = ()


def measure_file(
    path: str | os.PathLike[str],
    options: MeasureOptions | None = None,
    *,
    block_frames: int = BLOCK_FRAMES,
    progress: Progress | None = None,
) -> FileResult:
    """Read a file once and measure it.

    Args:
        path: Audio file.
        options: Measurement options.
        block_frames: Frames per block.
        progress: Optional callback ``(done_frames, total_frames)``.

    Returns:
        The result; ``error`` is set instead of raising when the file is bad.
    """
    shown = os.fspath(path)
    info: StreamInfo | None = None
    try:
        with open_audio(path) as source:
            info = source.info
            analyzer = Analyzer(info.sample_rate, info.channels, options, bit_depth=info.bit_depth)
            done = 0
            for block in source.blocks(block_frames):
                analyzer.feed(block)
                done += len(block)
                if progress is not None:
                    progress(done, info.frames)
            return FileResult(shown, info, analyzer.result(), None)
    except AudioReadError as err:
        return FileResult(shown, info, None, err.reason)
    except MemoryError:
        return FileResult(shown, info, None, "out of memory while measuring")
