"""The Python face of ``kernels.c``: one typed function per kernel, its arguments checked.

Each function hands numpy arrays to its C kernel and refuses (``ValueError``)
what the C code would read wrongly or out of bounds: a wrong dtype, a
non-contiguous array, shapes or ranges that do not fit. Call them only when
:func:`qc.measure.native.available`; each kernel's numpy twin lives with the
meter that uses it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qc.measure.native.loader import Bools, library, need

__all__ = [
    "biquad2",
    "loudness_pieces",
    "mdct_fold",
    "mdct_small",
    "truepeak_crests",
    "window_maxima",
]


def truepeak_crests(
    x: NDArray[np.float32],
    kernel: NDArray[np.float32],
    lead: NDArray[np.float32],
    threshold: float,
) -> tuple[NDArray[np.int64], NDArray[np.float32], Bools, Bools, NDArray[np.float32]]:
    """One channel's 4x values by a short interpolator, and their crests, in one pass.

    The values are ``lead`` then, for each input sample, the sample itself and
    phases 1..3 of ``kernel``. A crest is an index ``i`` (``1 <= i <= n - 2``)
    whose magnitude is at least ``threshold``, at least that of ``i - 1`` and
    more than that of ``i + 1`` (comparisons with NaN are false). Requires
    :func:`available`.

    Args:
        x: Input samples, shape ``(frames + 2 * half,)``, float32, contiguous:
            ``half`` before the first sample interpolated and after the last.
        kernel: Phases 1..3 of the interpolator, shape ``(3, 2 * half + 1)``
            (rows 1..3 of :func:`~qc.measure.oversample.kaiser_kernel`), float32.
        lead: The two values before these, shape ``(2,)``, float32 (NaN: none).
        threshold: Linear magnitude (full scale 1.0), compared in float64.

    Returns:
        ``(idx, around, down, up, tail)``: the crest indices in the values,
        shape ``(m,)``; the values before, at and after each, shape ``(m, 3)``;
        whether each of the ``m + 1`` stretches ``[0, idx[0])``, ...,
        ``[idx[-1], n)`` holds a value ``<= 0``, and ``>= 0``, shape ``(m + 1,)``
        each; and the last two values, shape ``(2,)``.
    """
    lib = library()
    taps = int(kernel.shape[1])
    half = taps // 2
    frames = int(x.shape[0]) - 2 * half
    need(x, np.float32, 1)
    need(kernel, np.float32, 2)
    need(lead, np.float32, 1)
    if frames < 0 or kernel.shape[0] != 3 or taps % 2 == 0 or lead.shape[0] != 2:
        raise ValueError(f"truepeak_crests: {len(x)} samples, kernel {kernel.shape}")
    room = 2 * frames + 3
    idx = np.empty(room, dtype=np.int64)
    around = np.empty((room, 3), dtype=np.float32)
    flags = np.empty(room + 1, dtype=np.uint8)
    tail = np.empty(2, dtype=np.float32)
    m = lib.mixdesk_truepeak_crests(
        x.ctypes.data, frames, kernel.ctypes.data, half, lead.ctypes.data, float(threshold),
        idx.ctypes.data, around.ctypes.data, flags.ctypes.data, tail.ctypes.data,
    )  # fmt: skip
    if m < 0:
        raise ValueError(f"interpolator half width {half} is longer than the kernel takes")
    got = flags[: m + 1]
    return idx[:m], around[:m], (got & 1).astype(bool), (got & 2).astype(bool), tail


def biquad2(
    block: NDArray[np.float64], sos: NDArray[np.float64], state: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Filter interleaved frames by two biquads in cascade (transposed direct form II).

    Requires :func:`available`.

    Args:
        block: Samples, shape ``(frames, channels)``, float64, C-contiguous.
        sos: The two sections, shape ``(2, 6)``, rows ``[b0, b1, b2, 1, a1, a2]``.
        state: Filter state, shape ``(channels, 4)``, float64; updated in place.

    Returns:
        The filtered samples, shape ``(frames, channels)``, a transposed view of
        a ``(channels, frames)`` array (as :class:`~qc.measure.iir.BlockIIR`
        returns them: time is the contiguous axis, which numpy reduces fastest).
    """
    lib = library()
    frames, channels = block.shape
    need(block, np.float64, 2)
    need(sos, np.float64, 2)
    need(state, np.float64, 2)
    if sos.shape != (2, 6) or state.shape != (channels, 4):
        raise ValueError(f"biquad2: sections {sos.shape}, state {state.shape}")
    out = np.empty((channels, frames))
    lib.mixdesk_biquad2(
        block.ctypes.data, out.ctypes.data, frames, channels, sos.ctypes.data, state.ctypes.data
    )
    return out.T


