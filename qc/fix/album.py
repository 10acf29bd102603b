"""Album mode: one gain for every track, so their loudness relative to each other stays as mixed.

The album's loudness is the duration-weighted power mean of the tracks'
integrated loudness, ``10 log10(sum d_i 10^(L_i / 10) / sum d_i)`` (BS.1770-4
eq. 2 applied to the tracks as one programme, with each track's own gating:
within a few tenths of an LU of gating the concatenation when no track is far
quieter than the rest). The one gain puts that on the target; with limiting,
one more pass per track corrects for what the limiters took. Each track is
limited on its own, to the same ceiling.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qc.errors import UsageError
from qc.fix.gain import LoudnessTarget, ceiling_of, plan_gain, target_of
from qc.fix.report import FixReport
from qc.fix.run import FixOptions, check_target, fix_file, measure_before

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["album_loudness", "fix_album"]


def album_loudness(lufs: Sequence[float], durations_s: Sequence[float]) -> float:
    """Duration-weighted power mean of track loudness values, LUFS."""
    power = sum(d * 10.0 ** (v / 10.0) for v, d in zip(lufs, durations_s, strict=True))
    return 10.0 * math.log10(power / sum(durations_s))


def fix_album(
    paths: Sequence[str],
    profiles: Sequence[Profile],
    outs: Sequence[str],
    options: FixOptions | None = None,
) -> tuple[FixReport, ...]:
    """Fix tracks with one gain that puts the album on the target.

    Args:
        paths: The tracks.
        profiles: Delivery profiles.
        outs: One output file per track.
        options: How to fix (``target_lufs`` overrides the profiles').

    Returns:
        One report per track, in order.

    Raises:
        QCError: A track cannot be read, an output is refused, or no target.
    """
    options = options or FixOptions()
    for path, out in zip(paths, outs, strict=True):
        check_target(path, out, force=options.force)
    befores = [measure_before(p, profiles) for p in paths]
    target = (
        LoudnessTarget(options.target_lufs, False, "--target-lufs")
        if options.target_lufs is not None
        else target_of(profiles)
    )
    if target is None:
        raise UsageError("--album needs a loudness target: a profile with one, or --target-lufs")
    ceiling = options.ceiling_dbtp if options.ceiling_dbtp is not None else ceiling_of(profiles)[0]
    lufs, durs, peaks = [], [], []
    for b in befores:
        assert b.measurements is not None
        value = b.measurements.loudness.integrated_lufs
        if value is None or not math.isfinite(value):
            raise UsageError(f"{b.path}: too short or silent to measure its loudness")
        lufs.append(value)
        durs.append(b.measurements.duration_s)
        peaks.append(b.measurements.true_peak.dbtp)
    album = album_loudness(lufs, durs)
    plan = plan_gain(album, max(peaks), target, ceiling, options.max_gr_db)
    gain = plan.gain_db
    reports: tuple[FixReport, ...] = ()
    for _ in range(2):
        reports = tuple(
            fix_file(p, profiles, o, _forced(options, reports), before=b, album_gain_db=gain)
            for p, o, b in zip(paths, outs, befores, strict=True)
        )
        got = [r.after.integrated_lufs for r in reports]
        if any(v is None for v in got) or all(r.max_gr_db == 0 for r in reports):
            break
        now = album_loudness([float(v) for v in got if v is not None], durs)
        step = album + plan.gain_db - now
        if abs(step) <= 0.02 or plan.stopped_short:
            break
        gain += step
    return reports


def _forced(options: FixOptions, done: tuple[FixReport, ...]) -> FixOptions:
    """Options for a second album pass: it replaces the outputs its first pass wrote.

    The targets were checked before the first pass, so nothing else is replaced.
    """
    return dataclasses.replace(options, force=True) if done else options
