"""What the daemon learnt about one bounce: the values passed to the log and the display.

A :class:`Record` is made once per decision about a file: it was checked, it
was left incomplete (an aborted render), it disappeared before its check, or
its content was already checked (``duplicate``, shown but never logged).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from qc.engine import FileResult

if TYPE_CHECKING:
    from qc.watch.job import JobResult

__all__ = ["Outcome", "Record", "Trigger"]


class Trigger(StrEnum):
    """What made the daemon judge a file finished."""

    CLOSED = "closed"
    """The writer closed the file after writing (inotify ``IN_CLOSE_WRITE``)."""
    RENAMED = "renamed"
    """The file was renamed or moved into place."""
    SETTLED = "settled"
    """Size and mtime stayed still for the settle time."""
    INITIAL = "initial"
    """Already present when the daemon started (``--initial``)."""


class Outcome(StrEnum):
    """How a file's turn ended."""

    CHECKED = "checked"
    """Measured and judged; the result is the linter's."""
    INCOMPLETE = "incomplete"
    """Its header never agreed with its size: an aborted or truncated render."""
    DELETED = "deleted"
    """It disappeared before its check finished."""
    DUPLICATE = "duplicate"
    """Its content is the one already checked at this path (not logged)."""


@dataclass(frozen=True)
class Record:
    """One decision about one file.

    Attributes:
        result: The linter's result. For ``incomplete`` it carries the reason in
            ``error`` and an ``FMT003`` finding; for ``deleted`` and
            ``duplicate`` only ``error`` explains.
        outcome: How the file's turn ended.
        trigger: What made it count as finished, or ``None`` if it never did
            (deleted while still being written).
        time_s: When the decision was made, seconds since the epoch.
        queued_s: Seconds between being judged finished and a worker starting
            on it, or ``None`` when no worker ran.
        check_s: Seconds the worker spent (hash and check), or ``None``.
        blake2b: Hex BLAKE2b-256 of the content checked, or ``None``.
        size_bytes: File size in bytes when it was checked or judged, or ``None``.
    """

    result: FileResult
    outcome: Outcome
    trigger: Trigger | None
    time_s: float
    queued_s: float | None = None
    check_s: float | None = None
    blake2b: str | None = None
    size_bytes: int | None = None

    @property
    def path(self) -> str:
        """The bounce's path."""
        return self.result.path

    @classmethod
    def of_job(
        cls,
        jr: JobResult,
        result: FileResult,
        outcome: Outcome,
        trigger: Trigger,
        *,
        time_s: float,
        queued_s: float,
    ) -> Record:
        """The record of a worker's job: its timing, hash and size with ``result``."""
        return cls(
            result,
            outcome,
            trigger,
            time_s,
            queued_s=queued_s,
            check_s=jr.check_s,
            blake2b=jr.blake2b,
            size_bytes=jr.size_bytes,
        )

    @classmethod
    def gone(
        cls,
        path: str,
        trigger: Trigger | None,
        reason: str,
        time_s: float,
        *,
        queued_s: float | None = None,
        check_s: float | None = None,
    ) -> Record:
        """The record of a file that disappeared: ``deleted``, with ``reason`` as its error."""
        return cls(
            FileResult(path, None, None, reason),
            Outcome.DELETED,
            trigger,
            time_s,
            queued_s,
            check_s,
        )
