"""Resuming from the NDJSON log: which bounces were already checked, by content.

A daemon killed mid-check (or stopped while renders went on) must lose
nothing. Its log is the record of what was checked, so on start the daemon
reads it back (:func:`read_log`) and checks every bounce present whose
content is not in it (:func:`unlogged`): the file that was being checked when
the daemon died, and every file written while it was down. A bounce whose
content matches its last logged check is left alone.

Reading is a streaming pass, one line at a time; only the paths under the
watched folders are kept (one hash per path), so memory grows with the
number of bounces watched, not with the length of the log. A line cut short
by a kill, or any line that is not a record, is skipped and counted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Logged", "read_log", "unlogged"]


@dataclass
class Logged:
    """What a log says was checked.

    Attributes:
        hashes: Path → hex BLAKE2b-256 of the content last checked there.
        lines: Lines read.
        skipped: Lines that are not records (cut short by a kill, edited by hand).
    """

    hashes: dict[str, str] = field(default_factory=dict)
    lines: int = 0
    skipped: int = 0


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _event(obj: Any) -> tuple[str, str, str | None] | None:
    """``(path, outcome, blake2b)`` of a log record, or ``None`` if it is not one."""
    if not isinstance(obj, dict):
        return None
    path, event = obj.get("path"), obj.get("event")
    if not isinstance(path, str) or not isinstance(event, dict):
        return None
    outcome, digest = event.get("outcome"), event.get("blake2b")
    if not isinstance(outcome, str) or not (digest is None or isinstance(digest, str)):
        return None
    return path, outcome, digest


def read_log(path: str, folders: Iterable[str]) -> Logged:
    """Read back a daemon's NDJSON log.

    Args:
        path: The log file. A missing file is an empty log.
        folders: The watched folders (absolute); records of other paths are dropped.

    Returns:
        The last checked content of each path under ``folders``; a later
        ``deleted`` record forgets the path.

    Raises:
        OSError: The log exists but cannot be read.
    """
    roots = tuple(folders)
    out = Logged()
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; bytes, so bad UTF-8 is one bad line
    except FileNotFoundError:
        return out
    with fh:
        for raw in fh:
            out.lines += 1
            try:
                rec = _event(json.loads(raw))
            except ValueError:  # JSONDecodeError and UnicodeDecodeError
                rec = None
            if rec is None:
                out.skipped += 1
                continue
            where, outcome, digest = rec
            if not _under(where, roots):
                continue
            if outcome == "checked" and digest is not None:
                out.hashes[where] = digest
            elif outcome == "deleted":
                out.hashes.pop(where, None)
    return out


def unlogged(
    paths: Iterable[str],
    logged: dict[str, str],
    content_hash: Callable[[str], str],
) -> Iterator[str]:
    """The bounces whose current content is not the one last logged at their path.

    Args:
        paths: The bounces present.
        logged: Path → hash, from :func:`read_log`.
        content_hash: Hashes a file (:func:`qc.watch.job.content_hash`).

    Yields:
        Each path that needs a check. A file that cannot be hashed is yielded
        too: its check reports why it cannot be read.
    """
    for path in paths:
        known = logged.get(path)
        if known is None:
            yield path
            continue
        try:
            same = content_hash(path) == known
        except OSError:
            same = False
        if not same:
            yield path
