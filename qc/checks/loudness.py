"""LUF: integrated loudness, short-term maximum, loudness range, and normalisation preview."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db, mmss
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = [
    "QUIETEST_TARGET_LUFS",
    "QUIET_MARGIN_LU",
    "FarBelowTarget",
    "IntegratedLoudness",
    "LoudnessRange",
    "MaxShortTerm",
    "NormalizationPreview",
]


class IntegratedLoudness(Rule):
    """Integrated loudness outside the delivery target plus or minus its tolerance.

    For broadcast and podcast deliveries, where the target is a requirement.
    Fails when BS.1770-4 integrated loudness (program-gated) is outside
    ``target_lufs +- tolerance_lu``; also fails on digital silence. Passes
    otherwise. Dialogue-gated specs (Netflix, Amazon) can only be approximated
    by a program-gated meter; such profiles say so.

    Options:
        target_lufs (float, LUFS): the target. Required: the rule is off without it.
        tolerance_lu (float, LU): allowed deviation either way. Default 1.0.

    Example:
        ``promo.wav: error LUF001 integrated -19.4 LUFS; ebu-r128 requires -23.0 +- 0.5 LU``
    """

    code = "LUF001"
    name = "integrated-loudness"
    enabled = False
    options = (
        Option("target_lufs", float, -23.0, "LUFS", "target integrated loudness"),
        Option("tolerance_lu", float, 1.0, "LU", "allowed deviation either way", minimum=0),
        Option("note", str, "", "", "appended to the message (e.g. how the gating differs)"),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        value = ctx.measurements.loudness.integrated_lufs
        target, tol = opts["target_lufs"], opts["tolerance_lu"]
        if value is None:
            yield self.finding(ctx, Severity.INFO, "too short (< 400 ms) to measure loudness")
            return
        if not target - tol <= value <= target + tol:
            note = f" ({opts['note']})" if opts["note"] else ""
            yield self.finding(
                ctx,
                severity,
                f"integrated {db(value, 'LUFS')}; {ctx.profile} requires "
                f"{target:.1f} +- {tol:.1f} LU{note}",
                measured=value if math.isfinite(value) else None,
                limit=target,
                unit="LUFS",
            )


class MaxShortTerm(Rule):
    """Maximum short-term (3 s) loudness above a limit (EBU R 128 s1 for short-form).

    Fails when the highest 3 s loudness, over windows ending at any sample, is
    above ``max_lufs``.

    Options:
        max_lufs (float, LUFS): the limit. The rule is off unless a profile enables it.

    Example:
        ``spot.wav:00:12.300: error LUF002 max short-term -16.2 LUFS above -18.0 LUFS``
    """

    code = "LUF002"
    name = "max-short-term"
    enabled = False
    options = (Option("max_lufs", float, -18.0, "LUFS", "highest allowed short-term loudness"),)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        loud = ctx.measurements.loudness
        value = loud.max_short_term_lufs
        if value is not None and value > opts["max_lufs"]:
            end = loud.max_short_term_time_s
            yield self.finding(
                ctx,
                severity,
                f"max short-term {db(value, 'LUFS')} at {mmss(end)} above "
                f"{db(opts['max_lufs'], 'LUFS')}",
                measured=value,
                limit=opts["max_lufs"],
                unit="LUFS",
                start_s=None if end is None else max(end - 3.0, 0.0),
                end_s=end,
            )


class LoudnessRange(Rule):
    """Loudness range (EBU Tech 3342) outside the profile's bounds.

    Fails when LRA is below ``min_lu`` or above ``max_lu``. EBU R 128 treats LRA
    as a descriptor without limits; broadcasters and platforms set their own.

    Options:
        min_lu (float, LU): lowest allowed LRA. Default 0 (no lower bound).
        max_lu (float, LU): highest allowed LRA. Default 20.

    Example:
        ``film.wav: warning LUF003 loudness range 24.1 LU above 20.0 LU``
    """

    code = "LUF003"
    name = "loudness-range"
    enabled = False
    options = (
        Option("min_lu", float, 0.0, "LU", "lowest allowed loudness range", minimum=0),
        Option("max_lu", float, 20.0, "LU", "highest allowed loudness range", minimum=0),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        lra = ctx.measurements.loudness.loudness_range_lu
        if lra is None:
            return
        for bad, word, limit in ((lra < opts["min_lu"], "below", opts["min_lu"]),
                                 (lra > opts["max_lu"], "above", opts["max_lu"])):  # fmt: skip
            if bad:
                yield self.finding(
                    ctx,
                    severity,
                    f"loudness range {lra:.1f} LU {word} {limit:.1f} LU",
                    measured=lra,
                    limit=limit,
                    unit="LU",
                )


class NormalizationPreview(Rule):
    """What a streaming platform's loudness normalisation will do to this master.

    Streaming targets are playback normalisation, not delivery requirements, so
    this rule does not pass or fail: it reports (info) the gain the platform
    applies, the loudness and true peak after it. With ``boost = "headroom"``
    (Spotify) a quiet master is raised only as far as its true peak stays at or
    below ``boost_ceiling_dbtp``; with ``"never"`` it is never raised. It warns
    when the master is turned down by more than ``warn_turn_down_db``: the extra
    loudness bought with limiting is thrown away on playback.

    Options:
        target_lufs (float, LUFS): the platform's playback reference. Default -14.
        boost (str): ``"never"``, ``"headroom"`` or ``"always"``. Default "never".
        boost_ceiling_dbtp (float, dBTP): highest true peak after a boost. Default -1.
        warn_turn_down_db (float, dB): turn-down that earns a warning. Default 6.

    Example:
        ``master.wav: info LUF004 spotify plays this 4.9 dB quieter: -9.1 -> -14.0 LUFS ...``
    """

    code = "LUF004"
    name = "normalization-preview"
    severity = Severity.INFO
    enabled = False
    options = (
        Option("target_lufs", float, -14.0, "LUFS", "platform playback reference"),
        Option(
            "boost",
            str,
            "never",
            "",
            "when the platform turns a quiet master up",
            choices=("never", "headroom", "always"),
        ),
        Option("boost_ceiling_dbtp", float, -1.0, "dBTP", "highest true peak after a boost"),
        Option("warn_turn_down_db", float, 6.0, "dB", "turn-down that earns a warning", minimum=0),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        value = ctx.measurements.loudness.integrated_lufs
        if value is None or not math.isfinite(value):
            return
        tp = ctx.measurements.true_peak.dbtp
        gain = opts["target_lufs"] - value
        if gain > 0 and opts["boost"] == "never":
            gain = 0.0
        elif gain > 0 and opts["boost"] == "headroom":
            gain = max(min(gain, opts["boost_ceiling_dbtp"] - tp), 0.0)
        after = value + gain
        verb = (
            f"{-gain:.1f} dB quieter"
            if gain < 0
            else (f"{gain:.1f} dB louder" if gain > 0 else "unchanged")
        )
        text = (
            f"{ctx.profile} plays this {verb}: {db(value, 'LUFS')} -> {db(after, 'LUFS')}, "
            f"true peak {db(tp, 'dBTP')} -> {db(tp + gain, 'dBTP')}"
        )
        where = {"measured": gain, "limit": opts["target_lufs"], "unit": "dB"}
        yield self.finding(ctx, Severity.INFO, text, **where)
        if -gain > opts["warn_turn_down_db"]:
            yield self.finding(
                ctx,
                Severity.WARNING,
                f"{ctx.profile} turns this master down {-gain:.1f} dB: the loudness bought "
                "with limiting is thrown away on playback, the lost dynamics are not",
                **where,
            )


QUIETEST_TARGET_LUFS = -24.0
"""The quietest integrated target among the shipped profiles: ATSC A/85 and Netflix, LUFS."""

QUIET_MARGIN_LU = 6.0
"""How far below that target a master is "far below": three times the widest
tolerance those profiles allow (+-2 LU), LU."""


class FarBelowTarget(Rule):
    """Integrated loudness far below every delivery target: a wrong render or gain stage.

    Warns when BS.1770-4 integrated loudness is below ``min_lufs``. The default,
    -30 LUFS, is the quietest integrated target of the shipped profiles (-24
    LKFS, ATSC A/85 and Netflix) minus 6 LU, three times the widest tolerance
    they allow. No delivery wants a master that quiet: streaming platforms that
    never turn a master up play it that much quieter than the rest, and
    broadcast would need more than 6 dB of gain. Says nothing on digital
    silence (SIL rules) or when too short to measure.

    Options:
        min_lufs (float, LUFS): quietest integrated loudness without a warning.
            Default -30.

    Example:
        ``master.wav: warning LUF005 integrated -33.7 LUFS, 9.7 LU below -24.0 LUFS ...``
    """

    code = "LUF005"
    name = "far-below-target"
    severity = Severity.WARNING
    options = (
        Option(
            "min_lufs",
            float,
            QUIETEST_TARGET_LUFS - QUIET_MARGIN_LU,
            "LUFS",
            "quietest integrated loudness without a warning",
        ),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        value = ctx.measurements.loudness.integrated_lufs
        if value is None or not math.isfinite(value) or value >= opts["min_lufs"]:
            return
        yield self.finding(
            ctx,
            severity,
            f"integrated {db(value, 'LUFS')}, {QUIETEST_TARGET_LUFS - value:.1f} LU below "
            f"{db(QUIETEST_TARGET_LUFS, 'LUFS')}, the quietest delivery target (ATSC A/85, "
            "Netflix): check the render's gain before delivery",
            measured=value,
            limit=opts["min_lufs"],
            unit="LUFS",
        )
