"""Exceptions of the bridge package: one root."""

from __future__ import annotations

__all__ = ["BridgeError"]


class BridgeError(Exception):
    """Root of every error raised by the bridge package."""
