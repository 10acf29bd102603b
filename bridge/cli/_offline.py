"""``mixdesk automate --daw virtual``: lanes rendered offline into a take, sample-accurately.

A live pass into a virtual DAW started for one command would be discarded with
it, so ``--daw virtual`` renders the lane file instead: the stems at their
default mix (0 dB, centred, every plugin at its defaults, sends silent) with the
lanes applied to every frame (:func:`bridge.virtual.render.render` with
``automation=``), into a new take in the render folder. Master lanes work too.

Plugin lanes may name their plugin and parameter (``fx/EQ/param/Band 1 gain``)
or number them (``fx/1/param/4``); names are resolved against the virtual
plugins' table (:mod:`bridge.dialects.virtual_fx`) and every point is checked
against the parameter's range, in its own units, before anything is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bridge.dialects.path import PathError, parse
from bridge.dialects.virtual_fx import FxPlugin
from bridge.virtual.errors import VirtualDawError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from bridge.automation.lane import Lane
    from bridge.virtual.render import RenderResult
    from bridge.virtual.state import MixState

__all__ = ["RATE", "NumberedLane", "number_plugin_lanes", "render_lanes"]

RATE: Final = 48000
"""The project rate, in Hz, as ``--daw virtual`` starts the virtual DAW."""


@dataclass(frozen=True)
class NumberedLane:
    """A lane whose plugin parameter is given by number (``fx/N/param/M``).

    Attributes:
        lane: The lane as the file wrote it.
        param: Its parameter path, with numbers.
    """

    lane: Lane
    param: str

    @property
    def track(self) -> str | int:
        """The lane's track."""
        return self.lane.track

    def values_at(self, times_s: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The lane's values at ``times_s`` (s, shape ``(n,)``), in the parameter's units."""
        return self.lane.values_at(times_s)


def _track(state: MixState, track: str | int) -> str:
    """The name of the track a lane names (by name, 1-based number or ``"master"``)."""
    names = list(state.tracks)
    if track == "master" or (isinstance(track, str) and track in state.tracks):
        return track
    if isinstance(track, int) and not isinstance(track, bool):
        if 1 <= track <= len(names):
            return names[track - 1]
        raise VirtualDawError(f"no track {track} in the virtual DAW (it has {len(names)} tracks)")
    known = ", ".join(repr(n) for n in names)
    raise VirtualDawError(f"no track named {track!r} in the virtual DAW ({known})")


def _plugins(state: MixState, track: str | int) -> tuple[str, list[FxPlugin]]:
    """The track's label and plugins, slot 1 first."""
    name = _track(state, track)
    if name == "master":
        return "the master", [p.plugin for p in state.master_plugins]
    return f"track {name!r}", [p.plugin for p in state.tracks[name].plugins]


def _number(lane: Lane, state: MixState) -> Lane | NumberedLane:
    """The lane with its plugin and parameter numbered and its points range-checked."""
    try:
        path = parse(lane.param)
    except PathError as err:
        raise VirtualDawError(str(err)) from None
    if not path.is_plugin_value:
        _track(state, lane.track)
        return lane
    label, plugins = _plugins(state, lane.track)
    have = ", ".join(f"{i} {p.name}" for i, p in enumerate(plugins, start=1))
    if isinstance(path.fx, int):
        fx = path.fx if 1 <= path.fx <= len(plugins) else None
    else:
        folded = str(path.fx).casefold()
        fx = next((i for i, p in enumerate(plugins, 1) if p.name.casefold() == folded), None)
    if fx is None:
        raise VirtualDawError(f"{lane.param} lane: {label} has no plugin {path.fx!r} ({have})")
    plugin = plugins[fx - 1]
    number = path.param if isinstance(path.param, int) else plugin.number(str(path.param))
    spec = plugin.param(number) if number is not None else None
    if spec is None or number is None:
        names = ", ".join(p.name for p in plugin.params)
        raise VirtualDawError(
            f"{lane.param} lane: {plugin.name} on {label} has no parameter {path.param!r} ({names})"
        )
    for point in lane.points:
        if not spec.in_range(point.value):
            raise VirtualDawError(
                f"{lane.param} lane of {label}: {point.value:g} at {point.time_s:g} s is outside"
                f" {plugin.name} {spec.name}'s {spec.min:g}..{spec.max:g} {spec.unit}".rstrip()
            )
    return NumberedLane(lane, str(path.with_numbers(fx, number)))


def number_plugin_lanes(lanes: Sequence[Lane], state: MixState) -> list[Lane | NumberedLane]:
    """Give every plugin lane its plugin and parameter by number, checking its values.

    Args:
        lanes: The lanes, plugins and parameters by number or name.
        state: The virtual mixer whose tracks and plugins they name.

    Returns:
        The lanes in order; plugin lanes as :class:`NumberedLane`.

    Raises:
        VirtualDawError: A lane names no track, plugin or parameter, or a point
            lies outside its parameter's range (one line naming it).
    """
    return [_number(lane, state) for lane in lanes]


def render_lanes(
    lanes: Sequence[Lane],
    stems_dir: str,
    render_dir: str | None,
    checked: Callable[[], None] | None = None,
) -> RenderResult:
    """Render the stems with ``lanes`` into a new take of the render folder.

    Args:
        lanes: The lane file's lanes.
        stems_dir: The folder of stems.
        render_dir: Where the take goes (created if missing); the current folder if None.
        checked: Called once the stems, lanes and folder are checked, before rendering.

    Returns:
        What the render wrote.

    Raises:
        VirtualDawError: A stem, a lane or the render folder cannot be used, or
            the render failed.
    """
    from bridge.virtual.automation import by_track
    from bridge.virtual.render import render
    from bridge.virtual.session import render_folder
    from bridge.virtual.state import MixState
    from bridge.virtual.stems import load_stems

    stems = load_stems(stems_dir, RATE)
    state = MixState.for_stems(stems)
    automation = by_track(number_plugin_lanes(lanes, state), list(state.tracks))
    folder = render_folder(render_dir)
    if checked is not None:
        checked()
    return render(stems, state, folder, rate=RATE, automation=automation)
