"""TP: the true peak of the master after a platform's codec (the codec preview)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import db, mmss
from qc.checks.rule import Context, Option, Rule
from qc.codec.result import CodecPreview
from qc.codec.spec import PLATFORM, parse_specs
from qc.diagnostic import Diagnostic, Severity

__all__ = ["CodecTruePeak"]


class CodecTruePeak(Rule):
    """Decoded true peak above the ceiling or 0 dBFS after a platform's lossy codec.

    Lossy encoders overshoot: the decoded waveform of an AAC, Opus, Vorbis or
    MP3 encode peaks higher than the master did, which is why streaming
    platforms ask for -1 dBTP. With a codec preview (``mixdesk check
    --codec-preview aac-256,opus-160``, ``--codec-preview platform`` for the
    profiles' own codecs, or this rule's ``codecs`` in a profile), each codec
    encodes the master in memory at its bit rate and decodes it, and the
    decoded audio is measured (true peak by the
    ``accurate`` method, sample peak, samples at or past full scale,
    integrated loudness). Fails (the rule's severity) when a codec's decoded
    true peak is above 0 dBFS: a fixed-point player clips it. Warns when it
    is above ``max_dbtp`` only. The message gives the worst times and how much
    lower the master's ceiling must go (by the decoded excess, since a codec's
    overshoot scales with the level). Passes otherwise, and when no preview
    was asked for (the preview costs seconds per codec, so it is opt-in; the
    JSON report then carries a note saying it was skipped).

    Options:
        codecs (list of str): codec previews this profile always runs, as
            ``<codec>-<kbit/s>``: ``aac``, ``opus``, ``vorbis``, ``mp3``. Default
            none: set it in your own profile or ``mixdesk.toml`` to opt in.
        platform_codecs (list of str): the codecs the platform streams (the
            shipped profiles list them with a source: ``apple-music`` has
            ``aac-256``); previewed when ``--codec-preview platform`` asks.
        max_dbtp (float, dBTP): the ceiling the decoded audio is held to. Default -1.0.

    Example:
        ``loud.wav:00:08.508: error TP002 aac-256 decodes to +3.13 dBTP (above 0 dBFS,
        1910 samples clip, and the -1.0 dBTP ceiling); worst at 00:08.508, 00:16.501,
        00:17.501; lower the master's ceiling by 4.13 dB to -2.68 dBTP``
    """

    code = "TP002"
    name = "codec-true-peak"
    options = (
        Option("codecs", list, [], "", "codec previews as codec-kbps, e.g. aac-256", item=str),
        Option(
            "platform_codecs",
            list,
            [],
            "",
            "the platform's own codecs, previewed with --codec-preview platform",
            item=str,
        ),
        Option("max_dbtp", float, -1.0, "dBTP", "ceiling for the decoded audio"),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        run = ctx.codec_preview
        if run is None:
            return
        asked = set(opts["codecs"]) | set(run.forced)
        if PLATFORM in run.forced:
            asked |= set(opts["platform_codecs"])
        asked = {s.text for s in parse_specs(tuple(asked - {PLATFORM}))}
        for preview in run.codecs:
            if preview.spec in asked:
                yield from self._judge(ctx, preview, opts["max_dbtp"], severity)

    def _judge(
        self, ctx: Context, p: CodecPreview, ceiling: float, severity: Severity
    ) -> Iterator[Diagnostic]:
        if p.error is not None:
            msg = f"{p.spec}: codec preview failed: {p.error}"
            yield self.finding(ctx, min(severity, Severity.WARNING), msg)
            return
        value = p.true_peak_dbtp
        if value <= ceiling and value <= 0.0:
            return
        limit = min(ceiling, 0.0)
        master = ctx.measurements.true_peak.dbtp
        # A codec's overshoot scales with the level: lowering the master by the decoded
        # excess brings the decode to the limit; never to a ceiling above the profile's.
        target = min(master - (value - limit), ceiling)
        excess = master - target
        full = value > 0.0
        clip = f"{p.clipped_samples} samples clip" if p.clipped_samples else "between samples"
        what = f"0 dBFS, {clip}, and " if full else ""
        worst = ", ".join(mmss(t) for t in _apart(p.worst_times_s)) or mmss(p.true_peak_time_s)
        yield self.finding(
            ctx,
            severity if full else min(severity, Severity.WARNING),
            f"{p.spec} decodes to {db(value, 'dBTP', 2)} (above {what}the {db(ceiling, 'dBTP')} "
            f"ceiling); worst at {worst}; lower the master's ceiling by {excess:.2f} dB to "
            f"{db(target, 'dBTP', 2)}",
            measured=value,
            limit=limit,
            unit="dBTP",
            start_s=p.true_peak_time_s,
            channel=p.channel,
        )


def _apart(times: tuple[float, ...], keep: int = 3, gap_s: float = 0.5) -> list[float]:
    """The first ``keep`` of ``times`` (worst first) at least ``gap_s`` seconds apart."""
    kept: list[float] = []
    for t in times:
        if all(abs(t - k) >= gap_s for k in kept):
            kept.append(t)
            if len(kept) == keep:
                break
    return kept
