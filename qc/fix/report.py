"""What ``fix`` did to one file, the before and after, and what it could not mend (and why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.diagnostic import Severity
from qc.printable import printable

if TYPE_CHECKING:
    from qc.engine import FileResult

__all__ = [
    "UNFIXABLE",
    "FixReport",
    "Leftover",
    "Snapshot",
    "format_report",
    "leftovers_of",
    "snapshot",
]

UNFIXABLE = {
    "CLP001": "clipping made in the mix cannot be repaired in mastering: re-bounce the mix "
    "with headroom",
    "CLP002": "flat tops made in the mix cannot be repaired in mastering: re-bounce the mix "
    "with headroom",
    "FMT001": "lossy history: what the codec discarded cannot be restored; deliver from the "
    "lossless master",
    "LSY001": "lossy history: what the codec discarded cannot be restored; deliver from the "
    "lossless master",
    "SIL003": "a silent channel: the missing channel has to come from the mix",
    "SIL004": "a silent file: there is nothing to master",
    "CH003": "dual mono: the stereo image has to come from the mix (or deliver mono)",
    "CH002": "phase problems are made in the mix",
    "CH001": "fix does not filter: remove the DC offset in the mix",
    "DTH001": "a 16-bit file without dither: the truncation distortion is baked in; "
    "needs the 24-bit master",
    "DTH002": "padded bit depth: the missing resolution cannot be restored; needs the "
    "original master",
    "SIL001": "fix does not trim or pad: edit the bounce",
    "SIL002": "fix does not trim or pad: edit the bounce",
    "LUF002": "short-term loudness is the master's dynamics: a mastering decision",
    "LUF003": "loudness range is the master's dynamics: a mastering decision",
    "HDR002": "a limited mix bus cannot be un-limited: re-bounce the mix without it",
    "FMT003": "the file cannot be read",
}
"""Why each rule's finding is beyond ``fix``, by code."""


@dataclass(frozen=True)
class Snapshot:
    """Key facts of a file.

    Attributes:
        integrated_lufs: Integrated loudness, LUFS (None: too short).
        true_peak_dbtp: True peak, dBTP (None: not measured).
        rate: Sample rate, Hz.
        depth: Word length as shown (``24-bit``, ``float``).
        channels: Channel count.
    """

    integrated_lufs: float | None
    true_peak_dbtp: float | None
    rate: int
    depth: str
    channels: int


@dataclass(frozen=True)
class Leftover:
    """A finding that remains after ``fix``.

    Attributes:
        code: Rule code.
        severity: Its severity.
        message: The finding's message.
        why: Why ``fix`` cannot mend it.
    """

    code: str
    severity: Severity
    message: str
    why: str


@dataclass(frozen=True)
class FixReport:
    """The result of fixing one file.

    Attributes:
        path: The input, as given.
        out: The delivery file written.
        profiles: Profile names.
        before: The input's facts.
        after: The output's facts (re-checked).
        gain_db: Gain applied before the limiter, dB.
        max_gr_db: Largest limiter gain reduction, dB.
        mean_gr_db: Limiter gain reduction averaged over the file, dB.
        limited_s: Time with any gain reduction, s.
        resampled: ``(from, to)`` rates in Hz, or None.
        dither: Dither added (``tpdf``, ``sloped``) or ``none``.
        target: The loudness target as text, or None.
        ceiling_dbtp: The true-peak ceiling, dBTP.
        notes: What fell short of the plan (stopped short of the target, format unmet).
        leftovers: Findings of the re-check at warning or worse, with why.
        passed: The re-check has no finding at the fail level.
        passes: Processing passes run (each reads the input once).
    """

    path: str
    out: str
    profiles: tuple[str, ...]
    before: Snapshot
    after: Snapshot
    gain_db: float
    max_gr_db: float
    mean_gr_db: float
    limited_s: float
    resampled: tuple[int, int] | None
    dither: str
    target: str | None
    ceiling_dbtp: float
    notes: tuple[str, ...]
    leftovers: tuple[Leftover, ...]
    passed: bool
    passes: int

    def exit_code(self) -> int:
        """0 when the delivery file passes, 1 when findings remain."""
        return 0 if self.passed else 1

    def actions(self) -> tuple[str, ...]:
        """What was done, one phrase each."""
        done = []
        if self.resampled is not None:
            done.append(f"resampled {self.resampled[0]} -> {self.resampled[1]} Hz (soxr VHQ)")
        done.append(f"gain {self.gain_db:+.2f} dB" if self.gain_db else "no gain")
        if self.max_gr_db > 0:
            done.append(
                f"limited to {self.ceiling_dbtp:.1f} dBTP: max {self.max_gr_db:.2f} dB, "
                f"mean {self.mean_gr_db:.3f} dB, {self.limited_s:.2f} s limited"
            )
        else:
            done.append("no limiting")
        done.append(f"{self.dither.upper()} dither" if self.dither != "none" else "no dither")
        return tuple(done)


