"""The daemon's machine output: an NDJSON log and ``NAME.qc.json`` sidecars.

Each log line is the per-file object of the ``mixdesk.check/1`` contract
(:func:`qc.report.json_report.file_object`) plus an ``event`` object::

    {"path": ..., "error": ..., "format": ..., "measurements": ..., "diagnostics": [...],
     "event": {"time": "2026-11-24T10:15:02.125Z", "trigger": "closed",
               "queued_s": 0.0012, "check_s": 0.8314, "outcome": "checked",
               "blake2b": "9f2c...", "size_bytes": 1152044}}

``outcome`` is ``checked``, ``incomplete`` (aborted render: ``error`` says why,
with an ``FMT003`` finding) or ``deleted`` (gone before its check;
``trigger``, ``queued_s`` and ``check_s`` may be ``null``). Duplicates are not
logged. A sidecar holds the same object, indented, and is replaced atomically
so a reader never sees half of it. Both are written through :mod:`qc.safe_io`:
never through a link, never over audio or a config.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from types import TracebackType
from typing import IO, Any, Self

from qc.report.json_report import file_object
from qc.safe_io import open_append, write_file
from qc.watch.record import Record

__all__ = ["SIDECAR_SUFFIX", "NdjsonLog", "record_object", "sidecar_path", "write_sidecar"]

SIDECAR_SUFFIX = ".qc.json"
"""Appended to the bounce's file name: ``mix.wav`` → ``mix.wav.qc.json``."""


def _iso(time_s: float) -> str:
    moment = dt.datetime.fromtimestamp(time_s, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(max(value, 0.0), 4)


def record_object(rec: Record) -> dict[str, Any]:
    """The JSON object of one record: the file object plus ``event``.

    Args:
        rec: The record.

    Returns:
        A dict that ``json.dumps`` accepts with ``allow_nan=False``.
    """
    obj = file_object(rec.result)
    obj["event"] = {
        "time": _iso(rec.time_s),
        "trigger": None if rec.trigger is None else rec.trigger.value,
        "queued_s": _seconds(rec.queued_s),
        "check_s": _seconds(rec.check_s),
        "outcome": rec.outcome.value,
        "blake2b": rec.blake2b,
        "size_bytes": rec.size_bytes,
    }
    return obj


def _ends_mid_line(fh: IO[str]) -> bool:
    fd = fh.fileno()
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


class NdjsonLog:
    """An append-only NDJSON file, one line per record, flushed line by line.

    The file is opened by :func:`qc.safe_io.open_append`: never through a
    link, never a folder, FIFO or device, an audio file (by name or content),
    a ``*.toml`` config, profile or scene, a file with another hard link, or an
    existing file that is not an NDJSON log (does not start with ``{``).

    Args:
        path: The log file; created if missing, appended to otherwise.

    Raises:
        UnsafeTargetError: The file is one of those above.
        OSError: The file cannot be opened for appending.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fh: IO[str] = open_append(self.path, what="log", expect=b"{")
        self._lock = threading.Lock()  # the album re-checks write from their own thread
        if _ends_mid_line(self._fh):  # a kill cut the last line short: start a new one
            self._fh.write("\n")
            self._fh.flush()

    def write(self, rec: Record) -> None:
        """Append one line and flush it.

        Raises:
            OSError: The write failed (disk full, ...).
        """
        self.write_object(record_object(rec))

    def write_object(self, obj: dict[str, Any]) -> None:
        """Append one JSON object as a line and flush it (an album re-check's line).

        Raises:
            OSError: The write failed (disk full, ...).
        """
        line = json.dumps(obj, separators=(",", ":"), allow_nan=False)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        """Close the file. Idempotent."""
        self._fh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def sidecar_path(bounce: str) -> str:
    """Where the sidecar of a bounce goes: next to it, ``NAME`` + ``.qc.json``."""
    return bounce + SIDECAR_SUFFIX


def write_sidecar(rec: Record) -> str:
    """Write the record next to its bounce, atomically (:func:`qc.safe_io.write_file`).

    The sidecar is ours: an existing regular file at its path is replaced, a
    link there is refused and never followed, and the temp file has an
    unpredictable name created exclusively.

    Args:
        rec: The record.

    Returns:
        The sidecar's path.

    Raises:
        UnsafeTargetError: A link, folder, FIFO or audio file is at the sidecar's path.
        OSError: The folder is not writable.
    """
    target = sidecar_path(rec.path)
    text = json.dumps(record_object(rec), indent=2, allow_nan=False) + "\n"
    write_file(target, text, what="sidecar", ours=True)
    return target
