"""``mixdesk watch`` keeps running when hostile files land in its folder.

The real daemon in a subprocess gets empty, text, truncated, lying, NaN and
escape-named ``.wav`` files, a FIFO, then one good bounce: each gets one log line (an
error for the hostile ones, a measurement for the good one), the daemon is
still alive afterwards, nothing prints a traceback, and SIGTERM exits 0.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.qc.test_hostile_inputs import GOOD, TEXT, float_wav, tone, wav
from tests.qc.watch.test_cli_watch import Daemon

WAIT_S = 60.0

HOSTILE = {
    "empty.wav": b"",
    "notes.wav": TEXT,
    "cut.wav": GOOD[: len(GOOD) // 2],
    "liar.wav": wav(declared=4000),
    "nan.wav": float_wav(np.where(np.arange(480)[:, None] == 100, math.nan, tone(480))),
    "\x1b[31mred.wav": TEXT,
}


def _log_lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    text = log.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.endswith("}")]


def test_daemon_survives_hostile_bounces(tmp_path: Path) -> None:
    watched, staging, log = tmp_path / "renders", tmp_path / "staging", tmp_path / "w.ndjson"
    watched.mkdir()
    staging.mkdir()
    d = Daemon(watched, "--log", log, "--jobs", "1", "--settle", "0.5", "--abort-after", "1")
    try:
        d.wait_line("watching")
        good = wav(data=np.round(tone(48000) * 32767).astype("<i2").tobytes())
        for name, content in [*HOSTILE.items(), ("good.wav", good)]:
            (staging / name).write_bytes(content)
            os.replace(staging / name, watched / name)  # renamed into place: finished
        os.mkfifo(watched / "pipe.wav")  # opening it would wait for a writer forever
        expected = {str(watched / n) for n in [*HOSTILE, "good.wav", "pipe.wav"]}
        deadline = time.monotonic() + WAIT_S
        while {r["path"] for r in _log_lines(log)} != expected and time.monotonic() < deadline:
            assert d.proc.poll() is None, f"the daemon died: {d.lines}"
            time.sleep(0.1)
        rows = _log_lines(log)
        assert sorted(r["path"] for r in rows) == sorted(expected), d.lines  # one line each
        assert d.proc.poll() is None, "the daemon stopped on hostile input"
    finally:
        d.proc.send_signal(signal.SIGTERM)
        code = d.finish()
    assert code == 0, d.lines
    by_name = {Path(r["path"]).name: r for r in rows}
    for name in HOSTILE:
        row = by_name[name]
        assert row["error"], (name, row)
        # empty, cut and liar.wav never look finished: "incomplete" after the settle time
        assert row["event"]["outcome"] in ("checked", "incomplete"), name
        assert row["measurements"] is None, name
        assert any(x["code"] == "FMT003" for x in row["diagnostics"]), name
    pipe = by_name["pipe.wav"]  # checked (not "deleted"), and says what it is
    assert (pipe["event"]["outcome"], pipe["error"]) == ("checked", "not a regular file"), pipe
    ok = by_name["good.wav"]
    assert ok["error"] is None
    assert ok["event"]["outcome"] == "checked"
    peak = ok["measurements"]["sample_peak_dbfs"]
    assert peak == pytest.approx(20 * math.log10(0.25), abs=0.01)
    output = "\n".join(d.lines + d.out)
    assert "Traceback" not in output
    assert "\x1b" not in output
