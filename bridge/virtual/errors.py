"""Exceptions of the virtual DAW: one class under the bridge root."""

from __future__ import annotations

from bridge.errors import BridgeError

__all__ = ["VirtualDawError"]


class VirtualDawError(BridgeError):
    """A stems folder, mix state or render request the virtual DAW cannot use.

    The message is one line and names the offending file, track or value.
    """
