"""Vectorised solvers of first-order recursions: a linear scan and the branching smoother.

* :func:`linear_recurrence` solves ``y[n] = a[n]·y[n-1] + b[n]`` exactly with a
  chunked scan: per chunk of ``L`` frames, ``P = cumprod(a)`` and
  ``y = P·(y_in + cumsum(b/P))``; the chunks' end states are then carried from
  chunk to chunk (a short scalar loop over ``n/L`` chunks). ``L`` is chosen so
  that ``min(a)^L ≥ 1e-150``: ``P`` never underflows and ``b/P`` never
  overflows. With ``b ≥ 0`` every sum has terms of one sign, so the result is
  accurate to a few ulps (no cancellation).
* :func:`branching_smoother` solves the "smooth branching" peak detector of
  Giannoulis, Massberg and Reiss (JAES 60(6), 2012, eq. 16),
  ``y[n] = αA·y[n-1] + (1-αA)·x[n]`` if ``x[n] > y[n-1]`` else
  ``αR·y[n-1] + (1-αR)·x[n]``. With ``αA ≤ αR`` this is
  ``y[n] = max(αA·y[n-1] + (1-αA)·x[n], αR·y[n-1] + (1-αR)·x[n])`` (the attack
  branch is the larger exactly when ``x[n] > y[n-1]``): a maximum of increasing
  affine maps. It is solved by *policy iteration*: guess which branch each
  frame takes, solve that linear recursion exactly (:func:`linear_recurrence`),
  re-derive the branches from the solution, repeat until they no longer change.
  Every iterate is the value of some policy, hence a lower bound of the answer,
  and the iterates increase monotonically to it (monotone policy iteration);
  once the branches are stable the recursion holds at every frame, which is
  the exact answer. The first policy is "release everywhere" (the input is
  below the detector most of the time). Each new pass starts at the first frame whose branch
  changed (the frames before it are already final), so the passes end after
  at most ``N``. Where ``x[n]`` is within :data:`TIE` of ``y[n-1]`` both
  branches give the same value to ``TIE·(αR - αA)``, and either is accepted
  (otherwise rounding in the scan could flip such frames pass after pass, as
  on a steady level where ``y`` converges onto ``x``).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_CHUNK", "SEGMENT", "TIE", "branching_smoother", "chunk_size", "linear_recurrence"]

Floats = npt.NDArray[np.float64]

MAX_CHUNK: Final = 1024
"""Longest chunk of the linear scan, in frames (larger chunks gain nothing)."""

_TINY_LOG: Final = math.log(1e-150)

SEGMENT: Final = 8192
"""Frames the policy iteration solves at a time (shorter segments need fewer passes)."""

TIE: Final = 1e-10
"""Where ``|x[n] - y[n-1]| ≤ TIE`` either branch is accepted (both agree to ``TIE``)."""


def linear_recurrence(a: float | Floats, b: Floats, y0: float) -> Floats:
    """Solve ``y[n] = a[n]·y[n-1] + b[n]`` for ``n = 0 … N-1`` with ``y[-1] = y0``.

    Args:
        a: Coefficients in ``(0, 1]``: a float or shape ``(N,)``.
        b: Inputs, shape ``(N,)`` (best conditioned when all ``≥ 0``).
        y0: The state before the first frame.

    Returns:
        ``y``, shape ``(N,)``.

    Raises:
        ValueError: A coefficient is not in ``(0, 1]``.
    """
    n = b.shape[0]
    if n == 0:
        return np.empty(0)
    size = chunk_size(a)
    m = -(-n // size)
    av = np.ones(m * size)
    av[:n] = a
    bv = np.zeros(m * size)
    bv[:n] = b
    out = np.empty(m * size)
    _solve(av.reshape(m, size), bv.reshape(m, size), y0, out.reshape(m, size))
    return out[:n]


def chunk_size(a: float | Floats) -> int:
    """The scan's chunk length for coefficients ``a``: ``min(a)^L ≥ 1e-150``, at most 1024.

    Raises:
        ValueError: A coefficient is not in ``(0, 1]``.
    """
    arr = np.asarray(a, dtype=np.float64)
    a_min, a_max = float(arr.min()), float(arr.max())
    if not 0.0 < a_min <= a_max <= 1.0:
        raise ValueError("linear_recurrence needs coefficients in (0, 1]")
    if a_min == 1.0:
        return MAX_CHUNK
    return max(1, min(MAX_CHUNK, int(_TINY_LOG / math.log(a_min))))


def _solve(a: Floats, b: Floats, y0: float, out: Floats) -> None:
    """The chunked scan on ``(chunks, L)`` views; ``out`` may not alias ``a`` or ``b``.

    Per chunk ``P = cumprod(a)`` and ``y = P·(y_in + cumsum(b/P))``; the chunks'
    input states ``y_in`` follow from ``y_in' = P_end·(y_in + S_end)``.
    """
    p = np.cumprod(a, axis=1)
    np.divide(b, p, out=out)
    np.cumsum(out, axis=1, out=out)
    m = a.shape[0]
    carry = np.empty(m)
    c = y0
    for j, (pe, se) in enumerate(zip(p[:, -1].tolist(), out[:, -1].tolist(), strict=True)):
        carry[j] = c
        c = pe * (c + se)
    out += carry[:, None]
    out *= p


def branching_smoother(
    x: Floats, a_att: float | Floats, a_rel: float | Floats, y0: float
) -> tuple[Floats, int]:
    """The smooth branching peak detector, exactly, without a per-frame Python loop.

    The input is solved in segments of :data:`SEGMENT` frames, one after the
    other (each starts from the previous one's last value): a segment's passes
    depend on its own content only.

    Args:
        x: Input, shape ``(N,)``, all ``≥ 0`` (the compressor's gain reduction in dB).
        a_att: Attack coefficient ``αA`` in ``(0, 1)``: float or ``(N,)``.
        a_rel: Release coefficient ``αR`` in ``(0, 1)``: float or ``(N,)``.
        y0: The state before the first frame, ``≥ 0``.

    Returns:
        ``(y, solves)``: the smoothed signal, shape ``(N,)``, and how many linear
        solves the policy iteration took over all segments.
    """
    n = x.shape[0]
    out = np.empty(n)
    solves = 0
    for lo in range(0, n, SEGMENT):
        hi = min(n, lo + SEGMENT)
        y, k = _smooth_segment(x[lo:hi], _cut(a_att, lo, hi), _cut(a_rel, lo, hi), y0)
        out[lo:hi] = y
        y0 = float(y[-1])
        solves += k
    return out, solves


def _cut(a: float | Floats, lo: int, hi: int) -> float | Floats:
    """``a[lo:hi]`` for an array, ``a`` for a float."""
    return a[lo:hi] if isinstance(a, np.ndarray) and a.ndim else float(a)


def _smooth_segment(
    x: Floats, a_att: float | Floats, a_rel: float | Floats, y0: float
) -> tuple[Floats, int]:
    """:func:`branching_smoother` on one segment.

    Args:
        x: Input, shape ``(N,)``, all ``≥ 0`` (the compressor's gain reduction in dB).
        a_att: Attack coefficient ``αA`` in ``(0, 1)``: float or ``(N,)``.
        a_rel: Release coefficient ``αR`` in ``(0, 1)``: float or ``(N,)``.
        y0: The state before the first frame, ``≥ 0``.

    Returns:
        ``(y, passes)``: the smoothed signal, shape ``(N,)``, and how many linear
        solves the policy iteration took.
    """
    n = x.shape[0]
    if n == 0:
        return np.empty(0), 0
    size = min(chunk_size(a_att), chunk_size(a_rel))
    m = -(-n // size)
    total = m * size
    # Padded, chunk-aligned buffers: a pass recomputes whole chunks from the first
    # chunk whose branches changed (the chunks before it are final).
    xa = np.zeros(total)
    xr = np.zeros(total)
    aa = np.ones(total)
    ar = np.ones(total)
    aa[:n] = a_att
    ar[:n] = a_rel
    np.multiply(1.0 - aa[:n], x, out=xa[:n])
    np.multiply(1.0 - ar[:n], x, out=xr[:n])
    attack = np.zeros(total, dtype=bool)  # first policy: release everywhere but frame 0
    attack[0] = x[0] > y0  # known exactly: y[-1] = y0
    y = np.empty(total)
    a = np.empty(total)
    b = np.empty(total)
    first = 0  # first chunk to recompute
    passes = 0
    while True:
        passes += 1
        lo = first * size
        np.copyto(a[lo:], ar[lo:])
        np.copyto(a[lo:], aa[lo:], where=attack[lo:])
        np.copyto(b[lo:], xr[lo:])
        np.copyto(b[lo:], xa[lo:], where=attack[lo:])
        state = y0 if lo == 0 else float(y[lo - 1])
        k = m - first
        _solve(a[lo:].reshape(k, size), b[lo:].reshape(k, size), state, y[lo:].reshape(k, size))
        # The greedy branches: attack where x[i] > y[i-1]. A branch counts as wrong
        # only if x is not within TIE of y[i-1]: there both branches agree to
        # (αR - αA)·TIE, and scan rounding must not drive further passes.
        lo1 = max(lo, 1)
        fresh = x[lo1:] > y[lo1 - 1 : n - 1]
        wrong = np.flatnonzero(fresh != attack[lo1:n])
        if wrong.size:
            wrong = wrong[np.abs(x[lo1 + wrong] - y[lo1 - 1 + wrong]) > TIE]
        if wrong.size == 0:
            return y[:n], passes
        attack[lo1:n] = fresh
        first = (lo1 + int(wrong[0])) // size
