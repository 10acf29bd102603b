"""Block-parallel IIR filtering in pure numpy (no per-sample Python loop, no scipy).

A cascade of biquads is written as one state-space system
``s[n+1] = A s[n] + B x[n]``, ``y[n] = C s[n] + D x[n]``. A block is cut into
chunks of ``L`` samples. Inside each chunk the zero-state response is a
matrix product with the lower-triangular Toeplitz matrix of the impulse
response; the state at each chunk start follows from a log-depth prefix scan
over chunks; the zero-input response is one more small matrix product. The
result equals direct-form filtering (e.g. ``scipy.signal.sosfilt``) to float64
rounding, while all the work runs in BLAS.

Two sections (the K-weighting) run in the compiled kernel instead, when it is
built (:func:`qc.measure.native.biquad2`: direct form, one pass, faster).
"""

from __future__ import annotations

import numpy as np

from qc.measure import native
from qc.measure._types import Floats

__all__ = ["BlockIIR"]

_CHUNK = 64


def _state_space(sos: Floats) -> tuple[Floats, Floats, Floats, float]:
    """Build ``(A, B, C, D)`` of a cascade of biquads (transposed direct form II).

    Args:
        sos: Second-order sections, shape ``(n_sections, 6)``, rows
            ``[b0, b1, b2, 1, a1, a2]`` as in scipy.

    Returns:
        ``A`` of shape ``(2n, 2n)``, ``B`` of shape ``(2n,)``, ``C`` of shape
        ``(2n,)`` and the scalar ``D``.
    """
    n = 2 * len(sos)
    a_m = np.zeros((n, n))
    b_v = np.zeros(n)
    c_v = np.zeros(n)
    d = 1.0
    for i, row in enumerate(sos):
        b0, b1, b2, a1, a2 = row[[0, 1, 2, 4, 5]] / row[3]
        k = 2 * i
        a_m[k : k + 2, k : k + 2] = [[-a1, 1.0], [-a2, 0.0]]
        b_i = np.array([b1 - a1 * b0, b2 - a2 * b0])
        # The input of section i is y_{i-1} = c_v . s + d x: feed it through.
        a_m[k : k + 2, :k] += np.outer(b_i, c_v[:k])
        b_v[k : k + 2] = b_i * d
        c_new = b0 * c_v
        c_new[k] = 1.0
        c_v = c_new
        d *= b0
    return a_m, b_v, c_v, d


def _flush(m: Floats) -> Floats:
    """Zero the entries of a decaying matrix power that would become denormal.

    Powers of a stable ``A`` decay towards 0; products with subnormal numbers
    run at a fraction of normal speed, and the values are far below float64
    resolution of any sample anyway.
    """
    out: Floats = np.where(np.abs(m) < 1e-150, 0.0, m)
    return out


class BlockIIR:
    """Stateful IIR filter over multichannel blocks, computed chunk-parallel.

    Example:
        >>> f = BlockIIR(np.array([[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]]), channels=1)
        >>> f.process(np.ones((4, 1)))[:, 0].tolist()
        [1.0, 1.5, 1.75, 1.875]

    Args:
        sos: Second-order sections, shape ``(n_sections, 6)``.
        channels: Number of independent channels filtered in parallel.
        chunk: Chunk length ``L`` in samples; the per-sample cost is about
            ``L`` multiply-adds.
    """

    def __init__(self, sos: Floats, *, channels: int, chunk: int = _CHUNK) -> None:
        a_m, b_v, c_v, d = _state_space(np.asarray(sos, dtype=np.float64))
        order = len(b_v)
        self._chunk = chunk
        self._order = order
        # Powers A^0 .. A^L.
        pw = np.empty((chunk + 1, order, order))
        pw[0] = np.eye(order)
        for i in range(1, chunk + 1):
            pw[i] = a_m @ pw[i - 1]
        # Impulse response h[0] = D, h[n] = C A^(n-1) B.
        h = np.empty(chunk)
        h[0] = d
        h[1:] = np.einsum("j,njk,k->n", c_v, pw[: chunk - 1], b_v)
        idx = np.arange(chunk)
        lag = idx[None, :] - idx[:, None]
        self._toeplitz = np.where(lag >= 0, h[np.clip(lag, 0, None)], 0.0)  # (L, L)
        # Row i holds A^(L-1-i) B: the state contribution of input i of a chunk.
        self._gain = np.einsum("ijk,k->ij", pw[chunk - 1 :: -1][:chunk], b_v)  # (L, n)
        # Column j holds C A^j: the output contribution of the start state.
        self._obs = np.einsum("j,njk->kn", c_v, pw[:chunk])  # (n, L)
        self._both = np.vstack([self._toeplitz, self._obs])  # (L + n, L)
        self._powers = pw
        self._step = pw[chunk]  # A^L
        self._state = np.zeros((channels, order))
        self._native: Floats | None = None  # the sections, when the compiled kernel runs them
        if len(sos) == 2 and native.available():
            sections = np.asarray(sos, dtype=np.float64)
            self._native = np.ascontiguousarray(sections / sections[:, 3:4])
            self._state = np.zeros((channels, 4))  # two per section (direct form II)

    def reset(self) -> None:
        """Clear the filter state."""
        self._state[:] = 0.0

    def process(self, block: Floats) -> Floats:
        """Filter one block and keep the state for the next.

        Args:
            block: Samples, shape ``(frames, channels)``.

        Returns:
            Filtered samples, shape ``(frames, channels)``.
        """
        if self._native is not None:
            return native.biquad2(
                np.ascontiguousarray(block, np.float64), self._native, self._state
            )
        frames, chans = block.shape
        size = self._chunk
        order = self._order
        k = -(-frames // size)
        # xs[c, j] = [chunk j of channel c, its start state]: the start states are filled
        # in after the scan, and one product with [T; O] then gives the whole output.
        xs = np.empty((chans, k, size + order))
        x = xs[:, :, :size]
        if frames == k * size:
            x[...] = block.T.reshape(chans, k, size)
        else:  # the last chunk padded with zeros
            x_flat = np.zeros((chans, k * size))
            x_flat[:, :frames] = block.T
            x[...] = x_flat.reshape(chans, k, size)
        s0 = self._state
        p = x @ self._gain  # zero-state end state of each chunk, (C, K, n)
        p[:, 0] += s0 @ self._step.T  # chunk 0 starts from the block's start state
        # Prefix scan: p[k] = sum_{j<=k} M^(k-j) z[j], with M = A^L: the end state of
        # chunk k, the start state of chunk k + 1.
        step = self._step
        shift = 1
        while shift < k:
            p[:, shift:] = p[:, shift:] + p[:, :-shift] @ step.T
            step = _flush(step @ step)
            shift *= 2
        starts = xs[:, :, size:]
        starts[:, 0] = s0
        starts[:, 1:] = p[:, :-1]
        y = xs @ self._both  # zero-state response plus the start states' (C, K, L)
        out: Floats = y.reshape(chans, k * size)[:, :frames].T
        # State after the last real sample of the block.
        rem = frames - (k - 1) * size
        last = x[:, -1, :rem]
        self._state = starts[:, -1] @ self._powers[rem].T + last @ self._gain[size - rem :]
        return out
