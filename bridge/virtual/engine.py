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
4. volume ``10 ** (volume_db / 20)`` (``-inf`` dB is silence), times the
   mute gate (0 where a mute source is at least 0.5, else 1) when the track has
   a mute source;
5. sum into the stereo master; the master volume is applied to the sum.

Solo and mute (:meth:`~bridge.virtual.state.MixSnapshot.audible`): tracks that
do not sound are not read. A track with a mute *source* ignores its static mute
button (the source drives it, per sample) and is always read, even where the
source mutes it; solo still applies.

Volume, pan, width and mute come from :class:`ParamSource` objects that return
either one value or one value per sample for ``[start, start + n)`` frames. While pan
and width are constant, a block is one matrix product, times the per-sample
volume if it varies. The state's constants are wrapped in :class:`Constant`; automation lanes
(:mod:`bridge.virtual.automation`) are passed to :class:`Mixer` as ``params``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
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

_DB_TO_LN: Final = float(np.log(10.0)) / 20.0  # 10^(dB/20) = e^(dB · ln 10 / 20)


def db_to_gain(db: float | Floats) -> float | Floats:
    """Convert dB to a linear gain; ``-inf`` dB gives exactly 0.0.

    Args:
        db: Level(s) in dB, a scalar or an array of shape ``(n,)``.

    Returns:
        Linear gain(s) of the same shape.
    """
    if isinstance(db, np.ndarray):  # exp is faster than power; same within 2e-15
        gain: Floats = db * _DB_TO_LN
        np.exp(gain, out=gain)
        return gain
    return float(10.0 ** (db / 20.0))


class ParamSource(Protocol):
    """Where the mixer gets a parameter's values: a constant or an automation lane."""

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
    """The parameter sources of one track.

    Attributes:
        volume_db: Volume in dB (``-inf`` is silence).
        pan: Pan position, -1 to +1.
        width: Stereo width, -1 to +1 (ignored for mono stems).
        mute: Per-sample mute, muted where the value is at least 0.5; None
            uses the state's static mute button.
    """

    volume_db: ParamSource
    pan: ParamSource
    width: ParamSource
    mute: ParamSource | None = None

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
                pan and width (the automation seam); a track whose sources
                include ``mute`` ignores its static mute button.
            master_volume_db: Source of the master volume in dB; defaults to the
                state's constant.

        Raises:
            VirtualDawError: The state names a track with no stem, or
                ``block_frames`` is not positive.
        """
        names = {s.name for s in stems}
        returns = {n for n, t in state.tracks.items() if t.is_return}
        unknown = sorted(set(state.tracks) - names - returns)
        if unknown:
            raise VirtualDawError(f"the mix state names tracks without a stem: {unknown}")
        if block_frames < 1:
            raise VirtualDawError(f"block_frames must be positive, got {block_frames}")
        self.state = state
        self.block_frames = block_frames
        self.frames = max((s.frames for s in stems), default=0)
        default = TrackSnapshot(0.0, 0.0, 1.0, mute=False, solo=False)
        given = params or {}
        snaps = {s.name: state.tracks.get(s.name, default) for s in stems}
        gated = {  # a mute source replaces the static button
            name: replace(t, mute=False)
            for name, t in snaps.items()
            if name in given and given[name].mute is not None
        }
        audible = MixSnapshot(MappingProxyType(snaps | gated), 0.0, state.pan_law).audible()
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
        if params.mute is not None:
            gain = gain * _gate(params.mute.values(start, n))
        gl, gr = pan_gains(params.pan.values(start, n), self.state.pan_law)
        width = params.width.values(start, n) if x.shape[1] == 2 else 1.0
        if np.ndim(gl) == 0 and np.ndim(width) == 0:  # pan and width constant: a matrix product
            scalar = np.ndim(gain) == 0
            left_gain, right_gain = (gain * gl, gain * gr) if scalar else (gl, gr)
            a, b = (1.0 + width) / 2.0, (1.0 - width) / 2.0  # L' = M + w S = a L + b R
            rows = [[left_gain, right_gain]]  # mono
            if x.shape[1] == 2:
                rows = [[a * left_gain, b * right_gain], [b * left_gain, a * right_gain]]
            y = x @ np.array(rows, dtype=np.float64)
            if not scalar:  # per-sample volume, in place (a new (n, 2) array costs 3x)
                y *= np.asarray(gain)[:, None]
            out += y
            return
        left, right = x[:, 0], x[:, -1]
        if x.shape[1] == 2:
            mid, side = (left + right) / 2.0, (left - right) / 2.0 * width
            left, right = mid + side, mid - side
        out[:, 0] += left * (gain * gl)
        out[:, 1] += right * (gain * gr)


def _gate(mute: Floats | float) -> Floats | float:
    """Return the gain of mute value(s): 0.0 where at least 0.5 (muted), else 1.0."""
    if isinstance(mute, np.ndarray):
        gate: Floats = np.where(mute >= 0.5, 0.0, 1.0)
        return gate
    return 0.0 if mute >= 0.5 else 1.0
