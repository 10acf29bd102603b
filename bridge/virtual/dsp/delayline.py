"""Delay-line helpers for the return effects: a multichannel ring buffer and a control grid.

Shared by :mod:`bridge.virtual.dsp.delay` and :mod:`bridge.virtual.dsp.reverb`.
Memory is the ring's alone (``size × channels`` float64), whatever the file length.

**Control rate.** Automated parameters (one value per frame) are sampled on a
fixed grid of the stream's frame count: at every multiple of ``period`` frames
since the last :meth:`ControlGrid.reset`, the value of that frame is taken and
held until the next grid point. The grid does not depend on the block size, so a
render is the same whichever blocks feed it. A float value (constant over the
block) applies from the block's first frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["ControlGrid", "Ring", "Segment", "samples"]

Floats: TypeAlias = npt.NDArray[np.float64]

Segment: TypeAlias = tuple[int, int, tuple[float, ...]]
"""``(start, stop, values)``: frames ``start:stop`` of a block and the values held there."""


def samples(ms: float, rate: int) -> int:
    """A time in ms as a whole number of frames at ``rate`` Hz, rounded half up."""
    return math.floor(ms * rate / 1000.0 + 0.5)


class Ring:
    """The last ``size`` frames of a ``(n, channels)`` stream, readable as contiguous slices.

    A linear buffer of ``size + slack`` frames: writes append, and when the
    end is reached the last ``size`` frames move to the front (one copy per
    ``slack`` frames written), so every read is a plain slice.

    Args:
        size: Frames kept (the longest delay that may be read).
        channels: Channels (columns) per frame.
        slack: Frames appended between moves; defaults to ``max(size, 4096)``.
    """

    def __init__(self, size: int, channels: int, slack: int | None = None) -> None:
        self.size = max(int(size), 1)
        self.slack = max(int(slack if slack is not None else max(self.size, 4096)), 1)
        self.buf: Floats = np.zeros((self.size + self.slack, channels))
        self.pos = self.size  # where the next frame is written

    def reset(self) -> None:
        """Zero the buffer."""
        self.buf.fill(0.0)
        self.pos = self.size

    def write(self, x: Floats) -> None:
        """Append frames ``x`` of shape ``(n, channels)``; only the last ``size`` are kept."""
        n = x.shape[0]
        if n >= self.size:
            self.buf[: self.size] = x[n - self.size :]
            self.pos = self.size
            return
        if self.pos + n > self.buf.shape[0]:
            self.buf[: self.size] = self.buf[self.pos - self.size : self.pos]
            self.pos = self.size
        if self.pos + n > self.buf.shape[0]:  # n > slack: keep what fits after x
            keep = self.size - n
            self.buf[:keep] = self.buf[self.pos - keep : self.pos]
            self.pos = keep
        self.buf[self.pos : self.pos + n] = x
        self.pos += n

    def view(self, delay: int, length: int) -> Floats:
        """Frames from ``delay`` back on, ``length`` of them: a view, valid until the next write.

        Args:
            delay: Frames back, ``1..size``.
            length: Frames read, at most ``delay`` (all already written).

        Returns:
            Shape ``(length, channels)``.
        """
        start = self.pos - delay
        return self.buf[start : start + length]

    def read(self, delay: int, length: int) -> Floats:
        """As :meth:`view`, but a copy."""
        return self.view(delay, length).copy()

    def columns(self, delays: npt.NDArray[np.int64], length: int) -> Floats:
        """Column ``i`` read from ``delays[i]`` frames back, ``length`` frames each.

        Args:
            delays: Shape ``(channels,)``, each ``length..size``.
            length: Frames read.

        Returns:
            Shape ``(length, channels)``, a copy.
        """
        out = np.empty((length, self.buf.shape[1]))
        for i, d in enumerate(delays.tolist()):
            start = self.pos - d
            out[:, i] = self.buf[start : start + length, i]
        return out


class ControlGrid:
    """Splits blocks into segments of constant parameter values (see the module docstring).

    Args:
        period: Grid spacing in frames (the control period).
        count: Number of parameters.
    """

    def __init__(self, period: int, count: int) -> None:
        self.period = max(int(period), 1)
        self.count = count
        self.reset()

    def reset(self) -> None:
        """Back to frame 0, nothing held."""
        self.frame = 0
        self.held: list[float] | None = None

    def segments(
        self, n: int, values: Sequence[float | Floats], longest: int | None = None
    ) -> list[Segment]:
        """The block of ``n`` frames as segments of constant values.

        Args:
            n: Frames in the block.
            values: Per parameter a float or shape ``(n,)`` array (automation).
            longest: Longest segment in frames; None: unlimited. Neighbours
                with equal values are merged up to this length.

        Returns:
            Segments ``(start, stop, values)`` covering ``0..n`` in order.

        Raises:
            ValueError: Wrong number of values, an array not of shape ``(n,)``, or
                a value that is not finite.
        """
        if len(values) != self.count:
            raise ValueError(f"expected {self.count} parameter values, got {len(values)}")
        arrays = [np.asarray(v, dtype=np.float64) for v in values]
        for i, a in enumerate(arrays, start=1):
            if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != n):
                raise ValueError(f"automation has {a.shape[0]} values for a block of {n} frames")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"parameter {i} has a value that is not finite")
        held = self.held if self.held is not None else [float(a.flat[0]) for a in arrays]
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                held[i] = float(a)
        out: list[Segment] = []
        start = 0
        while start < n:
            phase = (self.frame + start) % self.period
            if phase == 0:
                held = [float(a) if a.ndim == 0 else float(a[start]) for a in arrays]
            stop = min(n, start + self.period - phase)
            vals = tuple(held)
            cap = n if longest is None else longest
            if out and out[-1][2] == vals and stop - out[-1][0] <= cap:
                out[-1] = (out[-1][0], stop, vals)
            elif longest is not None and stop - start > longest:
                stop = start + longest
                out.append((start, stop, vals))
            else:
                out.append((start, stop, vals))
            start = stop
        self.frame += n
        self.held = held
        return out
