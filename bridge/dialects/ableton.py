"""Ableton Live through AbletonOSC, a MIDI Remote Script (UDP 11000; replies to port 11001).

Facts and sources are in ``docs/daw/ableton.md``; the quirks handled here:

- **Track numbering.** Live indexes ``song.tracks`` from 0; the API numbers
  tracks from 1, so track ``n`` is Live index ``n - 1`` (:meth:`~AbletonDialect.track_key`).
  Devices and parameters are 0-based too: ``fx/1/param/1`` is device 0,
  parameter 0.
- **No master, no returns.** AbletonOSC addresses only ``song.tracks``; the
  master and return tracks cannot be reached (AbletonOSC issues #47, #58), so
  every ``master ...`` capability raises :class:`~bridge.errors.UnsupportedError`.
- **Listeners, not echoes.** A set is never answered. Once the track names
  arrive, :meth:`~AbletonDialect.decode` returns the messages that start a
  listener per track for volume, panning, mute, solo and name (and arm, for
  tracks that ``can_be_armed``); a listener reports the current value at once
  and then every change. Sends have no listener (issue #130), so a send level
  is confirmed by a ``/live/track/get/send`` sent right after the set.
- **Volume is a fader position.** Live's volume is 0..1 with 0.85 = 0 dB and
  1.0 = +6 dB, and AbletonOSC has no dB call (issue #44). :func:`db_to_live`
  and :func:`live_to_db` use the piecewise fit posted by marcobn in AbletonOSC
  issue #44 (PR #15). It is **approximate**: an empirical fit, not an Ableton
  formula, so a level set as -12 dB may show as a slightly different number in
  Live. Both directions use the same curve, so what is read back is what was
  set. The published branches meet with small steps at -18 and -41 dB that
  run backwards (3e-5 and 2e-4 of fader travel); here each branch ends where
  it meets the next one (-17.97 and -39.44 dB; at most 0.03 dB from the
  published split), so the curve is continuous, strictly rising and exactly
  invertible. At or below -70 dB the fader is 0.0 (``-inf``); above +6 dB it
  is clamped to 1.0.
- **Sends use the same curve (unverified).** A send value is also 0..1; that
  it follows the volume fader's curve is an assumption nobody has checked
  (Live's send knobs seem to stop at 0 dB, which the curve's +6 dB at 1.0
  does not match), so send levels in dB are uncalibrated.
- **Pan is Live's -1..+1**, written straight into the mixer's panning
  parameter (the Live Object Model's range; not verified against a running Live).
- **Plugin parameters are Live's own values**, in each parameter's
  ``min..max`` as AbletonOSC reports them (not 0..1): the dialect lists and
  describes devices on request (:attr:`AbletonDialect.describes_plugins`, see
  :mod:`bridge.dialects.ableton_devices`), the mixer checks a value against that
  range before sending it, and a parameter's listener reports its value.
- **Positions are in beats.** Locate and ``position_s`` convert with the
  tempo Live reports (120 BPM until it does); with tempo changes in the
  arrangement the seconds are only right up to the first change.
- **No bundles.** AbletonOSC releases before its bundle support parse only plain
  messages, so :attr:`AbletonDialect.max_packet` is 0: every message is sent
  alone.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence
from typing import ClassVar, Final

from bridge.dialects.ableton_devices import Devices
from bridge.dialects.base import (
    Decoded,
    Dialect,
    TrackId,
    TrackList,
    Update,
    Value,
    as_float,
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

MAX_DB: Final = 6.0
"""Live's fader maximum in dB (fader position 1.0)."""

SILENCE_DB: Final = -70.0
"""Levels at or below this (in dB) are fader position 0.0, i.e. ``-inf``."""

DEFAULT_TEMPO_BPM: Final = 120.0
"""The tempo in BPM used to convert beats and seconds until Live reports its own."""

VOLUME_TOLERANCE_DB: Final = 1e-3
"""Precision of a decoded level in dB: float32 fader positions, rounded to 0.0001 dB.

The fit's *accuracy* against Live's own dB display is worse (see the module
docstring), but it errs the same way both ways, so a level reads back as set.
A coarser tolerance would make the mirror ignore real moves smaller than it.
"""

# marcobn's fit (AbletonOSC issue #44): three branches, in dB → fader position.
_A: Final = 799.503788
_B: Final = 12630.61132
_C: Final = 201.871345
_D: Final = 399.751894
_EXP: Final = 7504 / 5567
_LOW_SCALE: Final = 118.426374


def _top(db: float) -> float:
    return (db + 34.0) / 40.0


