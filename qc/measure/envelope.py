"""Per-100 ms sample-peak envelope, for silence and dead-channel checks.

Segments are aligned exactly like :mod:`qc.measure.loudness`: segment ``j``
spans samples ``floor(j * rate / 10)`` to ``floor((j + 1) * rate / 10)``
(exclusive); a partial last segment is kept. :class:`SegmentAccumulator` does
the segmenting and is shared with :mod:`qc.measure.stereo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats
from qc.measure.segments import segment_boundary, segment_of

__all__ = ["SOUND_FLOOR_DBFS", "EnvelopeResult", "PeakEnvelope", "SegmentAccumulator"]

SOUND_FLOOR_DBFS = -90.0
"""Samples above this magnitude, dBFS, count for ``first/last_sound_frame``."""
_SOUND_FLOOR = 10.0 ** (SOUND_FLOOR_DBFS / 20.0)


class SegmentAccumulator:
    """Reduces per-frame rows into one row per 100 ms segment.

    Memory: one row per segment (10 per second) in a doubling buffer.

    Args:
        rate: Sample rate in Hz (at least 10).
        width: Values per frame.
        op: Reduction, e.g. ``np.add`` (segment sums) or ``np.maximum``.
        identity: Identity of ``op`` for the values fed (0.0 for both
            above with non-negative values).
    """

    def __init__(self, rate: int, width: int, op: np.ufunc, identity: float = 0.0) -> None:
        self.rate = rate
        self.frames = 0
        self._op = op
        self._identity = identity
        self._rows = np.empty((64, width))
        self._n = 0  # closed segments; the open one is segment self._n
        self._cur = np.full(width, identity)

    def boundary(self, j: int) -> int:
        """First frame of segment ``j``: ``floor(j * rate / 10)``."""
        return segment_boundary(j, self.rate)

    def segment_of(self, frame: int) -> int:
        """Index of the segment holding ``frame`` (largest ``j`` with boundary <= frame)."""
        return segment_of(frame, self.rate)

    def feed(self, values: Floats) -> None:
        """Add the values of the next frames.

        Args:
            values: Shape ``(frames, width)``.
        """
        n = len(values)
        if n:
            self.fold(n, self._op.reduceat(values, self.starts(n), axis=0))

    def starts(self, n: int) -> NDArray[np.int64]:
        """Where the next ``n`` frames are cut: 0, then each segment boundary inside them."""
        j0, j_end = self._n, self.segment_of(self.frames + n)
        cuts = np.arange(j0 + 1, j_end + 1, dtype=np.int64) * self.rate // 10 - self.frames
        return np.concatenate([np.zeros(1, dtype=np.int64), cuts[cuts < n]])

    def fold(self, n: int, pieces: Floats) -> None:
        """Add the next ``n`` frames as the reductions of their :meth:`starts` pieces.

        Args:
            n: Frames.
            pieces: One reduced row per piece, shape ``(pieces, width)``.
        """
        j0, j_end = self._n, self.segment_of(self.frames + n)
        if j_end == j0:  # no boundary inside these frames
            self._cur = self._op(self._cur, pieces[0])
        else:
            first = self._op(pieces[0], self._cur)
            closed = j_end - j0
            self._append(np.concatenate([first[None, :], pieces[1:closed]]))
            if len(pieces) > closed:
                self._cur = pieces[closed].copy()
            else:
                self._cur = np.full_like(self._cur, self._identity)
        self.frames += n

    def _append(self, rows: Floats) -> None:
        need = self._n + len(rows)
        if need > len(self._rows):
            grown = np.empty((max(need, 2 * len(self._rows)), self._rows.shape[1]))
            grown[: self._n] = self._rows[: self._n]
            self._rows = grown
        self._rows[self._n : need] = rows
        self._n = need

    def segments(self) -> Floats:
        """Reduced rows, shape ``(segments, width)``, the partial last one included."""
        rows = self._rows[: self._n]
        if self.frames > self.boundary(self._n):
            rows = np.concatenate([rows, self._cur[None, :]])
        return rows.copy()

    def counts(self) -> Floats:
        """Frames in each segment, shape ``(segments,)`` (the last may be partial)."""
        segs = self._n + (self.frames > self.boundary(self._n))
        edges = np.minimum(np.arange(segs + 1, dtype=np.int64) * self.rate // 10, self.frames)
        out: Floats = np.diff(edges).astype(np.float64)
        return out


@dataclass(frozen=True)
class EnvelopeResult:
    """Sample-peak envelope of a programme.

    Attributes:
        peak_dbfs: Maximum ``|sample|`` per 100 ms segment and channel, dBFS
            (``-inf`` for digital silence); shape ``(segments, channels)``.
        frames: Frames measured.
        rate: Sample rate, Hz.
        first_sound_frame: First frame where any channel exceeds
            :data:`SOUND_FLOOR_DBFS` (-90 dBFS); ``None`` if none does.
        last_sound_frame: Last such frame; ``None`` if none.
        segment_s: Nominal segment length, s (exactly ``floor(j * rate / 10)``
            frame boundaries).
    """

    peak_dbfs: Floats
    frames: int
    rate: int
    first_sound_frame: int | None
    last_sound_frame: int | None
    segment_s: float = 0.1

    @property
    def duration_s(self) -> float:
        """Duration, s."""
        return self.frames / self.rate

    def _loud(self, threshold_dbfs: float) -> NDArray[np.bool_]:
        """Whether any channel's segment peak is above the threshold, shape ``(segments,)``."""
        out: NDArray[np.bool_] = np.max(self.peak_dbfs, axis=1, initial=-np.inf) > threshold_dbfs
        return out

    def leading_silence_s(self, threshold_dbfs: float) -> float:
        """Time before the first sample above ``threshold_dbfs`` on any channel, s.

        Exact to 1 frame at the -90 dBFS floor (:data:`SOUND_FLOOR_DBFS`);
        otherwise the start of the first segment whose peak is above the
        threshold (up to 100 ms early). The whole duration if there is none.
        """
        if threshold_dbfs == SOUND_FLOOR_DBFS:
            first = self.first_sound_frame
            return self.duration_s if first is None else first / self.rate
        loud = np.flatnonzero(self._loud(threshold_dbfs))
        if not loud.size:
            return self.duration_s
        return (int(loud[0]) * self.rate // 10) / self.rate

    def trailing_silence_s(self, threshold_dbfs: float) -> float:
        """Time after the last sample above ``threshold_dbfs`` on any channel, s.

        Resolution as for :meth:`leading_silence_s` (up to 100 ms short).
        """
        if threshold_dbfs == SOUND_FLOOR_DBFS:
            last = self.last_sound_frame
            return self.duration_s if last is None else (self.frames - 1 - last) / self.rate
        loud = np.flatnonzero(self._loud(threshold_dbfs))
        if not loud.size:
            return self.duration_s
        end = min((int(loud[-1]) + 1) * self.rate // 10, self.frames)
        return (self.frames - end) / self.rate

    def silent_channels(self, threshold_dbfs: float) -> tuple[int, ...]:
        """Indices of the channels whose peak never exceeds ``threshold_dbfs``."""
        loud = (self.peak_dbfs > threshold_dbfs).any(axis=0)
        return tuple(int(c) for c in np.flatnonzero(~loud))


_TAIL = 256  # samples at the end of a block looked at first for the last sound


class PeakEnvelope:
    """Streaming per-100 ms sample peaks and first/last sound frames.

    Args:
        rate: Sample rate in Hz.
        channels: Channel count.
    """

    def __init__(self, rate: int, channels: int) -> None:
        self._acc = SegmentAccumulator(rate, channels, np.maximum)
        self._channels = channels
        self._first: int | None = None
        self._last: int | None = None

    def feed(self, block: Floats, mag: Floats | None = None) -> None:
        """Add one block of samples.

        Args:
            block: Samples, shape ``(frames, channels)``, full scale 1.0.
            mag: ``abs(block)`` if the caller already has it.
        """
        if not len(block):
            return
        if mag is None:
            mag = np.abs(block)
        start = self._acc.frames
        self._acc.feed(mag)
        # A frame sounds when any of its samples does: found on the interleaved samples,
        # the last sounding one from the block's end (music sounds there: no full pass).
        flat = mag.reshape(-1)
        width = mag.shape[1]
        end = flat[-_TAIL:] > _SOUND_FLOOR
        if end.any():
            last: int | None = len(flat) - 1 - int(np.argmax(end[::-1]))
        else:
            loud = flat > _SOUND_FLOOR
            last = len(flat) - 1 - int(np.argmax(loud[::-1])) if loud.any() else None
        if last is not None:
            self._last = start + last // width
            if self._first is None:
                self._first = start + int(np.argmax(flat > _SOUND_FLOOR)) // width

    def result(self) -> EnvelopeResult:
        """Return the envelope of everything fed so far."""
        peaks = self._acc.segments().reshape(-1, self._channels)
        with np.errstate(divide="ignore"):
            db: Floats = 20.0 * np.log10(peaks)
        return EnvelopeResult(
            peak_dbfs=db,
            frames=self._acc.frames,
            rate=self._acc.rate,
            first_sound_frame=self._first,
            last_sound_frame=self._last,
        )
