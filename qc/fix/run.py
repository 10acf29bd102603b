"""Fix one file: check it, plan, process (iterating gain with the limiter), write safely, re-check.

The input is read once to measure it (the check engine, the same measurements
``mixdesk check`` reports), then once per processing pass: a file that needs
no limiting takes one pass (gain is exact), a limited one usually two (the
limiter takes some loudness; the second pass adds it back, within 0.02 LU).
The output is written to a hidden temporary file in the target's folder,
re-checked with the same profiles, then renamed over the target.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.diagnostic import Severity
from qc.engine import FileResult, check_file
from qc.errors import AudioReadError, UsageError
from qc.fix.dither import DitherKind
from qc.fix.gain import DEFAULT_MAX_GR_DB, LoudnessTarget, ceiling_of, plan_gain, target_of
from qc.fix.limiter import MARGIN_DB
from qc.fix.plan import OutputFormat, check_target, choose_format
from qc.fix.render import PassResult, Processing, render
from qc.fix.report import FixReport, Leftover, leftovers_of, snapshot

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["FixOptions", "check_target", "fix_file", "measure_before"]

LANDING_LU = 0.02
"""The gain iteration stops when the output is this close to its goal, LU."""

PEAK_SAFETY_DB = 0.2
"""A file whose measured true peak plus the gain stays this far under the limiter's
threshold is not limited at all (one pass, output exactly ``x G``): twice what the
accurate meter may read below the ideal peak (0.1 dB)."""

MAX_PASSES = 5
"""Most processing passes per gain iteration."""

IDEAL_SLACK_DB = 0.01
"""What the ideal-peak meter of the output (:mod:`qc.measure.idealpeak`) may read below
the band-limited peak, dB: 0.002 dB measured on limited white noise and an abrupt
21.5 kHz tone at 44.1 kHz (exact sinc sums over the whole file). A limited output must
read this far under the ceiling, else it is processed again with a lower threshold."""

GR_SLACK_DB = 0.01
"""The limiter's largest gain reduction (its own measure, :attr:`LimiterStats.max_gr_db`)
may pass ``--max-gr`` by this much, dB, before the gain is lowered again; after
:data:`MAX_PASSES` a larger excess is reported as a note."""

SAFETY_PASSES = 3
"""Most times a limited file is processed again with a lower threshold."""

SAFETY_GAIN_PASSES = 2
"""Passes of the gain iteration in each of those (the first lands within about 0.05 LU)."""


def _ideal_over(res: PassResult, ceiling: float) -> float | None:
    """How far the pass's ideal true peak (plus the meter's slack) is over ``ceiling``, dB."""
    if res.ideal_dbtp is None:
        return None
    return res.ideal_dbtp + IDEAL_SLACK_DB - ceiling


@dataclass(frozen=True)
class FixOptions:
    """How to fix.

    Attributes:
        target_lufs: Loudness target overriding the profiles', LUFS (exact).
        ceiling_dbtp: True-peak ceiling overriding the profiles', dBTP.
        max_gr_db: Most limiter gain reduction spent on reaching the target, dB.
        release_ms: Limiter release time constant, ms.
        lookahead_ms: Limiter look-ahead, ms.
        dither: Dither used when the word length is reduced.
        rate: Sample rate to deliver (None: as the profiles require), Hz.
        tolerance_lu: A file this close to its target gets no gain (idempotence), LU.
        force: Replace an existing output file.
        seed: Dither seed (None: fresh entropy).
    """

    target_lufs: float | None = None
    ceiling_dbtp: float | None = None
    max_gr_db: float = DEFAULT_MAX_GR_DB
    release_ms: float = 100.0
    lookahead_ms: float = 1.5
    dither: DitherKind = "tpdf"
    rate: int | None = None
    tolerance_lu: float = 0.1
    force: bool = False
    seed: int | None = None


def measure_before(path: str, profiles: Sequence[Profile]) -> FileResult:
    """Check the input; raise if it cannot be read."""
    before = check_file(path, profiles)
    if before.error is not None or before.measurements is None:
        raise AudioReadError(path, before.error or "cannot be measured")
    return before


def fix_file(
    path: str,
    profiles: Sequence[Profile],
    out: str,
    options: FixOptions = FixOptions(),
    *,
    before: FileResult | None = None,
    album_gain_db: float | None = None,
) -> FixReport:
    """Fix one file into ``out`` and re-check it.

    Args:
        path: The input audio file.
        profiles: Delivery profiles (at least one).
        out: The delivery file to write.
        options: How to fix.
        before: The input's check result, if already measured.
        album_gain_db: A gain fixed for the album, dB (skips the file's own target).

    Returns:
        The report.

    Raises:
        AudioReadError: The input cannot be read.
        UnsafeTargetError: ``out`` is the input, not a regular file, or exists
            without ``options.force``.
        UsageError: The output suffix is not a container ``fix`` writes.
    """
    if not profiles:
        raise UsageError("fix needs at least one profile")
    check_target(path, out, force=options.force)
    before = before or measure_before(path, profiles)
    assert before.info is not None
    assert before.measurements is not None
    fmt = choose_format(before.info, profiles, out, dither=options.dither, rate=options.rate)
    target: LoudnessTarget | None = (
        LoudnessTarget(options.target_lufs, False, "--target-lufs")
        if options.target_lufs is not None
        else target_of(profiles)
    )
    ceiling = options.ceiling_dbtp if options.ceiling_dbtp is not None else ceiling_of(profiles)[0]
    lufs0 = before.measurements.loudness.integrated_lufs
    tp0 = before.measurements.true_peak.dbtp
    notes = list(fmt.unmet)
    goal: float | None = None
    extra: list[Leftover] = []
    gain, limit = 0.0, math.inf
    on_target = False
    if album_gain_db is not None:
        gain = album_gain_db
    elif target is not None and lufs0 is not None and math.isfinite(lufs0):
        plan = plan_gain(lufs0, tp0, target, ceiling, options.max_gr_db)
        gain, limit, goal = plan.gain_db, plan.limit_db, lufs0 + plan.gain_db
        if plan.stopped_short:
            notes.append(f"stopped short: {plan.stopped_short}")
        on_target = abs(plan.wanted_db) < options.tolerance_lu and tp0 <= ceiling
        if on_target:
            gain, goal = 0.0, None  # on target already: idempotence
    elif target is not None:
        notes.append("too short or silent: the loudness cannot be measured, no gain applied")
        if lufs0 is None:  # under 400 ms: no gating block (silence is SIL004's)
            strict = target.source.endswith("LUF001") or target.source == "--target-lufs"
            extra.append(
                Leftover(
                    "LUF001" if strict else "LUF004",
                    Severity.ERROR if strict else Severity.WARNING,
                    f"{before.measurements.duration_s:.3f} s is too short for an integrated "
                    f"loudness: not put on {target.lufs:.1f} LUFS",
                    "BS.1770 integrates 400 ms blocks; a shorter file has no integrated loudness",
                )
            )
    resampling = fmt.rate != before.info.sample_rate
    proc = Processing(
        gain,
        ceiling,
        MARGIN_DB,
        options.lookahead_ms,
        options.release_ms,
        options.seed,
        limit=resampling
        or (not on_target and gain + tp0 + PEAK_SAFETY_DB > ceiling - MARGIN_DB)
        or tp0 + gain > ceiling,
    )
    tmp, passes, res = _process(path, fmt, proc, out, goal, limit, options.max_gr_db)
    try:  # from here the temporary file is removed on any error
        margin, rate, last = proc.margin_db, 1.0, None
        for _ in range(SAFETY_PASSES if proc.limit else 0):
            over = _ideal_over(res[1], ceiling)
            if over is None or over <= 0.0:
                break
            # The detector read a crest low (content near Nyquist, the gain's own modulation):
            # lower the threshold by the overshoot, scaled by how much of the last step showed
            # (the gain iteration gives some back), and land on the loudness goal again.
            if last is not None:
                rate = min(max((last[1] - over) / (margin - last[0]), 0.25), 1.0)
            last = (margin, over)
            margin += (over + 0.01) / rate
            os.unlink(tmp)
            again = dataclasses.replace(proc, gain_db=res[0], margin_db=margin, limit=True)
            tmp, more, res = _process(
                path, fmt, again, out, goal, limit, options.max_gr_db, SAFETY_GAIN_PASSES
            )
            passes += more
        after = check_file(tmp, profiles)
        check_target(path, out, force=options.force)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    landed = res[1].integrated_lufs
    short = goal is not None and landed is not None and abs(goal - landed) > options.tolerance_lu
    if short and not any(n.startswith("stopped short") for n in notes):
        notes.append(
            f"stopped short: {landed:.1f} LUFS, reaching {goal:.1f} LUFS needs more than "
            f"--max-gr {options.max_gr_db:.1f} dB of limiting"
        )
    spent = res[1].limiter.max_gr_db
    if spent > options.max_gr_db + GR_SLACK_DB:
        notes.append(f"limiting {spent:.2f} dB passes --max-gr {options.max_gr_db:.1f} dB")
    over = _ideal_over(res[1], ceiling)
    if over is not None and over > 0.0:
        extra.append(
            Leftover(
                "TP001",
                Severity.ERROR,
                f"ideal true peak {res[1].ideal_dbtp:+.3f} dBTP is not {IDEAL_SLACK_DB} dB under "
                f"the {ceiling:.1f} dBTP ceiling after {passes} passes",
                "the limiter could not bring it under: a lower --ceiling-dbtp may",
            )
        )
    after = dataclasses.replace(after, path=out)
    leftovers = (*extra, *leftovers_of(before, after, notes))
    passed = not any(left.severity >= Severity.ERROR for left in leftovers)
    stats = res[1].limiter
    resampled = (before.info.sample_rate, fmt.rate) if fmt.rate != before.info.sample_rate else None
    return FixReport(
        path=path,
        out=out,
        profiles=tuple(p.name for p in profiles),
        before=snapshot(before),
        after=snapshot(after),
        gain_db=res[0],
        max_gr_db=stats.max_gr_db,
        mean_gr_db=stats.mean_gr_db,
        limited_s=stats.limited_s,
        resampled=resampled,
        dither=fmt.dither,
        target=(
            f"{target.lufs:.1f} LUFS{' (turn-down only)' if target.turn_down_only else ''}"
            if target is not None and album_gain_db is None
            else None
        ),
        ceiling_dbtp=ceiling,
        notes=tuple(notes),
        leftovers=leftovers,
        passed=passed,
        passes=passes,
    )


def _process(  # noqa: PLR0917
    path: str,
    fmt: OutputFormat,
    proc: Processing,
    out: str,
    goal: float | None,
    limit: float,
    max_gr_db: float,
    max_passes: int = MAX_PASSES,
) -> tuple[str, int, tuple[float, PassResult]]:
    """Render into a temporary file next to ``out``, iterating the gain towards ``goal``."""
    folder, name = os.path.split(out)
    gain = proc.gain_db
    passes = 0
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or ".")
        os.close(fd)
        try:
            res = render(path, fmt, dataclasses.replace(proc, gain_db=gain), tmp)
        except BaseException:
            os.unlink(tmp)
            raise
        passes += 1
        lufs = res.integrated_lufs
        if goal is None or lufs is None or not math.isfinite(lufs) or res.limiter.max_gr_db == 0:
            return tmp, passes, (gain, res)
        step = goal - lufs
        # The limiter's largest reduction grows dB for dB with the gain: keep it within max_gr.
        limit = min(limit, gain + max_gr_db - res.limiter.max_gr_db)
        new = min(gain + step, limit)
        within = res.limiter.max_gr_db <= max_gr_db + GR_SLACK_DB
        if (abs(step) <= LANDING_LU and within) or passes >= max_passes or abs(new - gain) < 1e-3:
            return tmp, passes, (gain, res)
        os.unlink(tmp)
        gain = new