def _mid(db: float) -> float:
    return (_C - math.sqrt(-_A * db - _B)) / _D


def _low(db: float) -> float:
    return float(((db - SILENCE_DB) / _LOW_SCALE) ** _EXP)


def _meeting(f: Callable[[float], float], g: Callable[[float], float], a: float, b: float) -> float:
    """The dB in ``[a, b]`` where two branches give the same position (bisection)."""
    fa = f(a) - g(a)
    for _ in range(200):
        m = (a + b) / 2.0
        fm = f(m) - g(m)
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
    return (a + b) / 2.0


_TOP_MID_DB: Final = _meeting(_top, _mid, -18.0, -17.8)  # ≈ -17.97 dB
_MID_LOW_DB: Final = _meeting(_mid, _low, -40.0, -39.0)  # ≈ -39.44 dB
_TOP_MID_POS: Final = _top(_TOP_MID_DB)
_MID_LOW_POS: Final = _low(_MID_LOW_DB)


def db_to_live(db: float) -> float:
    """Live's fader position (0..1) for a level in dB; APPROXIMATE (marcobn's fit).

    Args:
        db: The level in dB; ``-inf`` and anything at or below -70 dB give 0.0,
            anything above +6 dB is clamped to 1.0.

    Returns:
        The fader position: 0.85 at 0 dB, 0.70 at -6 dB, 0.40 at -18 dB.

    Raises:
        ValueError: ``db`` is NaN.
    """
    if math.isnan(db):
        raise ValueError("a level in dB cannot be NaN")
    if db <= SILENCE_DB:
        return 0.0
    if db >= MAX_DB:
        return 1.0
    if db >= _TOP_MID_DB:
        return _top(db)
    if db >= _MID_LOW_DB:
        return _mid(db)
    return _low(db)


def live_to_db(position: float) -> float:
    """The level in dB of a Live fader position; APPROXIMATE, the inverse of :func:`db_to_live`.

    Args:
        position: The fader position, 0..1 (values outside are clamped).

    Returns:
        The level in dB, ``-inf`` for 0.0 and +6 dB for 1.0.

    Raises:
        ValueError: ``position`` is NaN.
    """
    if math.isnan(position):
        raise ValueError("a fader position cannot be NaN")
    if position <= 0.0:
        return -math.inf
    if position >= 1.0:
        return MAX_DB
    if position >= _TOP_MID_POS:
        return 40.0 * position - 34.0
    if position >= _MID_LOW_POS:
        return -((_C - _D * position) ** 2 + _B) / _A
    return float(_LOW_SCALE * position ** (1.0 / _EXP) + SILENCE_DB)


