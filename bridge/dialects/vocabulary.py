"""The vocabulary every dialect shares: targets, values, parameter names, decoded replies.

Parameters are named by short paths, the same in every dialect:

- per track: ``volume_db``, ``pan`` (-1 left … +1 right), ``width`` (-1 … +1,
  1 = full stereo), ``mute``, ``solo``, ``rec_arm``, ``name``,
  ``send/N/level_db``, ``fx/N/name``, ``fx/N/param/M`` (0..1),
  ``fx/N/param/M/name``;
- session-wide (target ``None``): ``playing``, ``recording``, ``position_s``,
  ``marker/N/name``, ``marker/N/time_s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from bridge.dialects.plugins import PluginList, PluginSpecs
from bridge.osc.message import Message

__all__ = [
    "AUTOMATION_MODES",
    "MASTER",
    "TRACK_PARAMS",
    "Decoded",
    "TrackId",
    "TrackList",
    "Update",
    "Value",
]

MASTER: Final = "master"
"""The target id of the master bus in every dialect."""

TrackId = int | Literal["master"]
"""A track as the dialect numbers it (REAPER 1.., Ardour ssid 1.., Live 0..), or master."""

Value = float | bool | str | None
"""A parameter value: dB, pan, 0..1 normalised, on/off, or a name."""

TRACK_PARAMS: Final = ("volume_db", "pan", "width", "mute", "solo", "rec_arm")
"""The scalar track parameters every table and ``status`` shows."""

AUTOMATION_MODES: Final = ("off", "read", "touch", "latch", "write")
"""Automation modes, by the names every dialect maps to its DAW's: ``off`` is
REAPER's trim and Ardour's Manual, ``read`` REAPER's read and Ardour's Play."""


@dataclass(frozen=True, slots=True)
class Update:
    """One value the DAW reported.

    Attributes:
        target: The track, :data:`MASTER`, or ``None`` for session values.
        param: The parameter path (see the module docstring).
        value: The value in the API's units.
        tolerance: How precise the value is (e.g. 0.005 dB for REAPER's
            ``-6.00dB`` text). A mirror keeps its own value when the reported
            one is within this distance, so a rounded echo never overwrites
            an exact value that was set.
    """

    target: TrackId | None
    param: str
    value: Value
    tolerance: float = 0.0


@dataclass(frozen=True, slots=True)
class TrackList:
    """The DAW's complete list of tracks, in order.

    Attributes:
        tracks: ``(id, name)`` for every track the dialect can address.
        rate: The session sample rate in Hz, when the DAW reports it.
    """

    tracks: tuple[tuple[int, str], ...]
    rate: int | None = None


Decoded = Update | TrackList | PluginList | PluginSpecs | Message
"""What :meth:`~bridge.dialects.base.Dialect.decode` returns: values, a track list, a
track's plugins, one plugin's parameter descriptions, or messages to send."""
