"""Simulated DAW writers against a real daemon: real files, real observers (inotify and polling).

Each test asserts exactly one check per final content, and that no worker ever
saw partial data: the spy keeps every job result, stale ones included, and each
must carry the hash of the final bytes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from qc.watch.record import Outcome, Trigger
from tests.qc.watch.conftest import Harness, StartDaemon
from tests.qc.watch.writers import (
    blake2b,
    progressive,
    slow_copy,
    temp_then_rename,
    tone,
    truncated,
    wav_bytes,
)

SIGNAL = {"inotify": Trigger.CLOSED, "polling": Trigger.SETTLED}


def assert_one_check_of(h: Harness, path: Path, content: bytes) -> None:
    """Exactly one check of ``path``, of exactly ``content``; no job saw anything else."""
    [rec] = h.display.of(path, Outcome.CHECKED)
    assert rec.blake2b == blake2b(content)
    assert rec.result.error is None, rec.result.error
    assert rec.result.info is not None
    assert rec.result.info.frames == (len(content) - 44) // 2
    assert rec.size_bytes == len(content)
    assert h.spy is not None
    seen = [r for r in h.spy.results if r.path == str(path)]
    assert {r.blake2b for r in seen} == {blake2b(content)}, "a worker read partial data"
    assert not [r for r in seen if r.changed]


def test_progressive_write_at_the_final_path(start_daemon: StartDaemon, observer: str) -> None:
    h = start_daemon(observer=observer)
    path = h.folder / "reaper-render.wav"
    final = progressive(path, tone(2.0), seconds=2.0, chunks=40)
    [rec] = h.display.wait_for(path, Outcome.CHECKED)
    assert rec.trigger is SIGNAL[observer]
    assert_one_check_of(h, path, final)


def test_render_that_stalls_longer_than_the_settle_time(
    start_daemon: StartDaemon, observer: str
) -> None:
    """A slow plugin: the file stays open and still for 1 s mid-render (settle is 0.5 s)."""
    h = start_daemon(observer=observer, abort=3.0)
    path = h.folder / "slow-plugin.wav"
    final = progressive(path, tone(1.0), seconds=0.5, chunks=10, stall_s=1.0)
    h.display.wait_for(path, Outcome.CHECKED)
    assert_one_check_of(h, path, final)
    assert h.display.of(path, Outcome.INCOMPLETE) == []


def test_progressive_write_with_zero_placeholders(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    path = h.folder / "ardour-export.wav"
    final = progressive(path, tone(1.0), seconds=1.0, chunks=20, placeholder=0)
    h.display.wait_for(path, Outcome.CHECKED)
    assert_one_check_of(h, path, final)


def test_temp_file_then_rename(start_daemon: StartDaemon, observer: str) -> None:
    h = start_daemon(observer=observer)
    path = h.folder / "bounce.wav"
    final = temp_then_rename(path, wav_bytes(tone(1.0)), seconds=0.5)
    [rec] = h.display.wait_for(path, Outcome.CHECKED)
    # Polling sees the rename when a poll caught the temp file; else a new file settling.
    allowed = {Trigger.RENAMED} if observer == "inotify" else {Trigger.RENAMED, Trigger.SETTLED}
    assert rec.trigger in allowed
    assert_one_check_of(h, path, final)
    assert h.display.records == [rec]  # the .part file was never looked at


def test_copy_from_elsewhere(start_daemon: StartDaemon, observer: str, tmp_path: Path) -> None:
    h = start_daemon(observer=observer)
    src = tmp_path / "elsewhere.wav"
    src.write_bytes(wav_bytes(tone(1.0, freq=330.0)))
    dest = h.folder / "copied.wav"
    # Final sizes are in the header from the first bytes; the copy stalls longer than the
    # settle time half-way, so only the header check stands between the daemon and half a file.
    final = slow_copy(src, dest, seconds=0.6, stall_s=1.0)
    h.display.wait_for(dest, Outcome.CHECKED)
    assert_one_check_of(h, dest, final)


def test_aborted_render_is_reported_once_it_settles(
    start_daemon: StartDaemon, observer: str
) -> None:
    h = start_daemon(observer=observer)
    path = h.folder / "aborted.wav"
    progressive(path, tone(1.0), seconds=0.5, chunks=10, patch=False)
    [rec] = h.display.wait_for(path, Outcome.INCOMPLETE)
    assert rec.trigger is SIGNAL[observer]
    assert rec.result.error is not None
    assert rec.result.error.startswith("incomplete: header sizes are placeholders")
    assert [d.code for d in rec.result.diagnostics] == ["FMT003"]
    assert h.spy is not None
    assert h.spy.results == [], "an aborted render was checked as if complete"
    line = json.loads(h.log_path.read_text().splitlines()[-1])
    assert line["event"]["outcome"] == "incomplete"
    assert line["diagnostics"][0]["code"] == "FMT003"


def test_truncated_render_is_reported_as_such(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    path = h.folder / "cut.wav"
    data = tone(1.0)
    truncated(path, data, keep=0.4)
    [rec] = h.display.wait_for(path, Outcome.INCOMPLETE)
    assert rec.result.error is not None
    assert f"declares {len(data):,} bytes of audio" in rec.result.error
    assert h.spy is not None
    assert h.spy.results == []


def test_overwrite_by_a_re_render_is_checked_again(
    start_daemon: StartDaemon, observer: str
) -> None:
    h = start_daemon(observer=observer)
    path = h.folder / "mix.wav"
    first = progressive(path, tone(0.5, freq=220.0), seconds=0.3, chunks=6)
    h.display.wait_for(path, Outcome.CHECKED)
    second = progressive(path, tone(0.75, freq=440.0), seconds=0.3, chunks=6)
    recs = h.display.wait_for(path, Outcome.CHECKED, count=2)
    assert [r.blake2b for r in recs] == [blake2b(first), blake2b(second)]
    assert h.spy is not None
    assert {r.blake2b for r in h.spy.results} == {blake2b(first), blake2b(second)}


def test_identical_re_save_is_not_checked_twice(start_daemon: StartDaemon, observer: str) -> None:
    h = start_daemon(observer=observer)
    path = h.folder / "mix.wav"
    content = wav_bytes(tone(0.5))
    path.write_bytes(content)
    h.display.wait_for(path, Outcome.CHECKED)
    path.write_bytes(content)  # the DAW saves the same render again
    h.display.wait_for(path, Outcome.DUPLICATE)
    assert len(h.display.of(path, Outcome.CHECKED)) == 1
    assert len(h.log_path.read_text().splitlines()) == 1  # duplicates are not logged


def test_concurrent_writers_each_checked_once(start_daemon: StartDaemon) -> None:
    """Several DAWs rendering into one folder at the same time."""
    h = start_daemon()
    a, b, c = h.folder / "a.wav", h.folder / "b.wav", h.folder / "c.wav"
    finals: dict[Path, bytes] = {}

    def write(p: Path) -> None:
        if p == a:
            finals[p] = progressive(p, tone(1.0, freq=200.0), seconds=1.0)
        elif p == b:
            finals[p] = temp_then_rename(p, wav_bytes(tone(1.0, freq=300.0)))
        else:
            finals[p] = progressive(p, tone(1.0, freq=400.0), placeholder=0, seconds=0.7)

    threads = [threading.Thread(target=write, args=(p,)) for p in (a, b, c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(finals) == 3
    for p, content in finals.items():
        h.display.wait_for(p, Outcome.CHECKED)
        assert_one_check_of(h, p, content)