def loudness_pieces(
    kblock: NDArray[np.float64],
    weights: NDArray[np.float64],
    cuts: list[int],
    csum: NDArray[np.float64],
    last: float,
) -> NDArray[np.float64]:
    """Squares, per-piece channel sums and running weighted sums of K-weighted samples.

    Requires :func:`available`.

    Args:
        kblock: K-weighted samples, shape ``(frames, channels)``.
        weights: Channel weights ``G_i``, shape ``(channels,)``.
        cuts: Where each piece starts, ascending, the first 0.
        csum: Written: ``csum[i] = last + sum(power[: i + 1])`` with
            ``power = kblock**2 @ weights``, shape ``(frames,)``, contiguous.
        last: The running sum before this block.

    Returns:
        The sums of ``kblock**2`` over each piece, shape ``(len(cuts), channels)``.
    """
    lib = library()
    frames, channels = kblock.shape
    y = np.ascontiguousarray(np.asarray(kblock, dtype=np.float64).T)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    at = np.asarray(cuts, dtype=np.int64)
    need(csum, np.float64, 1)
    if (
        csum.shape[0] != frames
        or w.shape != (channels,)
        or not len(at)
        or at[0] != 0
        or np.any(np.diff(at) <= 0)
        or at[-1] >= max(frames, 1)
    ):
        raise ValueError(f"loudness_pieces: {frames} frames, cuts {cuts[:4]}...")
    pieces = np.empty((len(at), channels))
    lib.mixdesk_loudness_pieces(
        y.ctypes.data, frames, channels, w.ctypes.data, at.ctypes.data, len(at),
        pieces.ctypes.data, csum.ctypes.data, float(last),
    )  # fmt: skip
    return pieces


def window_maxima(
    full: NDArray[np.float64], a: int, b: int, count: int, cuts: NDArray[np.int64]
) -> tuple[NDArray[np.float64], int, float]:
    """Maxima of window sums ``full[a + i] - full[b + i]``, ``i < count``, per segment.

    Requires :func:`available`.

    Args:
        full: Running sums, shape ``(m,)``, float64, contiguous.
        a: Index of the first window's end sum.
        b: Index of the first window's start sum.
        count: Number of windows.
        cuts: Where each segment's windows start, ascending, the first 0, int64.

    Returns:
        The maximum per segment, shape ``(len(cuts),)``, the index of the first
        largest window sum, and that sum.
    """
    lib = library()
    need(full, np.float64, 1)
    need(cuts, np.int64, 1)
    if (
        min(a, b) < 0
        or max(a, b) + count > full.shape[0]
        or not len(cuts)
        or cuts[0] != 0
        or np.any(np.diff(cuts) <= 0)
        or cuts[-1] >= max(count, 1)
    ):
        raise ValueError(f"window_maxima: windows {a}, {b} + {count} of {full.shape[0]} sums")
    seg_max = np.empty(len(cuts))
    best = np.empty(1)
    at = int(
        lib.mixdesk_window_maxima(
            full.ctypes.data, a, b, count, cuts.ctypes.data, len(cuts),
            seg_max.ctypes.data, best.ctypes.data,
        )
    )  # fmt: skip
    return seg_max, at, float(best[0])


