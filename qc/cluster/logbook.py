"""``--log FILE.ndjson`` for a cluster run: the watch daemon's log, read back to resume.

Each file checked is appended as the watch daemon appends a bounce
(:class:`qc.watch.log.NdjsonLog`, one :class:`~qc.watch.record.Record` per
line, path made absolute, ``trigger`` null, ``blake2b`` its content hash). A
re-run with the same log sends each file's last logged hash with its task;
the worker hashes the file and checks it only if the content differs
(:func:`qc.cluster.task.run_task`). A killed run therefore resumes where it
stopped, and a file is never checked twice for the same content.

Reading is one streaming pass (:func:`index_log`, the records parsed by
:func:`qc.watch.resume.record_event`): per file of the run only its last
``checked`` hash and the byte offset of that line are kept, not the record, so
memory grows with the number of files, not with the log. A skipped file's
record is read back at its offset when the report is written
(:func:`logged_object`). A line cut short by a kill is skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.watch.resume import record_event

__all__ = ["LogEntry", "absolute", "index_log", "logged_object", "stand_in"]


@dataclass(frozen=True)
class LogEntry:
    """Where the log holds a file's last check.

    Attributes:
        blake2b: Hex BLAKE2b-256 of the content checked.
        offset: Byte offset of the record's line in the log.
    """

    blake2b: str
    offset: int


def index_log(path: str, wanted: Collection[str]) -> dict[str, LogEntry]:
    """The last ``checked`` record of each wanted file in a log.

    Args:
        path: The NDJSON log; a missing file is an empty log.
        wanted: Absolute paths of the run's files.

    Returns:
        Absolute path → its last record, for files whose last record is a
        ``checked`` one with a hash (an ``incomplete`` or ``deleted`` one, or a
        check of an unreadable file, forgets it: it is checked again).

    Raises:
        OSError: The log exists but cannot be read.
    """
    found: dict[str, LogEntry] = {}
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; bytes, so offsets are exact
    except FileNotFoundError:
        return found
    with fh:
        offset = 0
        for raw in fh:
            here, offset = offset, offset + len(raw)
            try:
                rec = record_event(json.loads(raw))
            except ValueError:  # cut short by a kill, or not UTF-8
                continue
            if rec is None or rec[0] not in wanted:
                continue
            where, outcome, digest, _ = rec
            found.pop(where, None)
            if outcome == "checked" and digest is not None:
                found[where] = LogEntry(digest, here)
    return found


def logged_object(log_path: str, entry: LogEntry, shown: str) -> dict[str, Any]:
    """A logged check read back as the report's file object.

    Args:
        log_path: The log.
        entry: Where the record is.
        shown: The path as the user gave it this time (the log holds it absolute).

    Returns:
        The ``mixdesk.check/1`` file object (the record without ``event``).

    Raises:
        OSError: The log cannot be read.
        ValueError: The line is no longer a record (the log was edited).
    """
    with open(log_path, "rb") as fh:
        fh.seek(entry.offset)
        obj = json.loads(fh.readline())
    if not isinstance(obj, dict) or record_event(obj) is None:
        raise ValueError(f"{log_path}: no record at byte {entry.offset}")
    obj.pop("event")
    obj["path"] = shown
    return obj


def _diagnostic(obj: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        code=str(obj["code"]),
        name=str(obj["name"]),
        severity=Severity.parse(str(obj["severity"])),
        message=str(obj["message"]),
        measured=obj.get("measured"),
        limit=obj.get("limit"),
        unit=str(obj.get("unit") or ""),
        start_s=obj.get("start_s"),
        end_s=obj.get("end_s"),
        channel=obj.get("channel"),
        profile=str(obj.get("profile") or ""),
    )


def stand_in(obj: dict[str, Any], profiles: tuple[str, ...]) -> FileResult:
    """A result that carries a logged file's verdict (error, findings) for the exit code.

    It has no stream facts or measurements: the JSON formats print the logged
    object itself, the other formats leave the file out and say so.

    Args:
        obj: The logged file object (:func:`logged_object`).
        profiles: The file's profile names.
    """
    error = obj.get("error")
    found = tuple(_diagnostic(d) for d in obj.get("diagnostics") or ())
    return FileResult(
        path=str(obj["path"]),
        info=None,
        measurements=None,
        error=error if isinstance(error, str) else None,
        diagnostics=found,
        profiles=profiles,
    )


def absolute(path: str) -> str:
    """The path as the log records it: absolute, not resolved through links."""
    return os.path.abspath(path)
