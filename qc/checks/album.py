"""ALB: rules about an album as a whole (format, loudness between tracks, pauses, joins).

Album rules are registered with the others, so profiles set them, ``--select``
and ``--ignore`` name them and ``mixdesk explain`` documents them. What they look
at, their base class and their runner are in :mod:`qc.checks.album_rule`; the
Red Book rules are in :mod:`qc.checks.redbook`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from qc.checks.album_rule import AlbumContext, AlbumRule, TrackFacts
from qc.checks.rule import Option
from qc.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    pass

__all__ = ["AlbumFormatConsistency", "AlbumLoudnessOutlier", "AlbumPause", "JoinClick"]


class AlbumFormatConsistency(AlbumRule):
    """The tracks differ in sample rate, bit depth or channel count.

    Fails when a track's rate, depth or channels differ from the first track's.
    An album is one delivery: a disc image, a DDP or an album upload takes one format.

    Example:
        ``album.toml: error ALB001 track 3 is 48000 Hz/24-bit/2 ch;``
        ``track 1 is 44100 Hz/16-bit/2 ch``
    """

    code = "ALB001"
    name = "album-format-consistency"

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        read = [t for t in ctx.tracks if t.sample_rate is not None]
        if not read:
            return
        first = read[0]
        for t in read[1:]:
            if (t.sample_rate, t.bit_depth, t.channels) != (
                first.sample_rate,
                first.bit_depth,
                first.channels,
            ):
                yield self.album_finding(
                    ctx,
                    severity,
                    f"track {t.number} is {_fmt(t)}; track {first.number} is {_fmt(first)}",
                    start_s=t.start_s,
                )


def _fmt(t: TrackFacts) -> str:
    depth = f"{t.bit_depth}-bit" if t.bit_depth else "float"
    return f"{t.sample_rate} Hz/{depth}/{t.channels} ch"


class AlbumLoudnessOutlier(AlbumRule):
    """A track is far louder or quieter than its neighbours (information: it can be artistic).

    Reports when a track's integrated loudness differs from the mean of its
    neighbours' (the tracks before and after it) by more than ``max_offset_lu``.
    A quiet interlude or a loud closer is often meant; say so, do not fail.

    Options:
        max_offset_lu (float, LU): largest difference from the neighbours. Default 4.

    Example:
        ``album.toml:02:10.000: info ALB002 track 3 is 6.1 LU quieter than its neighbours``
    """

    code = "ALB002"
    name = "album-loudness-outlier"
    severity = Severity.INFO
    options = (
        Option("max_offset_lu", float, 4.0, "LU", "largest difference from neighbours", minimum=0),
    )

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        loud = [t for t in ctx.tracks if _finite(t.integrated_lufs)]
        for i, t in enumerate(loud):
            near = [n.integrated_lufs for n in loud[max(i - 1, 0) : i + 2] if n is not t]
            if not near or t.integrated_lufs is None:
                continue
            ref = sum(n for n in near if n is not None) / len(near)
            offset = t.integrated_lufs - ref
            if abs(offset) > opts["max_offset_lu"]:
                word = "louder" if offset > 0 else "quieter"
                yield self.album_finding(
                    ctx,
                    severity,
                    f"track {t.number} is {abs(offset):.1f} LU {word} than its neighbours "
                    f"({t.integrated_lufs:.1f} vs {ref:.1f} LUFS): fine if intended",
                    measured=offset,
                    limit=opts["max_offset_lu"],
                    unit="LU",
                    start_s=t.start_s,
                )


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


class AlbumPause(AlbumRule):
    """The pause a listener hears before a track differs from the gap set in the album.

    The pause is the previous track's trailing silence, the gap and the track's
    own leading silence (below -60 dBFS, to 100 ms): a track that ends in 3 s of
    silence before a 2 s gap makes a 5 s pause. Fails when the pause exceeds
    the gap by more than ``tolerance_s``.

    Options:
        tolerance_s (float, s): silence allowed around a gap. Default 1.0.

    Example:
        ``album.toml:04:02.000: warning ALB003 pause before track 2 is 5.0 s, not the gap of 2.0 s``
    """

    code = "ALB003"
    name = "album-pause"
    severity = Severity.WARNING
    options = (Option("tolerance_s", float, 1.0, "s", "silence allowed around a gap", minimum=0),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for prev, t in zip(ctx.tracks, ctx.tracks[1:], strict=False):
            if prev.trailing_silence_s is None or t.leading_silence_s is None:
                continue
            if t.leading_silence_s >= (t.duration_s or 0.0):
                continue  # a silent track: the silence rules say so
            pause = prev.trailing_silence_s + t.gap_s + t.leading_silence_s
            if pause - t.gap_s > opts["tolerance_s"]:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"pause before track {t.number} is {pause:.1f} s, not the gap of "
                    f"{t.gap_s:.1f} s ({prev.trailing_silence_s:.1f} s of silence ending "
                    f"track {prev.number}, {t.leading_silence_s:.1f} s starting track {t.number})",
                    measured=pause,
                    limit=t.gap_s + opts["tolerance_s"],
                    unit="s",
                    start_s=t.start_s - t.gap_s,
                    end_s=t.start_s,
                )


class JoinClick(AlbumRule):
    """A click where one track ends and the next begins with no gap.

    With no gap, the next track's first sample should continue the previous
    track's last ones; the step is how far it lies from the straight line
    through the previous two samples, largest over channels. Fails when it is
    above ``max_step_dbfs``.

    Options:
        max_step_dbfs (float, dBFS): largest step at a gapless join. Default -30.

    Example:
        ``album.toml:03:12.000: warning ALB004 click at the join into track 4: step -6.0 dBFS``
    """

    code = "ALB004"
    name = "join-click"
    severity = Severity.WARNING
    options = (Option("max_step_dbfs", float, -30.0, "dBFS", "largest step at a join", maximum=6),)

    def check_album(  # noqa: D102
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for t in ctx.tracks:
            if t.join_step is None or t.join_step <= 0:
                continue
            step = 20.0 * math.log10(t.join_step)
            if step > opts["max_step_dbfs"]:
                yield self.album_finding(
                    ctx,
                    severity,
                    f"click at the join into track {t.number}: step {step:.1f} dBFS "
                    f"(limit {opts['max_step_dbfs']:.1f} dBFS)",
                    measured=step,
                    limit=opts["max_step_dbfs"],
                    unit="dBFS",
                    start_s=t.start_s,
                )
