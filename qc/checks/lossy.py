"""LSY: lossy history inside a lossless container."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks.rule import Context, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["LossyHistory"]


class LossyHistory(Rule):
    """A WAV, AIFF or FLAC that was lossy-coded (MP3, AAC, Vorbis, Opus) and decoded back.

    Fails with an error (``confirmed``) when the audio analysed at a codec's own
    frame alignment shows the coefficients the encoder quantised to zero: an
    AAC, Vorbis or Opus MDCT grid or the MP3 hybrid filterbank grid, with a
    z-score of at least 10 (lossless audio scores below 4). Warns
    (``suspect``) on a steep shelf below 0.9 x Nyquist that stays down (an
    encoder low-pass, though a band-limited lossless master looks the same) or
    a weak grid. For a lossy file (already FMT001), warns when an MP3's LAME
    tag records a low-pass far below what LAME uses at its bit rate: a
    transcode from a lower bit rate. Decoded lossy audio is never fit for
    mastering: EQ, compression and limiting bring its artifacts up.

    Options: none.

    Example:
        ``mix.wav: error LSY001 lossy history confirmed: AAC frame grid z=230;
        cutoff 18.5 kHz, steady, 48 dB shelf``
    """

    code = "LSY001"
    name = "lossy-history"
    severity = Severity.ERROR

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        if ctx.info.lossy:
            hint = ctx.info.transcode_hint
            if hint:
                yield self.finding(ctx, min(severity, Severity.WARNING), hint)
            return
        lossy = ctx.measurements.lossy
        if lossy.verdict == "not-measured":  # the engine runs the detector for this rule
            raise RuntimeError(f"the lossy-history detector did not run ({lossy.reason})")
        if lossy.verdict == "clean":
            return
        cutoff = lossy.cutoff_hz
        if lossy.verdict == "confirmed":
            yield self.finding(
                ctx,
                severity,
                f"lossy history confirmed: {lossy.reason}; this audio was decoded from a "
                "lossy file: find the lossless original",
                measured=lossy.grid.z if lossy.grid is not None else None,
                unit="z",
            )
            return
        yield self.finding(
            ctx,
            min(severity, Severity.WARNING),
            f"lossy history suspected: {lossy.reason} (a band-limited lossless master "
            "looks the same); check the source",
            measured=cutoff / 1000 if cutoff is not None else None,
            unit="kHz" if cutoff is not None else "",
        )
