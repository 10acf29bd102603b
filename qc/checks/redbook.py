"""ALB: the Red Book's rules for a CD (IEC 60908) and its codes (ISO 3901 ISRC, GS1 UPC/EAN).

The Red Book layout rules are off by default and on in the ``cd-redbook``
profile; the code checks run whenever a code is written in the album file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.album.codes import gtin_problem, isrc_compact, isrc_problem
from qc.checks.album_rule import AlbumContext, AlbumRule
from qc.checks.rule import Option
from qc.diagnostic import Diagnostic, Severity
from qc.measure.album import CD_FRAME_SAMPLES, CD_RATE

__all__ = [
    "CatalogNumber",
    "DuplicateIsrc",
    "IsrcFormat",
    "RedBookFirstPregap",
    "RedBookFrames",
    "RedBookTotalLength",
    "RedBookTrackCount",
    "RedBookTrackLength",
]


class IsrcFormat(AlbumRule):
    """An ISRC is not of the form ``CC-XXX-YY-NNNNN`` (ISO 3901).

    Fails when a track's ISRC is not a two-letter country code, three letters
    or digits of registrant, two digits of year and five of designation
    (hyphens optional); with ``required = true``, also when a track has none.

    Options:
        required (bool): every track must have an ISRC. Default false.

    Example:
        ``album.toml: error ALB005 track 2 ISRC 'US-RC1-7607839': hyphens must separate ...``
    """

    code = "ALB005"
    name = "isrc-format"
    options = (Option("required", bool, False, "", "every track must have an ISRC"),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for t in ctx.tracks:
            if not t.isrc:
                if opts["required"]:
                    yield self.album_finding(
                        ctx, severity, f"track {t.number} has no ISRC", start_s=t.start_s
                    )
                continue
            problem = isrc_problem(t.isrc)
            if problem is not None:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"track {t.number} ISRC {t.isrc!r} {problem}",
                    start_s=t.start_s,
                )


class DuplicateIsrc(AlbumRule):
    """Two tracks carry the same ISRC (each recording has its own, ISO 3901).

    Example:
        ``album.toml: error ALB006 tracks 3 and 7 share ISRC GBAYE0601498``
    """

    code = "ALB006"
    name = "duplicate-isrc"

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        seen: dict[str, int] = {}
        for t in ctx.tracks:
            if not t.isrc:
                continue
            key = isrc_compact(t.isrc).upper()
            if key in seen:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"tracks {seen[key]} and {t.number} share ISRC {key}",
                    start_s=t.start_s,
                )
            else:
                seen[key] = t.number


class CatalogNumber(AlbumRule):
    """The album's catalog number is not a valid UPC-A or EAN-13 (GS1 check digit).

    Example:
        ``album.toml: error ALB007 catalog '4006381333932' check digit is 2, expected 1``
    """

    code = "ALB007"
    name = "catalog-number"

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        problem = gtin_problem(ctx.catalog) if ctx.catalog else None
        if problem is not None:
            yield self.album_finding(ctx, severity, f"catalog {ctx.catalog!r} {problem}")


class RedBookTrackCount(AlbumRule):
    """A CD holds at most 99 tracks (IEC 60908).

    Options:
        max_tracks (int): most tracks. Default 99.

    Example:
        ``album.toml: error ALB010 100 tracks (a CD holds at most 99)``
    """

    code = "ALB010"
    name = "redbook-track-count"
    enabled = False
    options = (Option("max_tracks", int, 99, "", "most tracks", minimum=1, maximum=99),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        n = len(ctx.tracks)
        if n > opts["max_tracks"]:
            text = f"{n} tracks (a CD holds at most {opts['max_tracks']})"
            yield self.album_finding(ctx, severity, text, measured=n, limit=opts["max_tracks"])


class RedBookTrackLength(AlbumRule):
    """A CD track lasts at least 4 s (IEC 60908).

    Options:
        min_s (float, s): shortest track. Default 4.

    Example:
        ``album.toml:01:02.000: error ALB011 track 2 lasts 2.5 s (a CD track lasts at least 4 s)``
    """

    code = "ALB011"
    name = "redbook-track-length"
    enabled = False
    options = (Option("min_s", float, 4.0, "s", "shortest track", minimum=0),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for t in ctx.tracks:
            if t.duration_s is not None and t.duration_s < opts["min_s"]:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"track {t.number} lasts {t.duration_s:.2f} s "
                    f"(a CD track lasts at least {opts['min_s']:g} s)",
                    measured=t.duration_s,
                    limit=opts["min_s"],
                    unit="s",
                    start_s=t.start_s,
                )


class RedBookTotalLength(AlbumRule):
    """The album runs longer than a CD holds: 79:57 (IEC 60908, 80-minute disc).

    Options:
        max_s (float, s): longest running time, pre-gaps included. Default 4797 (79:57).

    Example:
        ``album.toml: error ALB012 running time 81:03 (a CD holds at most 79:57)``
    """

    code = "ALB012"
    name = "redbook-total-length"
    enabled = False
    options = (Option("max_s", float, 4797.0, "s", "longest running time", minimum=0),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        if ctx.total_s > opts["max_s"]:
            yield self.album_finding(
                ctx,
                severity,
                f"running time {_mmss(ctx.total_s)} (a CD holds at most {_mmss(opts['max_s'])})",
                measured=ctx.total_s,
                limit=opts["max_s"],
                unit="s",
            )


def _mmss(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class RedBookFirstPregap(AlbumRule):
    """The first track's pre-gap is shorter than 2 s (IEC 60908: 150 frames).

    Options:
        min_s (float, s): shortest pre-gap of track 1. Default 2.

    Example:
        ``album.toml: error ALB013 track 1 pre-gap is 0.0 s (a CD needs at least 2 s)``
    """

    code = "ALB013"
    name = "redbook-first-pregap"
    enabled = False
    options = (Option("min_s", float, 2.0, "s", "shortest pre-gap of track 1", minimum=0),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        if ctx.tracks and ctx.tracks[0].gap_s < opts["min_s"]:
            gap = ctx.tracks[0].gap_s
            yield self.album_finding(
                ctx,
                severity,
                f"track 1 pre-gap is {gap:.2f} s (a CD needs at least {opts['min_s']:g} s)",
                measured=gap,
                limit=opts["min_s"],
                unit="s",
                start_s=0.0,
            )


class RedBookFrames(AlbumRule):
    """A gap is not a whole number of CD frames (588 samples, 1/75 s at 44.1 kHz).

    Track starts on a CD fall on frames. Fails when a gap is not a whole
    number of frames (the image rounds it up). A track whose length is not a
    whole number of frames is reported as information: the image pads it with
    silence, never cutting audio.

    Example:
        ``album.toml:00:05.000: warning ALB014 gap before track 2 is 0.005 s: 220.5 samples``
    """

    code = "ALB014"
    name = "redbook-frames"
    severity = Severity.WARNING
    enabled = False

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for t in ctx.tracks:
            samples = t.gap_s * CD_RATE
            if abs(samples - CD_FRAME_SAMPLES * round(samples / CD_FRAME_SAMPLES)) > 1e-6:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"gap before track {t.number} is {t.gap_s:g} s ({samples:g} samples), "
                    f"not a whole number of {CD_FRAME_SAMPLES}-sample CD frames",
                    measured=t.gap_s,
                    unit="s",
                    start_s=t.start_s - t.gap_s,
                )
            rest = (t.frames or 0) % CD_FRAME_SAMPLES if t.sample_rate == CD_RATE else 0
            if rest:
                yield self.album_finding(
                    ctx,
                    Severity.INFO,
                    f"track {t.number} ends {rest} samples into a CD frame: the image pads it "
                    f"with {CD_FRAME_SAMPLES - rest} samples of silence",
                    measured=float(CD_FRAME_SAMPLES - rest),
                    unit="samples",
                    start_s=t.start_s + (t.duration_s or 0.0),
                )
