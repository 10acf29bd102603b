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
  the exact answer. Each new pass starts at the first frame whose branch
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

__all__ = ["MAX_CHUNK", "TIE", "branching_smoother", "linear_recurrence"]

Floats = npt.NDArray[np.float64]

MAX_CHUNK: Final = 1024
"""Longest chunk of the linear scan, in frames (larger chunks gain nothing)."""

_TINY_LOG: Final = math.log(1e-150)

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
    av = np.broadcast_to(np.asarray(a, dtype=np.float64), (n,))
    if n == 0:
        return np.empty(0)
    a_min = float(av.min())
    if not 0.0 < a_min <= float(av.max()) <= 1.0:
        raise ValueError("linear_recurrence needs coefficients in (0, 1]")
    size = MAX_CHUNK if a_min == 1.0 else int(_TINY_LOG / math.log(a_min))
    size = max(1, min(MAX_CHUNK, size, n))
    m = -(-n // size)
    pad = m * size - n
    if pad:
        av = np.concatenate([av, np.ones(pad)])
        b = np.concatenate([b, np.zeros(pad)])
    p = np.cumprod(av.reshape(m, size), axis=1)
    s = np.cumsum(b.reshape(m, size) / p, axis=1)
    s *= p  # each chunk's solution from a zero state
    carry = np.empty(m)
    c = y0
    for j, (pe, se) in enumerate(zip(p[:, -1].tolist(), s[:, -1].tolist(), strict=True)):
        carry[j] = c
        c = pe * c + se
    p *= carry[:, None]
    s += p
    return s.reshape(-1)[:n]


def branching_smoother(
    x: Floats, a_att: float | Floats, a_rel: float | Floats, y0: float
) -> tuple[Floats, int]:
    """The smooth branching peak detector, exactly, without a per-frame Python loop.

    Args:
        x: Input, shape ``(N,)``, all ``≥ 0`` (the compressor's gain reduction in dB).
        a_att: Attack coefficient ``αA`` in ``(0, 1)``: float or ``(N,)``.
        a_rel: Release coefficient ``αR`` in ``(0, 1)``, ``≥ αA``: float or ``(N,)``.
        y0: The state before the first frame, ``≥ 0``.

    Returns:
        ``(y, passes)``: the smoothed signal, shape ``(N,)``, and how many linear
        solves the policy iteration took.
    """
    n = x.shape[0]
    if n == 0:
        return np.empty(0), 0
    if np.ndim(a_att) == 0 and np.ndim(a_rel) == 0:
        attack = _lower_bound_policy(x, float(a_att), float(a_rel), y0)
    else:
        attack = np.empty(n, dtype=bool)
        attack[0] = x[0] > y0
        np.greater(x[1:], x[:-1], out=attack[1:])
    y = np.empty(n)
    start = 0
    passes = 0
    while True:
        passes += 1
        a = np.where(attack[start:], _part(a_att, start), _part(a_rel, start))
        state = y0 if start == 0 else float(y[start - 1])
        y[start:] = linear_recurrence(a, (1.0 - a) * x[start:], state)
        prev = np.empty(n - start)
        prev[0] = state
        prev[1:] = y[start:-1]
        fresh = x[start:] > prev
        # A branch counts as wrong only if x is not within TIE of y[n-1]: there both
        # branches agree to (αR - αA)·TIE, and scan rounding must not drive passes.
        changed = np.flatnonzero((fresh != attack[start:]) & (np.abs(x[start:] - prev) > TIE))
        if changed.size == 0:
            return y, passes
        attack[start:] = fresh
        start += int(changed[0])


def _part(a: float | Floats, start: int) -> float | Floats:
    """``a[start:]`` for an array, ``a`` for a float."""
    return a[start:] if isinstance(a, np.ndarray) and a.ndim else float(a)


def _lower_bound_policy(x: Floats, a_att: float, a_rel: float, y0: float) -> npt.NDArray[np.bool_]:
    """A first guess of the branches from a lower bound of the answer.

    ``max(attack-only, release-only)`` (two one-pole filters) is below the
    answer frame by frame, so the policy it suggests starts the iteration close.
    """
    from scipy.signal import lfilter

    za = lfilter([1.0 - a_att], [1.0, -a_att], x, zi=[a_att * y0])[0]
    zr = lfilter([1.0 - a_rel], [1.0, -a_rel], x, zi=[a_rel * y0])[0]
    z = np.maximum(za, zr)
    attack = np.empty(x.shape[0], dtype=bool)
    attack[0] = x[0] > y0
    np.greater(x[1:], z[:-1], out=attack[1:])
    return attack
