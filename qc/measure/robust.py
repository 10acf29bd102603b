"""Medians by sorting, equal to ``numpy.median`` for the meters' small arrays.

``numpy.median`` imports ``numpy.ma`` on its first call (7 to 25 ms on this
machine), in every process that calls it: the frame-grid searches run in two
processes at the end of a stream, each paying for it before its first result.
Sorting gives the same values (the mean of the two middle order statistics,
or the middle one) without that import.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from qc.measure._types import Floats

__all__ = ["median_of"]


def median_of(values: ArrayLike, axis: int | None = None) -> Floats:
    """The median, as ``numpy.median(values, axis)``, NaN where a NaN is among the values.

    Args:
        values: Any shape; flattened when ``axis`` is None.
        axis: The axis to take the median along.

    Returns:
        The medians: the input's shape without ``axis`` (0-d for ``axis=None``).

    Raises:
        ValueError: There are no values along the axis.
    """
    x = np.asarray(values, dtype=np.float64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    ordered = np.sort(x, axis=axis)  # NaN sorts last
    n = ordered.shape[axis]
    if n == 0:
        raise ValueError("median of no values")
    low = np.take(ordered, (n - 1) // 2, axis=axis)
    high = np.take(ordered, n // 2, axis=axis)
    out: Floats = (low + high) / 2.0  # one middle value: x + x, halved, is x
    last = np.take(ordered, n - 1, axis=axis)
    return np.where(np.isnan(last), np.nan, out)
