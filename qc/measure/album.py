"""Album measurements from the tracks' own measurements: pure, no I/O.

* Album loudness: BS.1770-4 eq. 4-6 (absolute gate -70 LUFS, relative gate
  -10 LU) over the 400 ms blocks of all tracks together, gaps excluded (no
  block straddles two tracks), as album gain does (EBU R 128 s1, ReplayGain 2.0).
* Album loudness range: EBU Tech 3342 over all tracks' 3 s short-term values together.
* CD frames: IEC 60908 sectors of 588 stereo samples (1/75 s at 44.1 kHz).
* The step at a gapless join: how far the next track's first sample lies from
  the previous track's last two samples extended by a straight line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qc.measure._types import Floats
from qc.measure.gating import gated_loudness, loudness_range

__all__ = [
    "CD_FRAME_SAMPLES",
    "CD_RATE",
    "album_loudness",
    "album_loudness_range",
    "cd_frames",
    "join_step",
]

CD_RATE = 44100
"""Red Book sample rate, Hz."""

CD_FRAME_SAMPLES = 588
"""Samples (per channel) in one CD frame (sector): 44,100 / 75 (IEC 60908)."""


def album_loudness(blocks_lufs: Sequence[Floats]) -> float:
    """Integrated loudness of tracks as one programme, LUFS (BS.1770-4 eq. 4-6).

    Args:
        blocks_lufs: Per track, the loudness of its 400 ms blocks (75 % overlap, the
            meter's ``momentary_lufs``), LUFS, each shape ``(n_i,)``.

    Returns:
        The gated mean over all blocks together, LUFS (``-inf`` if all are gated out).
    """
    return gated_loudness(np.concatenate([np.asarray(b, dtype=np.float64) for b in blocks_lufs]))


def album_loudness_range(short_term_lufs: Sequence[Floats]) -> float | None:
    """Loudness range of tracks as one programme, LU (EBU Tech 3342).

    Args:
        short_term_lufs: Per track, its 10 Hz short-term (3 s) loudness series,
            LUFS, each shape ``(n_i,)``.

    Returns:
        LRA in LU, or ``None`` when no value passes the gates.
    """
    joined = np.concatenate([np.asarray(s, dtype=np.float64) for s in short_term_lufs])
    return loudness_range(joined)


def cd_frames(samples: int) -> int:
    """Whole CD frames needed to hold ``samples`` samples per channel (rounded up).

    Args:
        samples: Samples per channel.

    Returns:
        Frames of :data:`CD_FRAME_SAMPLES`.
    """
    return -(-samples // CD_FRAME_SAMPLES)


def join_step(tail: Floats, head: Floats) -> float:
    """Size of the discontinuity where one track ends and the next begins, linear.

    The previous track's last two samples predict the next one by a straight
    line (``2 x[-1] - x[-2]``); the step is how far the next track's first
    sample lies from it, the largest over channels. A smooth waveform continued
    across the join gives a step of the order of its second difference; a
    click gives the jump itself.

    Args:
        tail: The previous track's last samples, shape ``(>=2, channels)``.
        head: The next track's first samples, shape ``(>=1, channels)``.

    Returns:
        The step, linear full scale (1.0 = 0 dBFS).
    """
    predicted = 2.0 * tail[-1] - tail[-2]
    return float(np.max(np.abs(head[0] - predicted)))
