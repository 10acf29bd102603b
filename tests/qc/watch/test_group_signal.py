"""``kill -TERM -PGID`` (what systemd sends): checks in flight end cleanly, nothing lingers."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.qc.watch.procs import descendants
from tests.qc.watch.test_cli_watch import Daemon, epoch, long_bounce

GRACE_S = 2.0


def running(pid: int) -> bool:
    """Whether ``pid`` still runs; a zombie waiting for init to reap it has ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def gone_after(pids: list[int], limit_s: float = 10.0) -> float:
    """Seconds until none of ``pids`` runs any more (``limit_s`` if some still do)."""
    start = time.monotonic()
    while any(running(p) for p in pids):
        if time.monotonic() - start > limit_s:
            return limit_s
        time.sleep(0.01)
    return time.monotonic() - start


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_group_sigterm_with_checks_in_flight(tmp_path: Path) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    staged = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for path in staged:
        long_bounce(path)
    d = Daemon(watched, "--log", log, "--jobs", "2", group=True)
    d.wait_line("watching")
    helpers = descendants(d.proc.pid)
    assert len(helpers) >= 3  # the forkserver and two workers at least
    for path in staged:
        os.replace(path, watched / path.name)  # renamed into place: finished at once
    d.wait_line("checking")
    time.sleep(0.2)  # both checks under way
    sent = time.time()
    # The whole group (SIGINT to it is tested in test_cli_watch): daemon, forkserver, workers.
    os.killpg(d.proc.pid, signal.SIGTERM)
    code = d.proc.wait(30)
    lingered = gone_after(helpers)
    print(f"SIGTERM: helpers gone {lingered:.3f} s after the daemon exited")
    assert d.finish() == code == 0, d.lines
    records = [json.loads(x) for x in log.read_text().splitlines()]
    errors = [r["error"] for r in records if r["error"] is not None]
    assert not errors, errors  # no "internal error: the check did not finish"
    assert {r["event"]["outcome"] for r in records} <= {"checked"}
    assert sorted(Path(r["path"]).name for r in records) == ["a.wav", "b.wav"]
    assert all(epoch(r["event"]["time"]) >= sent - 0.002 for r in records), "ended before"
    assert d.lines[-1].startswith("mixdesk watch: stopped: 2 done (0 failed)"), d.lines
    assert "Traceback" not in "\n".join(d.lines)
    assert lingered <= GRACE_S, f"worker processes outlived the daemon by {lingered:.2f} s"
