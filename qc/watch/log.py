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
so a reader never sees half of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from types import TracebackType
from typing import IO, Any, Self

from qc.report.json_report import file_object
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


def _ends_mid_line(path: str) -> bool:
    with open(path, "rb") as fh:
        if fh.seek(0, os.SEEK_END) == 0:
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


class NdjsonLog:
    """An append-only NDJSON file, one line per record, flushed line by line.

    Args:
        path: The log file; created if missing, appended to otherwise.

    Raises:
        OSError: The file cannot be opened for appending.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if os.path.isdir(self.path):
            raise IsADirectoryError(21, "Is a directory", self.path)
        self._fh: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        if _ends_mid_line(self.path):  # a kill cut the last line short: start a new one
            self._fh.write("\n")
            self._fh.flush()

    def write(self, rec: Record) -> None:
        """Append one line and flush it.

        Raises:
            OSError: The write failed (disk full, ...).
        """
        line = json.dumps(record_object(rec), separators=(",", ":"), allow_nan=False)
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
    """Write the record next to its bounce, atomically (hidden temp file, then rename).

    Args:
        rec: The record.

    Returns:
        The sidecar's path.

    Raises:
        OSError: The folder is not writable.
    """
    target = sidecar_path(rec.path)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    text = json.dumps(record_object(rec), indent=2, allow_nan=False) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
