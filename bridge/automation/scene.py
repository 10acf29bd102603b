"""Mix scenes: every track's fader, pan, width and buttons, captured, recalled and saved.

A :class:`Scene` maps track *names* (and ``"master"``) to parameter values, so
it survives the DAW renumbering its tracks. :func:`capture` reads a connected
mixer through its public API, :func:`recall` sets a scene on one, and
:func:`save_scene` / :func:`load_scene` keep scenes in TOML files
(schema ``mixdesk.scene/1``)::

    schema = "mixdesk.scene/1"
    name = "chorus"

    [tracks."Vocals"]
    "volume_db" = -4.5
    "pan" = 0.0
    "mute" = false

    [tracks."master"]
    "volume_db" = -1.0

:func:`diff` and :func:`format_diff` (from :mod:`bridge.automation.scenediff`)
compare two scenes.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from bridge.automation._fileio import check_keys, read_document, toml_key, toml_value
from bridge.automation.errors import AutomationError
from bridge.automation.params import check_param_value, param_kind
from bridge.automation.scenediff import Change, diff, format_diff
from bridge.dialects.base import MASTER, capability_of
from bridge.errors import BridgeTimeoutError, UnknownTrackError, UnsupportedError
from qc.safe_io import UnsafeTargetError, write_file

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer
    from bridge.mixer.model import Track

__all__ = [
    "SCENE_PARAMS",
    "SCENE_SCHEMA",
    "Change",
    "Scene",
    "SceneValue",
    "capture",
    "diff",
    "format_diff",
    "load_scene",
    "recall",
    "save_scene",
]

SCENE_SCHEMA: Final = "mixdesk.scene/1"
"""The ``schema`` value of a scene file."""

SCENE_PARAMS: Final = ("volume_db", "pan", "width", "mute", "solo")
"""The parameters :func:`capture` reads by default."""

SceneValue = float | bool
"""A scene value: dB, pan, width or a plugin parameter as float; mute and solo as bool."""


@dataclass(frozen=True)
class Scene:
    """A named snapshot of the mixer.

    Attributes:
        name: The scene's name (``"verse"``).
        tracks: Track name (or ``"master"``) to parameter path to value: dB for
            dB parameters, -1 … +1 for pan and width, 0 … 1 for plugin
            parameters, bool for mute and solo. Read-only once made.

    Raises:
        AutomationError: On construction, naming the track, parameter and value.
    """

    name: str
    tracks: Mapping[str, Mapping[str, SceneValue]]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise AutomationError(f"scene name {self.name!r} is not a string")
        if not isinstance(self.tracks, Mapping):
            raise AutomationError(f"scene {self.name!r}: tracks must map names to values")
        frozen: dict[str, Mapping[str, SceneValue]] = {}
        for track, values in self.tracks.items():
            where = f"scene {self.name!r} track {track!r}"
            if not isinstance(track, str) or not track:
                raise AutomationError(f"{where}: a track is named by a non-empty string")
            if not isinstance(values, Mapping):
                raise AutomationError(f"{where}: values must map parameters to values")
            frozen[track] = MappingProxyType(
                {param: _scene_value(param, v, where) for param, v in values.items()}
            )
        object.__setattr__(self, "tracks", MappingProxyType(frozen))


def _scene_value(param: object, value: object, where: str) -> SceneValue:
    if not isinstance(param, str):
        raise AutomationError(f"{where}: parameter {param!r} is not a path")
    try:
        kind = param_kind(param)
    except AutomationError as err:
        raise AutomationError(f"{where}: {err}") from None
    if kind == "switch":
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise AutomationError(f"{where} {param}: value {value!r} is not on/off")
    problem = "is not a number" if isinstance(value, bool) else check_param_value(param, value)
    if problem or not isinstance(value, numbers.Real):
        raise AutomationError(f"{where} {param}: {problem or 'is not a number'}")
    return float(value)


def capture(mixer: Mixer, params: Collection[str] = SCENE_PARAMS, name: str = "scene") -> Scene:
    """Read a scene from a connected mixer, through its public API.

    Every track (by name) and the master is read. A parameter the DAW cannot
    do (``UnsupportedError``, e.g. the width of REAPER's master), does not
    report in time (``BridgeTimeoutError``) or reports outside its range is
    left out of that track; the other values are still captured.

    Values are read from the mixer's mirror of what the DAW last reported. Right
    after a script sets values, call ``mixer.reconnect()`` first, so the DAW
    reports everything again and no report older than a set is read.

    Args:
        mixer: A connected :class:`~bridge.mixer.Mixer`.
        params: The parameter paths to read. Defaults to :data:`SCENE_PARAMS`.
        name: The scene's name. Defaults to ``"scene"``.

    Returns:
        The scene.

    Raises:
        AutomationError: An unknown parameter path, or a track with an empty,
            repeated or reserved (``"master"``) name, which a scene cannot key.
    """
    for param in params:
        param_kind(param)
    tracks: dict[str, dict[str, SceneValue]] = {}
    for track in mixer.tracks:
        label = track.name
        reason = ""
        if not label:
            reason = "has no name"
        elif label == MASTER:
            reason = "is named 'master', which scenes keep for the master bus"
        elif label in tracks:
            reason = f"has the name {label!r} of another track"
        if reason:
            raise AutomationError(
                f"track {track.number} {reason}; scenes key tracks by name (rename it)"
            )
        tracks[label] = _read(mixer, track, params)
    tracks[MASTER] = _read(mixer, mixer.master, params)
    return Scene(name, tracks)


def _read(mixer: Mixer, track: Track, params: Collection[str]) -> dict[str, SceneValue]:
    values: dict[str, SceneValue] = {}
    for param in params:
        try:
            mixer.dialect.require(capability_of(track.key, param))
            value = track.get(param)
        except (UnsupportedError, BridgeTimeoutError):
            continue
        if param_kind(param) == "switch" and isinstance(value, int | float):
            values[param] = bool(value)
        elif isinstance(value, int | float) and check_param_value(param, value) is None:
            values[param] = float(value)
    return values


def recall(
    mixer: Mixer,
    scene: Scene,
    *,
    only: Collection[str] | None = None,
    tracks: Collection[str] | None = None,
) -> list[str]:
    """Set every value of a scene on a connected mixer.

    Tracks are found by name. What cannot be recalled is skipped and reported,
    never raised, so one missing track does not stop the rest.

    Args:
        mixer: A connected :class:`~bridge.mixer.Mixer`.
        scene: The scene.
        only: Recall only these parameter paths (e.g. ``("volume_db",)``).
        tracks: Recall only these tracks (names, or ``"master"``).

    Returns:
        One line per thing not recalled: ``"Bass: no such track in the session"``
        for a track the session lacks, ``"master width: …"`` for a parameter the
        DAW cannot set. Empty when everything was set.
    """
    skipped: list[str] = []
    for label, values in scene.tracks.items():
        if tracks is not None and label not in tracks:
            continue
        if label != MASTER and label not in mixer.tracks:
            skipped.append(f"{label}: no such track in the session")
            continue
        track = mixer.master if label == MASTER else mixer.tracks[label]
        for param, value in values.items():
            if only is not None and param not in only:
                continue
            try:
                mixer.dialect.require(capability_of(track.key, param))
                track.set(param, value)
            except UnsupportedError as err:
                skipped.append(f"{label} {param}: {err}")
            except UnknownTrackError:
                skipped.append(f"{label}: no such track in the session")
                break
    return skipped


def save_scene(scene: Scene, path: str | Path, *, force: bool = False) -> None:
    """Write a scene to a TOML file (schema ``mixdesk.scene/1``).

    The file is written by :func:`qc.safe_io.write_file`: atomically, never
    through a link, never over audio, ``mixdesk.toml`` or ``pyproject.toml``.

    Args:
        scene: The scene.
        path: The file to write.
        force: Replace an existing file (without it, an existing file is refused).

    Raises:
        AutomationError: A refused target, or the file cannot be written.
    """
    p = Path(path)
    out = [f"schema = {toml_value(SCENE_SCHEMA)}", f"name = {toml_value(scene.name)}", ""]
    for label, values in scene.tracks.items():
        out.append(f"[tracks.{toml_key(label)}]")
        out += [f"{toml_key(k)} = {toml_value(v)}" for k, v in values.items()]
        out.append("")
    try:
        write_file(p, "\n".join(out), what="scene", toml=True, force=force)
    except UnsafeTargetError as err:
        raise AutomationError(str(err)) from None
    except (OSError, UnicodeError) as err:
        raise AutomationError(f"{p}: cannot write the scene ({err})") from None


def load_scene(path: str | Path) -> Scene:
    """Load a scene from a TOML file written by :func:`save_scene` (or by hand).

    Raises:
        AutomationError: Any problem with the file (unreadable, not TOML, wrong
            schema, unknown key, bad value), naming the file and what is wrong.
    """
    p = Path(path)
    data = read_document(p, "scene file", suffixes=(".toml",))
    check_keys(data, ("schema", "name", "tracks"), str(p))
    if data.get("schema") != SCENE_SCHEMA:
        raise AutomationError(f"{p}: schema is {data.get('schema')!r}, not {SCENE_SCHEMA!r}")
    name, tracks = data.get("name", p.stem), data.get("tracks", {})
    if not isinstance(name, str):
        raise AutomationError(f"{p}: name {name!r} is not a string")
    if not isinstance(tracks, dict) or not all(isinstance(v, dict) for v in tracks.values()):
        raise AutomationError(f"{p}: 'tracks' must hold one table per track")
    try:
        return Scene(name, tracks)
    except AutomationError as err:
        raise AutomationError(f"{p}: {err}") from None