def mdct_fold(
    x: NDArray[np.float64],
    starts: NDArray[np.int64],
    p: NDArray[np.int64],
    w: NDArray[np.float64],
    pre: NDArray[np.complex128],
) -> NDArray[np.complex128]:
    """Window, fold and pre-twiddle frames into DCT-IV inputs, in one gather.

    ``t[..., m] = (w[0, m] x[s + p[0, m]] + w[1, m] x[s + p[1, m]]
    + 1j (w[2, m] x[s + p[2, m]] + w[3, m] x[s + p[3, m]])) * pre[m]`` for
    each frame start ``s``, with numpy's order of operations. Requires
    :func:`available`.

    Args:
        x: Samples, shape ``(n,)``.
        starts: Frame starts, any shape ``S``, int64.
        p: Index map, shape ``(4, q)``, int64 (from ``qc.measure.mdct``).
        w: Signed window weights, shape ``(4, q)``.
        pre: Pre-twiddle, shape ``(q,)``.

    Returns:
        Shape ``S + (q,)``, complex128.
    """
    lib = library()
    q = int(p.shape[1])
    flat = np.ascontiguousarray(starts, dtype=np.int64).reshape(-1)
    for a, dtype, ndim in ((x, np.float64, 1), (p, np.int64, 2), (w, np.float64, 2),
                           (pre, np.complex128, 1)):  # fmt: skip
        need(a, dtype, ndim)
    span = (int(p.min()), int(p.max())) if p.size else (0, 0)
    if (
        p.shape != (4, q)
        or w.shape != (4, q)
        or pre.shape != (q,)
        or (flat.size and (int(flat.min()) + span[0] < 0 or int(flat.max()) + span[1] >= len(x)))
    ):
        raise ValueError(f"mdct_fold: frames reach outside {len(x)} samples, or shapes differ")
    out = np.empty((*np.shape(starts), q), dtype=np.complex128)
    lib.mixdesk_mdct_fold(
        x.ctypes.data, flat.ctypes.data, flat.size, p.ctypes.data, w.ctypes.data,
        pre.ctypes.data, q, out.ctypes.data,
    )  # fmt: skip
    return out


def mdct_small(
    y: NDArray[np.complex128],
    post: NDArray[np.complex128],
    even: NDArray[np.bool_],
    odd: NDArray[np.bool_],
    threshold: float,
) -> NDArray[np.int64]:
    """Count the near-zero MDCT coefficients of each group of frames.

    ``z = y * post``; per group (first axis of ``y``), the real parts where
    ``even`` and the imaginary parts where ``odd`` whose magnitude is below
    ``threshold``. Requires :func:`available`.

    Args:
        y: FFT outputs, shape ``(groups, frames, q)``, complex128, contiguous.
        post: Post-twiddle, shape ``(q,)``.
        even: Which real parts count, shape ``(q,)``.
        odd: Which imaginary parts count, shape ``(q,)``.
        threshold: Linear magnitude.

    Returns:
        Counts, shape ``(groups,)``.
    """
    lib = library()
    need(y, np.complex128, 3)
    need(post, np.complex128, 1)
    groups, frames, q = y.shape
    ev = np.ascontiguousarray(even, dtype=np.uint8)
    od = np.ascontiguousarray(odd, dtype=np.uint8)
    if post.shape != (q,) or ev.shape != (q,) or od.shape != (q,):
        raise ValueError(f"mdct_small: {q} coefficients, post {post.shape}, masks {ev.shape}")
    counts = np.empty(groups, dtype=np.int64)
    lib.mixdesk_mdct_small(
        y.ctypes.data, groups, frames, q, post.ctypes.data, ev.ctypes.data, od.ctypes.data,
        float(threshold), counts.ctypes.data,
    )  # fmt: skip
    return counts
