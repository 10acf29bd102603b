"""Decoded PyAV audio frames as float64 blocks, and small frames joined into large blocks.

Used by the PyAV reader (`qc.audio.av_reader`) and the codec preview
(`qc.codec.roundtrip`). Pure numpy; a frame is any object with PyAV's
``AudioFrame`` interface (``to_ndarray``, ``format``, ``layout``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from qc.audio.reader import Block

__all__ = ["frame_block", "rebuffer"]

_INT_SCALE = {"s16": 2.0**15, "s32": 2.0**31, "s64": 2.0**63}


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


def rebuffer(pieces: Iterable[Block], frames: int) -> Iterator[Block]:
    """Join small decoded pieces into blocks of ``frames`` rows (the last one shorter).

    Codec frames hold 960 to 4096 samples; the meters work best on large blocks.
    At most one block plus one piece is held.

    Args:
        pieces: Arrays of shape ``(n, channels)``.
        frames: Rows per block, at least 1.

    Returns:
        Iterator of arrays of shape ``(frames, channels)``, then the rest.
    """
    pending: list[Block] = []
    held = 0
    for piece in pieces:
        if not len(piece):
            continue
        pending.append(piece)
        held += len(piece)
        while held >= frames:
            joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
            yield joined[:frames]
            rest = joined[frames:]
            pending, held = ([rest], len(rest)) if len(rest) else ([], 0)
    if held:
        yield np.concatenate(pending) if len(pending) > 1 else pending[0]
