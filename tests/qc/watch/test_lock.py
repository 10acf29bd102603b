"""One daemon per log (or per folder without a log): real processes, a real ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.qc.watch.test_cli_watch import TIMEOUT_S, Daemon, env, mixdesk


def second(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        mixdesk("watch", *args),
        capture_output=True,
        text=True,
        env=env(),
        timeout=TIMEOUT_S,
        check=False,
    )


def assert_refused(proc: subprocess.CompletedProcess[str], pid: int, what: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mixdesk: watch: another mixdesk watch "), lines[0]
    assert f"(pid {pid})" in lines[0]
    assert what in lines[0]
    assert proc.stdout == ""


@pytest.fixture(autouse=True)
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Folder locks (no log) go to a private runtime folder, not the user's."""
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))


def test_second_daemon_on_a_log_refuses_and_a_killed_one_leaves_no_stale_lock(
    tmp_path: Path,
) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    first = Daemon(watched, "--log", log, "--jobs", "1")
    first.wait_line("watching")
    try:
        refused = second(watched, "--log", log, "--jobs", "1")
        assert_refused(refused, first.proc.pid, f"the log {log}")
        # Another spelling of the same log (relative, through a symlink) is the same lock.
        (tmp_path / "alias").symlink_to(tmp_path)
        refused = second(watched, "--log", tmp_path / "alias" / "watch.ndjson")
        assert_refused(refused, first.proc.pid, "watch.ndjson")
        assert log.read_text() == ""  # the refused daemons never wrote to the log
    finally:
        first.proc.kill()  # kill -9: the kernel drops the lock
        first.finish()
    third = Daemon(watched, "--log", log, "--jobs", "1")
    third.wait_line("watching")
    third.proc.send_signal(signal.SIGTERM)
    assert third.finish() == 0, third.lines
    assert not any("another mixdesk watch" in x for x in third.lines)


def test_without_a_log_the_folder_is_locked(tmp_path: Path) -> None:
    watched, other = tmp_path / "renders", tmp_path / "other"
    watched.mkdir()
    other.mkdir()
    first = Daemon(watched, "--jobs", "1")
    first.wait_line("watching")
    try:
        refused = second(other, watched, "--jobs", "1")
        assert_refused(refused, first.proc.pid, f"the folder {watched}")
        fine = Daemon(other, "--jobs", "1")  # another folder: no conflict
        fine.wait_line("watching")
        fine.proc.send_signal(signal.SIGTERM)
        assert fine.finish() == 0, fine.lines
    finally:
        first.proc.send_signal(signal.SIGTERM)
        assert first.finish() == 0


def test_a_log_whose_folder_takes_no_lock_file_is_locked_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qc.watch import lock

    log = tmp_path / "watch.ndjson"
    log.write_text('{"path": "x"}\n')
    # As in a folder this user cannot write to (root cannot be refused one): no lock file.
    monkeypatch.setattr(lock, "log_lock_path", lambda p: str(tmp_path / "nowhere" / "w.lock"))
    held = lock.WatchLock.for_daemon(str(log), (str(tmp_path),))
    try:
        with pytest.raises(lock.LockedError) as refused:
            lock.WatchLock.for_daemon(str(log), (str(tmp_path),))
        assert refused.value.pid is None
        assert "(pid unknown)" in str(refused.value)
    finally:
        held.release()
    assert log.read_text() == '{"path": "x"}\n'  # no PID written into the log
    lock.WatchLock.for_daemon(str(log), (str(tmp_path),)).release()  # free again


def test_a_link_planted_at_the_lock_name_is_never_written_through(tmp_path: Path) -> None:
    from qc.watch.lock import LockedError, WatchLock, log_lock_path

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    log = tmp_path / "qc.ndjson"
    os.symlink(victim, log_lock_path(str(log)))
    with pytest.raises(OSError, match="symbolic links") as info:  # ELOOP, not LockedError
        WatchLock.for_daemon(str(log), (str(tmp_path),))
    assert not isinstance(info.value, LockedError)
    assert victim.read_text() == "keep me\n"
