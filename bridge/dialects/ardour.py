"""Ardour's OSC surface (Ardour 7 and 8): ``/set_surface`` and ``/strip/...``.

Quirks handled here (see ``docs/daw/ardour.md``):

- **Registration.** Nothing is fed back until ``/set_surface`` asks for it. We
  ask for buttons, variable controls, heartbeat, master, position in samples and
  ``/reply`` (bit 16384: python-osc drops Ardour's default ``#reply``), dB gain
  feedback, and reply port 0, which means "reply to the source port". The
  transport sends from the port it listens on, so replies come back to us.
- **Floats only.** Gain, fader and pan values sent as int32 are ignored by
  Ardour (it answers with 0), so every level is sent as float32.
- **Gain clamp.** Ardour's fader stops at +6.02 dB; higher values are clamped
  here to what Ardour would apply. ``-inf`` dB is sent, and reported, as -200.
- **Pan inversion.** ``pan_stereo_position`` is Ardour's *interface* value,
  1 - azimuth: OSC 0 is hard right. API pan ``p`` (-1 left … +1 right) is
  sent as ``(1 - p) / 2``.
- **Strip ids shift** when tracks are added, removed or hidden. Ardour re-sends
  ``/strip/list`` then; each list replaces the mirror's id map (see
  :class:`~bridge.mixer.mirror.Mirror`), and tracks taken by name follow.
- **Query answers** (``/strip/3/gain`` with no value) use Ardour's fast dB
  approximation, up to 0.1 dB off, so they carry that tolerance
  (:mod:`bridge.dialects.ardour_feedback` decodes what Ardour sends).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, Final

from bridge.dialects.ardour_feedback import ARDOUR_MODES, AUTO_CONTROLS, BUTTONS, Feedback
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
from bridge.errors import BridgeError, UnsupportedError
from bridge.osc.message import Message, message

__all__ = ["FEEDBACK", "MAX_GAIN_DB", "STRIP_TYPES", "ArdourDialect"]

MAX_GAIN_DB: Final = 20 * math.log10(2.0)
"""Ardour's fader maximum, +6.02 dB (``max-gain`` 2.0)."""

STRIP_TYPES: Final = 1 | 2 | 4 | 8 | 16
"""Audio and MIDI tracks and busses, and VCAs; the master is reached via ``/master``."""

FEEDBACK: Final = 1 | 2 | 8 | 16 | 1024 | 16384
"""Buttons, variable controls, heartbeat, master, position in samples, ``/reply``."""

_NEG_INF_DB: Final = -200.0


