"""Automation lanes as the mix engine's parameter sources: sample-accurate in the bounce.

A lane is anything shaped like :class:`LaneLike`: a ``param`` and a vectorised
``values_at(times_s)``, such as ``bridge.automation.lane.Lane`` or a lane the
virtual DAW recorded (:class:`bridge.virtual.recorder.RecordedLane`). There is
no import of ``bridge.automation``; any object of that shape works.

:class:`LaneSource` evaluates a lane at every frame's time ``t = frame / rate``
(frame 0 at ``t = 0``), one block at a time, so a render with lanes still needs
memory for one block only.

A lane replaces the state's constant for its parameter, as a DAW's fader
follows its envelope in read mode; the track's other parameters keep the
state's values. Lanes are filed under the tracks' *current* names (the
state's; a renamed track's lanes follow it). Units and ranges, checked on
every block:

* ``volume_db`` and ``send/N/level_db``: dB, ``-inf`` is silence, at most +24 dB;
* ``pan`` and ``width``: -1 to +1;
* ``mute``: muted where the value is at least 0.5, per sample (a gain of 0 or 1
  multiplied into the track's volume). A track with a mute lane ignores its
  static mute button and is read even where the lane mutes it; solo still
  applies;
* ``fx/N/param/M``: plugin ``N``'s parameter ``M`` (numbers from 1, or the
  names of :mod:`bridge.dialects.virtual_fx`, e.g. ``fx/EQ/param/Band 1
  gain``), in the parameter's own units and range (dB, Hz, ms…, never 0..1).
  An automated EQ band is in.

What each track takes: a stem track all of them (sends 1 and 2, slots 1
``EQ`` and 2 ``Compressor``); a return track ``volume_db``, ``pan``, ``mute``
and ``fx/1/param/M`` (its effect); the master, key ``"master"`` (so no track may
be named ``master`` when a master lane is given), ``volume_db``, ``pan`` (its
balance) and ``fx/N/param/M``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import FxParam
from bridge.virtual.engine import extra_stem_names
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.lanepaths import resolve
from bridge.virtual.sources import Constant, ParamSource, TrackParams
from bridge.virtual.state import MixSnapshot, TrackSnapshot
from bridge.virtual.stems import Stem

__all__ = [
    "MASTER",
    "PARAMS",
    "Automation",
    "LaneLike",
    "LaneSource",
    "TrackLaneLike",
    "by_track",
    "mixer_sources",
]

MASTER: Final = "master"
"""The key of the master bus in an :data:`Automation` mapping."""

PARAMS: Final = ("volume_db", "pan", "width", "mute")
"""A track's fader parameters a lane can automate (besides ``send/N/level_db`` and
``fx/N/param/M``; see the module docstring for returns and the master)."""

Floats = npt.NDArray[np.float64]


class LaneLike(Protocol):
    """What the engine needs of an automation lane."""

    @property
    def param(self) -> str:
        """One of :data:`PARAMS`."""
        ...

    def values_at(self, times_s: Floats) -> Floats:
        """Return the lane's values at ``times_s`` (shape ``(n,)``, s), in the param's units.

        Args:
            times_s: Times in s from the start of the song, shape ``(n,)``.

        Returns:
            Values of shape ``(n,)``: dB (``-inf`` allowed), pan or width
            -1..+1, or mute 0/1.
        """
        ...


class TrackLaneLike(LaneLike, Protocol):
    """A lane that names its track, as ``bridge.automation.lane.Lane`` does."""

    @property
    def track(self) -> str | int:
        """Track name, 1-based track number, or ``"master"``."""
        ...


Automation = Mapping[str, Mapping[str, LaneLike]]
"""Track name (or :data:`MASTER`) → parameter → lane."""


def by_track(
    lanes: Iterable[TrackLaneLike], names: Sequence[str]
) -> dict[str, dict[str, LaneLike]]:
    """File lanes by track name and parameter, for :func:`~bridge.virtual.render.render`.

    Args:
        lanes: Lanes naming their track by name, by 1-based number, or ``"master"``.
        names: The track names in order (track 1 first).

    Returns:
        Track name (or :data:`MASTER`) → parameter → lane.

    Raises:
        VirtualDawError: A lane names no track, or two lanes share a track and
            parameter.
    """
    out: dict[str, dict[str, LaneLike]] = {}
    for lane in lanes:
        track = lane.track
        if isinstance(track, int) and not isinstance(track, bool) and 1 <= track <= len(names):
            name = names[track - 1]
        elif isinstance(track, str) and (track in names or track == MASTER):
            name = track
        else:
            raise VirtualDawError(f"a {lane.param} lane names no track: {track!r}")
        if lane.param in out.setdefault(name, {}):
            raise VirtualDawError(f"two {lane.param} lanes for track {name!r}")
        out[name][lane.param] = lane
    return out


def _out_of_range(param: str, v: Floats, spec: FxParam | None) -> npt.NDArray[np.bool_]:
    """Return a boolean mask of values that are not valid for ``param`` (NaN included)."""
    if spec is not None:
        return ~((v >= spec.min) & (v <= spec.max))
    if param == "volume_db" or param.startswith("send/"):
        return np.isnan(v) | (v > 24.0)
    if param in ("pan", "width"):
        return ~((v >= -1.0) & (v <= 1.0))
    return np.isnan(v)


@dataclass(frozen=True)
class LaneSource:
    """A lane as the engine's :class:`~bridge.virtual.sources.ParamSource`.

    Attributes:
        lane: The lane.
        rate: Sample rate in Hz: frame ``i`` is at ``i / rate`` s.
        label: Names the lane in error messages (e.g. ``"track 'bass'"``).
        spec: The plugin parameter the lane automates (its range is checked),
            or None for a fader or send lane.
    """

    lane: LaneLike
    rate: int
    label: str = "lane"
    spec: FxParam | None = None

    def values(self, start: int, n: int) -> Floats:
        """Return the lane's values at frames ``[start, start + n)``, shape ``(n,)``.

        Raises:
            VirtualDawError: The lane returned another shape, or a value that is
                NaN or out of range; the message names the lane and the time.
        """
        times = np.arange(start, start + n, dtype=np.float64)
        times /= self.rate
        v = np.asarray(self.lane.values_at(times), dtype=np.float64)
        if v.shape != (n,):
            raise VirtualDawError(
                f"{self.label} {self.lane.param}: values_at returned shape {v.shape}, want ({n},)"
            )
        bad = np.flatnonzero(_out_of_range(self.lane.param, v, self.spec))
        if bad.size:
            i = int(bad[0])
            what = "" if self.spec is None else f" {self.spec.name}"
            raise VirtualDawError(
                f"{self.label} {self.lane.param}{what} is {v[i]} at {times[i]:.6f} s (out of range)"
            )
        return v


_FADER: Final = {"volume_db", "pan", "width", "mute"}
_RETURN: Final = {"volume_db", "pan", "mute"}
_MASTER: Final = {"volume_db", "pan"}


def _track_sources(
    name: str,
    lanes: Mapping[str, LaneLike],
    t: TrackSnapshot,
    rate: int,
    fader: set[str],
    *,
    label: str,
) -> TrackParams:
    """One track's (or the master's) sources: its lanes, the state's values elsewhere."""
    plugins = [p.plugin for p in t.plugins]
    fields: dict[str, LaneLike] = {}
    fx: dict[int, dict[int, ParamSource]] = {}
    sends: dict[int, ParamSource] = {}
    seen: set[tuple[str, int, int]] = set()
    for key, lane in lanes.items():
        kind, a, b, spec = resolve(name, key, plugins, len(t.sends_db), fader)
        got = resolve(name, lane.param, plugins, len(t.sends_db), fader)[:3]
        if got != (kind, a, b) or (kind == "fader" and lane.param != key):
            raise VirtualDawError(f"automation of {name!r}: {lane.param!r} lane as {key!r}")
        where = (kind, a, b) if kind != "fader" else (key, 0, 0)
        if where in seen:
            raise VirtualDawError(f"automation of {name!r}: two lanes for {key!r}")
        seen.add(where)
        source = LaneSource(lane, rate, label, spec)
        if kind == "fader":
            fields[key] = lane
        elif kind == "send":
            sends[a] = source
        else:
            fx.setdefault(a, {})[b] = source
    mute = fields.get("mute")
    return TrackParams(
        _source(fields, "volume_db", t.volume_db, rate, label),
        _source(fields, "pan", t.pan, rate, label),
        _source(fields, "width", t.width, rate, label),
        None if mute is None else LaneSource(mute, rate, label),
        fx,
        sends,
    )


