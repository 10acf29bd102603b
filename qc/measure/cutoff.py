"""Low-pass cutoff of a long-term spectrum: where the spectrum falls off a cliff and stays down.

Lossy encoders band-limit to save bits (LAME 128 kbps at about 17 kHz, 192 kbps
at 18.6 kHz, Vorbis q5 near 21 kHz), and the shelf they leave is steep and
constant in time. Band-limited lossless masters (a steep low-pass, a 32 or
44.1 kHz source) leave the same shelf, so a cutoff alone is only ever a hint
(reference/detect/lossy.md §2 and §5).

:func:`find_cutoff` scans 8 kHz to Nyquist - 1.5 kHz for the frequency with the
largest drop between the median level 0.3-1.5 kHz below it and 0.3-1.5 kHz
above it, and checks that the spectrum stays down from there to Nyquist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats
from qc.measure.robust import median_of

__all__ = ["Cutoff", "find_cutoff"]

_LOW_HZ = 8000.0
_NEAR_HZ, _FAR_HZ = 300.0, 1500.0
_STEP_HZ = 25.0


@dataclass(frozen=True)
class Cutoff:
    """A spectral shelf.

    Attributes:
        hz: Frequency where the level has fallen halfway (in dB) down the
            shelf, Hz.
        drop_db: Median level below the edge minus median level above it, dB.
        stays_down: True if nothing above the edge comes back within 15 dB
            of the level below it (a shelf, not a notch).
    """

    hz: float
    drop_db: float
    stays_down: bool


def find_cutoff(power: Floats, rate: int) -> Cutoff | None:
    """Find the steepest shelf of a power spectrum.

    Args:
        power: Power per bin, shape ``(n_fft // 2 + 1,)`` (linear, any scale),
            bins from 0 Hz to Nyquist.
        rate: Sample rate, Hz.

    Returns:
        The shelf with the largest drop, or None when the spectrum is empty or
        too short above 8 kHz.
    """
    bins = len(power)
    if bins < 64 or not np.any(power > 0):
        return None
    hz_per_bin = rate / 2 / (bins - 1)
    level = 10 * np.log10(np.maximum(power, 1e-30 * float(power.max())))
    nyquist = rate / 2
    candidates = np.arange(_LOW_HZ, nyquist - _FAR_HZ, _STEP_HZ)
    if candidates.size == 0:
        return None

    width = max(1, round((_FAR_HZ - _NEAR_HZ) / hz_per_bin))
    windows = np.lib.stride_tricks.sliding_window_view(level, width)
    first_below = np.round((candidates - _FAR_HZ) / hz_per_bin).astype(np.intp)
    first_above = np.round((candidates + _NEAR_HZ) / hz_per_bin).astype(np.intp)
    last = len(windows) - 1
    # Both sets of windows in one sort (numpy.median's partition took twice as long).
    picked = np.concatenate([np.clip(first_below, 0, last), np.clip(first_above, 0, last)])
    below, above = np.split(median_of(windows[picked], axis=1), [len(first_below)])
    drops = below - above
    i = int(np.argmax(drops))
    f0, lo, hi = float(candidates[i]), float(below[i]), float(above[i])
    # Refine: the drop peaks over a plateau of candidates that starts about
    # 900 Hz below the edge; the edge is the first bin after f0 - 300 Hz whose
    # level is under the midpoint of the shelf.
    start = round((f0 - _NEAR_HZ) / hz_per_bin)
    stop = round((f0 + 2 * _FAR_HZ) / hz_per_bin) + 1
    under = np.flatnonzero(level[start:stop] < (lo + hi) / 2)
    edge = (start + int(under[0])) * hz_per_bin if under.size else f0
    tail = level[round((edge + _NEAR_HZ) / hz_per_bin) : int(0.98 * (bins - 1))]
    smooth = np.convolve(tail, np.ones(9) / 9, mode="valid") if tail.size >= 9 else tail
    stays = bool(smooth.size == 0 or float(smooth.max()) < lo - 15.0)
    return Cutoff(hz=edge, drop_db=float(drops[i]), stays_down=stays)
