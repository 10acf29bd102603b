"""``--codec-preview`` on ``mixdesk watch`` (a real daemon) and in the Python API.

The references are ``mixdesk check --format json --codec-preview`` run as a
subprocess on the same file: FFmpeg's encoders are deterministic, so the same
master gives the same decoded levels in the daemon's worker, in the API and on
the command line (only the wall times differ).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

import qc
from qc.errors import UsageError
from tests.qc.codec.test_preview import RATE, dense_master
from tests.qc.watch.test_cli_watch import Daemon

TIMED = ("seconds",)


def cli_preview(path: Path, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", "--format", "json", *args, str(path)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    preview: dict[str, Any] = json.loads(proc.stdout)["files"][0]["codec_preview"]
    return preview


def untimed(preview: dict[str, Any]) -> dict[str, Any]:
    """The preview object without its wall times."""
    out = {k: v for k, v in preview.items() if k not in TIMED}
    out["codecs"] = [{k: v for k, v in c.items() if k not in TIMED} for c in preview["codecs"]]
    return out


def test_watch_previews_each_bounce(tmp_path: Path, rng: np.random.Generator) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    staged = tmp_path / "hot.wav"
    sf.write(staged, dense_master(rng, -0.1, 2.0), RATE, subtype="FLOAT")
    expected = cli_preview(staged, "--codec-preview", "aac-256,mp3-320")
    d = Daemon(watched, "--log", log, "--jobs", "1", "--codec-preview", "aac-256,mp3-320")
    try:
        d.wait_line("watching")
        os.replace(staged, watched / "hot.wav")  # renamed into place: finished at once
        d.wait_line("hot.wav")
    finally:
        d.proc.terminate()
        assert d.finish() == 0, d.lines
    [line] = [json.loads(x) for x in log.read_text().splitlines()]
    assert line["error"] is None
    preview = line["codec_preview"]
    assert [c["spec"] for c in preview["codecs"]] == ["aac-256", "mp3-320"]
    assert untimed(preview) == untimed(expected)
    flagged = [f for f in line["diagnostics"] if f["code"] == "TP002"]
    assert {f["message"].split()[0] for f in flagged} == {"aac-256", "mp3-320"}


def test_watch_refuses_a_bad_spec_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "watch", str(tmp_path), "--codec-preview", "flac-900"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "unknown codec 'flac'" in proc.stderr


def test_api_preview_equals_the_cli_json(tmp_path: Path, rng: np.random.Generator) -> None:
    master = tmp_path / "hot.wav"
    sf.write(master, dense_master(rng, -0.1, 2.0), RATE, subtype="FLOAT")
    result = qc.check(master, codec_preview=["aac-256", "opus-160"])
    assert result.codec_preview is not None
    expected = cli_preview(master, "--codec-preview", "aac-256,opus-160")
    got = result.codec_preview
    assert got.requested == tuple(expected["requested"])
    for mine, theirs in zip(got.codecs, expected["codecs"], strict=True):
        assert mine.spec == theirs["spec"]
        assert mine.true_peak_dbtp == theirs["true_peak_dbtp"]
        assert mine.sample_peak_dbfs == theirs["sample_peak_dbfs"]
        assert mine.integrated_lufs == theirs["integrated_lufs"]
        assert mine.clipped_samples == theirs["clipped_samples"]
        assert list(mine.worst_times_s) == theirs["worst_times_s"]
    assert any(d.code == "TP002" for d in result.diagnostics)
    # A string works as on the command line; a bad spec is a UsageError naming it.
    again = qc.check(master, codec_preview="aac-256")
    assert again.codec_preview is not None
    assert [c.spec for c in again.codec_preview.codecs] == ["aac-256"]
    with pytest.raises(UsageError, match="aac-9999"):
        qc.check(master, codec_preview=["aac-9999"])


def test_a_plain_check_loads_neither_pyav_nor_the_coders(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -3.0, 1.0), RATE, subtype="FLOAT")
    code = (
        "import sys\nfrom qc.cli.main import main\ntry:\n    main(sys.argv[1:])\nfinally:\n"
        "    print(sorted(m for m in ('av', 'qc.codec.stages', 'qc.codec.roundtrip') "
        "if m in sys.modules), file=sys.stderr)\n"
    )

    def loaded(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", code, "check", "--format", "json", *args, str(master)],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        return proc.stderr.strip().splitlines()[-1]

    assert loaded() == "[]"
    # The same probe sees them when a preview is asked for.
    assert loaded("--codec-preview", "mp3-320") == "['av', 'qc.codec.roundtrip', 'qc.codec.stages']"


def test_with_another_thread_running_the_preview_starts_clean_processes(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    """A fork beside a busy thread could copy a held lock: then forkserver, same results."""
    import threading

    from qc.codec import parse_specs
    from qc.codec.preview import run_preview
    from qc.codec.stages import _context

    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -1.0, 1.0), RATE, subtype="FLOAT")
    specs = parse_specs("aac-256,opus-160")
    assert _context().get_start_method() == "fork"
    forked = run_preview(str(master), specs, -1.0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # an application's own (non-daemon) thread
    other.start()
    try:
        assert _context().get_start_method() in ("forkserver", "spawn")
        served = run_preview(str(master), specs, -1.0)
    finally:
        stop.set()
        other.join()
    for a, b in zip(forked.codecs, served.codecs, strict=True):
        assert b.error is None, b.error
        assert (a.true_peak_dbtp, a.integrated_lufs) == (b.true_peak_dbtp, b.integrated_lufs)