def mixer_sources(
    stems: Sequence[Stem], state: MixSnapshot, automation: Automation, rate: int
) -> tuple[dict[str, TrackParams], TrackParams | None]:
    """Return the engine's ``params`` and ``master`` for a set of lanes.

    Args:
        stems: The project's stems.
        state: The frozen mixer state: the tracks' current names, and the
            values of parameters without a lane.
        automation: Track name (or :data:`MASTER`) → parameter → lane.
        rate: Sample rate in Hz.

    Returns:
        ``(params, master)``: per-track sources for every track with a lane,
        and the master's sources (None without a master lane).

    Raises:
        VirtualDawError: A name that is no track, a parameter the track cannot
            automate, a lane filed under another parameter than its own, two
            lanes for one parameter, or a track named ``master`` alongside a
            master lane.
    """
    default = TrackSnapshot(0.0, 0.0, 1.0, mute=False, solo=False)
    tracks = dict(state.tracks) | dict.fromkeys(extra_stem_names(stems, state), default)
    params: dict[str, TrackParams] = {}
    master: TrackParams | None = None
    for name, lanes in automation.items():
        if name == MASTER:
            if MASTER in tracks:
                raise VirtualDawError("a track is named 'master': a master lane would be ambiguous")
            strip = TrackSnapshot(
                state.master_volume_db, state.master_pan, 1.0, False, False, state.master_plugins
            )
            master = _track_sources(name, lanes, strip, rate, _MASTER, label="master")
            continue
        t = tracks.get(name)
        if t is None:
            raise VirtualDawError(f"automation of {name!r}: no such track")
        fader = _RETURN if t.is_return else _FADER
        params[name] = _track_sources(name, lanes, t, rate, fader, label=f"track {name!r}")
    return params, master


def _source(
    lanes: Mapping[str, LaneLike], key: str, value: float, rate: int, label: str
) -> ParamSource:
    """Return the lane for ``key`` as a source, or the state's ``value`` as a constant."""
    lane = lanes.get(key)
    return Constant(value) if lane is None else LaneSource(lane, rate, label)
