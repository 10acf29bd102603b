"""Fix one file: check it, plan, process (iterating gain with the limiter), write safely, re-check.

The input is read once to measure it (the check engine, the same measurements
``mixdesk check`` reports), then once per processing pass: a file that needs
no limiting takes one pass (gain is exact), a limited one usually two (the
limiter takes some loudness; the second pass adds it back, within 0.02 LU).
The output is written to a hidden temporary file in the target's folder and
re-checked with the same profiles on the samples as they are written
(:mod:`qc.fix.recheck`; a pass that was not metered so is read back), then
renamed over the target. When the input's check is not given, it runs beside
the output's pass (:mod:`qc.fix.overlap`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from qc.diagnostic import Severity
from qc.engine import FileResult, check_file
from qc.errors import AudioReadError, QCError, UsageError
from qc.fix.decide import FixOptions, Plan, make_plan
from qc.fix.limiter import MARGIN_DB
from qc.fix.overlap import ISP_ALLOWANCE_DB, quick_facts
from qc.fix.plan import check_target
from qc.fix.render import PassResult, Processing, render
from qc.fix.report import FixReport, Leftover, leftovers_of, snapshot

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["FixOptions", "check_target", "fix_file", "measure_before"]

LANDING_LU = 0.02
"""The gain iteration stops when the output is this close to its goal, LU."""

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

_Done = tuple[str, int, tuple[float, PassResult]]
"""A rendered temporary file, the passes it took, and its gain (dB) and pass result."""


def _ideal_over(res: PassResult, ceiling: float) -> float | None:
    """How far the pass's ideal true peak (plus the meter's slack) is over ``ceiling``, dB."""
    if res.ideal_dbtp is None:
        return None
    return res.ideal_dbtp + IDEAL_SLACK_DB - ceiling


def measure_before(path: str, profiles: Sequence[Profile]) -> FileResult:
    """Check the input; raise if it cannot be read."""
    before = check_file(path, profiles)
    if before.error is not None or before.measurements is None:
        raise AudioReadError(path, before.error or "cannot be measured")
    return before


def _plan_of(
    before: FileResult,
    profiles: Sequence[Profile],
    out: str,
    options: FixOptions,
    album_gain_db: float | None = None,
) -> Plan:
    assert before.info is not None
    assert before.measurements is not None
    m = before.measurements
    return make_plan(
        before.info,
        m.loudness.integrated_lufs,
        m.true_peak.dbtp,
        m.duration_s,
        profiles=profiles,
        out=out,
        options=options,
        album_gain_db=album_gain_db,
    )


def _overlapped(
    path: str, profiles: Sequence[Profile], out: str, options: FixOptions
) -> tuple[FileResult, _Done | None]:
    """The input's check on a worker thread; meanwhile the output, if a gain alone will do.

    Returns:
        The input's check, and the output rendered with the plan it confirms (else None).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fix-before") as pool:
        future = pool.submit(measure_before, path, profiles)
        early: tuple[Plan, _Done] | None = None
        try:
            quick = quick_facts(path)
            lufs = quick.integrated_lufs
            plan = make_plan(
                quick.info,
                lufs,
                quick.sample_peak_dbfs,
                quick.duration_s,
                profiles=profiles,
                out=out,
                options=options,
            )
            room = plan.ceiling - MARGIN_DB - plan.proc.gain_db - quick.sample_peak_dbfs
            if lufs is not None and not plan.proc.limit and room >= 0.2 + ISP_ALLOWANCE_DB:
                early = plan, _process(path, plan, out, profiles)
        except QCError:
            pass  # the input's check says what is wrong with it
        try:
            before = future.result()
        except BaseException:
            if early is not None:
                os.unlink(early[1][0])
            raise
    if early is None:
        return before, None
    final = _plan_of(before, profiles, out, options)
    if (final.fmt, final.proc) == (early[0].fmt, early[0].proc):
        return before, early[1]
    os.unlink(early[1][0])
    return before, None


def fix_file(
    path: str,
    profiles: Sequence[Profile],
    out: str,
    options: FixOptions | None = None,
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
    options = options or FixOptions()
    check_target(path, out, force=options.force)
    done: _Done | None = None
    if before is None and album_gain_db is None and options.overlap:
        before, done = _overlapped(path, profiles, out, options)
    before = before or measure_before(path, profiles)
    plan = _plan_of(before, profiles, out, options, album_gain_db)
    ceiling, proc = plan.ceiling, plan.proc
    tmp, passes, res = done or _process(path, plan, out, profiles)
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
                path, plan, out, profiles, proc=again, max_passes=SAFETY_GAIN_PASSES
            )
            passes += more
        after = res[1].after or check_file(tmp, profiles)
        check_target(path, out, force=options.force)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return _report(path, out, profiles, options, plan, before, after, passes, res)


def _report(  # noqa: PLR0917
    path: str,
    out: str,
    profiles: Sequence[Profile],
    options: FixOptions,
    plan: Plan,
    before: FileResult,
    after: FileResult,
    passes: int,
    res: tuple[float, PassResult],
) -> FixReport:
    """What was done, what is left and why."""
    assert before.info is not None
    notes, extra = list(plan.notes), list(plan.extra)
    goal, ceiling, target = plan.goal, plan.ceiling, plan.target
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
    rate = plan.fmt.rate
    resampled = (before.info.sample_rate, rate) if rate != before.info.sample_rate else None
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
        dither=plan.fmt.dither,
        target=(
            f"{target.lufs:.1f} LUFS{' (turn-down only)' if target.turn_down_only else ''}"
            if target is not None and not plan.album
            else None
        ),
        ceiling_dbtp=ceiling,
        notes=tuple(notes),
        leftovers=leftovers,
        passed=passed,
        passes=passes,
    )


def _process(
    path: str,
    plan: Plan,
    out: str,
    profiles: Sequence[Profile],
    *,
    proc: Processing | None = None,
    max_passes: int = MAX_PASSES,
) -> _Done:
    """Render into a temporary file next to ``out``, iterating the gain towards the goal.

    A pass of gain alone (one pass, the last) is re-checked as it is written.
    """
    proc = proc or plan.proc
    goal, limit, max_gr_db = plan.goal, plan.limit, plan.max_gr_db
    folder, name = os.path.split(out)
    gain = proc.gain_db
    passes = 0
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or ".")
        os.close(fd)
        # Only a pass of gain alone carries the re-check. A limited pass holds its own buffers
        # (8x detector, ideal-peak FFT blocks); with a whole analyzer beside them the 60-minute
        # limited master peaked at 196 MiB, so its output is read back instead (the same
        # measurements, one more read of the file).
        last = not proc.limit
        try:
            res = render(
                path,
                plan.fmt,
                dataclasses.replace(proc, gain_db=gain),
                tmp,
                recheck=profiles if last else None,
            )
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
