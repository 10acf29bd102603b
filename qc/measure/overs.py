"""The crests a true-peak pass hands on, and the tally of the overs among them.

:class:`Crests` is what a scan of 4x values finds (the numpy scan in
:mod:`qc.measure.crestsearch` or the compiled pass of :mod:`qc.measure.native`),
:class:`OverTally` counts the overs per channel and keeps the highest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats

__all__ = ["Crests", "OverTally"]


class Crests(NamedTuple):
    """The crests of a stretch of 4x values, and the signs between them.

    Attributes:
        idx: The crests' value indices, shape ``(m,)``.
        around: The values before, at and after each crest, shape ``(m, 3)``.
        down: Whether each of the ``m + 1`` stretches the crests cut the values
            into (before the first, between them, after the last) holds a value
            ``<= 0``, shape ``(m + 1,)``.
        up: The same for a value ``>= 0``.
    """

    idx: NDArray[np.int64]
    around: NDArray[np.float32]
    down: NDArray[np.bool_]
    up: NDArray[np.bool_]

    def with_first_value(self, first: float, after: float) -> Crests:
        """On the first block, the first value too, if it falls: the crest is at or before it.

        The first block's values are two NaN (nothing before the start), then the
        first sample (value 2) and its first interpolated phase (value 3). Value 2
        has no left neighbour, so no scan takes it for a crest; when it is higher
        than value 3, it is one (a lone sample at frame 0 is the true peak).

        Args:
            first: Value 2, the first sample.
            after: Value 3.

        Returns:
            These crests with value 2 first, its stretch ``[0, 2)`` (the NaN
            values) holding neither sign; or these crests unchanged.
        """
        if not abs(first) > abs(after):
            return self
        head = np.array([[np.nan, first, after]], dtype=np.float32)
        no = np.zeros(1, dtype=bool)
        return Crests(
            np.concatenate([[2], self.idx]).astype(np.int64),
            np.concatenate([head, self.around]),
            np.concatenate([no, self.down]),
            np.concatenate([no, self.up]),
        )


class OverTally:
    """Counts overs per channel and keeps the highest ones.

    Args:
        channels: Number of channels.
        over: The over threshold, linear (full scale 1.0).
        keep: How many of the highest overs to keep.
    """

    def __init__(self, channels: int, over: float, keep: int) -> None:
        self.over = over
        self._keep = keep
        self.counts = np.zeros(channels, dtype=np.int64)
        self.worst: list[tuple[float, float, int]] = []  # (value, output step, channel)

    def add(self, c: int, values: Floats, pos: Floats) -> None:
        """Count the values above the threshold.

        Args:
            c: Channel index.
            values: Crest magnitudes, linear, shape ``(n,)``.
            pos: Their positions in output steps (``FACTOR`` per sample), shape ``(n,)``.
        """
        over = values > self.over
        if over.any():
            self.counts[c] += int(over.sum())
            vals, at = values[over], pos[over]
            top = np.argsort(vals)[::-1][: self._keep]
            self.worst.extend((float(vals[t]), float(at[t]), c) for t in top)
            self.worst.sort(reverse=True)
            del self.worst[self._keep :]
