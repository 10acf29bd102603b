"""Resuming from the NDJSON log: which bounces were already checked, by content.

A daemon killed mid-check (or stopped while renders went on) must lose
nothing. Its log is the record of what was checked, so on start the daemon
reads it back (:func:`read_log`) and checks every bounce present whose
content is not in it (:func:`unlogged`): the file that was being checked when
the daemon died, and every file written while it was down. A bounce whose
content matches its last logged check is left alone, and so is an aborted
render logged ``incomplete`` that is still the same size with a header that
still disagrees (an incomplete verdict carries no hash: the file was never
read in full).

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

from qc.watch.finished import Probe

__all__ = ["Logged", "read_log", "record_event", "unlogged"]


@dataclass
class Logged:
    """What a log says was checked.

    Attributes:
        hashes: Path → hex BLAKE2b-256 of the content last checked there.
        incomplete: Path → size in bytes, where the last record was ``incomplete``.
        lines: Lines read.
        skipped: Lines that are not records (cut short by a kill, edited by hand).
    """

    hashes: dict[str, str] = field(default_factory=dict)
    incomplete: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    skipped: int = 0


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def record_event(obj: Any) -> tuple[str, str, str | None, int | None] | None:
    """``(path, outcome, blake2b, size_bytes)`` of a log record, or ``None`` if not one."""
    if not isinstance(obj, dict):
        return None
    path, event = obj.get("path"), obj.get("event")
    if not isinstance(path, str) or not isinstance(event, dict):
        return None
    outcome, digest, size = event.get("outcome"), event.get("blake2b"), event.get("size_bytes")
    if not isinstance(outcome, str) or not (digest is None or isinstance(digest, str)):
        return None
    return path, outcome, digest, size if type(size) is int else None


def read_log(path: str, folders: Iterable[str]) -> Logged:
    """Read back a daemon's NDJSON log.

    Args:
        path: The log file. A missing file is an empty log.
        folders: The watched folders (absolute); records of other paths are dropped.

    Returns:
        The last record of each path under ``folders``: its checked content,
        or its size if it was ``incomplete``; a ``deleted`` record forgets it.

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
                rec = record_event(json.loads(raw))
            except ValueError:  # JSONDecodeError and UnicodeDecodeError
                rec = None
            if rec is None:
                out.skipped += 1
                continue
            where, outcome, digest, size = rec
            if not _under(where, roots):
                continue
            out.hashes.pop(where, None)
            out.incomplete.pop(where, None)
            if outcome == "checked" and digest is not None:
                out.hashes[where] = digest
            elif outcome == "incomplete" and size is not None:
                out.incomplete[where] = size
    return out


def unlogged(
    paths: Iterable[str],
    logged: Logged,
    content_hash: Callable[[str], str],
    probe: Callable[[str], Probe | None],
) -> Iterator[str]:
    """The bounces the log does not account for as they are now.

    Args:
        paths: The bounces present.
        logged: What the log records, from :func:`read_log`.
        content_hash: Hashes a file (:func:`qc.watch.job.content_hash`).
        probe: Stats a file and checks its header (:func:`qc.watch.finished.probe`).

    Yields:
        Each path that needs a check: never logged, checked with other
        content, or logged incomplete but since grown, shrunk or completed. A
        file that cannot be hashed is yielded too: its check says why.
    """
    for path in paths:
        size = logged.incomplete.get(path)
        if size is not None:
            now = probe(path)
            if now is None or now.signature[0] != size or now.header.state != "incomplete":
                yield path
            continue
        known = logged.hashes.get(path)
        if known is None:
            yield path
            continue
        try:
            same = content_hash(path) == known
        except OSError:
            same = False
        if not same:
            yield path
