"""Long 10 Hz series reduced to a fixed number of points for display, extremes kept.

A 60-minute programme has 36,000 values per 100 ms series; a plot needs a few
thousand. :func:`reduce_series` splits a series into equal buckets and keeps
each bucket's minimum and maximum (the "min/max decimation" of waveform
displays), so a single hot 100 ms segment is never averaged away. Non-finite
values (silence as ``-inf``, NaN where undefined) are ignored within a bucket;
an all-undefined bucket is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats

__all__ = ["ReducedSeries", "reduce_series"]


@dataclass(frozen=True)
class ReducedSeries:
    """A series reduced to buckets.

    Attributes:
        time_s: Start time of each bucket, s, shape ``(buckets,)``.
        low: Minimum of the finite values in each bucket, shape ``(buckets,)``.
        high: Maximum of the finite values in each bucket, shape ``(buckets,)``.
        step_s: Bucket length, s.
    """

    time_s: Floats
    low: Floats
    high: Floats
    step_s: float


def reduce_series(
    values: Floats, *, start_s: float = 0.0, step_s: float = 0.1, points: int = 2000
) -> ReducedSeries:
    """Reduce a regularly sampled series to at most ``points`` buckets of min and max.

    Args:
        values: The series, shape ``(n,)``; element ``j`` belongs to time
            ``start_s + j * step_s``, s.
        start_s: Time of element 0, s.
        step_s: Spacing of the elements, s.
        points: Most buckets returned (at least 1).

    Returns:
        The buckets; with ``n <= points`` each element is its own bucket
        (``low == high == value``, non-finite as NaN).
    """
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    per = max(1, -(-n // max(points, 1)))  # ceil(n / points)
    buckets = -(-n // per)
    padded = np.full(buckets * per, np.nan)
    padded[:n] = np.where(np.isfinite(x), x, np.nan)
    grid = padded.reshape(buckets, per)
    defined = ~np.isnan(grid)
    any_defined = defined.any(axis=1)
    low = np.where(defined, grid, np.inf).min(axis=1, initial=np.inf)
    high = np.where(defined, grid, -np.inf).max(axis=1, initial=-np.inf)
    low[~any_defined] = np.nan
    high[~any_defined] = np.nan
    return ReducedSeries(
        time_s=start_s + np.arange(buckets, dtype=np.float64) * (per * step_s),
        low=low,
        high=high,
        step_s=per * step_s,
    )
