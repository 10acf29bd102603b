"""TP: inter-sample peaks above the delivery ceiling."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db, mmss
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["TruePeakCeiling"]


class TruePeakCeiling(Rule):
    """True peak above the delivery ceiling.

    Fails when any channel's true peak (dBTP, the ``accurate`` method unless the
    profile picks ``bs1770``) is above ``max_dbtp``. Warns when it is within
    ``margin_db`` below it: meters that all claim BS.1770 disagree by up to
    0.37 dB on the same master, so a reading just under the ceiling is not a
    safe pass. Passes otherwise. The message counts the overs (half-waves
    whose highest crest is above the measurement's over threshold) and gives
    the times of the worst.

    Options:
        max_dbtp (float, dBTP): the ceiling. Default -1.0 (the streaming norm).
        margin_db (float, dB): warning band below the ceiling. Default 0.3.

    Example:
        ``mix.wav:00:50.501: error TP001 true peak +1.7 dBTP exceeds the -1.0 dBTP ceiling ...``
    """

    code = "TP001"
    name = "true-peak-ceiling"
    options = (
        Option("max_dbtp", float, -1.0, "dBTP", "ceiling"),
        Option("margin_db", float, 0.3, "dB", "warning band below the ceiling", minimum=0),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        tp = ctx.measurements.true_peak
        ceiling = opts["max_dbtp"]
        value = tp.dbtp
        where = {
            "measured": value,
            "limit": ceiling,
            "unit": "dBTP",
            "start_s": tp.time_s,
            "channel": tp.channel_dbtp.index(value) if tp.channel_dbtp else None,
        }
        if value > ceiling:
            worst = ", ".join(mmss(o.time_s) for o in tp.worst_overs[:5])
            overs = sum(tp.channel_overs)
            counted = (
                f"; {overs} overs above {tp.over_threshold_dbtp:+.1f} dBTP, worst at {worst}"
                if overs
                else ""
            )
            yield self.finding(
                ctx,
                severity,
                f"true peak {db(value, 'dBTP', 2)} at {mmss(tp.time_s)} exceeds the "
                f"{db(ceiling, 'dBTP')} ceiling{counted}",
                **where,
            )
        elif value > ceiling - opts["margin_db"]:
            yield self.finding(
                ctx,
                Severity.WARNING,
                f"true peak {db(value, 'dBTP', 2)} is within {opts['margin_db']:.1f} dB of the "
                f"{db(ceiling, 'dBTP')} ceiling; other meters may read it above",
                **where,
            )