class ArdourDialect(Dialect):
    """Ardour through its built-in OSC surface (UDP 3819)."""

    name: ClassVar[str] = "ardour"
    title: ClassVar[str] = "Ardour"
    default_port: ClassVar[int] = 3819
    default_listen_port: ClassVar[int] = 0
    setup_hint: ClassVar[str] = (
        "start Ardour and enable Edit > Preferences > Control Surfaces > Open Sound Control "
        "(port 3819 unless you changed it; then pass --port)"
    )
    stray_ports: ClassVar[tuple[int, ...]] = (8000,)  # the manual reply port's default
    port_moves: ClassVar[int] = 19  # osc.cc tries its port and the next 19
    processes: ClassVar[tuple[str, ...]] = ("ardour", "luasession")
    doctor_probe: ClassVar[str | None] = "bridge.doctor._ardour:check_ardour"
    echoes_sets: ClassVar[bool] = True
    lists_tracks: ClassVar[bool] = True
    heartbeat_s: ClassVar[float | None] = 1.0
    write_mode: ClassVar[str] = "write"
    """Touch and Latch passes over OSC drop out in Ardour 7.3 (measured: the value
    falls back to the playback value for ~0.15 s in every ~0.4 s); Write records
    every value sent."""
    max_packet: ClassVar[int] = 8192
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            "volume", "pan", "width", "mute", "solo", "rec arm", "name",
            "master volume", "master pan", "master mute",
            "send level", "fx param", "fx name", "fx param name", "fx active",
            "play", "stop", "record", "locate", "position", "markers",
        }
    )  # fmt: skip

    describes_plugins: ClassVar[bool] = True
    """Ardour lists plugins and describes every parameter (names, ranges, units, values)."""

    def __init__(self) -> None:
        self._feedback = Feedback()

    @property
    def rate(self) -> int:
        """The session sample rate in Hz, as Ardour last reported it (48000 until then)."""
        return self._feedback.rate

    @rate.setter
    def rate(self, hz: int) -> None:
        self._feedback.rate = hz

    def hello(self) -> list[Message]:
        """``/set_surface`` (all strips, feedback, dB, auto reply port), then ``/strip/list``."""
        return [
            message("/set_surface", 0, STRIP_TYPES, FEEDBACK, 0, 0, 0, 0),
            message("/strip/list"),
        ]

    def set(self, target: TrackId, param: str, value: Value) -> list[Message]:
        """See :meth:`Dialect.set`."""
        self.require(capability_of(target, param))
        if target == MASTER:
            return self._set_master(param, value)
        ssid = int(target)
        if param == "volume_db":
            return [message("/strip/gain", ssid, self._gain(param, value))]
        if param == "pan":
            pan = check_value(self.title, param, value, -1.0, 1.0)
            return [message("/strip/pan_stereo_position", ssid, (1.0 - pan) / 2.0)]
        if param == "width":
            width = check_value(self.title, param, value, -1.0, 1.0)
            return [message("/strip/pan_stereo_width", ssid, (width + 1.0) / 2.0)]
        if param in BUTTONS:
            flag = check_bool(self.title, param, value)
            return [message(f"/strip/{BUTTONS[param]}", ssid, flag)]
        if param == "name":
            return [message("/strip/name", ssid, str(value))]
        path = numbered_path(self.title, param)
        if path.kind == "send":
            # No feedback for a send level: ask for the sends, which confirms it.
            gain = self._gain(param, value)
            send = message("/strip/send/gain", ssid, path.send or 0, gain)
            return [send, *self.query(ssid, param)]
        if path.is_plugin_value:
            # In the parameter's own units. Ardour drops an out-of-range value without
            # a word, so the mixer checks the range first (bridge.mixer.plugins) and
            # confirms the set by asking for the plugin's description.
            v = check_value(self.title, param, value, -math.inf, math.inf)
            return [message("/strip/plugin/parameter", ssid, path.fx_number, path.param_number, v)]
        if path.kind == "fx" and path.field == "active":
            word = "activate" if check_bool(self.title, param, value) else "deactivate"
            toggle = message(f"/strip/plugin/{word}", ssid, path.fx_number)
            return [toggle, *self.query(ssid, param)]
        raise BridgeError(f"{self.title}: cannot set {param!r}")

    def list_plugins(self, target: TrackId) -> list[Message]:
        """``/strip/plugin/list ssid``: the track's plugins, names and active flags."""
        if target == MASTER:
            raise UnsupportedError(self.title, "plugins on the master (its strip has no ssid)")
        return [message("/strip/plugin/list", int(target))]

    def describe_plugin(self, target: TrackId, fx: int) -> list[Message]:
        """``/strip/plugin/descriptor ssid piid``: every parameter, with its current value."""
        if target == MASTER:
            raise UnsupportedError(self.title, "plugins on the master (its strip has no ssid)")
        return [message("/strip/plugin/descriptor", int(target), fx)]

    def _set_master(self, param: str, value: Value) -> list[Message]:
        if param == "volume_db":
            return [message("/master/gain", self._gain(param, value))]
        if param == "pan":
            pan = check_value(self.title, param, value, -1.0, 1.0)
            return [message("/master/pan_stereo_position", (1.0 - pan) / 2.0)]
        if param == "mute":
            return [message("/master/mute", check_bool(self.title, param, value))]
        raise UnsupportedError(self.title, f"master {param}")

    def _gain(self, param: str, value: Value) -> float:
        db = check_value(self.title, param, value, -math.inf, math.inf)
        if (math.isinf(db) and db < 0) or db <= -192.0:
            return _NEG_INF_DB
        return min(db, MAX_GAIN_DB)

    def automation_mode(self, target: TrackId, param: str, mode: str) -> list[Message]:
        """``/strip/gain/automation ssid mode`` (0 Manual, 1 Play, 2 Write, 3 Touch, 4 Latch).

        Both arguments go as int32: Ardour reads the ssid with the type of the
        second argument. Ardour turns Write into Touch when the transport stops.
        The master has no mode over OSC: ``set_automation`` takes ``/strip/``
        ids and the GUI-selected strip (``/select/``) only, and the master has
        no strip id with our strip types (there is no ``/master/.../automation``).
        """
        if target == MASTER:
            raise UnsupportedError(
                self.title, "master automation mode (its OSC sets modes of strips only)"
            )
        control = AUTO_CONTROLS.get(param)
        number = ARDOUR_MODES.get(mode)
        if param.startswith("fx/"):
            raise UnsupportedError(
                self.title,
                f"automation mode of plugin parameter {param} (its OSC sets modes of gain,"
                " trim, pan, mute and sends only; arm the lane in Ardour itself)",
            )
        if control is None or number is None:
            raise UnsupportedError(self.title, f"automation mode {mode!r} of {param}")
        return [message(f"/strip/{control}/automation", int(target), number)]

    def touch(self, target: TrackId, param: str, on: bool) -> list[Message]:
        """``/strip/gain/touch ssid 1|0`` (or the pan control's): start or end a touch."""
        control = AUTO_CONTROLS.get(param)
        if target == MASTER or control is None:
            return []
        return [message(f"/strip/{control}/touch", int(target), int(on))]

    def query(self, target: TrackId, param: str) -> list[Message]:
        """Ask for a value with the ssid in the path (the answer then carries it)."""
        word = {"volume_db": "gain", "pan": "pan_stereo_position", "width": "pan_stereo_width"}
        word |= {"mute": "mute", "solo": "solo"}
        if target != MASTER and param.startswith(("send/", "fx/")):
            path = numbered_path(self.title, param)
            if path.kind == "send":
                return [message("/strip/sends", int(target))]
            if path.kind == "fx":
                return self.list_plugins(target)
            # A parameter's value and its name both come with the plugin's description.
            return self.describe_plugin(target, path.fx_number)
        if target == MASTER or param not in word:
            return []
        return [message(f"/strip/{int(target)}/{word[param]}")]

    def transport(self, op: str, value: float | str | None = None) -> list[Message]:
        """See :meth:`Dialect.transport`. ``record`` toggles global rec-enable and rolls."""
        if op == "render":
            raise UnsupportedError(self.title, "render (Ardour exports only from its GUI or Lua)")
        self.require("markers" if op.endswith("marker") else op)
        if op == "play":
            return [message("/transport_play")]
        if op == "stop":
            return [message("/transport_stop")]
        if op == "record":
            return [message("/rec_enable_toggle"), message("/transport_play")]
        if op == "locate":
            samples = round(float(value or 0.0) * self.rate)
            return [message("/locate", samples, 0)]
        if op == "add_marker":
            return [message("/add_marker", str(value or "marker"))]
        if op == "goto_marker":
            return [message("/marker", int(float(value or 0)))]
        raise BridgeError(f"{self.title}: unknown transport operation {op!r}")

    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """See :meth:`Dialect.decode` (:class:`~bridge.dialects.ardour_feedback.Feedback`)."""
        return self._feedback.decode(address, args)
