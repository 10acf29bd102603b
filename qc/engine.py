"""The engine: the only place that joins the reader, the meters and the rules.

``measure_file(path)`` never raises for a bad file: every problem becomes the
``error`` of its :class:`FileResult`, so a batch goes on past broken files.
``check(path, settings)`` measures once, applies every profile's rules to the
same measurements and then the file's waivers (:class:`~qc.settings.Settings`),
so ``check``, ``watch`` and the Python API agree by construction.
``check_file(path, profiles)`` is the same with the settings spelled out.
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
from qc.checks.rule import Context, Unreadable
from qc.checks.runner import run_rules
from qc.codec.preview import start_preview
from qc.codec.result import PreviewRun
from qc.diagnostic import Diagnostic
from qc.errors import AudioReadError, UsageError
from qc.measure import Analyzer, Measurements, MeasureOptions
from qc.waivers import Waiver, apply_waivers

if TYPE_CHECKING:
    from qc.profiles import Profile
    from qc.settings import Settings

__all__ = [
    "BLOCK_FRAMES",
    "FileResult",
    "check",
    "check_file",
    "judge_measured",
    "measure_file",
    "measure_options",
    "unreadable",
]

BLOCK_FRAMES = 131072
"""Most frames per block read from disk; fewer for many channels (`qc.audio.limits`),
so a block holds at most 65536 x 8 samples whatever the channel count. 131,072
stereo frames (2.7 s at 48 kHz) cost 0.12 s less CPU than 65,536 on the 5-minute
master of benchmarks/bench_check.py (fewer per-block calls; the true-peak
meter's crest batches), and 262,144 cost more (caches)."""

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
        unused_waivers: The file's waivers that matched none of its findings.
        codec_preview: The codec preview (TP002): per-codec results, or the note
            saying why it was skipped; None for an unreadable file.
    """

    path: str
    info: StreamInfo | None
    measurements: Measurements | None
    error: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    profiles: tuple[str, ...] = ()
    unused_waivers: tuple[Waiver, ...] = ()
    codec_preview: PreviewRun | None = None


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
                info.sample_rate,
                info.channels,
                options,
                bit_depth=info.bit_depth,
                lossy=info.lossy,
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


def check(
    path: str | os.PathLike[str],
    settings: Settings,
    *,
    block_frames: int = BLOCK_FRAMES,
    progress: Progress | None = None,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> FileResult:
    """Measure a file once, judge it against its profiles and apply its waivers.

    Args:
        path: Audio file.
        settings: The file's resolved settings (profiles, selection, waivers).
        block_frames: Most frames per block (fewer for many channels).
        progress: Optional callback ``(done_frames, total_frames)``.
        max_duration_s: Longer files are unreadable (``FMT003``), s; None: no limit.

    Returns:
        The result with its diagnostics, worst first. An unreadable file has
        its ``error`` set and the findings of the rules that judge unreadable
        files (``FMT003``, ``FMT001``), as its profiles configure them.
    """
    try:  # the codecs asked for run in worker processes while the master is measured
        pending = start_preview(os.fspath(path), settings)
    except UsageError as err:
        return unreadable(path, str(err), settings)
    with pending:
        result = measure_file(
            path,
            measure_options(settings),
            block_frames=block_frames,
            progress=progress,
            max_duration_s=max_duration_s,
        )
        if result.error is not None:
            return unreadable(result.path, result.error, settings, info=result.info)
        preview = pending.result()
    assert result.info is not None
    assert result.measurements is not None
    ctx = Context(result.path, result.info, result.measurements, "", preview)
    return dataclasses.replace(_judge(result, ctx, settings), codec_preview=preview)


def measure_options(settings: Settings) -> MeasureOptions:
    """The measurement options :func:`check` uses for a file with ``settings``."""
    options = _measure_options(settings.profiles)
    # The dither and lossy-history detectors run only when a rule will read them.
    detect = any(settings.will_run(code) for code in _DETECTOR_RULES)
    return dataclasses.replace(options, detectors=detect)


def judge_measured(
    path: str | os.PathLike[str], info: StreamInfo, measurements: Measurements, settings: Settings
) -> FileResult:
    """:func:`check` for measurements made elsewhere with :func:`measure_options`.

    ``mixdesk fix`` meters the very samples it writes, so its re-check needs no
    second read of the file.
    """
    shown = os.fspath(path)
    ctx = Context(shown, info, measurements, "")
    return _judge(FileResult(shown, info, measurements, None), ctx, settings)


def unreadable(
    path: str | os.PathLike[str],
    reason: str,
    settings: Settings | None,
    *,
    info: StreamInfo | None = None,
) -> FileResult:
    """The result of a file that cannot be measured, judged by the rules for such files.

    Args:
        path: The file (or a folder with no audio).
        reason: One line: why it cannot be measured.
        settings: Its settings; ``None`` when they could not be resolved (every
            rule's own defaults apply).
        info: Stream facts, if the header was read.

    Returns:
        A result with ``error`` set and the findings (``FMT003``, and ``FMT001``
        when its first bytes show a lossy codec), waivers applied.
    """
    shown = os.fspath(path)
    codec, container = _sniff_lossy(path)
    ctx = Unreadable(shown, reason, "", codec, container)
    return _judge(FileResult(shown, info, None, reason), ctx, settings)


def _judge(result: FileResult, ctx: Context | Unreadable, settings: Settings | None) -> FileResult:
    """Run the rules of every profile, merge what they say alike, apply the waivers."""
    found: list[Diagnostic] = []
    if settings is None:
        found = run_rules(ctx, None)
        names: tuple[str, ...] = ()
    else:
        for profile in settings.profiles:
            found.extend(run_rules(ctx, profile, select=settings.select, ignore=settings.ignore))
        names = settings.profile_names
    merged = tuple(sorted(_merge_profiles(found)))
    unused: tuple[Waiver, ...] = ()
    if settings is not None and settings.waivers:
        merged, unused = apply_waivers(merged, settings.waivers)
    return dataclasses.replace(result, diagnostics=merged, profiles=names, unused_waivers=unused)


def check_file(
    path: str | os.PathLike[str],
    profiles: Sequence[Profile],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Sequence[Waiver] = (),
    block_frames: int = BLOCK_FRAMES,
    progress: Progress | None = None,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> FileResult:
    """:func:`check` with the settings spelled out.

    Args:
        path: Audio file.
        profiles: Resolved delivery profiles (at least one).
        select: Rule code prefixes to run (empty: every enabled rule).
        ignore: Rule code prefixes to skip.
        waivers: Waivers to apply to the file's findings.
        block_frames: Most frames per block (fewer for many channels).
        progress: Optional callback ``(done_frames, total_frames)``.
        max_duration_s: Longer files are unreadable (``FMT003``), s; None: no limit.

    Returns:
        As :func:`check`.
    """
    from qc.settings import Settings

    settings = Settings(tuple(profiles), tuple(select), tuple(ignore), tuple(waivers))
    return check(
        path,
        settings,
        block_frames=block_frames,
        progress=progress,
        max_duration_s=max_duration_s,
    )


def _sniff_lossy(path: str | os.PathLike[str]) -> tuple[str | None, str | None]:
    """The lossy ``(codec, container)`` a file's first bytes show, else ``(None, None)``."""
    try:
        # O_NONBLOCK: opening a FIFO named like a bounce must not wait for a writer.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None, None
            head = fh.read(HEAD_BYTES)
        size = st.st_size
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return None, None
    c = sniff(head, size)
    return (c.codec, c.container) if c.lossy else (None, None)


def _merge_profiles(found: list[Diagnostic]) -> list[Diagnostic]:
    """One finding for what several profiles say alike; ``profile`` lists them all."""
    groups: dict[Diagnostic, list[str]] = {}
    for d in found:
        groups.setdefault(dataclasses.replace(d, profile=""), []).append(d.profile)
    return [
        dataclasses.replace(d, profile=",".join(dict.fromkeys(p for p in names if p)))
        for d, names in groups.items()
    ]
