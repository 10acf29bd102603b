"""Translate watchdog's file-system events into scheduler notifications.

Runs on the observer thread, so it only filters names and calls the cheap
notification methods; no file is opened here. The mapping:

=====================================  =======================================
watchdog event                          notification
=====================================  =======================================
``created``, ``modified``               ``changed(path)``: re-arm the settle timer
``closed`` (inotify IN_CLOSE_WRITE)     ``signalled(path, CLOSED)``
``moved`` (``dest_path``)               ``moved(src, dest)``: dest is renamed into
                                        place, src is gone; either may be ``None``
``deleted``                             ``deleted(path)``
``opened``, ``closed_no_write``,        ignored: reading a file (the daemon's own
``attrib``                              checks included) is not writing it
=====================================  =======================================

With the polling observer a rename may arrive as ``deleted`` plus ``created``;
the new name then settles like any other write.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from qc.watch.ignore import is_bounce
from qc.watch.record import Trigger

__all__ = ["WATCHED_EVENTS", "BounceHandler", "Notifications"]

WATCHED_EVENTS = ("created", "modified", "closed", "moved", "deleted")
"""The watchdog event types that can change a bounce."""


class Notifications(Protocol):
    """What the handler tells (implemented by :class:`~qc.watch.scheduler.Scheduler`)."""

    def changed(self, path: str) -> None:
        """A bounce was created or written to."""

    def signalled(self, path: str, trigger: Trigger) -> None:
        """A bounce was closed after writing."""

    def moved(self, src: str | None, dest: str | None) -> None:
        """A file was renamed."""

    def deleted(self, path: str) -> None:
        """A bounce was deleted."""


class BounceHandler(FileSystemEventHandler):
    """Feeds the events of one watched folder to the scheduler.

    Args:
        target: Receives the notifications.
        root: The watched folder (for the hidden-folder rule).
        exclude: Extra file-name globs to ignore.
        on_root_gone: Called with ``root`` if the watched folder itself is deleted.
    """

    def __init__(
        self,
        target: Notifications,
        root: str,
        *,
        exclude: Sequence[str] = (),
        on_root_gone: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self._target = target
        self._root = root
        self._exclude = tuple(exclude)
        self._on_root_gone = on_root_gone

    def _bounce(self, raw: bytes | str) -> str | None:
        path = os.fsdecode(raw)
        if not path or not is_bounce(path, self._root, exclude=self._exclude):
            return None
        return path

    def dispatch(self, event: FileSystemEvent) -> None:
        """Route one event (called by the observer thread)."""
        kind = event.event_type
        if event.is_directory:
            gone = kind == "deleted" and os.fsdecode(event.src_path) == self._root
            if gone and self._on_root_gone is not None:
                self._on_root_gone(self._root)
            return
        if kind == "moved":
            src, dest = self._bounce(event.src_path), self._bounce(event.dest_path)
            if src is not None or dest is not None:
                self._target.moved(src, dest)
            return
        path = self._bounce(event.src_path)
        if path is None:
            return
        if kind in ("created", "modified"):
            self._target.changed(path)
        elif kind == "closed":
            self._target.signalled(path, Trigger.CLOSED)
        elif kind == "deleted":
            self._target.deleted(path)
