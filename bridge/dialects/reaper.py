"""REAPER's native OSC dialect, as its ``Default.ReaperOSC`` pattern file defines it.

Every message this module sends matches a pattern of the stock
``Default.ReaperOSC`` with the pattern's argument type (a test parses the file
to prove it). Levels go through ``/track/N/volume/db`` (``f``, dB), so no
fader curve is ever computed. The master is track 0 of bank 0.

Feedback arrives in ``#bundle`` packets and is decoded by
:mod:`bridge.dialects.reaper_feedback`: REAPER never echoes the address it is
processing ("anti-echo"), so volume is read from ``/volume/db`` when it comes,
else from the text, to 0.005 dB.

The embedded virtual DAW (:mod:`bridge.virtual`) serves this dialect and uses
the same text formats and scalings from here, and the same address parser
(:mod:`bridge.dialects.reaper_addresses`), so the two cannot disagree. Its
plugins' parameters are shown and set in their units
(:mod:`bridge.dialects.reaper_fx`); its render replies decode to the session
updates ``render/done`` (the take's path) and ``render/error`` (the reason).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, Final

from bridge.dialects.base import (
    MASTER,
    Decoded,
    Dialect,
    TrackId,
    Value,
    capability_of,
    check_bool,
    check_value,
    numbered_path,
)
from bridge.dialects.plugins import ParamSpec
from bridge.dialects.reaper_addresses import build
from bridge.dialects.reaper_feedback import AUTO_WORDS, BUTTONS, Feedback
from bridge.dialects.reaper_fx import SlotNames, eq_address, param_spec
from bridge.dialects.reaper_text import (
    format_db,
    format_pan,
    format_width,
    parse_db,
    parse_pan,
)
from bridge.errors import BridgeError, UnsupportedError
from bridge.osc.message import Message, message

__all__ = [
    "RENDER_ACTION",
    "ReaperDialect",
    "format_db",
    "format_pan",
    "format_width",
    "parse_db",
    "parse_pan",
]

RENDER_ACTION: Final = 42230
"""File: Render project, using the most recent render settings, auto-close render dialog."""

REFRESH_ACTION: Final = 41743
"""Control surface: Refresh all surfaces (REAPER re-sends every value)."""

TRACK_BANK: Final = 64
"""Tracks per bank we ask REAPER for (its default is 8)."""

FX_BANK: Final = 16
"""Plugins per track REAPER should report (its default is 8)."""

FXPARAM_BANK: Final = 128
"""Parameters per plugin REAPER should report (its default is 16)."""

MARKER_BANK: Final = 64
"""Markers REAPER should report (its default is 0: no marker feedback)."""

_CONFIRMED: Final = frozenset({"volume_db", "pan", "width", "mute", "solo", "rec_arm"})


class ReaperDialect(Dialect):
    """REAPER through ``Default.ReaperOSC`` (REAPER listens on 8000, sends to 9000).

    Args:
        send_db_pattern: The user's pattern file adds
            ``TRACK_SEND_VOLUME f/track/@/send/@/volume/db``, so send levels can
            be set in dB. The stock file has only a normalised send fader whose
            curve REAPER does not publish, so by default send levels are read
            (from ``/send/N/volume/str``) but not set.
    """

    name: ClassVar[str] = "reaper"
    title: ClassVar[str] = "REAPER"
    default_port: ClassVar[int] = 8000
    default_listen_port: ClassVar[int] = 9000
    setup_hint: ClassVar[str] = (
        "in REAPER add Preferences > Control/OSC/web > Add > OSC with 'Local listen port' "
        "8000 (or pass --port)"
    )
    stray_ports: ClassVar[tuple[int, ...]] = (9000,)
    processes: ClassVar[tuple[str, ...]] = ("reaper",)
    doctor_probe: ClassVar[str | None] = "bridge.doctor._daws:check_reaper"
    echoes_sets: ClassVar[bool] = False
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            "volume", "pan", "width", "mute", "solo", "rec arm", "name",
            "master volume", "master pan",
            "fx param", "fx name", "fx param name",
            "play", "stop", "record", "locate", "position", "markers", "render",
        }
    )  # fmt: skip

    def __init__(self, *, send_db_pattern: bool = False) -> None:
        self.send_db_pattern = send_db_pattern
        self._slots = SlotNames()  # plugin names per slot: the virtual plugins are in units
        self._feedback = Feedback(self._slots)

    def require(self, capability: str) -> None:
        """See :meth:`Dialect.require`; send levels need the extra pattern."""
        if capability == "send level" and self.send_db_pattern:
            return
        if capability == "send level":
            raise UnsupportedError(
                self.title,
                "send level in dB (Default.ReaperOSC has no dB pattern for sends;"
                " add 'TRACK_SEND_VOLUME f/track/@/send/@/volume/db' and pass"
                " send_db_pattern=True)",
            )
        super().require(capability)

    def confirms(self, target: TrackId, param: str) -> bool:
        """Whether REAPER reports a value we set: on another address, it does.

        It sends the text of volume, pan and width and the state of buttons; the
        values of plugin parameters and sends it does not send back, except the
        virtual DAW's plugins (known by their slot's name), which report every
        value, and send levels where the dB pattern is in use (their text).
        """
        if param in _CONFIRMED:
            return True
        if param.startswith("send/"):
            return self.send_db_pattern
        parts = param.split("/")
        if len(parts) == 4 and parts[0] == "fx" and parts[1].isdigit() and parts[3].isdigit():
            return self._slots.param(target, int(parts[1]), int(parts[3])) is not None
        if len(parts) == 3 and parts[0] == "fx" and parts[2] == "active" and parts[1].isdigit():
            return self._slots.plugin(target, int(parts[1])) is not None
        return False

    def pushed_spec(
        self, target: TrackId, fx: int, number: int, value: Value, text: Value
    ) -> ParamSpec | None:
        """A virtual plugin's parameter in its units (None for any other plugin)."""
        spec = self._slots.param(target, fx, number)
        return None if spec is None else param_spec(spec, number, value, text)

    def pushed_param_count(self, target: TrackId, fx: int) -> int | None:
        """A virtual plugin's parameter count (None for any other plugin)."""
        plugin = self._slots.plugin(target, fx)
        return None if plugin is None else len(plugin.params)

    def hello(self) -> list[Message]:
        """Widen the banks (8 tracks, 8 plugins, 16 parameters, 0 markers by default), refresh."""
        return [
            message("/device/track/count", TRACK_BANK),
            message("/device/fx/count", FX_BANK),
            message("/device/fxparam/count", FXPARAM_BANK),
            message("/device/marker/count", MARKER_BANK),
            message("/device/track/bank/select", 1),
            message("/action", REFRESH_ACTION),
        ]

    def set(self, target: TrackId, param: str, value: Value) -> list[Message]:
        """See :meth:`Dialect.set`."""
        self.require(capability_of(target, param))
        n = 0 if target == MASTER else int(target)
        base = f"/track/{n}"
        if param == "volume_db":
            db = check_value(self.title, param, value, -math.inf, 24.0)
            return [message(f"{base}/volume/db", max(db, -150.0) if math.isinf(db) else db)]
        if param == "pan":
            pan = check_value(self.title, param, value, -1.0, 1.0)
            return [message(f"{base}/pan", (pan + 1.0) / 2.0)]
        if param == "width":
            width = check_value(self.title, param, value, -1.0, 1.0)
            return [message(f"{base}/pan2", (width + 1.0) / 2.0)]
        if param in BUTTONS:
            return [message(f"{base}/{BUTTONS[param]}", check_bool(self.title, param, value))]
        if param == "name":
            if not isinstance(value, str):
                raise BridgeError(f"{self.title}: a track name is a string, not {value!r}")
            return [message(f"{base}/name", value)]
        path = numbered_path(self.title, param)
        if path.kind == "send":
            db = check_value(self.title, param, value, -math.inf, 24.0)
            return [message(f"{base}/send/{path.send}/volume/db", max(db, -150.0))]
        if path.is_plugin_value:
            fx, number = path.fx_number, path.param_number
            spec = self._slots.param(target, fx, number)
            if spec is None:
                v = check_value(self.title, param, value, 0.0, 1.0)
                return [message(build(n, "fx/@/fxparam/@/value", fx, number), v)]
            unit = f" {spec.unit}" if spec.unit else ""
            label = f"{param} ({spec.name}{unit})"
            v = check_value(self.title, label, value, spec.min, spec.max)
            eq = eq_address(n, self._slots.plugin(target, fx), fx, spec.name)
            if eq is not None:  # the EQ's own addresses take Hz, dB and octaves
                return [message(eq, v)]
            return [message(build(n, "fx/@/fxparam/@/value", fx, number), spec.to_norm(v))]
        if path.kind == "fx" and path.field == "active":
            on = check_bool(self.title, param, value)
            return [message(build(n, "fx/@/bypass", path.fx_number), 1 - on)]
        raise BridgeError(f"{self.title}: cannot set {param!r}")

    def query(self, target: TrackId, param: str) -> list[Message]:
        """REAPER has no queries; fx parameter names come for the selected track."""
        if target == MASTER or not param.startswith("fx/"):
            return []
        path = numbered_path(self.title, param)
        if path.kind == "param" and path.field == "name":
            return [message("/device/track/select", int(target))]
        return []

    def automation_mode(self, target: TrackId, param: str, mode: str) -> list[Message]:
        """``/track/N/autotrim|autoread|autotouch|autolatch|autowrite`` (``t``, no argument).

        REAPER's mode is per track, not per parameter, and it applies to every
        other selected track too when track N is selected.
        """
        if target == MASTER:
            raise UnsupportedError(
                self.title, "master automation mode (Default.ReaperOSC has no pattern for it)"
            )
        word = AUTO_WORDS.get(mode)
        if word is None:
            raise BridgeError(f"{self.title}: unknown automation mode {mode!r}")
        return [message(f"/track/{int(target)}/auto{word}")]

    def mode_param(self, param: str) -> str:
        """REAPER's mode is the track's: reported (and remembered) as volume's."""
        return "volume_db"

    def touch(self, target: TrackId, param: str, on: bool) -> list[Message]:
        """``/track/N/volume/touch`` or ``/pan/touch`` (``b``: an int 0 or 1).

        With the stock pattern file REAPER trusts only these for touch state.
        """
        if target == MASTER or param not in ("volume_db", "pan"):
            return []
        word = "volume" if param == "volume_db" else "pan"
        return [message(f"/track/{int(target)}/{word}/touch", int(on))]

    def transport(self, op: str, value: float | str | None = None) -> list[Message]:
        """See :meth:`Dialect.transport`; ``t`` patterns are sent with no argument."""
        self.require("markers" if op.endswith("marker") else op)
        if op in ("play", "stop", "record"):
            return [message(f"/{op}")]
        if op == "locate":
            return [message("/time", float(value or 0.0))]
        if op == "render":
            return [message("/action", RENDER_ACTION)]
        if op == "goto_marker":
            return [message("/marker", int(float(value or 0)))]
        if op == "add_marker":
            raise UnsupportedError(self.title, "add marker (use a marker id: /marker_id)")
        raise BridgeError(f"{self.title}: unknown transport operation {op!r}")

    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """See :meth:`Dialect.decode` (:class:`~bridge.dialects.reaper_feedback.Feedback`)."""
        return self._feedback.decode(address, args)
