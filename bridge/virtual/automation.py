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
state's values. Units and ranges, checked on every block:

* ``volume_db``: dB, ``-inf`` is silence, at most +24 dB;
* ``pan`` and ``width``: -1 to +1;
* ``mute``: muted where the value is at least 0.5, per sample (a gain of 0 or 1
  multiplied into the track's volume). A track with a mute lane ignores its
  static mute button and is read even where the lane mutes it; solo still
  applies.

The master bus is the key ``"master"`` (``volume_db`` only), so no stem may be
named ``master`` when a master lane is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from bridge.virtual.engine import Constant, ParamSource, TrackParams
from bridge.virtual.errors import VirtualDawError
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
"""The parameters a track lane can automate (the master: ``volume_db`` only)."""

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


def _out_of_range(param: str, v: Floats) -> npt.NDArray[np.bool_]:
    """Return a boolean mask of values that are not valid for ``param`` (NaN included)."""
    if param == "volume_db":
        return np.isnan(v) | (v > 24.0)
    if param in ("pan", "width"):
        return ~((v >= -1.0) & (v <= 1.0))
    return np.isnan(v)


@dataclass(frozen=True)
class LaneSource:
    """A lane as the engine's :class:`~bridge.virtual.engine.ParamSource`.

    Attributes:
        lane: The lane.
        rate: Sample rate in Hz: frame ``i`` is at ``i / rate`` s.
        label: Names the lane in error messages (e.g. ``"track 'bass'"``).
    """

    lane: LaneLike
    rate: int
    label: str = "lane"

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
        bad = np.flatnonzero(_out_of_range(self.lane.param, v))
        if bad.size:
            i = int(bad[0])
            raise VirtualDawError(
                f"{self.label} {self.lane.param} is {v[i]} at {times[i]:.6f} s (out of range)"
            )
        return v


def mixer_sources(
    stems: Sequence[Stem], state: MixSnapshot, automation: Automation, rate: int
) -> tuple[dict[str, TrackParams], ParamSource | None]:
    """Return the engine's ``params`` and ``master_volume_db`` for a set of lanes.

    Args:
        stems: The project's stems.
        state: The frozen mixer state: the values of parameters without a lane.
        automation: Track name (or :data:`MASTER`) → parameter → lane.
        rate: Sample rate in Hz.

    Returns:
        ``(params, master)``: per-track sources for every track with a lane, and
        the master volume source (None without a master lane).

    Raises:
        VirtualDawError: A name without a stem, an unknown parameter, a lane
            filed under another parameter than its own, a master lane other
            than volume, or a stem named ``master`` alongside a master lane.
    """
    names = {s.name for s in stems}
    params: dict[str, TrackParams] = {}
    master: ParamSource | None = None
    for name, lanes in automation.items():
        allowed = ("volume_db",) if name == MASTER else PARAMS
        for key, lane in lanes.items():
            if key not in allowed:
                raise VirtualDawError(f"automation of {name!r}: cannot automate {key!r}")
            if lane.param != key:
                raise VirtualDawError(f"automation of {name!r}: {lane.param!r} lane as {key!r}")
        if name == MASTER:
            if MASTER in names:
                raise VirtualDawError("a stem is named 'master': a master lane would be ambiguous")
            if "volume_db" in lanes:
                master = LaneSource(lanes["volume_db"], rate, "master")
            continue
        if name not in names:
            raise VirtualDawError(f"automation of {name!r}: no such track")
        t = state.tracks.get(name, TrackSnapshot(0.0, 0.0, 1.0, mute=False, solo=False))
        label = f"track {name!r}"
        mute = lanes.get("mute")
        params[name] = TrackParams(
            _source(lanes, "volume_db", t.volume_db, rate, label),
            _source(lanes, "pan", t.pan, rate, label),
            _source(lanes, "width", t.width, rate, label),
            None if mute is None else LaneSource(mute, rate, label),
        )
    return params, master


def _source(
    lanes: Mapping[str, LaneLike], key: str, value: float, rate: int, label: str
) -> ParamSource:
    """Return the lane for ``key`` as a source, or the state's ``value`` as a constant."""
    lane = lanes.get(key)
    return Constant(value) if lane is None else LaneSource(lane, rate, label)
