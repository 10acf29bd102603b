"""Where the events come from: the observer, its event filter, and the start-up scan.

On Linux the observer is inotify with close-after-write and full move events
(a file moved in from outside arrives as a move with an empty source, not as a
creation). ``--poll`` gives watchdog's :class:`~watchdog.observers.polling.PollingObserver`
(network shares, containers); elsewhere watchdog picks the platform's backend.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from watchdog.events import (
    DirDeletedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
)
from watchdog.observers.api import BaseObserver

from qc.watch.ignore import is_bounce

__all__ = ["EVENT_FILTER", "make_observer", "scan"]

EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
]
"""The event types scheduled: the ones that can change a bounce, and the root's deletion.
Opens and reads (the daemon's own checks) never reach the handler."""


def make_observer(poll: bool, poll_interval_s: float = 1.0) -> tuple[BaseObserver, str]:
    """Choose the observer: inotify (with close and full move events) or polling.

    Args:
        poll: Use :class:`~watchdog.observers.polling.PollingObserver`.
        poll_interval_s: Seconds between polls.

    Returns:
        The observer, not started, and a name for it (``inotify``, ``polling every 1.0 s``).
    """
    if poll:
        from watchdog.observers.polling import PollingObserver

        return PollingObserver(timeout=poll_interval_s), f"polling every {poll_interval_s:g} s"
    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        return InotifyObserver(generate_full_events=True), "inotify"
    from watchdog.observers import Observer

    return Observer(), Observer.__name__.removesuffix("Observer").lower() or "native"


def scan(folder: str, *, recursive: bool, exclude: tuple[str, ...] = ()) -> Iterator[str]:
    """The bounces already in a folder, sorted; hidden folders are skipped."""
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
        for name in sorted(files):
            path = os.path.join(here, name)
            if is_bounce(path, folder, exclude=exclude) and os.path.isfile(path):
                yield path
