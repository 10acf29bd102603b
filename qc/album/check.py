"""Check an album: one measurement pass per track (tracks in parallel), then the album.

Each track is checked exactly as ``mixdesk check`` checks it
(:func:`qc.engine.check`, its own findings and waivers); the album is then
judged from those same measurements, with no second read: its loudness from
the tracks' 400 ms blocks and 3 s values (:mod:`qc.measure.album`), its
timeline from their lengths and gaps (:mod:`qc.album.timeline`), its edges
from their silence envelopes, and the steps at gapless joins from each
track's first and last two samples (read with the pass, by the same worker).
The result is the ``mixdesk.album/1`` document, and
:class:`~qc.album.results.AlbumResult` is built from it, so the JSON and the
Python API agree by construction.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qc.album.document import album_document
from qc.album.results import AlbumResult
from qc.album.spec import ALBUM_FILE, AlbumSpec
from qc.album.timeline import Slot, layout
from qc.checks.album_rule import AlbumContext, TrackFacts, run_album_rules
from qc.diagnostic import Diagnostic
from qc.engine import FileResult, check
from qc.jobs import run_jobs
from qc.measure._types import Floats
from qc.measure.album import CD_RATE, join_step
from qc.settings import Settings, SettingsResolver
from qc.waivers import apply_waivers

__all__ = [
    "SILENCE_DBFS",
    "AlbumCheck",
    "TrackRun",
    "album_settings_path",
    "check_album_spec",
    "judge_album",
    "measure_track",
    "track_run",
]

SILENCE_DBFS = -60.0
"""Below this sample peak a track's start or end is silence, dBFS (as SIL001/SIL002)."""

_EDGE = 2  # samples kept from each end of a track, for the step at a gapless join


@dataclass(frozen=True)
class TrackRun:
    """One track's check and its edge samples.

    Attributes:
        result: Its check, as ``mixdesk check`` makes it.
        head: Its first samples, shape ``(2, channels)`` (``None`` if unreadable).
        tail: Its last samples, shape ``(2, channels)``.
    """

    result: FileResult
    head: Floats | None
    tail: Floats | None


