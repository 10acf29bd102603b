"""DTH: bit depth and dither. DTH002 is here; DTH001 (missing dither) comes with its detector."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks.rule import Context, Rule
from qc.diagnostic import Diagnostic, Severity

__all__ = ["PaddedBitDepth"]


class PaddedBitDepth(Rule):
    """A 24-bit (or float) file that holds 16-bit audio: padded bit depth.

    Fails when the low 8 bits of every sample are zero (plain padding). Passes
    when the quiet samples (below about -54 dBFS) use the container's
    resolution. Says nothing when there is too little quiet material to tell,
    and never fires on 16-bit or narrower files. 16-bit audio turned up or down
    after padding is not flagged yet: its quiet samples form a lattice, but so
    do a pure test tone's, and precision comes first.

    Options: none.

    Example:
        ``m24.wav: warning DTH002 24-bit container holds 16-bit audio (low 8 bits always zero)``
    """

    code = "DTH002"
    name = "padded-bit-depth"
    severity = Severity.WARNING

    def check(self, ctx: Context, opts: Mapping[str, Any]) -> Iterator[Diagnostic]:  # noqa: D102
        bd = ctx.measurements.bit_depth
        if not bd.padded:
            return
        container = f"{bd.container_bits}-bit" if bd.container_bits else "float"
        how = f"low {24 - (bd.used_bits or 16)} bits always zero"
        yield self.finding(
            ctx,
            opts["severity"],
            f"{container} container holds 16-bit audio ({how}): the extra bits add "
            "nothing; deliver the real 24-bit (or float) render",
            measured=float(bd.effective_bits) if bd.effective_bits else None,
            limit=float(bd.container_bits) if bd.container_bits else None,
            unit="bits",
        )
