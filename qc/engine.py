"""The engine: the only place that joins the reader, the meters and the rules.

``measure_file(path)`` never raises for a bad file: every problem becomes the
``error`` of its :class:`FileResult`, so a batch goes on past broken files.
``check_file(path, profiles)`` measures once and applies every profile's rules
to the same measurements.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.audio import StreamInfo, open_audio, sniff
from qc.audio.limits import DEFAULT_MAX_DURATION_S
from qc.audio.limits import block_frames as sized_for
from qc.audio.sniff import HEAD_BYTES
from qc.checks.format import LossySource, UnreadableFile
from qc.checks.rule import Context
from qc.checks.runner import is_selected, run_rules, sort_key, will_run
from qc.diagnostic import Diagnostic, Severity
from qc.errors import AudioReadError
from qc.measure import Analyzer, Measurements, MeasureOptions

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["BLOCK_FRAMES", "FileResult", "check_file", "measure_file"]

BLOCK_FRAMES = 65536
"""Most frames per block read from disk; fewer for many channels (`qc.audio.limits`),
so a block holds at most 65536 x 8 samples whatever the channel count."""

_DETECTOR_RULES = ("DTH001", "LSY001")
"""Rules that read the dither and lossy-history measurements."""

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
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> FileResult:
    """Read a file once and measure it.

    Args:
        path: Audio file.
        options: Measurement options.
        block_frames: Most frames per block (fewer for many channels).
        progress: Optional callback ``(done_frames, total_frames)``.
        max_duration_s: Longer files (by their header) are an error, not read, s;
            None for no limit. Default 24 h.

    Returns:
        The result; ``error`` is set instead of raising when the file is bad.
    """
    shown = os.fspath(path)
    info: StreamInfo | None = None
    try:
        with open_audio(path, max_duration_s=max_duration_s) as source:
            info = source.info
            frames = sized_for(info.channels, block_frames)
            with Analyzer(
                info.sample_rate, info.channels, options, bit_depth=info.bit_depth
            ) as analyzer:
                done = 0
                for block in source.blocks(frames):
                    analyzer.feed(block)
                    done += len(block)
                    if progress is not None:
                        progress(done, info.frames)
                return FileResult(shown, info, analyzer.result(), None)
    except AudioReadError as err:
        return FileResult(shown, info, None, err.reason)
    except MemoryError:
        return FileResult(shown, info, None, "out of memory while measuring")


def _measure_options(profiles: Sequence[Profile]) -> MeasureOptions:
    """One measurement for every profile: overs are counted at the lowest TP ceiling."""
    base = profiles[0].measure
    ceilings = [base.over_dbtp]
    for p in profiles:
        tp = p.rules.get("true-peak-ceiling")
        if tp is not None and tp.enabled is not False and "max_dbtp" in tp.options:
            ceilings.append(float(tp.options["max_dbtp"]))
    return dataclasses.replace(base, over_dbtp=min(ceilings))


def check_file(
    path: str | os.PathLike[str],
    profiles: Sequence[Profile],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    block_frames: int = BLOCK_FRAMES,
    progress: Progress | None = None,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> FileResult:
    """Measure a file once and judge it against one or more profiles.

    Args:
        path: Audio file.
        profiles: Resolved delivery profiles (at least one).
        select: Rule code prefixes to run (empty: every enabled rule).
        ignore: Rule code prefixes to skip.
        block_frames: Most frames per block (fewer for many channels).
        progress: Optional callback ``(done_frames, total_frames)``.
        max_duration_s: Longer files are unreadable (``FMT003``), s; None: no limit.

    Returns:
        The result with its diagnostics, worst first. An unreadable file gets
        one ``FMT003`` finding (unless ignored) and its ``error`` set.
    """
    names = tuple(p.name for p in profiles)
    options = _measure_options(profiles)
    # The dither and lossy-history detectors run only when a rule will read them.
    detect = any(will_run(code, p, select, ignore) for code in _DETECTOR_RULES for p in profiles)
    result = measure_file(
        path,
        dataclasses.replace(options, detectors=detect),
        block_frames=block_frames,
        progress=progress,
        max_duration_s=max_duration_s,
    )
    found: list[Diagnostic] = []
    if result.error is not None:
        if is_selected(UnreadableFile.code, select, ignore):
            found.append(
                Diagnostic(UnreadableFile.code, UnreadableFile.name, Severity.ERROR, result.error)
            )
        lossy = _sniff_lossy(path)
        if lossy is not None and is_selected(LossySource.code, select, ignore):
            found.append(Diagnostic(LossySource.code, LossySource.name, Severity.ERROR, lossy))
    else:
        assert result.info is not None
        assert result.measurements is not None
        ctx = Context(result.path, result.info, result.measurements, "")
        for profile in profiles:
            found.extend(run_rules(ctx, profile, select=select, ignore=ignore))
    merged = _merge_profiles(found)
    merged.sort(key=sort_key)
    return dataclasses.replace(result, diagnostics=tuple(merged), profiles=names)


def _sniff_lossy(path: str | os.PathLike[str]) -> str | None:
    """For a file that could not be decoded: say so if its bytes show a lossy codec."""
    try:
        # O_NONBLOCK: opening a FIFO named like a bounce must not wait for a writer.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            head = fh.read(HEAD_BYTES)
        size = st.st_size
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return None
    c = sniff(head, size)
    if not c.lossy:
        return None
    where = "" if c.container == c.codec else f" in a {c.container} container"
    return f"lossy codec {c.codec}{where}: never send lossy audio to mastering"


def _merge_profiles(found: list[Diagnostic]) -> list[Diagnostic]:
    """One finding for what several profiles say alike; ``profile`` lists them all."""
    groups: dict[Diagnostic, list[str]] = {}
    for d in found:
        groups.setdefault(dataclasses.replace(d, profile=""), []).append(d.profile)
    return [
        dataclasses.replace(d, profile=",".join(dict.fromkeys(p for p in names if p)))
        for d, names in groups.items()
    ]
