"""Decoded PyAV audio frames gathered into large blocks, the start and end trimmed.

Codec frames hold 960 to 4096 samples; the meters work best on blocks of tens of
thousands. `Gather` copies each decoded frame's planes straight into the block
being filled (no per-frame stacking or joining), dropping the first ``lead``
samples (the priming a decoder left) and everything past ``limit`` (the
padding). Used by the PyAV reader (`qc.audio.av_reader`) and the codec preview
(`qc.codec.roundtrip`). Pure numpy; a frame is any object with PyAV's
``AudioFrame`` interface (``samples``, ``format``, ``planes``, ``layout``,
``to_ndarray``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from qc.audio.reader import Block

__all__ = ["Gather", "frame_block"]

_INT_SCALE = {"s16": 2.0**15, "s32": 2.0**31, "s64": 2.0**63}
_FLOAT = frozenset({"flt", "fltp"})


def frame_block(frame: Any) -> Block:
    """One decoded ``av.AudioFrame`` as float64 samples, full scale 1.0.

    Args:
        frame: A decoded audio frame, planar or packed, float or integer samples.

    Returns:
        Array of shape ``(frame.samples, channels)``.
    """
    data = frame.to_ndarray()
    fmt = frame.format
    name = fmt.name.rstrip("p")
    channels = len(frame.layout.channels)
    block = data.T if fmt.is_planar else data.reshape(-1, channels)
    if name in _INT_SCALE:
        return np.asarray(block, dtype=np.float64) / _INT_SCALE[name]
    if name == "u8":
        return (np.asarray(block, dtype=np.float64) - 128.0) / 128.0
    return np.asarray(block, dtype=np.float64)


def _planes(frame: Any, channels: int) -> list[np.ndarray]:
    """A decoded frame's samples, one 1-D array per channel (float frames read in place)."""
    n = frame.samples
    if frame.format.name not in _FLOAT:  # integer samples: scaled to full scale 1.0
        return list(frame_block(frame).T)
    if frame.format.is_planar:
        return [np.frombuffer(p, np.float32, n) for p in frame.planes[:channels]]
    return list(np.frombuffer(frame.planes[0], np.float32, n * channels).reshape(n, -1).T)


class Gather:
    """Decoded frames copied into blocks of ``frames`` rows; the start and end trimmed.

    Args:
        channels: Channels per frame.
        frames: Rows per block (the last block is shorter).
        dtype: Sample type of the blocks (float32 for the preview's pipe,
            float64 for the meters).

    Attributes:
        lead: Samples still to drop at the start (None: not known yet).
        limit: Samples to keep in all (None: every one), settable while gathering.
        out: Samples kept so far.
    """

    def __init__(self, channels: int, frames: int, dtype: npt.DTypeLike = np.float64) -> None:
        self._channels, self._frames, self._dtype = channels, frames, dtype
        self._buf = np.empty((frames, channels), dtype=dtype)
        self._pos = 0
        self.lead: int | None = None
        self.limit: int | None = None
        self.out = 0

    def add(self, frame: Any) -> Iterator[np.ndarray]:
        """The blocks this decoded frame completes (often none); each a new array."""
        n = frame.samples
        start = min(self.lead or 0, n)
        if self.lead:
            self.lead -= start
        stop = n if self.limit is None else min(n, start + max(0, self.limit - self.out))
        if start >= stop:
            return
        planes = _planes(frame, self._channels)
        self.out += stop - start
        while start < stop:
            take = min(stop - start, self._frames - self._pos)
            for c, plane in enumerate(planes):
                self._buf[self._pos : self._pos + take, c] = plane[start : start + take]
            self._pos += take
            start += take
            if self._pos == self._frames:
                yield self._buf
                self._buf = np.empty((self._frames, self._channels), dtype=self._dtype)
                self._pos = 0

    def rest(self) -> Iterator[np.ndarray]:
        """The last, partial block (nothing if it is empty)."""
        if self._pos:
            yield self._buf[: self._pos]
            self._buf = np.empty((self._frames, self._channels), dtype=self._dtype)
            self._pos = 0
