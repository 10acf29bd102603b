"""Sample peak and DC offset per channel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats

__all__ = ["LevelMeter", "LevelResult"]


@dataclass(frozen=True)
class LevelResult:
    """Sample-domain levels.

    Attributes:
        channel_peak: Per-channel maximum absolute sample value (linear,
            full scale 1.0).
        channel_peak_frame: Frame index of each channel's first maximum.
        channel_dc: Per-channel mean sample value (linear, full scale 1.0).
        frames: Number of frames measured.
    """

    channel_peak: tuple[float, ...]
    channel_peak_frame: tuple[int, ...]
    channel_dc: tuple[float, ...]
    frames: int


class LevelMeter:
    """Streaming sample peak and DC offset.

    Args:
        channels: Number of channels.
    """

    def __init__(self, channels: int) -> None:
        self._peak = np.zeros(channels)
        self._peak_frame = np.zeros(channels, dtype=np.int64)
        self._sum = np.zeros(channels)
        self._frames = 0

    def feed(self, block: Floats) -> None:
        """Add one block of samples.

        The peak is the larger of the block's maximum and minus its minimum
        (reductions along the frame axis of an interleaved block are cheap for
        ``argmax`` but not for ``sum``, so the sum runs over a transposed copy).

        Args:
            block: Samples, shape ``(frames, channels)``.
        """
        if not len(block):
            return
        cols = np.arange(block.shape[1])
        hi_at, lo_at = block.argmax(axis=0), block.argmin(axis=0)
        hi, lo = block[hi_at, cols], -block[lo_at, cols]
        # The first frame of the largest magnitude: the earlier of the two on a tie.
        where = np.where(hi > lo, hi_at, np.where(lo > hi, lo_at, np.minimum(hi_at, lo_at)))
        top = np.maximum(hi, lo)
        better = top > self._peak
        self._peak = np.where(better, top, self._peak)
        self._peak_frame = np.where(better, where + self._frames, self._peak_frame)
        self._sum += np.ascontiguousarray(block.T).sum(axis=1)
        self._frames += len(block)

    def result(self) -> LevelResult:
        """Return the measurements of everything fed so far."""
        dc = self._sum / self._frames if self._frames else np.zeros_like(self._sum)
        return LevelResult(
            channel_peak=tuple(float(v) for v in self._peak),
            channel_peak_frame=tuple(int(v) for v in self._peak_frame),
            channel_dc=tuple(float(v) for v in dc),
            frames=self._frames,
        )
