"""What ``fix`` does to one file: its format, the gain to the target, whether to limit.

A plan is a function of the input's stream facts, its integrated loudness and
true peak, and the options; it says nothing about how the passes run
(:mod:`qc.fix.run`). Keeping it pure lets :mod:`qc.fix.overlap` plan from the
loudness of a quick pass, render, and then confirm that the input's check
gives the same plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.diagnostic import Severity
from qc.fix.dither import DitherKind
from qc.fix.gain import DEFAULT_MAX_GR_DB, LoudnessTarget, ceiling_of, plan_gain, target_of
from qc.fix.limiter import MARGIN_DB
from qc.fix.plan import OutputFormat, choose_format
from qc.fix.render import Processing
from qc.fix.report import Leftover

if TYPE_CHECKING:
    from qc.audio import StreamInfo
    from qc.profiles import Profile

__all__ = ["PEAK_SAFETY_DB", "FixOptions", "Plan", "make_plan"]

PEAK_SAFETY_DB = 0.2
"""A file whose measured true peak plus the gain stays this far under the limiter's
threshold is not limited at all (one pass, output exactly ``x G``): twice what the
accurate meter may read below the ideal peak (0.1 dB)."""


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
        overlap: Check the input on a worker thread beside the output's pass
            (:mod:`qc.fix.overlap`). Off by default and in ``mixdesk fix``: on the 5-minute
            master it took 6.25 s instead of 3.80 s (quiet machine), and without BLAS
            pinned to one thread concurrent calls into OpenBLAS spin-wait.
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
    overlap: bool = False


@dataclass(frozen=True)
class Plan:
    """The first pass to run and what the result is measured against.

    Attributes:
        fmt: The delivery format.
        proc: Gain and limiter settings of the first pass.
        target: The loudness target, or None.
        ceiling: The true-peak ceiling, dBTP.
        goal: Integrated loudness the passes iterate towards, LUFS (None: no iteration).
        limit: Most gain ``--max-gr`` allows, dB.
        max_gr_db: The ``--max-gr`` budget, dB.
        album: The gain is the album's (no target of the file's own).
        notes: What falls short of the plan already (format unmet, stopped short).
        extra: Leftovers known before processing (a file too short for a loudness).
    """

    fmt: OutputFormat
    proc: Processing
    target: LoudnessTarget | None
    ceiling: float
    goal: float | None
    limit: float
    max_gr_db: float
    album: bool
    notes: tuple[str, ...]
    extra: tuple[Leftover, ...]


def make_plan(
    info: StreamInfo,
    lufs0: float | None,
    tp0: float,
    duration_s: float,
    *,
    profiles: Sequence[Profile],
    out: str,
    options: FixOptions,
    album_gain_db: float | None = None,
) -> Plan:
    """Plan one file.

    Args:
        info: The input's stream facts.
        lufs0: Its integrated loudness, LUFS (None: under 400 ms).
        tp0: Its true peak, dBTP.
        duration_s: Its length, s.
        profiles: Delivery profiles (at least one).
        out: The delivery file (its suffix names the container).
        options: How to fix.
        album_gain_db: A gain fixed for the album, dB (skips the file's own target).

    Returns:
        The plan.

    Raises:
        UsageError: The output suffix is not a container ``fix`` writes.
    """
    fmt = choose_format(info, profiles, out, dither=options.dither, rate=options.rate)
    target: LoudnessTarget | None = (
        LoudnessTarget(options.target_lufs, False, "--target-lufs")
        if options.target_lufs is not None
        else target_of(profiles)
    )
    ceiling = options.ceiling_dbtp if options.ceiling_dbtp is not None else ceiling_of(profiles)[0]
    notes = list(fmt.unmet)
    extra: list[Leftover] = []
    goal: float | None = None
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
                    f"{duration_s:.3f} s is too short for an integrated "
                    f"loudness: not put on {target.lufs:.1f} LUFS",
                    "BS.1770 integrates 400 ms blocks; a shorter file has no integrated loudness",
                )
            )
    resampling = fmt.rate != info.sample_rate
    proc = Processing(
        gain,
        ceiling,
        MARGIN_DB,
        options.lookahead_ms,
        options.release_ms,
        options.seed,
        limit=bool(
            resampling
            or (not on_target and gain + tp0 + PEAK_SAFETY_DB > ceiling - MARGIN_DB)
            or tp0 + gain > ceiling
        ),
    )
    return Plan(
        fmt,
        proc,
        target,
        ceiling,
        goal,
        limit,
        options.max_gr_db,
        album_gain_db is not None,
        tuple(notes),
        tuple(extra),
    )
