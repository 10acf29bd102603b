"""``mixdesk watch`` as a real process: one-line usage errors, and a graceful stop on signals."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import numpy as np
import pytest
import soundfile as sf

from tests.qc.watch.procs import descendants

TIMEOUT_S = 30.0


def env() -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", COLUMNS="100")


def mixdesk(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "qc", *(os.fspath(a) for a in args)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["watch", "{tmp}/missing"], "watch: no such folder: {tmp}/missing"),
        (["watch", "{tmp}/file.wav"], "watch: not a folder: {tmp}/file.wav"),
        (["watch", "{tmp}", "--profile", "nope"], "unknown profile 'nope'"),
        (["watch", "{tmp}", "--log", "{tmp}/no/such/dir/w.ndjson"],
         "cannot write the log {tmp}/no/such/dir/w.ndjson: No such file or directory"),
        (["watch", "{tmp}", "--log", "{tmp}"], "cannot write the log {tmp}: Is a directory"),
        (["watch", "{tmp}", "--settle", "0"], "seconds must be above 0"),
        (["watch", "{tmp}", "--settle", "soon"], "not a number of seconds: 'soon'"),
        (["watch", "{tmp}", "--settle", "5", "--abort-after", "1"],
         "--abort-after (1 s) must not be below --settle (5 s)"),
        (["watch", "{tmp}", "--jobs", "0"], "must be at least 1"),
        (["watch"], "the following arguments are required: DIR"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "file.wav").write_bytes(b"RIFF")
    argv = [a.format(tmp=tmp_path) for a in args]
    proc = subprocess.run(
        mixdesk(*argv), capture_output=True, text=True, env=env(), timeout=TIMEOUT_S, check=False
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mixdesk: ")
    assert expected.format(tmp=tmp_path) in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


class Daemon:
    """``mixdesk watch`` in a subprocess, its stderr read line by line as it comes."""

    def __init__(self, *args: str | os.PathLike[str], group: bool = False) -> None:
        self.proc = subprocess.Popen(
            mixdesk("watch", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            start_new_session=group,
        )
        self.lines: list[str] = []
        self.out: list[str] = []
        self._cond = threading.Condition()
        assert self.proc.stderr is not None
        assert self.proc.stdout is not None
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stderr, self.lines)),
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out)),
        ]
        for t in self._threads:
            t.start()

    def _read(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            with self._cond:
                into.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_line(self, needle: str) -> str:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: any(needle in x for x in self.lines) or self.proc.poll() is not None,
                TIMEOUT_S,
            )
            found = [x for x in self.lines if needle in x]
        assert ok, f"timed out waiting for {needle!r}; stderr so far: {self.lines}"
        assert found, f"no line with {needle!r}; stderr: {self.lines}"
        return found[0]

    def finish(self) -> int:
        try:
            code = self.proc.wait(TIMEOUT_S)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for t in self._threads:
                t.join(TIMEOUT_S)
        return code


def long_bounce(path: Path) -> None:
    """20 s of 48 kHz stereo: a check long enough (about 1 s) to be caught mid-way."""
    rng = np.random.default_rng(7)
    t = np.arange(48000 * 20) / 48000
    x = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.01 * rng.standard_normal((len(t), 2))
    sf.write(path, x, 48000, subtype="PCM_24")


def epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("how", ["SIGTERM to the daemon", "SIGINT to the process group"])
def test_signal_finishes_the_check_in_flight_then_exits_0(tmp_path: Path, how: str) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    staged = tmp_path / "mix.wav"
    long_bounce(staged)
    d = Daemon(watched, "--log", log, "--jobs", "1", group=how.endswith("group"))
    d.wait_line("watching")
    os.replace(staged, watched / "mix.wav")  # renamed into place: finished at once
    d.wait_line("checking")
    sent = time.time()
    if how.endswith("group"):
        os.killpg(d.proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        d.proc.send_signal(signal.SIGTERM)
    assert d.finish() == 0, d.lines
    [line] = [json.loads(x) for x in log.read_text().splitlines()]
    assert line["path"] == str(watched / "mix.wav")
    assert line["error"] is None
    assert line["event"]["outcome"] == "checked"
    assert line["event"]["trigger"] == "renamed"
    assert epoch(line["event"]["time"]) >= sent - 0.002, "the check had ended before the signal"
    assert any("finishing the checks in flight" in x for x in d.lines)
    assert d.lines[-1].startswith("mixdesk watch: stopped: 1 done")
    assert any(x.startswith(f"{watched / 'mix.wav'}: wav/pcm PCM_24") for x in d.out)  # a pipe
    assert "Traceback" not in "\n".join(d.lines)


def test_idle_daemon_stops_at_once_and_reports_unfinished_files(tmp_path: Path) -> None:
    watched = tmp_path / "renders"
    watched.mkdir()
    d = Daemon(watched, "--settle", "30", "--abort-after", "60")
    d.wait_line("watching")
    with open(watched / "growing.wav", "wb") as fh:
        fh.write(b"RIFF\xff\xff\xff\xffWAVE")
        fh.flush()
        time.sleep(0.3)  # let the daemon see it, then stop while it is still open
        start = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        assert d.finish() == 0
    assert time.monotonic() - start < 5.0
    assert "1 files still being written or queued were not checked" in d.lines[-1]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_second_signal_gives_up_at_once_and_leaves_no_process(tmp_path: Path) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    staged = tmp_path / "mix.wav"
    long_bounce(staged)
    d = Daemon(watched, "--log", log, "--jobs", "1")
    d.wait_line("watching")
    helpers = descendants(d.proc.pid)
    assert len(helpers) >= 2  # the forkserver and a worker at least
    os.replace(staged, watched / "mix.wav")
    d.wait_line("checking")
    d.proc.send_signal(signal.SIGINT)
    d.wait_line("finishing the checks in flight")
    d.proc.send_signal(signal.SIGINT)
    code = d.finish()
    assert code == 130, "\n".join(d.lines)
    assert log.read_text() == ""  # the abandoned check is not reported as a finding
    deadline = time.monotonic() + 10
    while (alive := {p for p in helpers if Path(f"/proc/{p}").exists()}) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert not alive, "worker processes outlived the daemon"
