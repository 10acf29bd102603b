"""The return tracks: their input is the sum of the sends to them; their effect is slot 1.

Return ``k`` (``Reverb`` for send 1, ``Delay`` for send 2) is an ordinary
stereo track whose "stem" is the sum of every sounding stem track's send ``k``:
the track's block after its plugins, width, pan, volume and mute (post-fader,
post-pan, as REAPER's default send mode), times ``10 ** (send_db / 20)``. The
sum goes through the return's effect (100 % wet; dry if the effect is
bypassed), then the return's own width, pan (its project pan law, balanced as
a stereo track), volume and mute, into the master.

A return that does not sound (muted, or silenced by another track's solo) or
that no sounding track feeds is not processed at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bridge.virtual.panlaw import PanLaw
from bridge.virtual.sources import Constant, ParamSource, TrackParams, db_to_gain
from bridge.virtual.state import TrackSnapshot
from bridge.virtual.strip import Chain, place

__all__ = ["ReturnBus", "Sends"]

Floats = npt.NDArray[np.float64]


class ReturnBus:
    """One return track: an input bus, its effect and its fader.

    Args:
        snap: The return's snapshot (its effect in slot 1).
        params: Its sources (fader and effect parameters).
        rate: Sample rate in Hz.
        law: The project's pan law.
    """

    def __init__(self, snap: TrackSnapshot, params: TrackParams, rate: int, law: PanLaw) -> None:
        self.snap = snap
        self.rate = rate
        self.chain: Chain | None = None  # built by prepare(), only for a return that is fed
        self.params = params
        self.law = law
        self.input: Floats = np.zeros((0, 2), dtype=np.float64)

    def prepare(self) -> None:
        """Build the effect (its processor and delay lines): the return will be processed."""
        self.chain = Chain(self.snap.plugins, self.rate, 2, self.params.fx)

    def clear(self, n: int) -> None:
        """Start a block of ``n`` frames with a silent input."""
        self.input = np.zeros((n, 2), dtype=np.float64)

    def output(self, start: int) -> Floats:
        """The return's contribution to the master for the block at ``start``, shape ``(n, 2)``."""
        x = self.input if self.chain is None else self.chain.process(self.input, start)
        return place(x, self.params, start, self.law)


class Sends:
    """One stem track's sends that reach a sounding return.

    Args:
        levels: Send number (from 1) → its level source in dB, for every send
            to a return that is processed; a constant ``-inf`` is left out.
        buses: Return ``k`` (from 1) → its bus, None where it is not processed.
    """

    def __init__(self, levels: dict[int, ParamSource], buses: Sequence[ReturnBus | None]) -> None:
        self.routes: list[tuple[ReturnBus, ParamSource]] = []
        for k, source in sorted(levels.items()):
            bus = buses[k - 1] if k <= len(buses) else None
            silent = isinstance(source, Constant) and source.value == -math.inf
            if bus is not None and not silent:
                self.routes.append((bus, source))

    def feed(self, y: Floats, start: int) -> None:
        """Add the track's placed block ``y`` (shape ``(n, 2)``) into the returns."""
        for bus, source in self.routes:
            gain = db_to_gain(source.values(start, len(y)))
            if isinstance(gain, float):
                bus.input += y * gain
            else:
                bus.input += y * gain[:, None]
