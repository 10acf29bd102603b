"""DTH: word length and dither: missing dither (DTH001) and padded bit depth (DTH002)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks._fmt import mmss
from qc.checks.rule import Context, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["MissingDither", "PaddedBitDepth"]


class MissingDither(Rule):
    """Reduced to 16 bits (or fewer) by rounding or truncation, without dither.

    Fails when the quiet passages of a file of 16 bits or fewer show a
    quantisation error that follows the signal (a staircase, lag-1 correlation
    near +1, no dither noise between steps), or the -0.5 LSB offset of
    truncation. That error is distortion, heard in every fade and reverb tail.
    Passes when the quiet passages carry dither (flat, high-pass or
    noise-shaped). Says nothing when the evidence is inconclusive: too little
    quiet material, or a noise floor above the LSB that dithers the signal by
    itself (then missing dither is neither detectable nor audible). Stays
    silent for lossy files and lossy history (FMT001/LSY001), whose decoder
    rounded: those findings already say more.

    Options: none.

    Example:
        ``cd.wav: error DTH001 fade 3:41-3:52: quantisation error follows the signal
        (lag-1 correlation +0.97, 0.02 LSB^2 between steps), no dither noise``
    """

    code = "DTH001"
    name = "missing-dither"
    severity = Severity.ERROR

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        m = ctx.measurements
        d = m.dither
        if d.verdict != "undithered" or d.bits is None or d.bits > 16:
            return
        if ctx.info.lossy or m.lossy.verdict == "confirmed":
            return
        ev = d.evidence
        if ev is None:
            return
        where = (
            f"{mmss(ev.start_s)}-{mmss(ev.end_s)}" if ev.start_s is not None else "quiet passages"
        )
        if d.kind == "truncation":
            how = (
                f"quiet passages {where} sit {ev.mean_lsb:+.2f} LSB off centre: "
                "truncated without dither"
            )
        else:
            how = (
                f"fade {where}: quantisation error follows the signal (lag-1 correlation "
                f"{ev.rho1:+.2f}, {ev.innovation_lsb2:.2f} LSB^2 between steps), no dither noise"
            )
        # Name the channel when only one of several lacks dither.
        undithered = [i for i, c in enumerate(d.channels) if c.verdict == "undithered"]
        channel = undithered[0] if len(undithered) == 1 and len(d.channels) > 1 else None
        yield self.finding(
            ctx,
            severity,
            f"{how}; re-export the {d.bits}-bit file from the 24-bit or float master "
            "with TPDF or noise-shaped dither",
            start_s=ev.start_s,
            end_s=ev.end_s,
            channel=channel,
        )


class PaddedBitDepth(Rule):
    """A 24-bit (or float) file that holds 16-bit audio: padded bit depth.

    Fails when the low 8 bits of every sample are zero (plain padding), or when
    the quiet samples (below about -54 dBFS) sit on a regular, fully populated
    lattice coarser than 32 codes: 16-bit audio turned up or down after padding
    (every 256 x gain codes), even if re-dithered at 24 bits. Passes when the
    quiet samples use the container's resolution. Says nothing when there is
    too little quiet material to tell, and never fires on 16-bit or narrower
    files.

    Options: none.

    Example:
        ``m24.wav: warning DTH002 24-bit container holds 16-bit audio (low 8 bits always zero)``
    """

    code = "DTH002"
    name = "padded-bit-depth"
    severity = Severity.WARNING

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        bd = ctx.measurements.bit_depth
        if not bd.padded:
            return
        container = f"{bd.container_bits}-bit" if bd.container_bits else "float"
        if bd.lattice_spacing is not None and (bd.used_bits or 24) > 16:
            gain = 20 * math.log10(bd.lattice_spacing / 256)
            how = (
                f"quiet samples on a lattice every {bd.lattice_spacing:.0f} codes: 16-bit audio "
                f"with a {gain:+.1f} dB gain change after padding"
            )
            bits = "lower-resolution"
        else:
            how = f"low {24 - (bd.used_bits or 16)} bits always zero"
            bits = "16-bit"
        yield self.finding(
            ctx,
            severity,
            f"{container} container holds {bits} audio ({how}): the extra bits add "
            "nothing; deliver the real 24-bit (or float) render",
            measured=float(bd.effective_bits) if bd.effective_bits else None,
            limit=float(bd.container_bits) if bd.container_bits else None,
            unit="bits",
        )
