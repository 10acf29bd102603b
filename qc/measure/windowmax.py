"""Maxima of windowed power ending at *every sample*: the max momentary and short-term loudness.

EBU Tech 3341 asks for the maximum momentary (400 ms) and short-term (3 s)
loudness over windows at any position (cases 10, 11, 13 and 14 fail a 100 ms
grid). :class:`SlidingMaxima` keeps the running sum ``C(i) = sum(power[:i])``
of the channel-weighted power over the last 3 s, so every window's sum is one
subtraction ``C(end) - C(end - width)``; it keeps each width's maximum and the
maximum per 100 ms segment of the window's end (what a live meter's "max M"
shows). The compiled kernel (:func:`qc.measure.native.window_maxima`) scans
the sums in one pass where it is built; numpy does it otherwise.
"""

from __future__ import annotations

import numpy as np

from qc.measure import native
from qc.measure._types import Floats
from qc.measure.segments import segment_boundary, segment_of

__all__ = ["SlidingMaxima"]


class SlidingMaxima:
    """Maxima of the sums of ``width`` consecutive power values, for window ends at every sample.

    Args:
        rate: Sample rate in Hz (segments are ``floor(j * rate / 10)`` samples).
        widths: Window lengths in samples.
    """

    def __init__(self, rate: int, widths: tuple[int, ...]) -> None:
        self._rate = rate
        self._widths = widths
        longest = max(widths)
        self._longest = longest
        # C(i) over at least the last `longest` samples, in self._cbuf[:self._cend];
        # new blocks are written in place behind it (see reserve).
        self._cbuf = np.zeros(longest + 1 + 8 * 65536)
        self._cend = 1  # C(0) = 0
        self._max: dict[int, tuple[float, int]] = {}
        self.segment_maxima: dict[int, list[float]] = {w: [] for w in widths}
        """Per width, the maximum window sum per 100 ms segment of the window's end."""
        self._native = native.available()

    def best(self, width: int) -> tuple[float, int] | None:
        """The largest window sum of a width and its end (exclusive sample index), or None."""
        return self._max.get(width)

    def reserve(self, n: int) -> tuple[Floats, float]:
        """Room for the next ``n`` running sums, and the last sum so far.

        The caller writes ``C`` of its ``n`` new samples, relative to the last sum
        (``view[i] = last + sum(power[: i + 1])``), then calls :meth:`commit`.

        Returns:
            ``(view, last)``: the view to write, shape ``(n,)``, and ``C`` so far.
        """
        end = self._cend
        if end + n > len(self._cbuf):
            # Move the last window's sums to the front, relative to their first value (so
            # the sums stay small and exact enough), growing the buffer for a long block.
            keep = min(end, self._longest + 1)
            tail = self._cbuf[end - keep : end] - self._cbuf[end - keep]
            if keep + n > len(self._cbuf):
                self._cbuf = np.zeros(keep + 8 * n)
            self._cbuf[:keep] = tail
            self._cend = end = keep
        return self._cbuf[end : end + n], float(self._cbuf[end - 1])

    def feed(self, power: Floats, first: int) -> None:
        """Add channel-weighted power of samples ``first ..``, shape ``(n,)``."""
        view, last = self.reserve(len(power))
        np.cumsum(power, out=view)
        view += last
        self.commit(first, len(power))

    def commit(self, first: int, n: int) -> None:
        """Take the ``n`` sums written after :meth:`reserve`; ``first`` is their first sample."""
        full = self._cbuf
        end = self._cend
        base = first - (end - 1)  # C(i) is full[i - base]
        self._cend = end + n
        last = first + n
        for width in self._widths:
            lo = max(first + 1, width)  # window end (exclusive sample index)
            if lo > last:
                continue
            count = last - lo + 1
            segs, cuts = self._segments(lo, count)
            a, b = lo - base, lo - width - base
            if self._native:
                seg_max, i, top = native.window_maxima(full, a, b, count, cuts)
            else:
                sums = full[a : a + count] - full[b : b + count]
                i = int(np.argmax(sums))
                top = float(sums[i])
                seg_max = np.maximum.reduceat(sums, cuts)
            best = self._max.get(width)
            if best is None or top > best[0]:
                self._max[width] = (top, lo + i)
            out = self.segment_maxima[width]
            for seg, value in zip(segs, seg_max.tolist(), strict=True):
                while len(out) <= seg:
                    out.append(float("-inf"))
                out[seg] = max(out[seg], value)

    def _segments(self, first_end: int, count: int) -> tuple[list[int], np.ndarray]:
        """The segments of the window ends ``first_end .. first_end + count - 1``.

        Window ``i`` covers the samples before ``first_end + i``, so it ends in the
        segment of sample ``first_end + i - 1``.

        Returns:
            The segment indices, and where each one's windows start among the
            ``count`` (0 first), shape ``(len(segments),)``, int64.
        """
        j = segment_of(first_end - 1, self._rate)
        cuts = [0]
        segs = [j]
        nxt = segment_boundary(j + 1, self._rate)
        while nxt + 1 - first_end < count:
            cuts.append(nxt + 1 - first_end)
            j += 1
            segs.append(j)
            nxt = segment_boundary(j + 1, self._rate)
        return segs, np.array(cuts, dtype=np.int64)
