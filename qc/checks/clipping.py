"""CLP: runs at the file's own maximum (clipped at full scale, or clipped then lowered)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db, mmss
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity
from qc.measure import amplitude_to_db

__all__ = ["FlatTopClipping", "FullScaleClipping"]

_CANNOT_FIX = (
    "mastering cannot repair clipping made in the mix; fix it in the session and re-export"
)


def _runs(
    ctx: Context, opts: Mapping[str, Any], severity: Severity, rule: Rule, kind: str
) -> Iterator[Diagnostic]:
    clip = ctx.measurements.clipping
    if clip.runs < opts["min_runs"]:
        return
    first = clip.first_runs[0] if clip.first_runs else None
    rate = ctx.measurements.sample_rate
    start = first.start / rate if first else None
    end = (first.start + first.length) / rate if first else None
    yield rule.finding(
        ctx,
        severity,
        f"{clip.runs} clipped runs {kind} ({clip.samples} samples, longest {clip.longest}), "
        f"first at {mmss(start)}: {_CANNOT_FIX}",
        measured=float(clip.runs),
        limit=float(opts["min_runs"]),
        unit="runs",
        start_s=start,
        end_s=end,
        channel=first.channel if first else None,
    )


class FullScaleClipping(Rule):
    """Runs of consecutive samples at full scale: the mix clipped.

    Fails when at least ``min_runs`` runs of ``clip_min_run`` (a measurement
    setting, 3 by default) or more consecutive samples sit at 0 dBFS. A single
    full-scale sample is not a clip: a normaliser hits 0 dBFS exactly once.

    Options:
        min_runs (int, runs): how many runs fail the file. Default 1.

    Example:
        ``mix.wav:00:02.502: error CLP001 12 clipped runs at full scale ...``
    """

    code = "CLP001"
    name = "full-scale-clipping"
    options = (
        Option("min_runs", int, 1, "runs", "runs at full scale that fail the file", minimum=1),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        if ctx.measurements.clipping.full_scale:
            yield from _runs(ctx, opts, severity, self, "at full scale")


class FlatTopClipping(Rule):
    """Flat tops below full scale: clipped, then turned down.

    Fails when at least ``min_runs`` runs sit at the file's own maximum level
    below 0 dBFS. A full-scale test misses this; the histogram and run length
    do not. Three runs of three samples is the threshold that stays quiet on
    clean masters (reference/detect/clipping.md).

    Options:
        min_runs (int, runs): how many flat-top runs fail the file. Default 3.

    Example:
        ``mix.wav:00:02.502: error CLP002 7377 clipped runs at -0.20 dBFS ...``
    """

    code = "CLP002"
    name = "flat-top-clipping"
    options = (Option("min_runs", int, 3, "runs", "flat-top runs that fail the file", minimum=1),)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        clip = ctx.measurements.clipping
        if not clip.full_scale and clip.level > 0:
            level = db(amplitude_to_db(clip.level), "dBFS", 2)
            yield from _runs(ctx, opts, severity, self, f"at {level}")
