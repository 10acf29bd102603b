"""Exceptions of the qc package: one root, narrow subclasses."""

from __future__ import annotations

__all__ = ["AudioReadError", "ProfileError", "QCError", "UsageError"]


class QCError(Exception):
    """Root of every error raised by the qc package."""


class AudioReadError(QCError):
    """A file could not be read as audio; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ProfileError(QCError):
    """A delivery profile or config file is invalid."""


class UsageError(QCError):
    """The command line or an option value is invalid."""