_TRACK_PROPS: Final = {
    "volume_db": "volume",
    "pan": "panning",
    "mute": "mute",
    "solo": "solo",
    "rec_arm": "arm",
    "name": "name",
}
_LISTENED: Final = ("volume", "panning", "mute", "solo", "name")  # arm: if can_be_armed
_BUTTONS: Final = {"mute": "mute", "solo": "solo", "arm": "rec_arm"}

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
        self.tempo = DEFAULT_TEMPO_BPM
        """The song tempo in BPM, as Live last reported it."""
        self._lock = threading.Lock()
        self._beats: float | None = None
        self._cues: tuple[tuple[str, float], ...] = ()
        self._devices = Devices()

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
            return [message(f"/live/track/set/{_TRACK_PROPS[param]}", t, int(flag))]
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
        if param in _TRACK_PROPS:
            return [message(f"/live/track/get/{_TRACK_PROPS[param]}", t)]
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
        if op == "play":
            return [message("/live/song/start_playing")]
        if op == "stop":
            return [message("/live/song/stop_playing"), message("/live/song/set/record_mode", 0)]
        if op == "record":
            return [message("/live/song/set/record_mode", 1), message("/live/song/start_playing")]
        if op == "locate":
            seconds = float(value or 0.0)
            return [message("/live/song/set/current_song_time", float(seconds * self.tempo / 60))]
        number = int(float(value or 0))
        if number < 1:
            raise BridgeError(f"{self.title}: markers are numbered from 1, not {number}")
        return [message("/live/song/cue_point/jump", int(number - 1))]

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
            return self._track_names(args)
        if address.startswith("/live/song/get/"):
            return self._song(address[len("/live/song/get/") :], args)
        if address.startswith("/live/track/get/") and args:
            t = as_int(args[0])
            if t is not None and t >= 0:
                return self._track(t, address[len("/live/track/get/") :], args[1:])
            return []
        if address.startswith("/live/device/get/") and len(args) >= 2:
            t, d = as_int(args[0]), as_int(args[1])
            if t is not None and d is not None and t >= 0 and d >= 0:
                return self._device(t, d, address[len("/live/device/get/") :], args[2:])
        return []

    def _track_names(self, args: Sequence[object]) -> list[Decoded]:
        names = tuple(str(a) for a in args)
        self._devices.clear()  # indices may have shifted, and Live may have restarted
        out: list[Decoded] = [TrackList(tuple(enumerate(names)))]
        for t in range(len(names)):
            out += [message(f"/live/track/start_listen/{prop}", t) for prop in _LISTENED]
            out.append(message("/live/track/get/can_be_armed", t))
        return out

    def _track(self, t: int, prop: str, rest: Sequence[object]) -> list[Decoded]:
        arg = rest[0] if rest else None
        f = as_float(arg)
        if prop == "name" and isinstance(arg, str):
            return [Update(t, "name", arg)]
        if prop == "devices/name":
            return self._devices.device_list(t, tuple(str(a) for a in rest))
        if prop == "send" and len(rest) >= 2:
            s, v = as_int(rest[0]), as_float(rest[1])
            if s is None or v is None or s < 0 or math.isnan(v):
                return []
            return [Update(t, f"send/{s + 1}/level_db", _level(v), VOLUME_TOLERANCE_DB)]
        if f is None or math.isnan(f):
            return []
        if prop == "volume":
            return [Update(t, "volume_db", _level(f), VOLUME_TOLERANCE_DB)]
        if prop == "panning":
            return [Update(t, "pan", f, 1e-6)]
        if prop in _BUTTONS:
            return [Update(t, _BUTTONS[prop], f >= 0.5)]
        if prop == "can_be_armed":
            return [message("/live/track/start_listen/arm", t)] if f >= 0.5 else []
        return []

    def _device(self, t: int, d: int, prop: str, rest: Sequence[object]) -> list[Decoded]:
        if prop.startswith("parameters/"):
            return self._devices.part(t, d, prop[len("parameters/") :], rest)
        if prop == "parameter/value" and len(rest) >= 2:
            p, native = as_int(rest[0]), as_float(rest[1])
            if p is None or native is None:
                return []
            return self._devices.value(t, d, p, native)
        return []

    def _song(self, prop: str, args: Sequence[object]) -> list[Decoded]:
        if prop == "cue_points":
            return self._cue_points(args)
        f = as_float(args[0]) if args else None
        if f is None or math.isnan(f):
            return []
        if prop == "is_playing":
            return [Update(None, "playing", f >= 0.5)]
        if prop == "record_mode":
            return [Update(None, "recording", f >= 0.5)]
        if prop == "current_song_time":
            self._beats = f
            return [Update(None, "position_s", self._seconds(f))]
        if prop == "beat":
            if self._beats is not None and math.floor(self._beats) == f:
                return []  # current_song_time already said it, more precisely
            self._beats = f
            return [Update(None, "position_s", self._seconds(f))]
        if prop == "tempo" and f > 0:
            self.tempo = f
            out: list[Decoded] = []
            if self._beats is not None:
                out.append(Update(None, "position_s", self._seconds(self._beats)))
            out += self._marker_times()
            return out
        return []

    def _cue_points(self, args: Sequence[object]) -> list[Decoded]:
        cues: list[tuple[str, float]] = []
        for name, beats in zip(args[::2], args[1::2], strict=False):
            b = as_float(beats)
            if b is not None:
                cues.append((str(name), b))
        self._cues = tuple(cues)
        names: list[Decoded] = [
            Update(None, f"marker/{i + 1}/name", n) for i, (n, _) in enumerate(self._cues)
        ]
        return names + self._marker_times()

    def _marker_times(self) -> list[Decoded]:
        return [
            Update(None, f"marker/{i + 1}/time_s", self._seconds(b))
            for i, (_, b) in enumerate(self._cues)
        ]

    def _seconds(self, beats: float) -> float:
        return beats * 60.0 / self.tempo


def _live_index(number: int | None) -> int:
    """Live's 0-based index of a 1-based number of a parsed path (parsing refuses 0)."""
    if number is None or number < 1:  # pragma: no cover - a parsed path has numbers from 1
        raise BridgeError(f"not a 1-based number: {number!r}")
    return number - 1


def _level(position: float) -> float:
    """A reported fader position in dB, rounded to 0.0001 dB (float32 noise)."""
    db = live_to_db(position)
    return db if math.isinf(db) else round(db, 4)
