"""What every DAW dialect provides: addresses, value scaling, capabilities, feedback parsing.

A dialect is pure: it turns mixer operations into :class:`~bridge.osc.Message`
values and incoming ``(address, args)`` into :class:`Update` values. It owns no
socket and no state beyond what its DAW's addressing needs (Ardour's strip ids,
for instance). :class:`~bridge.mixer.Mixer` does the sending and keeps the
mirror.

Targets, values, parameter names and decoded replies are in
:mod:`bridge.dialects.vocabulary`; argument readers and value checks in
:mod:`bridge.dialects.values`. Both are re-exported here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Final

from bridge.dialects.path import ParamPath, PathError, parse
from bridge.dialects.plugins import ParamSpec
from bridge.dialects.values import as_float, as_int, check_bool, check_value
from bridge.dialects.vocabulary import (
    AUTOMATION_MODES,
    MASTER,
    TRACK_PARAMS,
    Decoded,
    TrackId,
    TrackList,
    Update,
    Value,
)
from bridge.errors import BridgeError, UnsupportedError
from bridge.osc.message import Message

__all__ = [
    "AUTOMATION_MODES",
    "MASTER",
    "TRACK_PARAMS",
    "Decoded",
    "Dialect",
    "TrackId",
    "TrackList",
    "Update",
    "Value",
    "as_float",
    "as_int",
    "capability_of",
    "check_bool",
    "check_value",
    "numbered_path",
]

_SIMPLE_CAPS: Final = {
    "volume_db": "volume",
    "pan": "pan",
    "width": "width",
    "mute": "mute",
    "solo": "solo",
    "rec_arm": "rec arm",
    "name": "name",
}


def capability_of(target: TrackId | None, param: str) -> str:
    """Name the capability a parameter needs, as :attr:`Dialect.capabilities` lists it.

    ``volume_db`` on a track needs ``"volume"``, on the master ``"master volume"``;
    ``send/2/level_db`` needs ``"send level"``; ``fx/1/param/3`` needs
    ``"fx param"``; ``fx/1/param/3/name`` needs ``"fx param name"``.
    """
    simple = _SIMPLE_CAPS.get(param)
    if simple is not None:
        return f"master {simple}" if target == MASTER else simple
    try:
        path: ParamPath | None = parse(param)
    except PathError as err:
        if param.startswith(("send/", "fx/")):
            raise BridgeError(str(err)) from None
        path = None
    if path is None:
        head = param.split("/", 1)[0]
        cap = {"volume_db": "volume", "rec_arm": "rec arm"}.get(head, head)
    elif path.kind == "send":
        cap = "send level"
    elif path.kind == "fx":
        cap = f"fx {path.field}"
    else:
        cap = "fx param" if path.field == "value" else "fx param name"
    return f"master {cap}" if target == MASTER else cap


def numbered_path(title: str, param: str) -> ParamPath:
    """Parse a path whose sends, plugins and parameters are numbers (what a dialect takes).

    Raises:
        BridgeError: Not a parameter path, or one that names a plugin or parameter
            (the mixer resolves names first: :class:`~bridge.mixer.plugins.PluginDesk`).
    """
    try:
        path = parse(param)
    except PathError as err:
        raise BridgeError(f"{title}: {err}") from None
    if path.by_name:
        raise BridgeError(
            f"{title}: {param!r} names a plugin or parameter; resolve it to numbers first"
            " (mixer.plugins.resolve)"
        )
    return path


class Dialect(ABC):
    """One DAW's OSC dialect.

    Class attributes describe the DAW; methods build messages and parse them.
    Methods raise :class:`~bridge.errors.UnsupportedError` naming the DAW and
    the operation when the DAW cannot do it.
    """

    name: ClassVar[str]
    """The ``--daw`` name, e.g. ``"reaper"``."""
    title: ClassVar[str]
    """The DAW's display name, used in errors."""
    default_port: ClassVar[int]
    """The UDP port the DAW listens on by default."""
    default_listen_port: ClassVar[int]
    """The port we listen on by default (0 = any free port)."""
    setup_hint: ClassVar[str] = "start the DAW and turn on its OSC surface"
    """How to get the DAW listening for OSC: the fix when nothing answers on its port."""
    stray_ports: ClassVar[tuple[int, ...]] = ()
    """Ports the DAW sends replies to when it does not reply to us (watched by the doctor)."""
    port_moves: ClassVar[int] = 0
    """How many ports above its own the DAW tries when that one is busy at start."""
    processes: ClassVar[tuple[str, ...]] = ()
    """How the DAW's processes are named (lower-case prefixes of ``/proc/PID/comm``)."""
    doctor_probe: ClassVar[str | None] = None
    """``module:function`` of the doctor's own checks for this DAW, run after the port
    checks with a :class:`bridge.doctor.Probe` (None: only "does it answer")."""
    embedded: ClassVar[str | None] = None
    """``module:function`` that starts this DAW inside mixdesk on a folder of stems and
    returns a connected mixer (the virtual DAW); None for a DAW reached over OSC."""
    capabilities: ClassVar[frozenset[str]]
    """Operation names the DAW supports (see :func:`capability_of`)."""
    max_packet: ClassVar[int] = 1024
    """The largest bundle the DAW reads, in bytes."""
    echoes_sets: ClassVar[bool] = True
    """Whether the DAW reports back, on some address, every value we set."""
    lists_tracks: ClassVar[bool] = False
    """Whether the DAW answers :meth:`hello` with a complete :class:`TrackList`."""
    write_mode: ClassVar[str] = "touch"
    """The automation mode that writes a scripted pass most faithfully."""
    heartbeat_s: ClassVar[float | None] = None
    """Interval of the DAW's heartbeat in s; silence for 3 beats means it went away."""
    describes_plugins: ClassVar[bool] = False
    """Whether the DAW describes plugin parameters (names, ranges, units, current values)
    on request (:meth:`list_plugins`, :meth:`describe_plugin`). Where it does not,
    plugin parameters are the 0..1 values, and names, it pushes or answers by path."""

    def confirms(self, target: TrackId, param: str) -> bool:
        """Whether the DAW reports a value we set back, so it can be waited for."""
        return self.echoes_sets

    def require(self, capability: str) -> None:
        """Raise if the DAW lacks ``capability``.

        Raises:
            UnsupportedError: Naming the DAW and the operation.
        """
        if capability not in self.capabilities:
            raise UnsupportedError(self.title, capability)

    @abstractmethod
    def hello(self) -> list[Message]:
        """Messages that register us and ask for a full state dump."""

    def keepalive(self) -> list[Message]:
        """Messages to send when the DAW has been silent (it may have restarted)."""
        return self.hello()

    @abstractmethod
    def set(self, target: TrackId, param: str, value: Value) -> list[Message]:
        """Messages that set a parameter (value in API units)."""

    def query(self, target: TrackId, param: str) -> list[Message]:
        """Messages that ask for a parameter's current value ([] if it is pushed)."""
        return []

    @abstractmethod
    def transport(self, op: str, value: float | str | None = None) -> list[Message]:
        """Messages for a transport operation.

        Args:
            op: ``play``, ``stop``, ``record``, ``locate`` (value in s),
                ``add_marker`` (value = name), ``goto_marker`` (value = number),
                ``render``.
            value: The operation's argument, if any.
        """

    def automation_mode(self, target: TrackId, param: str, mode: str) -> list[Message]:
        """Messages that set a parameter's automation mode (one of :data:`AUTOMATION_MODES`).

        The mirror holds the mode the DAW reports as ``automation/<param>``.

        Raises:
            UnsupportedError: The DAW has no automation modes over OSC.
        """
        raise UnsupportedError(self.title, "automation modes")

    def list_plugins(self, target: TrackId) -> list[Message]:
        """Messages that ask for a track's plugin list (see :attr:`describes_plugins`).

        Raises:
            UnsupportedError: The DAW does not list plugins on request.
        """
        raise UnsupportedError(self.title, "plugin lists on request")

    def describe_plugin(self, target: TrackId, fx: int) -> list[Message]:
        """Messages that ask for a plugin's parameter descriptions and values.

        Raises:
            UnsupportedError: The DAW does not describe plugin parameters.
        """
        raise UnsupportedError(self.title, "plugin parameter descriptions")

    def pushed_spec(
        self, target: TrackId, fx: int, number: int, value: Value, text: Value
    ) -> ParamSpec | None:
        """A pushed plugin parameter in its units, where the dialect knows the plugin.

        Args:
            target: The track.
            fx: The plugin's slot, 1-based.
            number: The parameter's number, 1-based.
            value: The value the mirror holds for it (as the dialect decoded it).
            text: Its display text, if the DAW reported one.

        Returns:
            The parameter's description, or None: it is the DAW's 0..1 value.
        """
        return None

    def pushed_param_count(self, target: TrackId, fx: int) -> int | None:
        """How many parameters the plugin in slot ``fx`` has, where the dialect knows it.

        The DAW pushes parameter names in several packets; knowing the count, a
        reader waits for all of them instead of taking the first packet's.
        None: unknown (the reader waits until the names stop coming).
        """
        return None

    def mode_param(self, param: str) -> str:
        """The parameter under whose name the DAW reports ``param``'s automation mode.

        The mirror holds it as ``automation/<that>``; a DAW with one mode per track
        (REAPER) reports it once for every parameter of the track.
        """
        return param

    def touch(self, target: TrackId, param: str, on: bool) -> list[Message]:
        """Messages that touch (grab) or release a control while automation is written."""
        return []

    @abstractmethod
    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """Parse one incoming message; unknown ones give ``[]``, never an error.

        The result may include messages to send back (e.g. AbletonOSC
        listeners to start once the track names are known).
        """

    def track_key(self, number: int) -> int:
        """Return the dialect's id of track ``number`` (1 = the first track).

        Raises:
            BridgeError: The number cannot address a track in this DAW.
        """
        if number < 1:
            raise BridgeError(f"{self.title}: tracks are numbered from 1, not {number}")
        return number

    def track_number(self, key: int) -> int:
        """The inverse of :meth:`track_key`: the 1-based number of a dialect id."""
        return key
