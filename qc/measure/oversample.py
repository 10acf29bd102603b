"""Streaming polyphase FIR interpolation, computed as BLAS matrix products.

A block is cut into chunks of ``L`` input samples. The interpolated values
between the samples of chunk ``k`` depend only on chunks ``k-1``, ``k`` and
``k+1`` (the kernel is at most ``L`` samples long on each side), so all of them
are one matrix product ``[X[k-1], X[k], X[k+1]] @ W`` over a strided view of the
input, every phase at once (phase 0 of an identity kernel included, so the
output needs no second copy). Output is delayed by one chunk so that the
look-ahead is always available.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats

__all__ = ["ITU_BS1770_TAPS", "Interpolator", "itu_kernel", "kaiser_kernel"]

# ITU-R BS.1770-4 Annex 2: 48-tap, 4-phase interpolating FIR, column p = phase p.
ITU_BS1770_TAPS = np.array(
    [
        [0.0017089843750, -0.0291748046875, -0.0189208984375, -0.0083007812500],
        [0.0109863281250, 0.0292968750000, 0.0330810546875, 0.0148925781250],
        [-0.0196533203125, -0.0517578125000, -0.0582275390625, -0.0266113281250],
        [0.0332031250000, 0.0891113281250, 0.1015625000000, 0.0476074218750],
        [-0.0594482421875, -0.1665039062500, -0.2003173828125, -0.1022949218750],
        [0.1373291015625, 0.4650878906250, 0.7797851562500, 0.9721679687500],
        [0.9721679687500, 0.7797851562500, 0.4650878906250, 0.1373291015625],
        [-0.1022949218750, -0.2003173828125, -0.1665039062500, -0.0594482421875],
        [0.0476074218750, 0.1015625000000, 0.0891113281250, 0.0332031250000],
        [-0.0266113281250, -0.0582275390625, -0.0517578125000, -0.0196533203125],
        [0.0148925781250, 0.0330810546875, 0.0292968750000, 0.0109863281250],
        [-0.0083007812500, -0.0189208984375, -0.0291748046875, 0.0017089843750],
    ]
)


def kaiser_kernel(factor: int, half_width: int, beta: float) -> Floats:
    """Kaiser-windowed sinc interpolator.

    Args:
        factor: Oversampling factor ``P``.
        half_width: Kernel half length in input samples.
        beta: Kaiser window shape parameter.

    Returns:
        Weights, shape ``(P, 2 * half_width + 1)``: row ``p`` gives the value at
        ``n + p / P`` as a weighted sum of ``x[n - half_width .. n + half_width]``.
        Row 0 is the identity (the kernel passes the original samples).
    """
    t = np.arange(-half_width, half_width + 1, dtype=np.float64)
    u = t[None, :] - np.arange(factor)[:, None] / factor  # input time minus output time
    window = np.i0(beta * np.sqrt(np.clip(1.0 - (u / (half_width + 1)) ** 2, 0.0, None)))
    out: Floats = np.sinc(u) * window / np.i0(beta)
    return out


def itu_kernel() -> Floats:
    """The BS.1770-4 Annex 2 filter in the layout of :func:`kaiser_kernel`.

    Returns:
        Weights, shape ``(4, 13)`` over ``x[n - 6 .. n + 6]``. Phase ``p`` is the
        value at ``n + 1/8 + p/4`` (the filter is symmetric about tap 23.5, so no
        phase reproduces the input samples).
    """
    out = np.zeros((4, 13))
    for k in range(12):
        # Output 4m+p = sum_k h[4k+p] x[m-k] lies at n + 1/8 + p/4 with n = m - 6.
        out[:, 6 + 6 - k] = ITU_BS1770_TAPS[k]
    return out


class Interpolator:
    """Streaming interpolation of multichannel blocks by a polyphase kernel.

    Args:
        kernel: Weights, shape ``(phases, 2 * half_width + 1)`` as returned by
            :func:`kaiser_kernel` or :func:`itu_kernel`.
        channels: Number of channels.
        skip_phase0: Make phase 0 exactly the input samples (use with kernels
            whose phase 0 is the identity up to rounding).
        chunk: Chunk length ``L`` in samples, at least ``half_width``.
        dtype: Arithmetic precision; float32 halves the cost and is ample for
            peak levels (relative error about 1e-7).
    """

    def __init__(
        self,
        kernel: Floats,
        *,
        channels: int,
        skip_phase0: bool = False,
        chunk: int = 16,
        dtype: type[np.floating[Any]] = np.float64,
    ) -> None:
        phases, taps = kernel.shape
        half = taps // 2
        chunk = max(chunk, half)
        lag = np.arange(3 * chunk)[:, None] - chunk - np.arange(chunk)[None, :]  # (3L, L)
        cols = np.clip(lag + half, 0, taps - 1)
        # weights[r, i, p]: weight of input r of [k-1, k, k+1] in phase p of output i.
        weights = np.where(np.abs(lag)[:, :, None] <= half, kernel[:, cols].transpose(1, 2, 0), 0.0)
        if skip_phase0:
            weights[:, :, 0] = lag == 0  # exactly the input sample
        # One (3L, L * phases) matrix; column i * phases + p is output i, phase p.
        self._w = np.ascontiguousarray(weights.reshape(3 * chunk, chunk * phases), dtype)
        self._dtype = dtype
        self._phases: int = phases
        self._chunk = chunk
        self._channels = channels
        self._buf = np.zeros((channels, chunk), dtype)  # one zero chunk before the start
        self._emitted = 0  # input samples whose interpolation was emitted

    @property
    def phases(self) -> int:
        """Number of output values per input sample."""
        return self._phases

    def feed(self, block: Floats) -> tuple[int, Floats]:
        """Add samples and return the interpolated values that are complete.

        Args:
            block: Samples, shape ``(frames, channels)``.

        Returns:
            ``(first, values)``: the input sample index of the first output and
            the outputs, shape ``(channels, n, phases)`` where ``values[c, i, p]``
            belongs to input sample ``first + i``.
        """
        self._buf = np.concatenate([self._buf, block.T], axis=1, dtype=self._dtype)
        return self._run(final=False)

    def feed_after(self, block: Floats, lead: NDArray[Any]) -> tuple[int, Floats]:
        """:meth:`feed`, with the values flattened in time and ``lead`` put before them.

        Written in place behind ``lead`` (no second copy of the output), for a
        caller that scans the values across block boundaries.

        Args:
            block: Samples, shape ``(frames, channels)``.
            lead: Values to put first, shape ``(channels, k)``.

        Returns:
            ``(first, values)``: as :meth:`feed`, with ``values`` of shape
            ``(channels, k + n * phases)``; ``values[:, k + i * phases + p]``
            belongs to phase ``p`` of input sample ``first + i``.
        """
        self._buf = np.concatenate([self._buf, block.T], axis=1, dtype=self._dtype)
        return self._run(final=False, lead=lead)

    def flush_after(self, lead: NDArray[Any]) -> tuple[int, Floats]:
        """:meth:`flush` in the layout of :meth:`feed_after`."""
        pending = self._pad_end()
        first, out = self._run(final=True, lead=lead)
        k = lead.shape[1]
        return first, out[:, : k + max(pending, 0) * self._phases]

    def _pad_end(self) -> int:
        """Append the zeros the last outputs need; return the samples still pending."""
        pending = int(self._buf.shape[1]) - self._chunk
        pad = (-pending) % self._chunk + self._chunk
        self._buf = np.concatenate(
            [self._buf, np.zeros((self._channels, pad), self._dtype)], axis=1
        )
        return pending

    def flush(self) -> tuple[int, Floats]:
        """Emit the remaining outputs, treating samples after the end as zero.

        Returns:
            As :meth:`feed`.
        """
        pending = self._pad_end()
        first, out = self._run(final=True)
        return first, out[:, : max(pending, 0)]

    def _run(self, *, final: bool, lead: NDArray[Any] | None = None) -> tuple[int, Floats]:
        size = self._chunk
        n_chunks = self._buf.shape[1] // size
        first = self._emitted
        if n_chunks < 3:
            if lead is not None:
                return first, np.array(lead, dtype=self._dtype)
            return first, np.zeros((self._channels, 0, self.phases))
        x = self._buf[:, : n_chunks * size]
        windows = np.lib.stride_tricks.sliding_window_view(x, 3 * size, axis=1)[:, ::size]
        count = n_chunks - 2
        if lead is None:
            out = (windows @ self._w).reshape(self._channels, count * size, self._phases)
        else:
            k = lead.shape[1]
            out = np.empty((self._channels, k + count * size * self._phases), self._dtype)
            out[:, :k] = lead
            # A view of out (splitting its last axis): the product is written in place.
            np.matmul(windows, self._w, out=out[:, k:].reshape(self._channels, count, -1))
        self._emitted += count * size
        if not final:
            self._buf = self._buf[:, count * size :]
        return first, out
