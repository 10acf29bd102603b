"""The offline mix engine: parameter sources and the block mixer (state: :mod:`.state`).

Signal flow of one track, per block, in float64 (full scale = 1.0):

1. read the stem block (zeros past its end);
2. stereo stems only: width ``w`` as mid/side, ``M = (L + R) / 2``,
   ``S = (L - R) / 2 · w``, ``L' = M + S``, ``R' = M - S``;
3. pan with the project's pan law (:mod:`bridge.virtual.panlaw`): a mono stem
   ``x`` becomes ``(gL · x, gR · x)``; a stereo stem is *balanced*,
   ``(gL · L', gR · R')``, so at the centre both channels get the law's centre
   gain (a stereo stem with identical channels sounds exactly like the same
   mono stem) and at a hard side the near channel is at unity and the far one
   silent;
4. volume ``10 ** (volume_db / 20)`` (``-inf`` dB is silence);
5. sum into the stereo master; the master volume is applied to the sum.

Solo and mute (:meth:`~bridge.virtual.state.MixSnapshot.audible`): tracks that
do not sound are not read.

Volume, pan and width come from :class:`ParamSource` objects that return either
one value or one value per sample for ``[start, start + n)`` frames. Today the
state's constants are wrapped in :class:`Constant`; automation lanes can later
be passed to :class:`Mixer` as ``params`` without touching the mixing code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from bridge.virtual.errors import VirtualDawError
from bridge.virtual.panlaw import pan_gains
from bridge.virtual.state import MixSnapshot, TrackSnapshot
from bridge.virtual.stems import Stem, StemReader

__all__ = [
    "BLOCK_FRAMES",
    "Constant",
    "Mixer",
    "ParamSource",
    "TrackParams",
    "db_to_gain",
]

BLOCK_FRAMES: Final = 65536  # frames per mixing block (1.4 s at 48 kHz)

Floats = npt.NDArray[np.float64]


def db_to_gain(db: float | Floats) -> float | Floats:
    """Convert dB to a linear gain; ``-inf`` dB gives exactly 0.0.

    Args:
        db: Level(s) in dB, a scalar or an array of shape ``(n,)``.

    Returns:
        Linear gain(s) of the same shape.
    """
    if isinstance(db, np.ndarray):
        gain: Floats = np.power(10.0, db / 20.0)
        return gain
    return float(10.0 ** (db / 20.0))


class ParamSource(Protocol):
    """Where the mixer gets a parameter's values: a constant now, a lane later."""

    def values(self, start: int, n: int) -> Floats | float:
        """Return the value for frames ``[start, start + n)``.

        Args:
            start: First frame, counted from the start of the song.
            n: Number of frames.

        Returns:
            One value for the whole range, or an array of shape ``(n,)``.
        """
        ...


@dataclass(frozen=True)
class Constant:
    """A parameter that never changes."""

    value: float

    def values(self, start: int, n: int) -> float:
        """Return :attr:`value` for any range."""
        return self.value


@dataclass(frozen=True)
class TrackParams:
    """The parameter sources of one track: volume in dB, pan and width."""

    volume_db: ParamSource
    pan: ParamSource
    width: ParamSource

    @classmethod
    def constant(cls, track: TrackSnapshot) -> TrackParams:
        """Return constant sources holding a snapshot's values."""
        return cls(Constant(track.volume_db), Constant(track.pan), Constant(track.width))


class Mixer:
    """Mixes stems into a stereo master, block by block; memory is O(block).

    Example:
        >>> mixer = Mixer(stems, state.snapshot())  # doctest: +SKIP
        >>> for block in mixer.blocks():  # doctest: +SKIP
        ...     out.write(block)  # shape (n, 2), float64
    """

    def __init__(
        self,
        stems: Sequence[Stem],
        state: MixSnapshot,
        *,
        block_frames: int = BLOCK_FRAMES,
        params: Mapping[str, TrackParams] | None = None,
        master_volume_db: ParamSource | None = None,
    ) -> None:
        """Check the stems against the state and prepare the tracks.

        Args:
            stems: The project's stems; a stem without a track state plays at
                unity, centred.
            state: The frozen mixer state.
            block_frames: Frames per block. Defaults to 65536.
            params: Per-track sources overriding the state's constant volume,
                pan and width (the automation seam).
            master_volume_db: Source of the master volume in dB; defaults to the
                state's constant.

        Raises:
            VirtualDawError: The state names a track with no stem, or
                ``block_frames`` is not positive.
        """
        names = {s.name for s in stems}
        unknown = sorted(set(state.tracks) - names)
        if unknown:
            raise VirtualDawError(f"the mix state names tracks without a stem: {unknown}")
        if block_frames < 1:
            raise VirtualDawError(f"block_frames must be positive, got {block_frames}")
        self.state = state
        self.block_frames = block_frames
        self.frames = max((s.frames for s in stems), default=0)
        default = TrackSnapshot(0.0, 0.0, 1.0, mute=False, solo=False)
        snaps = {s.name: state.tracks.get(s.name, default) for s in stems}
        audible = MixSnapshot(MappingProxyType(snaps), 0.0, state.pan_law).audible()
        given = params or {}
        self.tracks = [
            (s, given.get(s.name) or TrackParams.constant(snaps[s.name]))
            for s in stems
            if s.name in audible
        ]
        self.master = master_volume_db or Constant(state.master_volume_db)

    def blocks(self) -> Iterator[Floats]:
        """Yield the master, block by block.

        Yields:
            Float64 arrays of shape ``(n, 2)``, full scale = 1.0, with ``n`` equal
            to ``block_frames`` except for the last block; ``frames`` in total.
            Values beyond full scale are kept (not limited).
        """
        with contextlib.ExitStack() as stack:
            readers = [(stack.enter_context(StemReader(s)), p) for s, p in self.tracks]
            for start in range(0, self.frames, self.block_frames):
                n = min(self.block_frames, self.frames - start)
                out = np.zeros((n, 2), dtype=np.float64)
                for reader, params in readers:
                    self._add_track(out, reader.read(n), params, start)
                gain = db_to_gain(self.master.values(start, n))
                out *= gain if isinstance(gain, float) else gain[:, None]
                yield out

    def _add_track(self, out: Floats, x: Floats, params: TrackParams, start: int) -> None:
        """Add one track's block ``x`` (shape ``(n, channels)``) into ``out`` (shape ``(n, 2)``)."""
        n = len(out)
        gain = db_to_gain(params.volume_db.values(start, n))
        gl, gr = pan_gains(params.pan.values(start, n), self.state.pan_law)
        left_gain, right_gain = gain * gl, gain * gr
        width = params.width.values(start, n) if x.shape[1] == 2 else 1.0
        if np.ndim(left_gain) == 0 and np.ndim(width) == 0:  # constant: one matrix product
            a, b = (1.0 + width) / 2.0, (1.0 - width) / 2.0  # L' = M + w S = a L + b R
            rows = [[left_gain, right_gain]]  # mono
            if x.shape[1] == 2:
                rows = [[a * left_gain, b * right_gain], [b * left_gain, a * right_gain]]
            out += x @ np.array(rows, dtype=np.float64)
            return
        left, right = x[:, 0], x[:, -1]
        if x.shape[1] == 2:
            mid, side = (left + right) / 2.0, (left - right) / 2.0 * width
            left, right = mid + side, mid - side
        out[:, 0] += left * left_gain
        out[:, 1] += right * right_gain
