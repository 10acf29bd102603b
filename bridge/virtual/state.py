"""The virtual mixer's state: live and mutable for the OSC server, frozen for a render.

Tracks: one per stem, in order, then the two return tracks (``Reverb`` and
``Delay``, fed by every stem track's sends 1 and 2). Every stem track and the
master carry the strip plugins of :data:`~bridge.dialects.virtual_fx.STRIP_PLUGINS`
(``EQ`` in slot 1, ``Compressor`` in slot 2); each return carries its effect in
slot 1. Plugin values are kept in their own units (dB, Hz, ms…).

Solo and mute: a muted track never sounds; while any track is soloed, only the
soloed tracks that are not muted sound, plus the returns a soloed track feeds
(solo in place, as REAPER does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bridge.dialects.virtual_fx import (
    RETURN_PLUGINS,
    STRIP_PLUGINS,
    FxPlugin,
)
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.panlaw import DEFAULT_PAN_LAW, PanLaw, check_pan_law
from bridge.virtual.stems import Stem

__all__ = [
    "SENDS",
    "MixSnapshot",
    "MixState",
    "PluginSnapshot",
    "PluginState",
    "TrackSnapshot",
    "TrackState",
    "return_names",
]

SENDS = len(RETURN_PLUGINS)
"""Sends per stem track: send N feeds return track N (1 = reverb, 2 = delay)."""


@dataclass
class PluginState:
    """One plugin instance on a track: its values in units and its on/off state.

    Attributes:
        plugin: What the plugin is (name and parameters).
        values: Parameter values in their units, parameter 1 first.
        active: False when the whole plugin is bypassed.
        bands_on: EQ only: the keys of the bands that are in (``"band/1"``…);
            a band is bypassed until one of its values is set or it is
            un-bypassed.
    """

    plugin: FxPlugin
    values: list[float] = field(default_factory=list)
    active: bool = True
    bands_on: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.values:
            self.values = self.plugin.defaults()

    def snapshot(self, where: str) -> PluginSnapshot:
        """Return a frozen copy, checking every value against its range.

        Raises:
            VirtualDawError: A value is NaN or out of range (names ``where``).
        """
        for spec, v in zip(self.plugin.params, self.values, strict=True):
            if not spec.in_range(v):
                raise VirtualDawError(
                    f"{where} {self.plugin.name} {spec.name} {v} is outside"
                    f" {spec.min:g}..{spec.max:g} {spec.unit}".rstrip()
                )
        return PluginSnapshot(
            self.plugin, tuple(self.values), self.active, frozenset(self.bands_on)
        )


@dataclass(frozen=True)
class PluginSnapshot:
    """A frozen, validated copy of one :class:`PluginState`."""

    plugin: FxPlugin
    values: tuple[float, ...]
    active: bool = True
    bands_on: frozenset[str] = frozenset()

    def value(self, name: str) -> float:
        """The value of the parameter called ``name``, in its units.

        Raises:
            KeyError: The plugin has no such parameter.
        """
        n = self.plugin.number(name)
        if n is None:
            raise KeyError(f"{self.plugin.name} has no parameter {name!r}")
        return self.values[n - 1]


def _strip() -> list[PluginState]:
    return [PluginState(p) for p in STRIP_PLUGINS]


def return_names(stem_names: Iterable[str]) -> list[str]:
    """The return tracks' names, ``Reverb`` and ``Delay``.

    A return whose name a stem already has (case-insensitively) is called
    ``"<name> return"``.
    """
    taken = {n.casefold() for n in stem_names}
    return [
        p.name if p.name.casefold() not in taken else f"{p.name} return" for p in RETURN_PLUGINS
    ]


@dataclass(frozen=True)
class TrackSnapshot:
    """A frozen, validated copy of one :class:`TrackState`."""

    volume_db: float
    pan: float
    width: float
    mute: bool
    solo: bool
    plugins: tuple[PluginSnapshot, ...] = ()
    sends_db: tuple[float, ...] = ()
    is_return: bool = False


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
        plugins: The track's plugins, slot 1 first.
        sends_db: Send levels in dB (post-fader, post-pan), send 1 first;
            ``-inf`` (the default) is silent. Empty on a return track.
        is_return: A return track (its input is the sum of the sends to it).
    """

    volume_db: float = 0.0
    pan: float = 0.0
    width: float = 1.0
    mute: bool = False
    solo: bool = False
    plugins: list[PluginState] = field(default_factory=_strip)
    sends_db: list[float] = field(default_factory=lambda: [-math.inf] * SENDS)
    is_return: bool = False

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
        for i, db in enumerate(self.sends_db, start=1):
            _check_db(db, f"track {name!r} send {i}")
        return TrackSnapshot(
            float(self.volume_db),
            float(self.pan),
            float(self.width),
            self.mute,
            self.solo,
            tuple(p.snapshot(f"track {name!r}") for p in self.plugins),
            tuple(float(db) for db in self.sends_db),
            self.is_return,
        )


