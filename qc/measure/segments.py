"""The 100 ms segments every series of mixdesk is cut into, at any sample rate.

Segment ``j`` starts at sample ``floor(j * rate / 10)`` (BS.1770-4's 100 ms
steps of the 400 ms gating blocks; EBU Tech 3341's 10 Hz series), so a rate
that is not a multiple of 10 still gives segments that tile the signal.
"""

from __future__ import annotations

__all__ = ["segment_boundary", "segment_of"]


def segment_boundary(j: int, rate: int) -> int:
    """First sample of segment ``j``: ``floor(j * rate / 10)``."""
    return (j * rate) // 10


def segment_of(sample: int, rate: int) -> int:
    """Index of the segment holding ``sample`` (the largest ``j`` whose boundary is <= it).

    ``floor(j * rate / 10) <= sample`` exactly when ``j * rate < 10 * (sample + 1)``.
    """
    return (10 * sample + 9) // rate
