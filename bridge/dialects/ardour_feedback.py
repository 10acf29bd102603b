"""Ardour's feedback decoded: strip values, the route list, plugin and send replies, transport.

Facts (see ``docs/daw/ardour.md``): values come as ``/strip/<word> ssid value``
once ``/set_surface`` asked for feedback, and as ``/strip/<ssid>/<word> value``
when a query put the ssid in the path; such query answers use Ardour's fast dB
approximation, up to 0.1 dB off, so they carry that tolerance. ``-inf`` dB is
reported as -200 (anything at or below -192 dB reads as ``-inf``). Pan is
Ardour's interface value, 1 - azimuth. The route list comes as ``/reply``
messages ending with ``end_route_list`` and the session's sample rate, which
:class:`Feedback` keeps to turn sample positions into seconds. Plugin and send
replies are parsed by :mod:`bridge.dialects.ardour_plugins`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

from bridge.dialects.ardour_plugins import DescriptorCollector, decode_list, decode_sends
from bridge.dialects.base import MASTER, Decoded, TrackId, TrackList, Update, as_float, as_int
from bridge.dialects.plugins import PluginSpecs

__all__ = ["ARDOUR_MODES", "AUTO_CONTROLS", "BUTTONS", "Feedback"]

BUTTONS: Final = {"mute": "mute", "solo": "solo", "rec_arm": "recenable"}
"""Track button parameter → Ardour's strip control word."""

AUTO_CONTROLS: Final = {"volume_db": "gain", "pan": "pan_stereo_position"}
"""Parameter → the strip control whose automation mode and touch Ardour's OSC sets."""

ARDOUR_MODES: Final = {"off": 0, "read": 1, "write": 2, "touch": 3, "latch": 4}
"""Automation mode → Ardour's number (0 Manual, 1 Play, 2 Write, 3 Touch, 4 Latch)."""

_STRIP = re.compile(
    r"^/strip/(\d{1,9})/(gain|fader|pan_stereo_position|pan_stereo_width|mute|solo)$"
)
_MODE_NAMES: Final = {n: m for m, n in ARDOUR_MODES.items()}
_CONTROL_PARAMS: Final = {c: p for p, c in AUTO_CONTROLS.items()}
_TRACK_TYPES: Final = frozenset({"AT", "MT", "B", "MB", "FB", "V"})


class Feedback:
    """Decodes Ardour's messages, keeping the session rate and the route list being read."""

    def __init__(self) -> None:
        self.rate = 48000
        """The session sample rate in Hz, as the last route list gave it."""
        self._listing: list[tuple[int, str]] = []
        self._descriptors = DescriptorCollector()

    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """What one message from Ardour says (see :meth:`Dialect.decode`)."""
        if address == "/reply":
            return self._reply(args)
        if address.startswith("/strip/plugin/") or address == "/strip/sends":
            return self._plugin_reply(address, args)
        if address.startswith("/strip/") and len(args) >= 2:
            ssid = as_int(args[0])
            if ssid is not None:
                return self._value(ssid, address[len("/strip/") :], args[1])
        inline = _STRIP.match(address)
        if inline and args:
            return self._value(int(inline.group(1)), inline.group(2), args[0], tolerance=0.1)
        if address.startswith("/master/") and args:
            return self._value(MASTER, address[len("/master/") :], args[0])
        return self._session(address, args)

    def _plugin_reply(self, address: str, args: Sequence[object]) -> list[Decoded]:
        if address == "/strip/plugin/descriptor":
            self._descriptors.part(args)
            return []
        if address == "/strip/plugin/descriptor_end":
            out: list[Decoded] = []
            for item in self._descriptors.end(args):
                out.append(item)
                if isinstance(item, PluginSpecs):
                    for spec in item.params:
                        prefix = f"fx/{item.fx}/param/{spec.number}"
                        out.append(Update(item.target, f"{prefix}/name", spec.name))
            return out
        if address == "/strip/plugin/list":
            listing = decode_list(args)
            if listing is None:
                return []
            self._descriptors.named(listing)
            names: list[Decoded] = [listing]
            for number, name, active in listing.plugins:
                names.append(Update(listing.target, f"fx/{number}/name", name))
                if active is not None:
                    names.append(Update(listing.target, f"fx/{number}/active", active))
            return names
        if address == "/strip/sends":
            return list(decode_sends(args))
        return []

    def _reply(self, args: Sequence[object]) -> list[Decoded]:
        if not args:
            return []
        if args[0] == "end_route_list":
            rate = as_int(args[1]) if len(args) > 1 else None
            if rate:
                self.rate = rate
            listing, self._listing = self._listing, []
            return [TrackList(tuple(listing), rate)]
        if len(args) >= 7 and args[0] in _TRACK_TYPES:
            ssid = as_int(args[6])
            if ssid is not None:
                self._listing.append((ssid, str(args[1])))
        return []

    def _value(
        self, target: TrackId, word: str, arg: object, tolerance: float = 0.0
    ) -> list[Decoded]:
        f = as_float(arg)
        if word == "name" and isinstance(arg, str):
            return [Update(target, "name", arg)]
        if word.endswith("/automation"):
            param = _CONTROL_PARAMS.get(word[: -len("/automation")])
            mode = _MODE_NAMES.get(as_int(arg) or 0) if as_int(arg) is not None else None
            return (
                []
                if param is None or mode is None
                else [Update(target, f"automation/{param}", mode)]
            )
        if f is None:
            return []
        if word == "gain":
            db = -math.inf if f <= -192.0 else f
            return [Update(target, "volume_db", db, tolerance or 1e-4)]
        if word == "pan_stereo_position":
            return [Update(target, "pan", 1.0 - 2.0 * f, 1e-6)]
        if word == "pan_stereo_width":
            return [Update(target, "width", 2.0 * f - 1.0, 1e-6)]
        for param, w in BUTTONS.items():
            if word == w:
                return [Update(target, param, f >= 0.5)]
        return []

    def _session(self, address: str, args: Sequence[object]) -> list[Decoded]:
        arg = args[0] if args else None
        if address == "/position/samples" and isinstance(arg, str):
            try:
                return [Update(None, "position_s", int(arg) / self.rate)]
            except ValueError:
                return []
        f = as_float(arg)
        if f is None:
            return []
        if address == "/transport_play":
            return [Update(None, "playing", f >= 0.5)]
        if address in {"/record_tally", "/rec_enable_toggle"}:
            return [Update(None, "recording", f >= 0.5)]
        return []
