"""SIL: silence at the ends, silent channels, silent files."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db
from qc.checks.rule import Context, Option, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["LeadingSilence", "SilentChannel", "SilentFile", "TrailingSilence"]

_THRESHOLD = Option(
    "threshold_dbfs", float, -60.0, "dBFS", "level below which audio is silence", maximum=0
)


class LeadingSilence(Rule):
    """Silence before the programme starts is longer than allowed.

    Fails when no channel rises above ``threshold_dbfs`` for more than
    ``max_s`` seconds from the start (resolved to 100 ms).

    Options:
        max_s (float, s): longest allowed leading silence. Default 2.0.
        threshold_dbfs (float, dBFS): silence threshold (sample peak). Default -60.

    Example:
        ``single.wav:00:00.000: warning SIL001 leading silence 3.2 s (limit 2.0 s)``
    """

    code = "SIL001"
    name = "leading-silence"
    severity = Severity.WARNING
    options = (
        Option("max_s", float, 2.0, "s", "longest allowed leading silence", minimum=0),
        _THRESHOLD,
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        env = ctx.measurements.envelope
        quiet = env.leading_silence_s(opts["threshold_dbfs"])
        if quiet > opts["max_s"] and quiet < env.duration_s:
            yield self.finding(
                ctx,
                severity,
                f"leading silence {quiet:.1f} s (limit {opts['max_s']:.1f} s)",
                measured=quiet,
                limit=opts["max_s"],
                unit="s",
                start_s=0.0,
                end_s=quiet,
            )


class TrailingSilence(Rule):
    """Silence after the programme ends is longer than allowed.

    Fails when the last ``max_s`` seconds or more stay below ``threshold_dbfs``
    on every channel (resolved to 100 ms). Natural reverb tails are above the
    default threshold for a while, so they do not count as silence.

    Options:
        max_s (float, s): longest allowed trailing silence. Default 5.0.
        threshold_dbfs (float, dBFS): silence threshold (sample peak). Default -60.

    Example:
        ``single.wav:03:41.200: warning SIL002 trailing silence 8.8 s (limit 5.0 s)``
    """

    code = "SIL002"
    name = "trailing-silence"
    severity = Severity.WARNING
    options = (
        Option("max_s", float, 5.0, "s", "longest allowed trailing silence", minimum=0),
        _THRESHOLD,
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        env = ctx.measurements.envelope
        quiet = env.trailing_silence_s(opts["threshold_dbfs"])
        if quiet > opts["max_s"] and quiet < env.duration_s:
            yield self.finding(
                ctx,
                severity,
                f"trailing silence {quiet:.1f} s (limit {opts['max_s']:.1f} s)",
                measured=quiet,
                limit=opts["max_s"],
                unit="s",
                start_s=env.duration_s - quiet,
                end_s=env.duration_s,
            )


class SilentChannel(Rule):
    """A channel never rises above the silence threshold while another does.

    Fails for each such channel: a dead side of a stereo bounce, a routing or
    panning mistake.

    Options:
        threshold_dbfs (float, dBFS): silence threshold (sample peak). Default -60.

    Example:
        ``mix.wav: error SIL003 channel 2 is silent (never above -60 dBFS)``
    """

    code = "SIL003"
    name = "silent-channel"
    options = (_THRESHOLD,)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        silent = ctx.measurements.envelope.silent_channels(opts["threshold_dbfs"])
        if len(silent) == ctx.measurements.channels:
            return  # the whole file is silent: SIL004's finding
        for c in silent:
            yield self.finding(
                ctx,
                severity,
                f"channel {c + 1} is silent (never above {db(opts['threshold_dbfs'], 'dBFS', 0)})",
                channel=c,
            )


class SilentFile(Rule):
    """The whole file is silent.

    Fails when every sample of every channel is below ``threshold_dbfs``: an
    empty render (muted master, wrong source, render of the wrong range).

    Options:
        threshold_dbfs (float, dBFS): silence threshold (sample peak). Default -60.

    Example:
        ``bounce.wav: error SIL004 the file is silent (sample peak -inf dBFS)``
    """

    code = "SIL004"
    name = "silent-file"
    options = (_THRESHOLD,)

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        m = ctx.measurements
        peak = max(m.levels.channel_peak, default=0.0)
        peak_db = 20 * math.log10(peak) if peak > 0 else float("-inf")
        if peak_db <= opts["threshold_dbfs"]:
            yield self.finding(
                ctx,
                severity,
                f"the file is silent (sample peak {db(peak_db, 'dBFS')})",
                measured=peak_db if math.isfinite(peak_db) else None,
                limit=opts["threshold_dbfs"],
                unit="dBFS",
            )
