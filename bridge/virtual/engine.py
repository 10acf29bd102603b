"""The offline mix engine: the block mixer (state: :mod:`.state`, sources: :mod:`.sources`).

Signal flow, per block, in float64 (full scale = 1.0); REAPER's order, plugins
first, then the fader section:

1. **stem track** ``i`` plays stem ``i`` (tracks map to stems by position,
   never by name, so a renamed track still plays its stem): the stem block
   (zeros past its end) → ``EQ`` (slot 1) → ``Compressor`` (slot 2), on the
   stem's own channels (:mod:`bridge.virtual.strip`; a mono stem stays mono);
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
5. into the master sum, and, post-fader and post-pan, send ``k`` at
   ``10 ** (send_db / 20)`` into return ``k`` (:mod:`bridge.virtual.returns`);
6. **return tracks**: the sum of their sends → their effect (slot 1, 100 %
   wet) → width, pan, volume, mute (steps 2-4) → the master sum;
7. **master**: the sum → ``EQ`` → ``Compressor`` → balance (``master_pan``,
   :func:`~bridge.virtual.strip.balance`: the centre is unity) → master volume.

Solo and mute (:meth:`~bridge.virtual.state.MixSnapshot.audible`, solo in
place: a soloed track's returns keep sounding): tracks that do not sound are
not read, and their sends are silent; a return that does not sound, or that no
sounding track feeds, is not processed. A track with a mute *source* ignores
its static mute button (the source drives it, per sample) and is always read,
even where the source mutes it; solo still applies.

**Length.** A render is as long as the longest stem: effect tails (reverb,
echoes) still ringing there are cut, as REAPER's default render bounds (the
project's length) cut them.

Every parameter comes from a :class:`~bridge.virtual.sources.ParamSource`: the
state's constant, or an automation lane (:mod:`bridge.virtual.automation`)
giving one value per frame, passed to :class:`Mixer` as ``params``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import repeat
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from bridge.virtual.errors import VirtualDawError
from bridge.virtual.returns import ReturnBus, Sends
from bridge.virtual.sources import Constant, ParamSource, TrackParams, db_to_gain
from bridge.virtual.state import MixSnapshot, TrackSnapshot
from bridge.virtual.stems import Stem, StemReader
from bridge.virtual.strip import Chain, balance, place

__all__ = [
    "BLOCK_FRAMES",
    "Constant",
    "Mixer",
    "ParamSource",
    "TrackParams",
    "db_to_gain",
    "extra_stem_names",
]

BLOCK_FRAMES: Final = 65536  # frames per mixing block (1.4 s at 48 kHz)

Floats = npt.NDArray[np.float64]


def extra_stem_names(stems: Sequence[Stem], state: MixSnapshot) -> list[str]:
    """The names of the stems the state has no track for (they play at unity, centred).

    Each is its stem's name, unless a track of the state already has it.
    """
    first = sum(1 for t in state.tracks.values() if not t.is_return)
    return [
        s.name if s.name not in state.tracks else f"{s.name} ({i})"
        for i, s in enumerate(stems[first:], start=first + 1)
    ]


def _cpus() -> int:
    """The CPUs this process may run on (all of them where the OS cannot say)."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux only
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


class _Track:
    """A sounding stem track: its stem, plugins, fader sources and sends."""

    def __init__(self, stem: Stem, params: TrackParams, chain: Chain, sends: Sends) -> None:
        self.stem = stem
        self.params = params
        self.chain = chain
        self.sends = sends


