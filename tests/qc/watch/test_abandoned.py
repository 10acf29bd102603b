"""An abandoned render gets one ``incomplete`` record; a symlink loop is not "deleted"."""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path

from qc.watch.record import Outcome
from tests.qc.watch.conftest import StartDaemon
from tests.qc.watch.writers import PLACEHOLDER, blake2b, header, tone


def test_abandoned_render_closed_later_is_reported_once_then_checked(
    start_daemon: StartDaemon,
) -> None:
    h = start_daemon(settle=0.5, abort=1.0)
    path = h.folder / "abandoned.wav"
    data = tone(0.5)
    with open(path, "wb") as fh:
        fh.write(header(1, 8000, PLACEHOLDER, PLACEHOLDER) + data[: len(data) // 2])
        fh.flush()
        # The writer stalls with the file open: reported once, after --abort-after.
        h.display.wait_for(path, Outcome.INCOMPLETE)
    # ... and closes it, unchanged, much later: the same abandoned render, no second record.
    time.sleep(0.5 + 1.0)  # settle, and a margin for the look that used to report it again
    assert len(h.display.of(path, Outcome.INCOMPLETE)) == 1, h.display.records
    # The writer resumes and finishes it: its real check.
    with open(path, "r+b") as fh:
        fh.seek(0, os.SEEK_END)
        fh.write(data[len(data) // 2 :])
        fh.seek(4)
        fh.write(struct.pack("<I", 36 + len(data)))
        fh.seek(40)
        fh.write(struct.pack("<I", len(data)))
    [checked] = h.display.wait_for(path, Outcome.CHECKED)
    assert checked.result.error is None
    assert checked.blake2b == blake2b(header(1, 8000, len(data)) + data)
    assert len(h.display.of(path, Outcome.INCOMPLETE)) == 1
    logged = [json.loads(x)["event"]["outcome"] for x in h.log_path.read_text().splitlines()]
    assert logged == ["incomplete", "checked"]


def test_abandoned_render_closed_after_a_restart_is_not_reported_again(
    start_daemon: StartDaemon, tmp_path: Path
) -> None:
    first = start_daemon(settle=0.5, abort=1.0)
    path = first.folder / "abandoned.wav"
    data = tone(0.5)
    with open(path, "wb") as fh:
        fh.write(header(1, 8000, PLACEHOLDER, PLACEHOLDER) + data[: len(data) // 2])
        fh.flush()
        first.display.wait_for(path, Outcome.INCOMPLETE)
        first.stop()
        first.log.close()
        second = start_daemon(settle=0.5, abort=1.0, resume=True)  # the same log, read back
    time.sleep(0.5 + 1.0)
    assert second.display.of(path) == [], second.display.records
    lines = tmp_path.joinpath("watch.ndjson").read_text().splitlines()
    assert [json.loads(x)["event"]["outcome"] for x in lines] == ["incomplete"]


def test_symlink_loop_is_reported_as_such_not_deleted(start_daemon: StartDaemon) -> None:
    h = start_daemon(settle=0.3, abort=0.6)
    loop_a, loop_b = h.folder / "loop_a.wav", h.folder / "loop_b.wav"
    loop_a.symlink_to(loop_b.name)
    loop_b.symlink_to(loop_a.name)
    for path in (loop_a, loop_b):
        [rec] = h.display.wait_for(path, Outcome.CHECKED)
        assert rec.result.error is not None
        assert rec.result.error == "symbolic link loop"  # what `mixdesk check` says
        assert [d.code for d in rec.result.diagnostics] == ["FMT003"]
    time.sleep(0.6)
    assert not [r for r in h.display.records if r.outcome is Outcome.DELETED], h.display.records
    assert len(h.display.records) == 2


def test_dangling_symlink_is_reported_as_such_not_deleted(start_daemon: StartDaemon) -> None:
    h = start_daemon(settle=0.3, abort=0.6)
    link = h.folder / "mix.wav"
    link.symlink_to(h.folder / "nowhere" / "mix.wav")
    [rec] = h.display.wait_for(link, Outcome.CHECKED)
    assert rec.result.error is not None
    assert rec.result.error.startswith("broken symbolic link")
    assert [d.code for d in rec.result.diagnostics] == ["FMT003"]
    assert not h.display.of(link, Outcome.DELETED)
