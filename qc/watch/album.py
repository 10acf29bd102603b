"""Albums in the watch daemon: a finished re-render of a track re-checks its album.

When a checked bounce's folder holds an ``album.toml`` that lists it, the
album is judged again (:func:`qc.album.check.judge_album`) on a thread of its
own, so the scheduler never waits (the bounces already there at start-up are
only kept): the tracks the daemon has checked are taken
from its results (a cached result is used only while the file's size and mtime
are unchanged), the others are checked there. Several tracks finishing
together make one re-check, not one each. The album's findings go to the
display, one line each, and to the NDJSON log as one line::

    {"path": ".../album.toml", "event": {"outcome": "album", "time": ..., "trigger": "<track>",
     "blake2b": null, "size_bytes": null, ...}, "album": {mixdesk.album/1 without the tracks'
     checks}}

which the log reader takes as a record of the album file, not of a bounce.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from qc.album.check import TrackRun, album_settings_path, judge_album, measure_track, track_run
from qc.album.spec import ALBUM_FILE, AlbumSpec, load_album
from qc.engine import FileResult
from qc.errors import QCError
from qc.printable import printable
from qc.report.text_report import finding_line
from qc.settings import Settings

__all__ = ["AlbumWatch", "album_log_object"]

Plan = Callable[[str], Settings]
"""Resolves the settings of a path (the daemon's, so the album is judged as its tracks are)."""

Stamp = tuple[int, int]
"""A file's size and mtime (ns): a cached result is used while they are unchanged."""


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def album_log_object(document: dict[str, Any], trigger: str) -> dict[str, Any]:
    """The log line of an album re-check.

    Args:
        document: The ``mixdesk.album/1`` document.
        trigger: The track whose re-render caused it.

    Returns:
        A log object: ``path`` (the album file), ``event`` and ``album`` (the
        document without each track's own check, which has its own line).
    """
    album = dict(document)
    album["tracks"] = [{k: v for k, v in t.items() if k != "check"} for t in document["tracks"]]
    moment = dt.datetime.now(tz=dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "path": document["path"],
        "event": {"time": moment, "trigger": trigger, "outcome": "album", "blake2b": None,
                  "size_bytes": None},
        "album": album,
    }  # fmt: skip


class AlbumWatch:
    """Re-checks albums when their tracks are re-rendered.

    Args:
        plan: Resolves a path's settings.
        note: Shows one line (the display's ``note``).
        write: Appends one object to the log, or ``None`` without a log.
    """

    def __init__(
        self,
        plan: Plan,
        note: Callable[[str], None],
        write: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self._plan = plan
        self._note = note
        self._write = write
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Stamp, TrackRun]] = {}
        self._pending: dict[str, str] = {}  # album file -> the track that triggered it
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="album")
        self.rechecks = 0

    def checked(self, result: FileResult, *, rerender: bool = True) -> None:
        """A bounce was checked: keep its result; re-check its album if it is in one.

        Cheap (a ``stat`` and a dict), so it runs on the scheduler's thread.

        Args:
            result: The bounce's check.
            rerender: It was rendered while the daemon watched; ``False`` for a
                file already there at start-up, which is only kept for later.
        """
        path = os.path.abspath(result.path)
        album = os.path.join(os.path.dirname(path), ALBUM_FILE)
        if result.measurements is None or not os.path.isfile(album):
            return
        stamp = _stamp(path)
        if stamp is None:
            return
        with self._lock:
            self._cache[path] = (stamp, TrackRun(result, None, None))
            if not rerender or album in self._pending:
                return  # one re-check for tracks finishing together
            self._pending[album] = path
        self._pool.submit(self._recheck, album)

    def _recheck(self, album: str) -> None:
        time.sleep(0.2)  # let the other tracks of a batch render join this re-check
        with self._lock:
            trigger = self._pending.pop(album)
        try:
            spec = load_album(album)
        except QCError as err:
            self._note(f"album {printable(album)}: {printable(str(err))}")
            return
        if not any(os.path.abspath(t.path) == trigger for t in spec.tracks):
            return  # the album does not list this bounce
        try:
            done = judge_album(spec, [self._run(t.path) for t in spec.tracks], self._album(spec))
        except QCError as err:
            self._note(f"album {printable(album)}: {printable(str(err))}")
            return
        self.rechecks += 1
        r = done.result
        loud = r.loudness.integrated_lufs
        level = "no loudness" if loud is None else f"{loud:.1f} LUFS"
        self._note(
            f"album {printable(album)} re-checked after {printable(trigger)}: "
            f"{len(r.tracks)} tracks, {level}, {len(done.diagnostics)} album findings"
        )
        for d in done.diagnostics:
            self._note(finding_line(album, d))
        if self._write is not None:
            try:
                self._write(album_log_object(done.document, trigger))
            except (OSError, ValueError) as err:
                self._note(f"cannot write the album to the log: {err}")

    def _album(self, spec: AlbumSpec) -> Settings:
        return self._plan(album_settings_path(spec))

    def _run(self, path: str) -> TrackRun:
        """A track's run: the daemon's result while the file is unchanged, else a check here."""
        key = os.path.abspath(path)
        stamp = _stamp(key)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] == stamp:
            return track_run(cached[1].result)
        try:
            settings = self._plan(path)
        except QCError:
            settings = Settings(())
        run = (
            measure_track((path, settings))
            if settings.profiles
            else track_run(FileResult(path, None, None, "its settings cannot be resolved"))
        )
        if stamp is not None and run.result.measurements is not None:
            with self._lock:
                self._cache[key] = (stamp, run)
        return run

    def close(self) -> None:
        """Finish the re-checks in flight."""
        self._pool.shutdown(wait=True)