class Mixer:
    """Mixes stems into a stereo master, block by block; memory is O(block) plus delay lines.

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
        master: TrackParams | None = None,
        rate: int | None = None,
        workers: int | None = None,
    ) -> None:
        """Check the stems against the state and prepare the tracks.

        Args:
            stems: The project's stems; stem ``i`` plays on the state's
                ``i``-th stem track; a stem without a track plays at unity,
                centred, with no plugins.
            state: The frozen mixer state.
            block_frames: Frames per block. Defaults to 65536.
            params: Track name → sources overriding the state's values (the
                automation seam); a track whose sources include ``mute``
                ignores its static mute button.
            master_volume_db: Source of the master volume in dB (kept for
                callers that automate only that); ``master`` wins.
            master: The master's sources (volume, balance, plugins); defaults
                to the state's constants.
            rate: Sample rate in Hz, for the plugins. Defaults to the stems'.
            workers: Threads running the tracks' plugins at once; defaults to
                the CPUs this process may use, at most 4 (1: no thread).

        Raises:
            VirtualDawError: The state has more stem tracks than there are
                stems, or ``block_frames`` is not positive.
        """
        stem_tracks = [name for name, t in state.tracks.items() if not t.is_return]
        if len(stem_tracks) > len(stems):
            extra = stem_tracks[len(stems) :]
            raise VirtualDawError(f"the mix state names tracks without a stem: {extra}")
        if block_frames < 1:
            raise VirtualDawError(f"block_frames must be positive, got {block_frames}")
        self.state = state
        self.block_frames = block_frames
        self.frames = max((s.frames for s in stems), default=0)
        self.rate = rate or (stems[0].rate if stems else 48000)
        self.workers = workers or min(4, _cpus())
        given = params or {}
        default = TrackSnapshot(0.0, 0.0, 1.0, mute=False, solo=False)
        names = stem_tracks + extra_stem_names(stems, state)
        snaps = {name: state.tracks.get(name, default) for name in names}
        snaps |= {n: t for n, t in state.tracks.items() if t.is_return}
        gated = {  # a mute source replaces the static button; a send lane feeds its return
            name: replace(
                t,
                mute=t.mute and given[name].mute is None,
                sends_db=tuple(
                    0.0 if k in given[name].sends else db
                    for k, db in enumerate(t.sends_db, start=1)
                ),
            )
            for name, t in snaps.items()
            if name in given
        }
        audible = MixSnapshot(MappingProxyType(snaps | gated), 0.0, state.pan_law).audible()
        law = state.pan_law
        buses: list[ReturnBus | None] = [
            ReturnBus(t, given.get(n) or TrackParams.constant(t), self.rate, law)
            if n in audible
            else None
            for n, t in snaps.items()
            if t.is_return
        ]
        self.tracks: list[_Track] = []
        for stem, name in zip(stems, names, strict=True):
            if name not in audible:
                continue
            t = snaps[name]
            p = given.get(name) or TrackParams.constant(t)
            levels = {k: Constant(db) for k, db in enumerate(t.sends_db, start=1)}
            sends = Sends(levels | dict(p.sends), buses)
            chain = Chain(t.plugins, self.rate, stem.channels, p.fx)
            self.tracks.append(_Track(stem, p, chain, sends))
        fed = {id(bus) for tr in self.tracks for bus, _ in tr.sends.routes}
        self.returns = [b for b in buses if b is not None and id(b) in fed]
        for bus in self.returns:
            bus.prepare()
        self.master = master or TrackParams(
            master_volume_db or Constant(state.master_volume_db),
            Constant(state.master_pan),
            Constant(1.0),
        )
        self.master_chain = Chain(state.master_plugins, self.rate, 2, self.master.fx)

    def blocks(self) -> Iterator[Floats]:
        """Yield the master, block by block.

        With worker threads, the tracks of the next block are mixed while the
        master section runs on this one and the caller writes it (one block
        ahead; each stage still runs its blocks in order).

        Yields:
            Float64 arrays of shape ``(n, 2)``, full scale = 1.0, with ``n`` equal
            to ``block_frames`` except for the last block; ``frames`` in total.
            Values beyond full scale are kept (not limited).
        """
        starts = range(0, self.frames, self.block_frames)
        with contextlib.ExitStack() as stack:
            readers = [(stack.enter_context(StemReader(t.stem)), t) for t in self.tracks]
            pool = self._pool(stack)
            if pool is None:
                for start in starts:
                    yield self._master(self._mix(readers, None, start), start)
                return
            ahead = stack.enter_context(ThreadPoolExecutor(1, "virtual-mix"))
            pending = ahead.submit(self._mix, readers, pool, starts[0]) if starts else None
            for i, start in enumerate(starts):
                assert pending is not None
                out = pending.result()
                if i + 1 < len(starts):
                    pending = ahead.submit(self._mix, readers, pool, starts[i + 1])
                yield self._master(out, start)

    def _mix(
        self,
        readers: Sequence[tuple[StemReader, _Track]],
        pool: ThreadPoolExecutor | None,
        start: int,
    ) -> Floats:
        """The sum of the tracks and the returns for the block at ``start``, shape ``(n, 2)``."""
        n = min(self.block_frames, self.frames - start)
        law = self.state.pan_law

        def strip(job: tuple[StemReader, _Track]) -> Floats:
            reader, track = job
            return place(track.chain.process(reader.read(n), start), track.params, start, law)

        out = np.zeros((n, 2), dtype=np.float64)
        for bus in self.returns:
            bus.clear(n)
        placed = pool.map(strip, readers) if pool else map(strip, readers)
        for (_, track), y in zip(readers, placed, strict=True):  # summed in track order
            out += y
            track.sends.feed(y, start)
        wet = pool.map(ReturnBus.output, self.returns, repeat(start)) if pool else None
        for bus in self.returns:
            out += bus.output(start) if wet is None else next(wet)
        return out

    def _master(self, out: Floats, start: int) -> Floats:
        """The master section on the summed block ``out`` (shape ``(n, 2)``) at ``start``."""
        n = len(out)
        out = self.master_chain.process(out, start)
        balance(out, self.master.pan.values(start, n))
        gain = db_to_gain(self.master.volume_db.values(start, n))
        out *= gain if isinstance(gain, float) else gain[:, None]
        return out

    def _pool(self, stack: contextlib.ExitStack) -> ThreadPoolExecutor | None:
        """Worker threads for the tracks' plugins, or None when there is nothing to share.

        The plugins' DSP (scipy's filters, numpy) runs without the GIL, so two
        tracks' strips run at once on two cores. Each track's block is computed
        alone and the blocks are summed in track order, so a render is
        bit-identical whatever the threads' timing.
        """
        busy = sum(1 for t in self.tracks if t.chain.slots) + len(self.returns)
        busy += 1 if self.master_chain.slots else 0
        if self.workers < 2 or busy < 2:
            return None
        return stack.enter_context(ThreadPoolExecutor(self.workers, "virtual-strip"))
