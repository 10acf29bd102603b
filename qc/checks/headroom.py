"""HDR: a mix sent to mastering must keep headroom and must not be limited."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["LimitedMixBus", "NoHeadroom"]

_EXPORT = "export the mix before final limiting and leave the level to mastering"


class NoHeadroom(Rule):
    """No headroom left for mastering: peaks too close to full scale.

    Fails when the true peak is above ``max_dbtp``. Mastering needs room for EQ
    and bus processing; a mix peaking at 0 dBFS either clipped or was limited.

    Options:
        max_dbtp (float, dBTP): highest acceptable true peak. Default -3.0
            (typical engineering practice, not a published standard).

    Example:
        ``mix.wav: error HDR001 true peak -0.2 dBTP leaves no headroom (limit -3.0 dBTP)``
    """

    code = "HDR001"
    name = "no-headroom"
    enabled = False
    options = (Option("max_dbtp", float, -3.0, "dBTP", "highest acceptable true peak"),)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        tp = ctx.measurements.true_peak
        if tp.dbtp > opts["max_dbtp"]:
            yield self.finding(
                ctx,
                severity,
                f"true peak {db(tp.dbtp, 'dBTP')} leaves no headroom "
                f"(limit {db(opts['max_dbtp'], 'dBTP')}): {_EXPORT}",
                measured=tp.dbtp,
                limit=opts["max_dbtp"],
                unit="dBTP",
                start_s=tp.time_s,
            )


class LimitedMixBus(Rule):
    """Signs of a limited mix bus: a very low peak-to-loudness ratio.

    Fails when true peak minus integrated loudness (the PLR, in dB) is below
    ``min_plr_db``. Unlimited mixes usually sit well above 12 dB; heavily
    limited masters near 6-8 dB.

    Options:
        min_plr_db (float, dB): lowest acceptable PLR. Default 9.0 (typical).

    Example:
        ``mix.wav: warning HDR002 peak-to-loudness ratio 7.1 dB: the mix bus looks limited``
    """

    code = "HDR002"
    name = "limited-mix-bus"
    enabled = False
    options = (
        Option(
            "min_plr_db", float, 9.0, "dB", "lowest acceptable peak-to-loudness ratio", minimum=0
        ),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        loud = ctx.measurements.loudness.integrated_lufs
        tp = ctx.measurements.true_peak.dbtp
        if loud is None or loud == float("-inf"):
            return
        plr = tp - loud
        if plr < opts["min_plr_db"]:
            yield self.finding(
                ctx,
                severity,
                f"peak-to-loudness ratio {plr:.1f} dB (limit {opts['min_plr_db']:.1f} dB): "
                f"the mix bus looks limited; {_EXPORT}",
                measured=plr,
                limit=opts["min_plr_db"],
                unit="dB",
            )