@dataclass(frozen=True)
class MixSnapshot:
    """A frozen, validated copy of a :class:`MixState`; what a render uses.

    Attributes:
        tracks: Track name to its state (read-only mapping), in track order.
        master_volume_db: Master fader level in dB, applied after summing.
        pan_law: The project's pan law.
        master_pan: Master balance, -1 (left) to +1 (right).
        master_plugins: The master's plugins, slot 1 first.
    """

    tracks: Mapping[str, TrackSnapshot]
    master_volume_db: float
    pan_law: PanLaw
    master_pan: float = 0.0
    master_plugins: tuple[PluginSnapshot, ...] = ()

    def audible(self) -> frozenset[str]:
        """Return the names of the tracks that sound (solo and mute applied).

        Solo in place: a return track also sounds while a soloed, unmuted track
        feeds it (its send is above ``-inf`` dB), as in REAPER.
        """
        soloing = any(t.solo for t in self.tracks.values())
        heard = {name for name, t in self.tracks.items() if not t.mute and (t.solo or not soloing)}
        returns = [name for name, t in self.tracks.items() if t.is_return]
        for t in self.tracks.values():
            if t.solo and not t.mute and not t.is_return:
                for ret, db in zip(returns, t.sends_db, strict=False):
                    if db > -math.inf and not self.tracks[ret].mute:
                        heard.add(ret)
        return frozenset(heard)


@dataclass
class MixState:
    """The live, mutable state of the virtual mixer.

    Attributes:
        tracks: Track name to its state, in track order: the stems' names,
            then the return tracks'.
        master_volume_db: Master fader level in dB, applied after summing.
        pan_law: One of :data:`bridge.virtual.panlaw.PAN_LAWS`.
        master_pan: Master balance, -1 (left) to +1 (right).
        master_plugins: The master's plugins, slot 1 first.
    """

    tracks: dict[str, TrackState] = field(default_factory=dict)
    master_volume_db: float = 0.0
    pan_law: PanLaw = DEFAULT_PAN_LAW
    master_pan: float = 0.0
    master_plugins: list[PluginState] = field(default_factory=_strip)

    @classmethod
    def for_stems(cls, stems: Iterable[Stem], *, pan_law: PanLaw = DEFAULT_PAN_LAW) -> MixState:
        """Return a state with one unity-gain, centred track per stem, then the returns.

        The returns are at unity, centred, with their effect in slot 1 and no sends.
        """
        names = [s.name for s in stems]
        tracks = {name: TrackState() for name in names}
        for name, plugin in zip(return_names(names), RETURN_PLUGINS, strict=True):
            tracks[name] = TrackState(plugins=[PluginState(plugin)], sends_db=[], is_return=True)
        return cls(tracks, pan_law=pan_law)

    def stem_names(self) -> list[str]:
        """The stem tracks' names, in order (the returns left out)."""
        return [name for name, t in self.tracks.items() if not t.is_return]

    def snapshot(self) -> MixSnapshot:
        """Return a frozen copy, checking every value.

        Raises:
            VirtualDawError: A track value, the master volume or the pan law is
                invalid.
        """
        _check_db(self.master_volume_db, "master_volume_db")
        if not -1.0 <= self.master_pan <= 1.0:
            raise VirtualDawError(f"master pan {self.master_pan} is outside [-1, +1]")
        tracks = {name: t.snapshot(name) for name, t in self.tracks.items()}
        return MixSnapshot(
            MappingProxyType(tracks),
            float(self.master_volume_db),
            check_pan_law(self.pan_law),
            float(self.master_pan),
            tuple(p.snapshot("master") for p in self.master_plugins),
        )


def _check_db(value: float, label: str) -> None:
    """Raise unless ``value`` dB is ``-inf`` or a finite level of at most +24 dB."""
    if math.isnan(value) or value > 24.0:
        raise VirtualDawError(f"{label} {value} dB is not a level (use -inf to +24 dB)")
