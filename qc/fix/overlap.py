"""Check the input on one thread while the output is made on the other.

The plan needs two numbers of the input, its integrated loudness and its true
peak, but the report needs the input's whole check (its findings say what
``fix`` cannot mend). The whole check and the output's pass cost about the same,
so they run side by side on the two cores:

1. a quick pass measures the integrated loudness with the check's own K-weighting
   filter and loudness meter on the check's own blocks (the same numbers, so the
   same value), and the sample peak;
2. the input's check starts on a worker thread; when the sample peak leaves room
   enough under the limiter's threshold that the plan is a gain alone, the output
   is rendered and re-checked meanwhile with that plan;
3. the plan is made again from the check's true peak; the output is kept only if
   both plans are the same, else it is deleted and made again (a true peak more
   than :data:`ISP_ALLOWANCE_DB` over the sample peak, near the threshold).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from qc.audio import StreamInfo, open_audio
from qc.audio.limits import DEFAULT_MAX_DURATION_S, block_frames
from qc.engine import BLOCK_FRAMES
from qc.measure.iir import BlockIIR
from qc.measure.kweighting import channel_weights, k_weighting_sos
from qc.measure.loudness import LoudnessMeter

__all__ = ["ISP_ALLOWANCE_DB", "QuickFacts", "quick_facts"]

ISP_ALLOWANCE_DB = 1.0
"""How far the true peak may pass the sample peak before the output rendered early
is likely to need limiting, dB: mastered music keeps its inter-sample overs within
about 1 dB (a clipped loud master reads up to 3 dB; then the plan made from the
check's true peak differs and the output is made again)."""


@dataclass(frozen=True)
class QuickFacts:
    """What the quick pass measured.

    Attributes:
        info: Stream facts.
        integrated_lufs: BS.1770-4 integrated loudness, LUFS (None: under 400 ms).
        sample_peak_dbfs: Largest sample magnitude, dBFS (a lower bound of the true peak).
        duration_s: Length, s.
    """

    info: StreamInfo
    integrated_lufs: float | None
    sample_peak_dbfs: float
    duration_s: float


def quick_facts(path: str | os.PathLike[str]) -> QuickFacts:
    """Integrated loudness and sample peak in one read, as :func:`qc.engine.check` meters them.

    Args:
        path: The audio file.

    Returns:
        The facts.

    Raises:
        AudioReadError: The file cannot be read.
    """
    with open_audio(path, max_duration_s=DEFAULT_MAX_DURATION_S) as source:
        info = source.info
        kfilter = BlockIIR(k_weighting_sos(info.sample_rate), channels=info.channels)
        meter = LoudnessMeter(info.sample_rate, channel_weights(info.channels))
        peak = 0.0
        frames = 0
        with np.errstate(all="ignore"):
            for block in source.blocks(block_frames(info.channels, BLOCK_FRAMES)):
                meter.feed(kfilter.process(block))
                peak = max(peak, float(np.abs(block).max(initial=0.0)))
                frames += len(block)
    lufs = meter.result().integrated_lufs
    dbfs = 20.0 * math.log10(peak) if peak > 0.0 else -math.inf
    return QuickFacts(info, lufs, dbfs, frames / info.sample_rate)
