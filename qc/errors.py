"""Exceptions of the qc package: one root, narrow subclasses."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

__all__ = [
    "MAX_SUGGEST_LEN",
    "AudioReadError",
    "ProfileError",
    "QCError",
    "SelectorError",
    "UsageError",
    "did_you_mean",
    "nearest",
]


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


class SelectorError(UsageError):
    """A rule selector (code, prefix or name) matches no rule.

    Attributes:
        entry: The selector as written.
        suggestions: The nearest codes, families and names, best first.
    """

    def __init__(self, entry: str, suggestions: Sequence[str]) -> None:
        shown = entry if len(entry) <= 40 else entry[:40] + "..."
        super().__init__(f"unknown rule selector {shown!r}{did_you_mean(suggestions)}")
        self.entry = entry
        self.suggestions = tuple(suggestions)


def did_you_mean(suggestions: Sequence[str]) -> str:
    """`` (did you mean TP?)``, or ``""`` when there is nothing to suggest."""
    if not suggestions:
        return ""
    return f" (did you mean {', '.join(suggestions)}?)"


MAX_SUGGEST_LEN = 64
"""Longest word that gets suggestions: difflib's cost grows with its length."""


def nearest(word: str, candidates: Iterable[str], *, limit: int = 2) -> list[str]:
    """The candidates closest to a mistyped key (difflib ratio at least 0.6).

    A word longer than :data:`MAX_SUGGEST_LEN` gets none: no key is that long.
    """
    if len(word) > MAX_SUGGEST_LEN:
        return []
    return difflib.get_close_matches(word, list(candidates), n=limit, cutoff=0.6)
