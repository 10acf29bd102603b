"""Exceptions of the bridge package: one root, a few specific kinds.

Every message is one line that names the DAW, the track, the value or the port
at fault, so the CLI can print it as is.
"""

from __future__ import annotations

__all__ = [
    "BridgeError",
    "BridgeTimeoutError",
    "OscError",
    "UnknownPluginError",
    "UnknownTrackError",
    "UnsupportedError",
    "ValueRangeError",
]


class BridgeError(Exception):
    """Root of every error raised by the bridge package."""


class OscError(BridgeError):
    """The OSC transport failed: a busy port, a bad address, a closed socket."""


class UnsupportedError(BridgeError):
    """The DAW's OSC dialect cannot do the operation.

    Args:
        daw: The dialect's display name, e.g. ``"Ableton Live (AbletonOSC)"``.
        operation: What was asked, e.g. ``"render"`` or ``"master volume"``.
    """

    def __init__(self, daw: str, operation: str) -> None:
        super().__init__(f"{daw} cannot do '{operation}' over OSC")
        self.daw = daw
        self.operation = operation


class UnknownTrackError(BridgeError, KeyError):
    """No track has the given number or name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown track"


class BridgeTimeoutError(BridgeError, TimeoutError):
    """The DAW did not answer, or a value was not confirmed, in time."""


class UnknownPluginError(BridgeError, KeyError):
    """No plugin or plugin parameter has the given number or name, or a name is ambiguous.

    The message lists the names there are.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown plugin"


class ValueRangeError(BridgeError, ValueError):
    """A value the DAW would not take (out of range, not on/off, read only); nothing was sent.

    The message names the track, plugin, parameter, value and range.
    """
