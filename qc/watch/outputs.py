"""Where the scheduler's records go: the NDJSON log, the sidecars, then the display."""

from __future__ import annotations

import os
from typing import Protocol

from qc.errors import QCError
from qc.safe_io import UnsafeTargetError
from qc.watch.album import AlbumWatch
from qc.watch.display import Counts, Display
from qc.watch.html_sidecar import write_html
from qc.watch.log import NdjsonLog, sidecar_path, write_sidecar
from qc.watch.record import Outcome, Record, Trigger

__all__ = ["Output", "Outputs"]


class Output(Protocol):
    """Receives what the scheduler decides; called from the scheduler thread only."""

    def record(self, rec: Record, counts: Counts) -> None:
        """One record (checked, incomplete, deleted or duplicate)."""

    def started(self, path: str, trigger: Trigger) -> None:
        """A file was handed to a worker."""

    def status(self, counts: Counts) -> None:
        """The counts changed."""

    def note(self, text: str) -> None:
        """A one-line remark."""


class Outputs:
    """The daemon's :class:`Output`: NDJSON log, sidecars, then the display.

    A log or sidecar that cannot be written is reported once on the display
    and the daemon goes on.

    Args:
        display: The human output.
        log: The NDJSON log, or ``None``.
        sidecar: Write ``NAME.qc.json`` sidecars.
        html: Write ``NAME.qc.html`` reports.
        albums: Re-checks the album of a checked bounce (:mod:`qc.watch.album`).
    """

    def __init__(
        self,
        display: Display,
        log: NdjsonLog | None,
        *,
        sidecar: bool,
        html: bool = False,
        albums: AlbumWatch | None = None,
    ) -> None:
        self.display = display
        self.albums = albums
        self._log = log
        self._sidecar = sidecar
        self._html = html
        self._warned: set[str] = set()

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.display.note(text)

    def record(self, rec: Record, counts: Counts) -> None:  # noqa: D102
        if rec.outcome is not Outcome.DUPLICATE and self._log is not None:
            try:
                self._log.write(rec)
            except (OSError, ValueError) as err:
                self._warn_once("log", f"cannot write the log {self._log.path}: {err}")
        if self._sidecar and rec.outcome in (Outcome.CHECKED, Outcome.INCOMPLETE):
            try:
                write_sidecar(rec)
            except UnsafeTargetError as err:
                self._warn_once(sidecar_path(rec.path), str(err))
            except OSError as err:
                folder = os.path.dirname(rec.path)
                self._warn_once(folder, f"cannot write sidecars in {folder}: {err.strerror}")
        if self._html and rec.outcome is Outcome.CHECKED and rec.result.measurements is not None:
            try:
                write_html(rec.result)
            except (QCError, OSError) as err:
                self._warn_once(f"html:{rec.path}", f"cannot write the HTML report: {err}")
        self.display.show(rec, counts)
        if self.albums is not None and rec.outcome is Outcome.CHECKED:
            rerender = rec.trigger is not Trigger.INITIAL  # re-checks its album, if in one
            self.albums.checked(rec.result, rerender=rerender)

    def started(self, path: str, trigger: Trigger) -> None:  # noqa: D102
        self.display.started(path, trigger)

    def status(self, counts: Counts) -> None:  # noqa: D102
        self.display.status(counts)

    def note(self, text: str) -> None:  # noqa: D102
        self.display.note(text)