def snapshot(result: FileResult) -> Snapshot:
    """The key facts of a checked file."""
    info, m = result.info, result.measurements
    assert info is not None
    depth = "float" if info.subtype in ("FLOAT", "DOUBLE") else f"{info.bit_depth}-bit"
    if info.lossy:
        depth = info.codec
    lufs = m.loudness.integrated_lufs if m is not None else None
    tp = m.true_peak.dbtp if m is not None else None
    return Snapshot(lufs, tp, info.sample_rate, depth, info.channels)


def leftovers_of(
    before: FileResult, after: FileResult, notes: Sequence[str]
) -> tuple[Leftover, ...]:
    """The re-check's findings at warning or worse, and those of the input ``fix`` cannot mend.

    A finding of the input that no processing mends (clipping, lossy history,
    dual mono, ...) is kept even where the re-check no longer sees it: gain,
    limiting and dither blur the plateaus of clipping, but the damage is there.
    """
    out: list[Leftover] = []
    seen = set()
    for d in after.diagnostics:
        why = UNFIXABLE.get(d.code)
        if d.severity < Severity.WARNING and why is None:
            continue
        if why is None and d.code in ("LUF001", "LUF005", "FMT002") and notes:
            why = "; ".join(notes)
        if why is None and d.code == "TP001" and d.severity == Severity.WARNING:
            why = "at the ceiling, inside the rule's warning band: a lower --ceiling-dbtp clears it"
        out.append(Leftover(d.code, d.severity, d.message, why or "not something fix changes"))
        seen.add(d.code)
    for d in before.diagnostics:
        why = UNFIXABLE.get(d.code)
        if why is not None and d.code not in seen and d.code not in _MENDED:
            out.append(Leftover(d.code, d.severity, f"(in the input) {d.message}", why))
            seen.add(d.code)
    return tuple(out)


_MENDED = frozenset({"DTH002", "SIL001", "SIL002"})
"""Unfixable codes whose input finding the output may rightly lose: a padded file
reduced to its real depth, silence the output no longer has."""


def _db(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.1f} {unit}"


def _fmt(s: Snapshot) -> str:
    return f"{s.rate} Hz {s.depth} {s.channels} ch"


def format_report(r: FixReport) -> str:
    """The report as plain text lines (no trailing newline)."""
    lines = [
        f"{printable(r.path)} -> {printable(r.out)} ({', '.join(r.profiles)})",
        f"  loudness  {_db(r.before.integrated_lufs, 'LUFS'):>11} -> "
        f"{_db(r.after.integrated_lufs, 'LUFS')}" + (f"   target {r.target}" if r.target else ""),
        f"  true peak {_db(r.before.true_peak_dbtp, 'dBTP'):>11} -> "
        f"{_db(r.after.true_peak_dbtp, 'dBTP')}   ceiling {r.ceiling_dbtp:.1f} dBTP",
        f"  format    {_fmt(r.before)} -> {_fmt(r.after)}",
        f"  done      {'; '.join(r.actions())}",
    ]
    lines += [f"  note      {n}" for n in r.notes]
    for left in r.leftovers:
        lines.append(f"  left      {left.severity.label} {left.code} {left.message}")
        lines.append(f"            why: {left.why}")
    verdict = "passes" if r.passed else "still fails"
    lines.append(f"  result    {verdict} the re-check")
    return "\n".join(lines)