@dataclass(frozen=True)
class AlbumCheck:
    """An album check, with what the renderers need besides the typed result.

    Attributes:
        result: The typed result.
        document: The ``mixdesk.album/1`` document it was built from.
        files: Each track's file result (for the junit, sarif and github formats).
        diagnostics: The album's own findings.
        slots: Each track's place on the timeline, samples.
        rate: The timeline's sample rate, Hz.
    """

    result: AlbumResult
    document: dict[str, Any]
    files: tuple[FileResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    slots: tuple[Slot, ...]
    rate: int


def measure_track(job: tuple[str, Settings]) -> TrackRun:
    """Check one track and keep its edge samples (runs in a worker process).

    Args:
        job: The track's path and its resolved settings.

    Returns:
        Its run.
    """
    path, settings = job
    return track_run(check(path, settings))


def track_run(result: FileResult) -> TrackRun:
    """A track's check with its edge samples, read from its file (two frames each end).

    Args:
        result: The track's check.

    Returns:
        Its run (no edges if it could not be read, or a codec cannot seek).
    """
    head = tail = None
    if result.error is None and result.info is not None and result.info.frames >= _EDGE:
        try:
            import soundfile as sf

            with sf.SoundFile(result.path) as f:
                head = f.read(_EDGE, dtype="float64", always_2d=True)
                f.seek(f.frames - _EDGE)
                tail = f.read(_EDGE, dtype="float64", always_2d=True)
        except (RuntimeError, OSError, ValueError):  # a codec soundfile cannot seek in
            head = tail = None
    return TrackRun(result, head, tail)


Job = tuple[str, Settings]
"""One track to check: its path and resolved settings."""


def _run(jobs: list[Job], workers: int, tick: Callable[[], None]) -> list[TrackRun]:
    return run_jobs(measure_track, jobs, workers, tick)


def album_settings_path(spec: AlbumSpec) -> str:
    """The path whose settings judge the album itself: its album file."""
    return spec.path if not os.path.isdir(spec.path) else os.path.join(spec.path, ALBUM_FILE)


def check_album_spec(
    spec: AlbumSpec,
    resolver: SettingsResolver,
    *,
    jobs: int = 1,
    tick: Callable[[], None] = lambda: None,
) -> AlbumCheck:
    """Check every track, then the album.

    Args:
        spec: The album.
        resolver: Settings of each track and of the album file.
        jobs: Tracks checked in parallel.
        tick: Called after each track.

    Returns:
        The album check.

    Raises:
        QCError: A config or profile is invalid.
    """
    settings = resolver.for_file(album_settings_path(spec))
    runs = _run([(t.path, resolver.for_file(t.path)) for t in spec.tracks], jobs, tick)
    return judge_album(spec, runs, settings)


def judge_album(spec: AlbumSpec, runs: Sequence[TrackRun], settings: Settings) -> AlbumCheck:
    """The album from its tracks' checks (no audio read).

    Args:
        spec: The album.
        runs: Each track's run, in order.
        settings: The album file's settings (its profiles judge the album).

    Returns:
        The album check.
    """
    infos = [r.result.info for r in runs if r.result.measurements is not None]
    rate = infos[0].sample_rate if infos and infos[0] is not None else CD_RATE
    frames = [
        r.result.measurements.frames if r.result.measurements is not None else 0 for r in runs
    ]
    slots = layout(frames, [t.gap_s for t in spec.tracks], rate)
    facts = _facts(spec, runs, slots, rate)
    total_s = slots[-1].end / rate
    ctx = AlbumContext(spec.path, spec.catalog, facts, total_s)
    found: list[Diagnostic] = []
    for profile in settings.profiles:
        found.extend(run_album_rules(ctx, profile, select=settings.select, ignore=settings.ignore))
    # The album file's waivers (their glob matching album.toml) apply to the album's findings.
    diagnostics, _ = apply_waivers(_merge(found), settings.waivers)
    doc = album_document(spec, runs, facts, slots, rate, diagnostics, settings)
    return AlbumCheck(
        AlbumResult.from_json(doc),
        doc,
        tuple(r.result for r in runs),
        diagnostics,
        slots,
        rate,
    )


def _facts(
    spec: AlbumSpec, runs: Sequence[TrackRun], slots: Sequence[Slot], rate: int
) -> tuple[TrackFacts, ...]:
    out = []
    for i, (t, run, slot) in enumerate(zip(spec.tracks, runs, slots, strict=True)):
        m, info = run.result.measurements, run.result.info
        step = None
        prev = runs[i - 1] if i else None
        if (
            t.gap_s == 0
            and prev is not None
            and prev.tail is not None
            and run.head is not None
            and prev.tail.shape[1] == run.head.shape[1]
        ):
            step = join_step(prev.tail, run.head)
        out.append(
            TrackFacts(
                number=i + 1,
                path=t.path,
                isrc=t.isrc,
                gap_s=t.gap_s,
                start_s=slot.start / rate,
                duration_s=m.duration_s if m is not None else None,
                sample_rate=info.sample_rate if info is not None and m is not None else None,
                bit_depth=info.bit_depth if info is not None else None,
                channels=info.channels if info is not None else None,
                integrated_lufs=m.loudness.integrated_lufs if m is not None else None,
                leading_silence_s=m.envelope.leading_silence_s(SILENCE_DBFS) if m else None,
                trailing_silence_s=m.envelope.trailing_silence_s(SILENCE_DBFS) if m else None,
                join_step=step,
                frames=m.frames if m is not None else None,
            )
        )
    return tuple(out)


def _merge(found: list[Diagnostic]) -> list[Diagnostic]:
    """One finding for what several profiles say alike; ``profile`` lists them all."""
    groups: dict[Diagnostic, list[str]] = {}
    for d in found:
        groups.setdefault(dataclasses.replace(d, profile=""), []).append(d.profile)
    return [
        dataclasses.replace(d, profile=",".join(dict.fromkeys(p for p in names if p)))
        for d, names in groups.items()
    ]
