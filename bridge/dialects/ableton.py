"""Ableton Live through AbletonOSC, a MIDI Remote Script (UDP 11000; replies to port 11001).

Facts and sources are in ``docs/daw/ableton.md``; the quirks handled here:

- **Track numbering.** Live indexes ``song.tracks`` from 0; the API numbers
  tracks from 1, so track ``n`` is Live index ``n - 1`` (:meth:`~AbletonDialect.track_key`).
  Devices and parameters are 0-based too: ``fx/1/param/1`` is device 0,
  parameter 0.
- **No master, no returns.** AbletonOSC addresses only ``song.tracks``; the
  master and return tracks cannot be reached (AbletonOSC issues #47, #58), so
  every ``master ...`` capability raises :class:`~bridge.errors.UnsupportedError`.
- **Listeners, not echoes.** A set is never answered; the track names start a
  listener per track and property, and a send level is read back after its set
  (:mod:`bridge.dialects.ableton_tracks`).
- **Volume is a fader position**, converted by the approximate fit in
  :mod:`bridge.dialects.ableton_fader` (:func:`db_to_live`, :func:`live_to_db`);
  send levels use the same curve (unverified).
- **Pan is Live's -1..+1**, written straight into the mixer's panning
  parameter (the Live Object Model's range; not verified against a running Live).
- **Plugin parameters are Live's own values**, in each parameter's
  ``min..max`` as AbletonOSC reports them (not 0..1): the dialect lists and
  describes devices on request (:attr:`AbletonDialect.describes_plugins`, see
  :mod:`bridge.dialects.ableton_devices`), the mixer checks a value against that
  range before sending it, and a parameter's listener reports its value.
- **Positions are in beats**, converted with the tempo Live reports
  (:mod:`bridge.dialects.ableton_song`).
- **No bundles.** AbletonOSC releases before its bundle support parse only plain
  messages, so :attr:`AbletonDialect.max_packet` is 0: every message is sent
  alone.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from typing import ClassVar, Final

from bridge.dialects.ableton_devices import Devices
from bridge.dialects.ableton_fader import (
    MAX_DB,
    SILENCE_DB,
    VOLUME_TOLERANCE_DB,
    db_to_live,
    live_to_db,
)
from bridge.dialects.ableton_song import DEFAULT_TEMPO_BPM, Song
from bridge.dialects.ableton_tracks import TRACK_PROPS, track_names, track_reply
from bridge.dialects.base import (
    Decoded,
    Dialect,
    TrackId,
    Value,
    as_int,
    capability_of,
    check_bool,
    check_value,
    numbered_path,
)
from bridge.errors import BridgeError, UnsupportedError
from bridge.osc.message import Message, message

__all__ = [
    "DEFAULT_TEMPO_BPM",
    "MAX_DB",
    "SILENCE_DB",
    "VOLUME_TOLERANCE_DB",
    "AbletonDialect",
    "db_to_live",
    "live_to_db",
]

log = logging.getLogger("bridge.dialects.ableton")

_NO_MASTER: Final = (
    "AbletonOSC reaches only song.tracks; the master and return tracks are not"
    " addressable, AbletonOSC issues #47 and #58"
)


class AbletonDialect(Dialect):
    """Ableton Live 11+ through the AbletonOSC remote script (UDP 11000, replies to 11001)."""

    name: ClassVar[str] = "ableton"
    title: ClassVar[str] = "Ableton Live (AbletonOSC)"
    default_port: ClassVar[int] = 11000
    default_listen_port: ClassVar[int] = 11001
    setup_hint: ClassVar[str] = (
        "install AbletonOSC and select it as a Control Surface in Live > Settings > "
        "Link, Tempo & MIDI (it listens on 11000)"
    )
    stray_ports: ClassVar[tuple[int, ...]] = (11001,)  # AbletonOSC always replies there
    doctor_probe: ClassVar[str | None] = "bridge.doctor._daws:check_ableton"
    echoes_sets: ClassVar[bool] = True
    describes_plugins: ClassVar[bool] = True
    """AbletonOSC lists devices and gives every parameter's name, value, min, max."""
    lists_tracks: ClassVar[bool] = True
    heartbeat_s: ClassVar[float | None] = None
    max_packet: ClassVar[int] = 0
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            "volume", "pan", "mute", "solo", "rec arm", "name",
            "send level", "fx name", "fx param", "fx param name",
            "play", "stop", "record", "locate", "position", "markers",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._song = Song()
        self._devices = Devices()

    @property
    def tempo(self) -> float:
        """The song tempo in BPM, as Live last reported it."""
        return self._song.tempo

    @tempo.setter
    def tempo(self, bpm: float) -> None:
        self._song.tempo = bpm

    # ---- capabilities ----
    def require(self, capability: str) -> None:
        """See :meth:`Dialect.require`; the error says why Live cannot do it.

        Raises:
            UnsupportedError: Naming Live, the operation and the reason.
        """
        if capability.startswith("master "):
            raise UnsupportedError(self.title, f"{capability} ({_NO_MASTER})")
        if capability == "width":
            raise UnsupportedError(
                self.title,
                "width (Live's mixer has no stereo width; set a Utility device's"
                " Width through fx/N/param/M)",
            )
        super().require(capability)

    # ---- outgoing ----
    def hello(self) -> list[Message]:
        """Ask for tempo, track names, transport, markers; start the song listeners.

        Tempo comes first, so beats already convert with Live's tempo. The
        per-track listeners start when the track names arrive (see :meth:`decode`).
        """
        return [
            message("/live/song/get/tempo"),
            message("/live/song/get/track_names"),
            message("/live/song/get/is_playing"),
            message("/live/song/get/record_mode"),
            message("/live/song/get/current_song_time"),
            message("/live/song/get/cue_points"),
            message("/live/song/start_listen/tempo"),
            message("/live/song/start_listen/is_playing"),
            message("/live/song/start_listen/record_mode"),
            # Whether Live fires current_song_time continuously is unverified;
            # the beat listener (once per beat) is the documented fallback.
            message("/live/song/start_listen/current_song_time"),
            message("/live/song/start_listen/beat"),
        ]

    def set(self, target: TrackId, param: str, value: Value) -> list[Message]:
        """See :meth:`Dialect.set`.

        Raises:
            UnsupportedError: The master, width, or another unsupported parameter.
            BridgeError: The value is out of range or the parameter unknown.
        """
        self.require(capability_of(target, param))
        t = int(target)
        if param == "volume_db":
            db = check_value(self.title, param, value, -math.inf, math.inf)
            return [message("/live/track/set/volume", t, float(db_to_live(db)))]
        if param == "pan":
            pan = check_value(self.title, param, value, -1.0, 1.0)
            return [message("/live/track/set/panning", t, float(pan))]
        if param in ("mute", "solo", "rec_arm"):
            flag = check_bool(self.title, param, value)
            return [message(f"/live/track/set/{TRACK_PROPS[param]}", t, int(flag))]
        if param == "name":
            return [message("/live/track/set/name", t, str(value))]
        path = numbered_path(self.title, param)
        if path.kind == "send":
            s = _live_index(path.send)
            db = check_value(self.title, param, value, -math.inf, math.inf)
            return [
                message("/live/track/set/send", t, s, float(db_to_live(db))),
                message("/live/track/get/send", t, s),  # no send listener (issue #130)
            ]
        if path.is_plugin_value:
            # In the parameter's own range; the mixer checked it against the device's
            # description (bridge.mixer.plugins). The listener confirms it.
            d, p = _live_index(path.fx_number), _live_index(path.param_number)
            v = check_value(self.title, param, value, -math.inf, math.inf)
            set_value = message("/live/device/set/parameter/value", t, d, p, float(v))
            return [set_value, *self._devices.listen(t, d, p)]
        raise BridgeError(f"{self.title}: cannot set {param!r}")

    def list_plugins(self, target: TrackId) -> list[Message]:
        """``/live/track/get/devices/name t``: the track's devices, first first."""
        self.require(capability_of(target, "fx/1/name"))
        return [message("/live/track/get/devices/name", int(target))]

    def describe_plugin(self, target: TrackId, fx: int) -> list[Message]:
        """The device's parameter names, values, minima, maxima and quantization."""
        self.require(capability_of(target, "fx/1/param/1"))
        return self._devices.describe(int(target), _live_index(fx))

    def query(self, target: TrackId, param: str) -> list[Message]:
        """Ask for one value; a plugin parameter's listener reports it at once.

        Raises:
            UnsupportedError: The master or width (Live cannot report them).
        """
        self.require(capability_of(target, param))
        t = int(target)
        if param in TRACK_PROPS:
            return [message(f"/live/track/get/{TRACK_PROPS[param]}", t)]
        if not param.startswith(("send/", "fx/")):
            return []
        path = numbered_path(self.title, param)
        if path.kind == "send":
            return [message("/live/track/get/send", t, _live_index(path.send))]
        if path.kind == "fx" and path.field == "name":
            return [message("/live/track/get/devices/name", t)]
        if path.kind == "param" and path.field == "name":
            return [message("/live/device/get/parameters/name", t, _live_index(path.fx_number))]
        if path.is_plugin_value:
            d, p = _live_index(path.fx_number), _live_index(path.param_number)
            listen = self._devices.listen(t, d, p)
            return listen or [message("/live/device/get/parameter/value", t, d, p)]
        return []

    def transport(self, op: str, value: float | str | None = None) -> list[Message]:
        """See :meth:`Dialect.transport`.

        ``record`` is arrangement recording (``record_mode`` 1, then play);
        ``stop`` also turns ``record_mode`` off, so the next ``play`` does not
        record. ``locate`` takes seconds and sends beats at the current tempo.
        ``goto_marker`` takes the 1-based number of a cue point in Live's list.

        Raises:
            UnsupportedError: ``render`` or ``add_marker``.
            BridgeError: An unknown operation.
        """
        if op == "render":
            raise UnsupportedError(
                self.title,
                "render (AbletonOSC has no export call; use File > Export Audio/Video in Live)",
            )
        if op == "add_marker":
            raise UnsupportedError(
                self.title,
                "add marker (AbletonOSC can jump to cue points but not create them;"
                " Live's set_or_delete_cue toggles, and would delete a cue at the play position)",
            )
        if op not in ("play", "stop", "record", "locate", "goto_marker"):
            raise BridgeError(f"{self.title}: unknown transport operation {op!r}")
        self.require("markers" if op == "goto_marker" else op)
        return self._song.commands(self.title, op, value)

    # ---- track numbering ----
    def track_key(self, number: int) -> int:
        """Live's 0-based index of track ``number`` (1 = the first track).

        Raises:
            BridgeError: ``number`` is below 1.
        """
        return super().track_key(number) - 1

    def track_number(self, key: int) -> int:
        """The 1-based number of Live track index ``key``."""
        return key + 1

    # ---- incoming ----
    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """See :meth:`Dialect.decode`.

        The track names give a :class:`TrackList` plus the messages that start
        the per-track listeners; plugin ranges give the sets that waited on them.
        """
        if address == "/live/error":
            log.warning("%s reported an error: %s", self.title, " ".join(map(str, args)))
            return []
        if address == "/live/startup":  # AbletonOSC (re)started: greet it again
            return list(self.hello())
        if address == "/live/song/get/track_names":
            return track_names(self._devices, args)
        if address.startswith("/live/song/get/"):
            return self._song.decode(address[len("/live/song/get/") :], args)
        if address.startswith("/live/track/get/") and args:
            t = as_int(args[0])
            if t is not None and t >= 0:
                return track_reply(self._devices, t, address[len("/live/track/get/") :], args[1:])
            return []
        if address.startswith("/live/device/get/") and len(args) >= 2:
            t, d = as_int(args[0]), as_int(args[1])
            if t is not None and d is not None and t >= 0 and d >= 0:
                return self._devices.reply(t, d, address[len("/live/device/get/") :], args[2:])
        return []


def _live_index(number: int | None) -> int:
    """Live's 0-based index of a 1-based number of a parsed path (parsing refuses 0)."""
    if number is None or number < 1:  # pragma: no cover - a parsed path has numbers from 1
        raise BridgeError(f"not a 1-based number: {number!r}")
    return number - 1
