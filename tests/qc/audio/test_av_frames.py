"""Gather: real PyAV frames (planar, packed, integer) into blocks, start and end trimmed."""

from __future__ import annotations

import av  # the extra `codecs`, installed by `make setup`: missing is a failure, not a skip
import numpy as np
import pytest

from qc.audio.av_frames import Gather


def frames(x: np.ndarray, fmt: str, size: int = 1024) -> list[object]:
    """``x`` (n, channels) as PyAV frames of ``size`` samples in sample format ``fmt``."""
    out = []
    for start in range(0, len(x), size):
        piece = x[start : start + size]
        if fmt == "s16p":
            data = np.ascontiguousarray(np.round(piece.T * 2**15).astype(np.int16))
        elif fmt == "fltp":
            data = np.ascontiguousarray(piece.T.astype(np.float32))
        else:  # flt: packed, one plane of interleaved samples
            data = piece.astype(np.float32).reshape(1, -1)
        out.append(av.AudioFrame.from_ndarray(data, format=fmt, layout="stereo"))
    return out


@pytest.mark.parametrize("fmt", ["fltp", "flt", "s16p"])
@pytest.mark.parametrize(("lead", "limit"), [(0, None), (100, 5000), (3000, 1), (5000, None)])
def test_gathers_the_kept_samples_in_order(
    rng: np.random.Generator, fmt: str, lead: int, limit: int | None
) -> None:
    x = np.round(rng.uniform(-0.5, 0.5, (10_000, 2)) * 2**15) / 2**15  # exact in all formats
    gather = Gather(2, 4096)
    gather.lead, gather.limit = lead, limit
    blocks = [b.copy() for f in frames(x, fmt) for b in gather.add(f)]
    blocks += list(gather.rest())
    expected = x[lead : None if limit is None else lead + limit]
    assert all(len(b) == 4096 for b in blocks[:-1])
    np.testing.assert_array_equal(np.concatenate(blocks), expected)
    assert gather.out == len(expected)
