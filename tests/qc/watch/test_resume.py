"""Resuming from the log: what was never logged is checked on start, nothing twice.

The pure reader is tested on hand-written logs; the daemon in-process with real
inotify; and the real ``mixdesk watch`` killed with SIGKILL in the middle of a
check, then restarted.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

from qc.watch.finished import probe
from qc.watch.job import content_hash
from qc.watch.log import NdjsonLog
from qc.watch.record import Outcome, Trigger
from qc.watch.resume import Logged, read_log, unlogged
from tests.qc.watch.conftest import StartDaemon
from tests.qc.watch.procs import descendants
from tests.qc.watch.test_cli_watch import TIMEOUT_S, Daemon, long_bounce
from tests.qc.watch.writers import HEADER_BYTES, blake2b, tone, truncated, wav_bytes


def line(
    path: str, outcome: str = "checked", digest: str | None = "aa", size: int | None = 10
) -> str:
    event = {"outcome": outcome, "blake2b": digest, "trigger": "closed", "size_bytes": size}
    return json.dumps({"path": path, "error": None, "event": event})


def test_read_log_keeps_the_last_check_per_path_under_the_folders(tmp_path: Path) -> None:
    log = tmp_path / "w.ndjson"
    rows = [
        line("/r/a.wav", digest="11"),
        line("/r/a.wav", digest="22"),  # checked again after a change: the last one counts
        line("/r/sub/b.wav", digest="33"),
        line("/r/gone.wav", digest="44"),
        line("/r/gone.wav", outcome="deleted", digest=None),
        line("/r/cut.wav", outcome="incomplete", digest=None, size=1000),
        line("/r/fixed.wav", outcome="incomplete", digest=None, size=1000),
        line("/r/fixed.wav", digest="77"),  # re-rendered and checked: the last record counts
        line("/rx/other.wav", digest="55"),  # a sibling folder sharing the prefix
        line("/elsewhere/c.wav", digest="66"),
    ]
    log.write_bytes(
        ("\n".join(rows) + "\n").encode()
        + b"not json\n\xff\xfe\n[1, 2]\n"
        + b'{"path": "/r/late.wav", "event": {"outc'  # cut short by a kill
    )
    got = read_log(str(log), ["/r"])
    assert got.hashes == {"/r/a.wav": "22", "/r/sub/b.wav": "33", "/r/fixed.wav": "77"}
    assert got.incomplete == {"/r/cut.wav": 1000}
    assert (got.lines, got.skipped) == (14, 4)


def test_missing_log_is_empty(tmp_path: Path) -> None:
    got = read_log(str(tmp_path / "none.ndjson"), [str(tmp_path)])
    assert (got.hashes, got.lines, got.skipped) == ({}, 0, 0)


def test_unlogged_compares_content_not_names(tmp_path: Path) -> None:
    same, changed, new = (tmp_path / n for n in ("same.wav", "changed.wav", "new.wav"))
    for p in (same, changed, new):
        p.write_bytes(wav_bytes(tone(0.1, freq=300.0 + len(p.name))))
    logged = Logged(hashes={str(same): content_hash(str(same)), str(changed): "0" * 64})
    paths = [str(p) for p in (same, changed, new, tmp_path / "vanished.wav")]
    assert list(unlogged(paths, logged, content_hash, probe)) == paths[1:]


def test_an_aborted_render_logged_incomplete_is_skipped_only_while_unchanged(
    tmp_path: Path,
) -> None:
    data = tone(0.5)
    still, grown, completed = (tmp_path / n for n in ("still.wav", "grown.wav", "done.wav"))
    for p in (still, grown, completed):
        truncated(p, data, keep=0.5)
    size = still.stat().st_size
    logged = Logged(incomplete=dict.fromkeys(map(str, (still, grown, completed)), size))
    with open(grown, "ab") as fh:
        fh.write(b"\0\0")  # the writer went on
    completed.write_bytes(wav_bytes(data[: size - HEADER_BYTES]))  # same size, sizes now agree
    assert completed.stat().st_size == size
    paths = [str(p) for p in (still, grown, completed)]
    assert list(unlogged(paths, logged, content_hash, probe)) == paths[1:]


def test_log_cut_mid_line_gets_a_new_line_before_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "w.ndjson"
    path.write_bytes(line("/r/a.wav").encode() + b"\n" + b'{"path": "/r/b.wa')
    with NdjsonLog(path) as log:
        log._fh.write(line("/r/c.wav") + "\n")
    rows = path.read_bytes().split(b"\n")
    assert rows[1] == b'{"path": "/r/b.wa'
    assert json.loads(rows[2])["path"] == "/r/c.wav"
    assert read_log(str(path), ["/r"]).hashes == {"/r/a.wav": "aa", "/r/c.wav": "aa"}


def test_daemon_checks_on_start_only_what_the_log_does_not_record(
    start_daemon: StartDaemon, tmp_path: Path
) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    logged, edited, never = (watched / n for n in ("logged.wav", "edited.wav", "never.wav"))
    for i, p in enumerate((logged, edited, never)):
        p.write_bytes(wav_bytes(tone(0.25, freq=220.0 * (i + 1))))
        os.utime(p, (1e9, 1e9))
    (tmp_path / "watch.ndjson").write_text(
        line(str(logged), digest=blake2b(logged.read_bytes()))
        + "\n"
        + line(str(edited), digest=blake2b(b"the content it had when it was checked"))
        + "\n"
    )
    h = start_daemon(resume=True, folder=watched)
    for p in (edited, never):
        [rec] = h.display.wait_for(p, Outcome.CHECKED)
        assert rec.trigger is Trigger.INITIAL
    assert "1 bounces already checked, 2 to check" in " ".join(h.display.notes)
    # The logged file's hash is known: rewriting the same bytes is a duplicate.
    logged.write_bytes(logged.read_bytes())
    [dup] = h.display.wait_for(logged, Outcome.DUPLICATE)
    assert dup.blake2b == blake2b(logged.read_bytes())
    assert sorted(r.path for r in h.display.records if r.outcome is Outcome.CHECKED) == sorted(
        [str(edited), str(never)]
    )


def test_resume_remembers_only_the_logged_files_still_there(
    start_daemon: StartDaemon, tmp_path: Path
) -> None:
    """A logged file deleted since is not in the dedup table: the table follows the folder."""
    watched = tmp_path / "watched"
    watched.mkdir()
    kept, deleted = watched / "kept.wav", watched / "deleted.wav"
    content = {p: wav_bytes(tone(0.25, freq=f)) for p, f in ((kept, 330.0), (deleted, 440.0))}
    kept.write_bytes(content[kept])
    (tmp_path / "watch.ndjson").write_text(
        "".join(line(str(p), digest=blake2b(c)) + "\n" for p, c in content.items())
    )
    h = start_daemon(resume=True, folder=watched)
    kept.write_bytes(content[kept])  # still there, same bytes: a duplicate
    h.display.wait_for(kept, Outcome.DUPLICATE)
    deleted.write_bytes(content[deleted])  # re-created after its deletion: a new file, checked
    [rec] = h.display.wait_for(deleted, Outcome.CHECKED)
    assert rec.blake2b == blake2b(content[deleted])


def test_without_resume_the_log_is_not_read(start_daemon: StartDaemon, tmp_path: Path) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "old.wav").write_bytes(wav_bytes(tone(0.25)))
    h = start_daemon(resume=False, folder=watched)
    sentinel = watched / "sentinel.wav"
    sentinel.write_bytes(wav_bytes(tone(0.25)))
    h.display.wait_for(sentinel, Outcome.CHECKED)
    assert [r.path for r in h.display.records] == [str(sentinel)]


def logged_paths(log: Path) -> Counter[str]:
    rows = [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
    return Counter(r["path"] for r in rows if r["event"]["outcome"] == "checked")


def wait_logged(log: Path, want: set[str]) -> Counter[str]:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if log.exists() and want <= set(logged_paths(log)):
            return logged_paths(log)
        time.sleep(0.05)
    raise AssertionError(f"not logged in {TIMEOUT_S} s: {want - set(logged_paths(log))}")


def test_sigkill_mid_check_then_restart_loses_nothing_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    first = watched / "first.wav"
    d = Daemon(watched, "--log", log, "--jobs", "1", group=True)
    d.wait_line("watching")
    first.write_bytes(wav_bytes(tone(0.5)))
    wait_logged(log, {str(first)})
    staged = tmp_path / "long.wav"
    long_bounce(staged)
    os.replace(staged, watched / "long.wav")
    d.wait_line(f"checking {watched / 'long.wav'}")
    os.killpg(d.proc.pid, signal.SIGKILL)  # the daemon and its workers, mid-check
    d.finish()
    assert str(watched / "long.wav") not in logged_paths(log), "the check had already ended"
    while_down = watched / "while_down.wav"
    while_down.write_bytes(wav_bytes(tone(0.5, freq=500.0)))

    again = Daemon(watched, "--log", log, "--jobs", "1", group=True)
    again.wait_line("resuming from")
    want = {str(first), str(watched / "long.wav"), str(while_down)}
    counts = wait_logged(log, want)
    after_wait = watched / "after.wav"
    after_wait.write_bytes(wav_bytes(tone(0.5, freq=700.0)))  # still watching after the catch-up
    counts = wait_logged(log, {*want, str(after_wait)})
    again.proc.send_signal(signal.SIGTERM)
    assert again.finish() == 0, again.lines
    assert counts == Counter(dict.fromkeys([*want, str(after_wait)], 1)), counts
    assert "1 bounces already checked, 2 to check" in again.wait_line("resuming from")
    assert "Traceback" not in "\n".join(d.lines + again.lines)


def test_sigkill_of_the_daemon_alone_leaves_no_worker_behind(tmp_path: Path) -> None:
    """``kill -9 PID`` (not the group): the forkserver and the workers must go too.

    A worker's parent is the forkserver, so they once lived on after the daemon,
    holding their memory, and every restart added more.
    """
    watched = tmp_path / "renders"
    watched.mkdir()
    d = Daemon(watched, "--jobs", "2")
    d.wait_line("watching")
    below = descendants(d.proc.pid)
    assert below, "the pool's processes should exist"
    d.proc.kill()
    d.finish()
    deadline = time.monotonic() + 10
    while (left := {p for p in below if Path(f"/proc/{p}").exists()}) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert not left, f"still running after the daemon died: {left}"
