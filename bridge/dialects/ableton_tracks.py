"""Live's tracks through AbletonOSC: their mixer properties, listeners and replies.

Live indexes ``song.tracks`` from 0 (the dialect maps API track ``n`` to index
``n - 1``). A set is never answered: once the track names arrive,
:func:`track_names` gives the messages that start a listener per track for
volume, panning, mute, solo and name (and arm, for tracks that
``can_be_armed``); a listener reports the current value at once and then every
change. Sends have no listener (issue #130), so a send level is read back by a
``/live/track/get/send`` (:func:`track_reply` decodes it). Levels are fader
positions, converted by :mod:`bridge.dialects.ableton_fader`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from bridge.dialects.ableton_devices import Devices
from bridge.dialects.ableton_fader import VOLUME_TOLERANCE_DB, level_db
from bridge.dialects.base import Decoded, TrackList, Update, as_float, as_int
from bridge.osc.message import message

__all__ = ["TRACK_PROPS", "track_names", "track_reply"]

TRACK_PROPS: Final = {
    "volume_db": "volume",
    "pan": "panning",
    "mute": "mute",
    "solo": "solo",
    "rec_arm": "arm",
    "name": "name",
}
"""The API's track parameter → Live's track property."""

_LISTENED: Final = ("volume", "panning", "mute", "solo", "name")  # arm: if can_be_armed
_BUTTONS: Final = {"mute": "mute", "solo": "solo", "arm": "rec_arm"}


def track_names(devices: Devices, args: Sequence[object]) -> list[Decoded]:
    """``song/get/track_names``: a :class:`TrackList` and each track's listener starts."""
    names = tuple(str(a) for a in args)
    devices.clear()  # indices may have shifted, and Live may have restarted
    out: list[Decoded] = [TrackList(tuple(enumerate(names)))]
    for t in range(len(names)):
        out += [message(f"/live/track/start_listen/{prop}", t) for prop in _LISTENED]
        out.append(message("/live/track/get/can_be_armed", t))
    return out


def track_reply(devices: Devices, t: int, prop: str, rest: Sequence[object]) -> list[Decoded]:
    """A ``/live/track/get/<prop> t ...`` reply (or listener report) of track index ``t``."""
    arg = rest[0] if rest else None
    f = as_float(arg)
    if prop == "name" and isinstance(arg, str):
        return [Update(t, "name", arg)]
    if prop == "devices/name":
        return devices.device_list(t, tuple(str(a) for a in rest))
    if prop == "send" and len(rest) >= 2:
        s, v = as_int(rest[0]), as_float(rest[1])
        if s is None or v is None or s < 0 or math.isnan(v):
            return []
        return [Update(t, f"send/{s + 1}/level_db", level_db(v), VOLUME_TOLERANCE_DB)]
    if f is None or math.isnan(f):
        return []
    if prop == "volume":
        return [Update(t, "volume_db", level_db(f), VOLUME_TOLERANCE_DB)]
    if prop == "panning":
        return [Update(t, "pan", f, 1e-6)]
    if prop in _BUTTONS:
        return [Update(t, _BUTTONS[prop], f >= 0.5)]
    if prop == "can_be_armed":
        return [message("/live/track/start_listen/arm", t)] if f >= 0.5 else []
    return []
