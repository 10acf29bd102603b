"""Album mode: one gain for every track, so their loudness relative to each other stays as mixed.

The album's loudness is BS.1770-4's integrated loudness (eq. 4-6: absolute
gate -70 LUFS, relative gate -10 LU) over the 400 ms gating blocks of all the
tracks together, gaps excluded (no block straddles two tracks), as album gain
does (EBU R 128 s1, ReplayGain 2.0). A quiet interlude is thus gated out as it
would be in the album played through, which a mean of the tracks' own values
does not do. The one gain puts that on the target; with limiting, one more
pass per track corrects for what the limiters took, measured on the outputs'
blocks. Each track is limited on its own, to the same ceiling.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import soundfile as sf

from qc.errors import UsageError
from qc.fix.gain import LoudnessTarget, ceiling_of, plan_gain, target_of
from qc.fix.plan import check_target
from qc.fix.report import FixReport
from qc.fix.run import FixOptions, fix_file, measure_before
from qc.measure._types import Floats
from qc.measure.album import album_loudness
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["album_loudness", "fix_album"]


def _blocks_of(path: str) -> Floats:
    """The 400 ms block loudness series of a written track, LUFS, shape ``(n,)``."""
    with sf.SoundFile(path) as f:
        kfilter = BlockIIR(k_weighting_sos(f.samplerate), channels=f.channels)
        meter = LoudnessMeter(f.samplerate, channel_weights(f.channels))
        for block in f.blocks(65536, always_2d=True):
            meter.feed(kfilter.process(block))
    return meter.result().momentary_lufs


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
    blocks, peaks = [], []
    for b in befores:
        assert b.measurements is not None
        value = b.measurements.loudness.integrated_lufs
        if value is None or not math.isfinite(value):
            raise UsageError(f"{b.path}: too short or silent to measure its loudness")
        blocks.append(b.measurements.loudness.momentary_lufs)
        peaks.append(b.measurements.true_peak.dbtp)
    album = album_loudness(blocks)
    plan = plan_gain(album, max(peaks), target, ceiling, options.max_gr_db)
    gain = plan.gain_db
    reports: tuple[FixReport, ...] = ()
    for _ in range(2):
        reports = tuple(
            fix_file(p, profiles, o, _forced(options, reports), before=b, album_gain_db=gain)
            for p, o, b in zip(paths, outs, befores, strict=True)
        )
        if all(r.max_gr_db == 0 for r in reports):
            break  # gain alone: exact
        now = album_loudness([_blocks_of(r.out) for r in reports])
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
