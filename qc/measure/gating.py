"""BS.1770-4 gating and EBU Tech 3342 loudness range: pure math on block powers.

The streaming meter (:mod:`qc.measure.loudness`) measures the powers of
400 ms and 3 s blocks; everything computed from them at the end lives here,
where the album math (:mod:`qc.measure.album`) and the codec preview's meter
use it too.
"""

from __future__ import annotations

import math

import numpy as np

from qc.measure._types import Floats

__all__ = [
    "ABS_GATE",
    "OFFSET",
    "REL_GATE_I",
    "block_lufs",
    "gated_loudness",
    "gated_mean",
    "loudness_range",
    "loudness_range_bounds",
    "loudness_range_of_power",
    "power_to_lufs",
]

OFFSET = -0.691  # BS.1770-4 eq. 2: L_K = -0.691 + 10 log10(sum G_i z_i)
ABS_GATE = -70.0  # LUFS, BS.1770-4 gamma_a
REL_GATE_I = -10.0  # LU, BS.1770-4 relative gate for integrated loudness
_REL_GATE_LRA = -20.0  # LU, Tech 3342 relative gate


def power_to_lufs(power: float) -> float:
    """Convert a channel-weighted mean square to loudness (BS.1770-4 eq. 2).

    Args:
        power: Mean square of the K-weighted signal, summed over channels
            with their weights (full scale sine = 0.5 per channel).

    Returns:
        Loudness in LUFS; ``-inf`` for zero power.
    """
    return OFFSET + 10.0 * float(np.log10(power)) if power > 0.0 else float("-inf")


def block_lufs(power: Floats) -> Floats:
    """Loudness of channel-weighted mean squares, LUFS, elementwise (``-inf`` for 0)."""
    with np.errstate(divide="ignore"):
        out: Floats = OFFSET + 10.0 * np.log10(np.maximum(power, 0.0))
    return out


def gated_loudness(blocks_lufs: Floats) -> float:
    """Integrated loudness of 400 ms blocks given in LUFS, gated as BS.1770-4 eq. 4-6.

    Args:
        blocks_lufs: Block loudnesses, LUFS, shape ``(n,)`` (e.g. several tracks'
            ``momentary_lufs`` joined, for an album).

    Returns:
        The gated mean, LUFS (``-inf`` if every block is gated out).
    """
    power = 10.0 ** ((np.asarray(blocks_lufs, dtype=np.float64) - OFFSET) / 10.0)
    return power_to_lufs(gated_mean(power, REL_GATE_I))


def loudness_range(short_term_lufs: Floats) -> float | None:
    """EBU Tech 3342 LRA of 3 s short-term loudnesses given in LUFS (e.g. an album's, joined).

    Args:
        short_term_lufs: Short-term loudnesses, LUFS, shape ``(n,)``.

    Returns:
        LRA in LU, or ``None`` when no value passes the gates.
    """
    power = 10.0 ** ((np.asarray(short_term_lufs, dtype=np.float64) - OFFSET) / 10.0)
    return loudness_range_of_power(power)


def loudness_range_bounds(short_term_lufs: Floats) -> tuple[float, float] | None:
    """The 10th and 95th percentiles whose difference is the Tech 3342 LRA (e.g. for a plot).

    Args:
        short_term_lufs: Short-term loudnesses, LUFS, shape ``(n,)``.

    Returns:
        ``(low, high)`` in LUFS, or ``None`` when no value passes the gates.
    """
    power = 10.0 ** ((np.asarray(short_term_lufs, dtype=np.float64) - OFFSET) / 10.0)
    return _lra_bounds(power)


def gated_mean(power: Floats, rel_gate: float) -> float:
    """Two-stage gated mean power of 400 ms blocks (BS.1770-4 eq. 4-6)."""
    kept = power[block_lufs(power) > ABS_GATE]
    if kept.size == 0:
        return 0.0
    threshold = power_to_lufs(float(kept.mean())) + rel_gate
    kept = kept[block_lufs(kept) > threshold]
    return float(kept.mean()) if kept.size else 0.0


def loudness_range_of_power(short_term_power: Floats) -> float | None:
    """EBU Tech 3342 loudness range from 10 Hz short-term powers.

    Absolute gate at -70 LUFS, relative gate 20 LU below the gated mean power,
    then P95 - P10 with the nearest-rank percentile of the Tech 3342 reference
    code: the rank ``(n - 1) * p / 100`` is rounded half up (MATLAB's ``round``
    and libebur128's ``+ 0.5`` truncation), not half to even as Python's
    ``round`` does; on short files the two differ by whole LU.

    Args:
        short_term_power: Channel-weighted 3 s mean powers, shape ``(n,)``.

    Returns:
        LRA in LU, or ``None`` when no short-term value passes the gates.
    """
    bounds = _lra_bounds(short_term_power)
    return bounds[1] - bounds[0] if bounds is not None else None


def _lra_bounds(short_term_power: Floats) -> tuple[float, float] | None:
    """Tech 3342's gated P10 and P95 of 3 s powers, LUFS (see :func:`loudness_range_of_power`)."""
    lufs = block_lufs(short_term_power)
    kept = short_term_power[lufs > ABS_GATE]
    if kept.size == 0:
        return None
    threshold = power_to_lufs(float(kept.mean())) + _REL_GATE_LRA
    values = np.sort(block_lufs(kept)[block_lufs(kept) > threshold])
    if values.size == 0:
        return None
    n = values.size

    def pct(p: float) -> float:
        return float(values[math.floor((n - 1) * p / 100.0 + 0.5)])

    return pct(10.0), pct(95.0)
