"""The daemon's bookkeeping on real files: bursts, deletions, changes mid-check, bad files."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import qc.watch.job
from qc.engine import FileResult
from qc.watch.pool import WorkerPool
from qc.watch.record import Outcome, Trigger
from tests.qc.watch.conftest import StartDaemon
from tests.qc.watch.writers import blake2b, progressive, tone, wav_bytes


class Gate:
    """Replaces ``check`` in the (thread) workers: the first call waits for the test."""

    def __init__(self, real: Callable[..., FileResult]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> FileResult:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.release.wait(20), "the test never released the gate"
        return self.real(*args, **kwargs)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    g = Gate(qc.watch.job.check)
    monkeypatch.setattr(qc.watch.job, "check", g)
    yield g
    g.release.set()


def test_200_files_at_once_are_each_checked_once_by_the_process_pool(
    start_daemon: StartDaemon, worker_pool: WorkerPool, observer: str, tmp_path: Path
) -> None:
    h = start_daemon(observer=observer, pool=worker_pool, jobs=worker_pool.workers)
    staging = tmp_path / "staging"
    staging.mkdir()
    contents = {}
    for i in range(200):
        content = wav_bytes(tone(0.25, freq=200.0 + i))
        (staging / f"{i:03}.wav").write_bytes(content)
        contents[h.folder / f"{i:03}.wav"] = content
    for src in sorted(staging.iterdir()):  # dropped at once: 200 renames into the folder
        os.replace(src, h.folder / src.name)
    h.display.wait(lambda d: len(d.records) >= 200, timeout=60)
    for path, content in contents.items():
        [rec] = h.display.of(path)
        assert rec.outcome is Outcome.CHECKED
        assert rec.blake2b == blake2b(content)
        assert rec.result.error is None
    assert 1 <= h.daemon.scheduler.peak_running <= worker_pool.workers  # backpressure
    assert len(h.log_path.read_text().splitlines()) == 200
    h.display.wait(lambda d: d.counts.running == 0 and d.counts.done == 200)
    assert h.display.counts.queued == 0
    assert len(h.daemon.scheduler._tracker) == 0  # nothing kept per file once it is done


def test_deleted_while_being_written_is_dropped_and_logged(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    path = h.folder / "cancelled.wav"
    progressive(path, tone(1.0), seconds=0.3, chunks=6, patch=False)  # closed, still placeholders
    path.unlink()  # the DAW cancels the render and removes its output
    [rec] = h.display.wait_for(path, Outcome.DELETED)
    assert rec.trigger is None
    assert rec.result.error == "deleted before its check"
    sentinel = h.folder / "sentinel.wav"
    sentinel.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert len(h.display.of(path)) == 1  # reported once, never checked
    assert h.spy is not None
    assert [r.path for r in h.spy.results] == [str(sentinel)]
    lines = [json.loads(x) for x in h.log_path.read_text().splitlines()]
    assert [(x["path"], x["event"]["outcome"]) for x in lines] == [
        (str(path), "deleted"),
        (str(sentinel), "checked"),
    ]


def test_deleted_while_queued_is_dropped(start_daemon: StartDaemon, gate: Gate) -> None:
    h = start_daemon(jobs=1)
    busy, queued = h.folder / "busy.wav", h.folder / "queued.wav"
    busy.write_bytes(wav_bytes(tone(0.25)))
    assert gate.entered.wait(10)
    queued.write_bytes(wav_bytes(tone(0.25, freq=300.0)))
    h.display.wait(lambda d: d.counts.queued == 1)  # finished, waiting for the one worker
    queued.unlink()
    [rec] = h.display.wait_for(queued, Outcome.DELETED)
    assert rec.trigger is Trigger.CLOSED
    gate.release.set()
    h.display.wait_for(busy, Outcome.CHECKED)
    assert h.spy is not None
    assert [r.path for r in h.spy.results] == [str(busy)]


def test_deleted_during_its_check_is_dropped(start_daemon: StartDaemon, gate: Gate) -> None:
    h = start_daemon(jobs=1)
    path = h.folder / "doomed.wav"
    path.write_bytes(wav_bytes(tone(0.25)))
    assert gate.entered.wait(10)
    path.unlink()
    gate.release.set()
    [rec] = h.display.wait_for(path, Outcome.DELETED)
    assert rec.result.error == "deleted before its check finished"
    assert rec.check_s is not None
    assert h.display.of(path, Outcome.CHECKED) == []


def test_changed_during_its_check_is_checked_again(start_daemon: StartDaemon, gate: Gate) -> None:
    h = start_daemon(jobs=1)
    path = h.folder / "mix.wav"
    old = wav_bytes(tone(0.25, freq=220.0))
    path.write_bytes(old)
    assert gate.entered.wait(10)
    new = wav_bytes(tone(0.5, freq=440.0))
    path.write_bytes(new)  # a re-render lands while the old one is being checked
    gate.release.set()
    [rec] = h.display.wait_for(path, Outcome.CHECKED)
    assert rec.blake2b == blake2b(new)
    assert rec.result.info is not None
    assert rec.result.info.frames == 4000
    assert any("changed during its check" in n for n in h.display.notes)
    assert h.spy is not None
    assert [r.changed for r in h.spy.results] == [True, False]
    assert len(h.log_path.read_text().splitlines()) == 1  # the stale check is not logged


def test_unreadable_bounce_is_a_finding_and_the_daemon_goes_on(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    bad, good = h.folder / "broken.wav", h.folder / "good.wav"
    bad.write_bytes(b"not audio at all" * 64)
    good.write_bytes(wav_bytes(tone(0.25)))
    [rec] = h.display.wait_for(bad, Outcome.CHECKED)
    h.display.wait_for(good, Outcome.CHECKED)
    assert rec.result.error is not None
    assert [d.code for d in rec.result.diagnostics] == ["FMT003"]
    lines = {json.loads(x)["path"]: json.loads(x) for x in h.log_path.read_text().splitlines()}
    assert lines[str(bad)]["diagnostics"][0]["code"] == "FMT003"
    assert lines[str(good)]["error"] is None


def test_temp_hidden_and_side_files_are_never_checked(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    content = wav_bytes(tone(0.25))
    ignored = [
        ".hidden.wav",
        "a.wav.tmp",
        "a.wav.part",
        "a.wav~",
        "a.wav.reapeaks",
        "a.pkf",
        "a.wav.asd",
        "a.wav.peak",
        "aB3xYz",
        "notes.txt",
    ]
    for name in ignored:
        (h.folder / name).write_bytes(content)
    sentinel = h.folder / "sentinel.wav"
    sentinel.write_bytes(content)
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert [r.path for r in h.display.records] == [str(sentinel)]


def test_initial_checks_what_is_already_there(start_daemon: StartDaemon, tmp_path: Path) -> None:
    watched = tmp_path / "watched"
    (watched / "sub").mkdir(parents=True)
    old = watched / "old.wav"
    old.write_bytes(wav_bytes(tone(0.25)))
    os.utime(old, (1e9, 1e9))  # written long ago
    (watched / "sub" / "deep.wav").write_bytes(wav_bytes(tone(0.25)))
    (watched / ".hidden.wav").write_bytes(wav_bytes(tone(0.25)))
    h = start_daemon(initial=True, folder=watched)
    [rec] = h.display.wait_for(old, Outcome.CHECKED)
    assert rec.trigger is Trigger.INITIAL
    assert rec.queued_s is not None
    assert rec.queued_s < 0.5  # an old file needs no settle time
    sentinel = watched / "sentinel.wav"
    sentinel.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert sorted(r.path for r in h.display.records) == [str(old), str(sentinel)]  # not recursive


def test_without_initial_existing_files_are_left_alone(
    start_daemon: StartDaemon, tmp_path: Path
) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "old.wav").write_bytes(wav_bytes(tone(0.25)))
    h = start_daemon(folder=watched)
    sentinel = watched / "sentinel.wav"
    sentinel.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert [r.path for r in h.display.records] == [str(sentinel)]


def test_recursive_watches_new_sub_folders(start_daemon: StartDaemon, observer: str) -> None:
    h = start_daemon(observer=observer, recursive=True)
    sub = h.folder / "Bounces" / "2026"
    sub.mkdir(parents=True)
    path = sub / "mix.wav"
    final = progressive(path, tone(0.5), seconds=0.3, chunks=6)
    [rec] = h.display.wait_for(path, Outcome.CHECKED)
    assert rec.blake2b == blake2b(final)


def test_sidecar_next_to_the_bounce_and_it_triggers_nothing(start_daemon: StartDaemon) -> None:
    h = start_daemon(sidecar=True)
    path = h.folder / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(path, Outcome.CHECKED)
    sidecar = h.folder / "mix.wav.qc.json"
    side = json.loads(sidecar.read_text())
    assert side == json.loads(h.log_path.read_text().splitlines()[0])
    sentinel = h.folder / "sentinel.wav"
    sentinel.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert len(h.display.records) == 2
    assert sorted(p.name for p in h.folder.iterdir()) == [
        "mix.wav",
        "mix.wav.qc.json",
        "sentinel.wav",
        "sentinel.wav.qc.json",
    ]


def test_renaming_a_checked_bounce_does_not_check_it_again(start_daemon: StartDaemon) -> None:
    h = start_daemon()
    path = h.folder / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(path, Outcome.CHECKED)
    renamed = h.folder / "mix_final.wav"
    os.rename(path, renamed)
    [rec] = h.display.wait_for(renamed, Outcome.DUPLICATE)
    assert rec.trigger is Trigger.RENAMED
    assert len([r for r in h.display.records if r.outcome is Outcome.CHECKED]) == 1


def test_deleting_the_watched_folder_stops_the_daemon(
    start_daemon: StartDaemon, tmp_path: Path
) -> None:
    h = start_daemon(folder=tmp_path / "gone")
    shutil.rmtree(h.folder)
    assert h.daemon.wait(10)
    assert h.daemon.exit_code == 2
    assert any("the watched folder was deleted" in n for n in h.display.notes)


def test_an_observer_that_cannot_start_is_a_one_line_error(tmp_path: Path) -> None:
    from qc.cli.watch import make_plan
    from qc.config import Config
    from qc.profiles import ProfileCache
    from qc.watch.daemon import Daemon, Options, WatchError
    from tests.qc.watch.conftest import RecordingDisplay

    def no_watches() -> tuple[Any, str]:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path))

    plan = make_plan(Config(path=None, root=tmp_path), ProfileCache())
    daemon = Daemon(
        Options(folders=(str(tmp_path),)),
        plan=plan,
        submit=lambda job: Future(),
        jobs=1,
        display=RecordingDisplay(),
        observer_factory=no_watches,
    )
    with pytest.raises(WatchError) as info:
        daemon.start()
    assert str(info.value) == (
        f"cannot watch {tmp_path}: No space left on device "
        "(inotify limit reached: raise fs.inotify.max_user_watches, or use --poll)"
    )
    assert daemon.scheduler.join(0)  # no thread left behind
