"""Clipping: runs of consecutive samples at the file's own maximum magnitude.

A run counts when at least ``min_run`` consecutive samples of one channel sit
within ``tolerance`` of the largest magnitude in the file. Measuring at the
file's own maximum (as sox's "Pk count" and "Flat factor" do) catches both
clipping at full scale and flat tops below it (clipped, then turned down),
which a full-scale test misses. Because the maximum is only known at the end,
the detector tracks runs at the running maximum and discards them whenever a
larger magnitude appears: one pass, bounded memory.

A plateau below full scale also has to be cut: a sample next to it must lie
more than :data:`STEEP_STEPS` tolerances (steps of the file's bit depth) below
it. Quantisation flattens smooth crests too (a slow bass wave in 16-bit, most
crests in 8-bit): a crest that stays within 2 steps of its top for 3 samples is
a parabola of at most 2 steps per sample squared, so its next samples are at
most 8 steps down; a clipped wave arrives at the plateau, and leaves it, much
faster. Plateaus at full scale always count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats

__all__ = ["ClipDetector", "ClipRun", "ClippingResult"]

STEEP_STEPS = 9.0
"""A neighbour more than this many tolerances below a plateau shows the wave was cut there."""

FULL_SCALE_TOLERANCE = 2.0**-15
"""A plateau within this of 1.0 counts as clipping at full scale (about -0.0003 dB)."""


@dataclass(frozen=True)
class ClipRun:
    """One run of consecutive samples at the maximum magnitude.

    Attributes:
        channel: Zero-based channel index.
        start: First sample of the run (frames from the file start).
        length: Number of samples in the run.
    """

    channel: int
    start: int
    length: int


@dataclass(frozen=True)
class ClippingResult:
    """Clipping measurements.

    Attributes:
        level: The file's maximum magnitude (linear, full scale 1.0) at which
            runs were counted.
        full_scale: True if that level is full scale (on-sample clipping),
            False for flat tops below full scale.
        min_run: Minimum run length that counts, samples.
        runs: Number of runs of at least ``min_run`` samples, all channels.
        samples: Number of samples in those runs.
        longest: Length of the longest run, samples (0 if none).
        channel_runs: Runs per channel.
        first_runs: The earliest runs, at most ``keep`` of them, in time order.
    """

    level: float
    full_scale: bool
    min_run: int
    runs: int
    samples: int
    longest: int
    channel_runs: tuple[int, ...]
    first_runs: tuple[ClipRun, ...]


class ClipDetector:
    """Streaming detector of plateaus at the maximum magnitude.

    Args:
        channels: Number of channels.
        min_run: Minimum run length in samples (3 is Audacity's default and
            the common broadcast practice).
        tolerance: How far below the maximum a sample may be and still count
            as part of the plateau (linear; about 1 LSB of 24-bit by default,
            use about 2 LSB of the file's depth for dithered material).
        keep: How many runs to keep with their positions.
    """

    def __init__(
        self, channels: int, *, min_run: int = 3, tolerance: float = 2.0**-22, keep: int = 100
    ) -> None:
        self._min_run = min_run
        self._tol = tolerance
        self._keep = keep
        self._level = 0.0
        self._open = np.zeros(channels, dtype=np.int64)  # length of the run at the block end
        self._open_before = np.full(channels, np.nan)  # magnitude before that run (NaN: none)
        self._prev = np.full(channels, np.nan)  # last magnitude of the previous block
        self._pos = 0
        self._reset(channels)

    def _reset(self, channels: int) -> None:
        self._runs = np.zeros(channels, dtype=np.int64)
        self._samples = 0
        self._longest = 0
        self._first: list[ClipRun] = []
        self._open[:] = 0

    def feed(self, block: Floats, mag: Floats | None = None) -> None:
        """Add one block of samples.

        Args:
            block: Samples, shape ``(frames, channels)``.
            mag: ``abs(block)`` if the caller already has it.
        """
        frames, channels = block.shape
        if frames == 0:
            return
        if mag is None:
            mag = np.abs(block)
        top = float(mag.max())
        if top > self._level + self._tol:
            self._level = top
            self._reset(channels)
        if self._level > self._tol:  # digital silence has no plateau to speak of
            # The comparison on the interleaved block, then channel by channel on the
            # booleans (a transposed copy of the magnitudes cost more than the rest).
            hot = mag >= self._level - self._tol  # (frames, channels)
            # (any(axis=0) of a (frames, 2) array takes 0.7 ms; the columns, microseconds)
            busy = self._open > 0
            if hot.any():
                busy = busy | np.array([hot[:, c].any() for c in range(channels)])
            for c in np.flatnonzero(busy).tolist():
                self._channel(c, hot[:, c], mag[:, c])
        self._prev = mag[-1].astype(np.float64)
        self._pos += frames

    def _channel(self, c: int, hot: NDArray[np.bool_], mag: Floats) -> None:
        edges = np.diff(np.concatenate([[False], hot, [False]]).astype(np.int8))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        carry = int(self._open[c])
        if carry and (starts.size == 0 or starts[0] != 0):
            self._close(c, self._pos - carry, carry, float(self._open_before[c]), float(mag[0]))
            carry = 0
        self._open[c] = 0
        if starts.size == 0:
            return
        # Every run of the block at once (a clipped master has thousands per block).
        lengths = ends - starts
        begins = self._pos + starts
        before = mag[np.maximum(starts - 1, 0)].astype(np.float64)
        if starts[0] == 0:
            before[0] = self._prev[c]
            if carry:
                lengths[0] += carry
                begins[0] -= carry
                before[0] = self._open_before[c]
        closed = starts.size
        if ends[-1] == len(hot):  # still open at the block end
            closed -= 1
            self._open[c] = lengths[-1]
            self._open_before[c] = before[-1]
        if closed:
            after = mag[ends[:closed]].astype(np.float64)
            self._close_many(c, begins[:closed], lengths[:closed], before[:closed], after)

    def _close_all(self) -> None:
        for c in np.flatnonzero(self._open).tolist():
            start = self._pos - int(self._open[c])
            self._close(c, start, int(self._open[c]), float(self._open_before[c]), math.nan)
            self._open[c] = 0

    def _cut(self, neighbour: Floats) -> NDArray[np.bool_]:
        """Whether each neighbour (NaN: none, at the file's edge) shows the wave was cut."""
        if self._level >= 1.0 - FULL_SCALE_TOLERANCE:  # a plateau at full scale is clipping,
            return np.ones(neighbour.shape, dtype=bool)  # however it was reached
        with np.errstate(invalid="ignore"):
            cut: NDArray[np.bool_] = np.isnan(neighbour) | (
                neighbour < self._level - STEEP_STEPS * self._tol
            )
        return cut

    def _close_many(
        self,
        channel: int,
        start: NDArray[np.int64],
        length: NDArray[np.int64],
        before: Floats,
        after: Floats,
    ) -> None:
        """Count the runs of one channel that were cut, in time order, shapes ``(n,)``."""
        cut = self._cut(before) | self._cut(after)
        ok = np.flatnonzero(cut & (length >= self._min_run))
        if ok.size == 0:
            return
        self._runs[channel] += ok.size
        self._samples += int(length[ok].sum())
        self._longest = max(self._longest, int(length[ok].max()))
        room = self._keep - len(self._first)
        if room > 0:
            kept = ok[:room]
            self._first.extend(
                ClipRun(channel, s, n)
                for s, n in zip(start[kept].tolist(), length[kept].tolist(), strict=True)
            )

    def _close(self, channel: int, start: int, length: int, before: float, after: float) -> None:
        """:meth:`_close_many` for one run."""
        self._close_many(
            channel,
            np.array([start], dtype=np.int64),
            np.array([length], dtype=np.int64),
            np.array([before]),
            np.array([after]),
        )

    def result(self) -> ClippingResult:
        """Close open runs and return the measurements."""
        self._close_all()
        return ClippingResult(
            level=self._level,
            full_scale=self._level >= 1.0 - FULL_SCALE_TOLERANCE,
            min_run=self._min_run,
            runs=int(self._runs.sum()),
            samples=self._samples,
            longest=self._longest,
            channel_runs=tuple(int(n) for n in self._runs),
            first_runs=tuple(sorted(self._first, key=lambda r: (r.start, r.channel))),
        )
