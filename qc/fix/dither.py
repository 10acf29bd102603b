"""Word-length reduction: TPDF dither (optionally sloped to high frequencies), then rounding.

TPDF dither of 2 LSB peak to peak (the sum of two independent uniform
variables of 1 LSB) is the lowest-power non-subtractive dither that makes the
first and second moments of the total error independent of the signal: its
mean is 0 and its power ``Δ²/4`` whatever the input (Lipshitz, Wannamaker &
Vanderkooy, "Quantization and Dither: A Theoretical Survey", JAES 40(5),
1992, sec. 4). The ``"sloped"`` variant forms the triangular variable as
the difference of successive uniform values, ``u[n] - u[n - 1]``: the same
triangular PDF, its power moved towards high frequencies (a first-order
high-pass, +6 dB/oct, null at DC); SoX's ``dither -S`` does the same ("a
slightly sloped TPDF, biased towards higher frequencies").

The quantiser returns integers, so what is written is exactly what was
decided (libsndfile scales floats to PCM with a factor that differs from the
one it reads with).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Block

__all__ = ["DitherKind", "Quantizer", "tpdf"]

DitherKind = Literal["tpdf", "sloped", "none"]
"""``tpdf``: white TPDF; ``sloped``: high-pass TPDF; ``none``: plain rounding."""

Ints = NDArray[np.int32]


def tpdf(shape: tuple[int, ...], rng: np.random.Generator) -> Block:
    """White TPDF dither in LSB: the sum of two independent uniform values on [-0.5, 0.5).

    Args:
        shape: Output shape, e.g. ``(frames, channels)``.
        rng: Random generator.

    Returns:
        Values on (-1, 1) LSB with a triangular PDF, variance 1/6 LSB².
    """
    out: Block = rng.random(shape) + rng.random(shape) - 1.0
    return out


class Quantizer:
    """Streaming reduction of float samples to ``bits``-bit integers.

    Args:
        bits: Target word length, 8 to 32.
        channels: Number of channels.
        dither: Which dither to add before rounding.
        seed: Seed of the dither's random generator (None: fresh entropy).
    """

    def __init__(
        self, bits: int, channels: int, *, dither: DitherKind = "tpdf", seed: int | None = None
    ) -> None:
        if not 8 <= bits <= 32:
            raise ValueError(f"bits must be 8 to 32, got {bits}")
        self.bits = bits
        self.dither: DitherKind = dither
        self._scale = float(2 ** (bits - 1))
        self._rng = np.random.default_rng(seed)
        self._last_u = self._rng.random(channels) - 0.5  # sloped: u[-1]

    @property
    def lsb(self) -> float:
        """One quantisation step, full scale = 1.0."""
        return 1.0 / self._scale

    def noise(self, frames: int) -> Block:
        """The next ``frames`` dither values, LSB, shape ``(frames, channels)``."""
        chans = len(self._last_u)
        if self.dither == "tpdf":
            return tpdf((frames, chans), self._rng)
        if self.dither == "sloped":
            u = self._rng.random((frames, chans)) - 0.5
            prev = np.concatenate([self._last_u[None, :], u[:-1]])
            if frames:
                self._last_u = u[-1].copy()
            out: Block = u - prev
            return out
        return np.zeros((frames, chans))

    def __call__(self, block: Block) -> Ints:
        """Dither and round one block.

        Args:
            block: Samples, shape ``(frames, channels)``, full scale 1.0.

        Returns:
            Integers in ``[-2^(bits-1), 2^(bits-1) - 1]``, same shape; the
            value ``k`` stands for ``k / 2^(bits-1)``.
        """
        v = np.floor(block * self._scale + self.noise(len(block)) + 0.5)
        np.clip(v, -self._scale, self._scale - 1.0, out=v)
        return v.astype(np.int32)
