"""The ``mixdesk.album/1`` document of an album check (see docs/mixdesk.album-1.schema.json).

Built from the tracks' runs, their facts and the album's findings; the typed
result (:class:`~qc.album.results.AlbumResult`) is read from it, so the JSON and
the Python API agree by construction. Each track's ``check`` is its
``mixdesk.check/1`` file object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qc.album.loudness import album_loudness_object
from qc.album.spec import SCHEMA, AlbumSpec
from qc.album.timeline import Slot
from qc.checks.album_rule import TrackFacts
from qc.diagnostic import Diagnostic
from qc.report.json_report import diagnostic_object, file_object
from qc.settings import Settings

if TYPE_CHECKING:
    from qc.album.check import TrackRun

__all__ = ["album_document"]


def _num(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def album_document(  # noqa: PLR0917
    spec: AlbumSpec,
    runs: Sequence[TrackRun],
    facts: Sequence[TrackFacts],
    slots: Sequence[Slot],
    rate: int,
    diagnostics: Sequence[Diagnostic],
    settings: Settings,
) -> dict[str, Any]:
    """The document of an album check.

    Args:
        spec: The album.
        runs: Each track's run, in order.
        facts: What the album rules saw of each track.
        slots: Each track's place on the timeline, samples.
        rate: The timeline's sample rate, Hz.
        diagnostics: The album's findings, sorted.
        settings: The album file's settings.

    Returns:
        A dict that ``json.dumps`` accepts with ``allow_nan=False``.
    """
    measured = [r.result.measurements for r in runs]
    loudness = album_loudness_object(
        measured, settings.profiles, select=settings.select, ignore=settings.ignore
    )
    album_lufs = loudness["integrated_lufs"]
    tracks = []
    for i, (t, f, run, slot) in enumerate(zip(spec.tracks, facts, runs, slots, strict=True)):
        m = run.result.measurements
        pause = None
        if f.leading_silence_s is not None:
            pause = f.leading_silence_s + (slot.start - slot.pregap) / rate
            prev = facts[i - 1] if i else None
            if prev is not None and prev.trailing_silence_s is not None:
                pause += prev.trailing_silence_s + slots[i - 1].padding / rate
        own = _num(f.integrated_lufs)
        offset = own - album_lufs if own is not None and album_lufs is not None else None
        tracks.append(
            {
                "number": f.number,
                "path": t.path,
                "title": t.title,
                "performer": t.performer,
                "isrc": t.isrc,
                "gap_s": t.gap_s,
                "start_s": f.start_s,
                "duration_s": f.duration_s,
                "leading_silence_s": f.leading_silence_s,
                "trailing_silence_s": f.trailing_silence_s,
                "pause_before_s": pause,
                "integrated_lufs": own,
                "offset_lu": offset,
                "true_peak_dbtp": _num(m.true_peak.dbtp) if m is not None else None,
                "loudness_range_lu": _num(m.loudness.loudness_range_lu) if m is not None else None,
                "check": file_object(run.result),
            }
        )
    kinds = {(f.sample_rate, f.bit_depth, f.channels) for f in facts if f.sample_rate is not None}
    one = next(iter(kinds)) if len(kinds) == 1 else (None, None, None)
    return {
        "schema": SCHEMA,
        "path": spec.path,
        "title": spec.title,
        "performer": spec.performer,
        "catalog": spec.catalog,
        "tracks": tracks,
        "total_s": slots[-1].end / rate,
        "format": {
            "sample_rate": one[0],
            "bit_depth": one[1],
            "channels": one[2],
            "consistent": len(kinds) <= 1,
        },
        "loudness": loudness,
        "diagnostics": [diagnostic_object(d) for d in diagnostics],
        "profiles": list(settings.profile_names),
        "fail_level": settings.fail_level.label,
    }
