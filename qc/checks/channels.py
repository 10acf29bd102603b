"""CH: DC offset, phase and mono compatibility, dual mono."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db, mmss
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["DCOffset", "DualMono", "PhaseCorrelation"]


class DCOffset(Rule):
    """A channel carries a DC offset.

    Fails when any channel's mean sample value is above ``max_dbfs`` in
    magnitude. DC eats headroom and makes limiters and fades misbehave.

    Options:
        max_dbfs (float, dBFS): largest allowed |mean|. Default -50 (about 0.003).

    Example:
        ``mix.wav: warning CH001 DC offset -47.9 dBFS (+0.0040) on channel 1``
    """

    code = "CH001"
    name = "dc-offset"
    severity = Severity.WARNING
    options = (Option("max_dbfs", float, -50.0, "dBFS", "largest allowed |DC offset|", maximum=0),)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        for c, dc in enumerate(ctx.measurements.levels.channel_dc):
            level = 20 * math.log10(abs(dc)) if dc else float("-inf")
            if level > opts["max_dbfs"]:
                yield self.finding(
                    ctx,
                    severity,
                    f"DC offset {db(level, 'dBFS')} ({dc:+.4f}) on channel {c + 1}",
                    measured=level,
                    limit=opts["max_dbfs"],
                    unit="dBFS",
                    channel=c,
                )


class PhaseCorrelation(Rule):
    """Left and right are out of phase: the mix collapses in mono.

    Fails when the whole-file L/R correlation is below ``min_correlation``
    (a polarity-inverted channel reads -1). Warns when a passage of 100 ms with
    real signal drops below ``min_passage_correlation``, with its time.

    Options:
        min_correlation (float): lowest whole-file correlation. Default 0.0.
        min_passage_correlation (float): lowest passage correlation. Default -0.5.

    Example:
        ``mix.wav: error CH002 L/R correlation -0.98: one channel is polarity-inverted ...``
    """

    code = "CH002"
    name = "phase-correlation"
    options = (
        Option(
            "min_correlation",
            float,
            0.0,
            "",
            "lowest whole-file L/R correlation",
            minimum=-1,
            maximum=1,
        ),
        Option(
            "min_passage_correlation",
            float,
            -0.5,
            "",
            "lowest 100 ms correlation",
            minimum=-1,
            maximum=1,
        ),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        st = ctx.measurements.stereo
        if st.correlation is None:
            return
        if st.correlation < opts["min_correlation"]:
            hint = ": one channel is polarity-inverted" if st.correlation < -0.9 else ""
            yield self.finding(
                ctx,
                severity,
                f"L/R correlation {st.correlation:+.2f}{hint}; the mix cancels in mono",
                measured=st.correlation,
                limit=opts["min_correlation"],
            )
        elif st.worst_correlation is not None and (
            st.worst_correlation < opts["min_passage_correlation"]
        ):
            yield self.finding(
                ctx,
                Severity.WARNING,
                f"L/R correlation {st.worst_correlation:+.2f} at {mmss(st.worst_time_s)}: "
                "this passage cancels in mono",
                measured=st.worst_correlation,
                limit=opts["min_passage_correlation"],
                start_s=st.worst_time_s,
                end_s=None if st.worst_time_s is None else st.worst_time_s + 0.1,
            )


class DualMono(Rule):
    """A stereo file whose two channels are identical (dual mono).

    Reports (info) when left minus right never rises above ``max_side_dbfs``:
    the file is mono presented as stereo. Intended for mono sources, a bounce
    mistake otherwise.

    Options:
        max_side_dbfs (float, dBFS): largest |L - R| still counted as identical. Default -90.

    Example:
        ``vocal.wav: info CH003 left and right are identical (dual mono)``
    """

    code = "CH003"
    name = "dual-mono"
    severity = Severity.INFO
    options = (
        Option(
            "max_side_dbfs", float, -90.0, "dBFS", "largest |L-R| that counts as equal", maximum=0
        ),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        st = ctx.measurements.stereo
        peak = max(ctx.measurements.levels.channel_peak, default=0.0)
        if st.max_side_dbfs is None or peak <= 0:
            return
        if st.max_side_dbfs <= opts["max_side_dbfs"]:
            yield self.finding(
                ctx,
                severity,
                "left and right are identical (dual mono)",
                measured=st.max_side_dbfs if math.isfinite(st.max_side_dbfs) else None,
                limit=opts["max_side_dbfs"],
                unit="dBFS",
            )
