"""The error a headless DAW host raises."""

from __future__ import annotations

from bridge.errors import BridgeError

__all__ = ["ArdourHostError"]


class ArdourHostError(BridgeError):
    """Ardour could not be started, did not answer, or refused a request."""
