"""Where the mix engine gets its parameter values: constants from the state, or lanes.

A :class:`ParamSource` returns either one value for a range of frames or one
value per frame (automation, :mod:`bridge.virtual.automation`). A track's
sources are gathered in a :class:`TrackParams`: its fader (volume, pan, width,
mute), its sends and its plugins' parameters, each in its own units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from bridge.virtual.state import TrackSnapshot

__all__ = ["Constant", "ParamSource", "SlotSources", "TrackParams", "db_to_gain"]

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


SlotSources = Mapping[int, Mapping[int, ParamSource]]
"""Plugin slot (from 1) → parameter number (from 1) → its source."""


@dataclass(frozen=True)
class TrackParams:
    """The parameter sources of one track (or of the master).

    Attributes:
        volume_db: Volume in dB (``-inf`` is silence).
        pan: Pan position, -1 to +1 (the master: balance).
        width: Stereo width, -1 to +1 (ignored for mono stems and the master).
        mute: Per-sample mute, muted where the value is at least 0.5; None
            uses the state's static mute button.
        fx: Plugin parameters given by a source (a lane); the others keep the
            state's values.
        sends: Send number (from 1) → its level in dB; the others keep the
            state's levels.
    """

    volume_db: ParamSource
    pan: ParamSource
    width: ParamSource
    mute: ParamSource | None = None
    fx: SlotSources = field(default_factory=dict)
    sends: Mapping[int, ParamSource] = field(default_factory=dict)

    @classmethod
    def constant(cls, track: TrackSnapshot) -> TrackParams:
        """Return constant sources holding a snapshot's fader values."""
        return cls(Constant(track.volume_db), Constant(track.pan), Constant(track.width))
