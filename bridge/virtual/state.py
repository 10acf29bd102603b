"""The virtual mixer's state: live and mutable for the OSC server, frozen for a render.

Solo and mute: a muted track never sounds; while any track is soloed, only the
soloed tracks that are not muted sound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bridge.virtual.errors import VirtualDawError
from bridge.virtual.panlaw import DEFAULT_PAN_LAW, PanLaw, check_pan_law
from bridge.virtual.stems import Stem

__all__ = ["MixSnapshot", "MixState", "TrackSnapshot", "TrackState"]


@dataclass(frozen=True)
class TrackSnapshot:
    """A frozen, validated copy of one :class:`TrackState`."""

    volume_db: float
    pan: float
    width: float
    mute: bool
    solo: bool


@dataclass
class TrackState:
    """The live, mutable fader state of one track (the OSC server sets it).

    Attributes:
        volume_db: Fader level in dB; ``-inf`` is silence. At most +24 dB.
        pan: Pan position, -1 (left) to +1 (right).
        width: Stereo width, -1 (swapped) to +1 (unchanged); 0 is mono.
            Ignored for mono stems.
        mute: Never sounds when True.
        solo: While any track is soloed, only soloed tracks sound.
    """

    volume_db: float = 0.0
    pan: float = 0.0
    width: float = 1.0
    mute: bool = False
    solo: bool = False

    def snapshot(self, name: str = "track") -> TrackSnapshot:
        """Return a frozen copy, checking every value.

        Args:
            name: Track name for error messages.

        Returns:
            The frozen copy.

        Raises:
            VirtualDawError: A value is NaN or out of range; the message names
                the track, the parameter and the value.
        """
        _check_db(self.volume_db, f"track {name!r} volume_db")
        for label, value in (("pan", self.pan), ("width", self.width)):
            if not -1.0 <= value <= 1.0:  # also rejects NaN
                raise VirtualDawError(f"track {name!r} {label} {value} is outside [-1, +1]")
        return TrackSnapshot(
            float(self.volume_db), float(self.pan), float(self.width), self.mute, self.solo
        )


@dataclass(frozen=True)
class MixSnapshot:
    """A frozen, validated copy of a :class:`MixState`; what a render uses.

    Attributes:
        tracks: Track name to its state (read-only mapping).
        master_volume_db: Master fader level in dB, applied after summing.
        pan_law: The project's pan law.
    """

    tracks: Mapping[str, TrackSnapshot]
    master_volume_db: float
    pan_law: PanLaw

    def audible(self) -> frozenset[str]:
        """Return the names of the tracks that sound (solo and mute applied)."""
        soloing = any(t.solo for t in self.tracks.values())
        return frozenset(
            name for name, t in self.tracks.items() if not t.mute and (t.solo or not soloing)
        )


@dataclass
class MixState:
    """The live, mutable state of the virtual mixer.

    Attributes:
        tracks: Track name to its state; the names are the stems' names.
        master_volume_db: Master fader level in dB, applied after summing.
        pan_law: One of :data:`bridge.virtual.panlaw.PAN_LAWS`.
    """

    tracks: dict[str, TrackState] = field(default_factory=dict)
    master_volume_db: float = 0.0
    pan_law: PanLaw = DEFAULT_PAN_LAW

    @classmethod
    def for_stems(cls, stems: Iterable[Stem], *, pan_law: PanLaw = DEFAULT_PAN_LAW) -> MixState:
        """Return a state with one unity-gain, centred track per stem."""
        return cls({s.name: TrackState() for s in stems}, pan_law=pan_law)

    def snapshot(self) -> MixSnapshot:
        """Return a frozen copy, checking every value.

        Raises:
            VirtualDawError: A track value, the master volume or the pan law is
                invalid.
        """
        _check_db(self.master_volume_db, "master_volume_db")
        tracks = {name: t.snapshot(name) for name, t in self.tracks.items()}
        return MixSnapshot(
            MappingProxyType(tracks), float(self.master_volume_db), check_pan_law(self.pan_law)
        )


def _check_db(value: float, label: str) -> None:
    """Raise unless ``value`` dB is ``-inf`` or a finite level of at most +24 dB."""
    if math.isnan(value) or value > 24.0:
        raise VirtualDawError(f"{label} {value} dB is not a level (use -inf to +24 dB)")
