"""The automation package's one exception type."""

from __future__ import annotations

from bridge.errors import BridgeError

__all__ = ["AutomationError"]


class AutomationError(BridgeError):
    """A lane, a tempo, a lane file or a scene is invalid.

    The message is one line naming the lane (track and parameter), the point,
    the file or the key at fault, so the CLI can print it as is.
    """
