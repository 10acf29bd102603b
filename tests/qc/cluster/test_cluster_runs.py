"""``mixdesk check --cluster`` against a real scheduler and workers on 127.0.0.1.

The reference is always a local run of the same files (``mixdesk check``
without a cluster), compared byte for byte: the JSON carries no timings.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.qc.cluster.conftest import MIXDESK, DaskCluster, make_folder, mixdesk, start_cluster


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _log_paths(log: Path) -> list[str]:
    """Paths of the complete records of a log, in order (a line cut by a kill is not one)."""
    out = []
    for raw in log.read_bytes().splitlines():
        try:
            out.append(json.loads(raw)["path"])
        except ValueError:
            continue
    return out


def _wait_for_lines(log: Path, n: int, proc: subprocess.Popen[bytes], bound_s: float = 120) -> None:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        if log.exists() and len(_log_paths(log)) >= n:
            return
        assert proc.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError(f"{log} never had {n} records")


def test_scheduler_and_two_workers_give_the_local_report(
    cluster: DaskCluster, catalogue: tuple[Path, list[str], str, int]
) -> None:
    root, _, local_json, local_rc = catalogue
    run = mixdesk("check", "--cluster", cluster.address, "--format", "json", "cat", cwd=root)
    assert run.returncode == local_rc == 2
    assert run.stdout == local_json  # byte-identical, files in the local order
    assert run.stderr.splitlines() == ["mixdesk: cat/zz_broken.wav: "
                                       + json.loads(local_json)["files"][-1]["error"]]  # fmt: skip
    assert len(json.loads(run.stdout)["files"]) == 60


def test_local_cluster_streams_json_lines_each_file_once(
    catalogue: tuple[Path, list[str], str, int],
) -> None:
    root, names, local_json, local_rc = catalogue
    run = mixdesk("check", "--cluster", "local:2", "--format", "json-lines", "cat", cwd=root)
    assert run.returncode == local_rc
    got = _lines(run.stdout)
    assert sorted(str(o["path"]) for o in got) == [f"cat/{n}" for n in names]  # once each
    by_path = {o["path"]: o for o in got}
    assert [by_path[o["path"]] for o in json.loads(local_json)["files"]] == json.loads(local_json)[
        "files"
    ]


def test_worker_sigkilled_mid_run_loses_and_doubles_nothing(tmp_path: Path) -> None:
    names = make_folder(tmp_path / "cat", 24, seed=7)
    local = mixdesk("check", "--format", "json", "cat", cwd=tmp_path)
    c = start_cluster(tmp_path, 2)
    try:
        log = tmp_path / "run.ndjson"
        proc = subprocess.Popen(
            [MIXDESK, "check", "--cluster", c.address, "--log", str(log), "--format", "json",
             "--output-file", "report.json", "cat"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _wait_for_lines(log, 6, proc)
        victim = c.workers[0]
        os.kill(victim.pid, signal.SIGKILL)  # busy: one task per worker is always running
        victim.wait()
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == local.returncode == 2, err
        assert (tmp_path / "report.json").read_text() == local.stdout
        logged = _log_paths(log)
        assert sorted(logged) == sorted(str(tmp_path / "cat" / n) for n in names)  # exactly once
    finally:
        c.stop()


def test_client_killed_then_resumed_checks_only_what_was_left(
    cluster: DaskCluster, catalogue: tuple[Path, list[str], str, int], tmp_path: Path
) -> None:
    root, names, local_json, local_rc = catalogue
    log = tmp_path / "catalogue.ndjson"
    cmd = [MIXDESK, "check", "--cluster", cluster.address, "--log", str(log), "cat"]
    first = subprocess.Popen([*cmd, "--format", "json-lines"], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _wait_for_lines(log, 15, first)
    first.kill()  # SIGKILL: no clean-up, maybe a line cut short
    first.wait()
    before = _log_paths(log)
    assert 15 <= len(before) < 60
    assert len(set(before)) == len(before)

    second = mixdesk(*cmd[1:], "--format", "json", cwd=root)
    assert second.returncode == local_rc, second.stderr
    assert second.stdout == local_json  # the skipped files come back from the log, in order
    after = _log_paths(log)[len(before) :]
    everything = {str(root / "cat" / n) for n in names}
    # Only what was left was checked: the log's new records are exactly the rest.
    assert sorted(after) == sorted(everything - set(before))
    # A third run with the same log checks nothing and still reports every file.
    third = mixdesk(*cmd[1:], "--format", "json", cwd=root)
    assert third.stdout == local_json
    assert _log_paths(log)[len(before) + len(after) :] == []


def test_path_map_reads_the_workers_tree_and_a_missing_file_fails_alone(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    names = make_folder(tmp_path / "client" / "album", 8, seed=3)
    remote = tmp_path / "worker-mount" / "album"
    shutil.copytree(tmp_path / "client" / "album", remote)
    (remote / names[0]).unlink()  # not on the workers' storage
    # Another content at the worker path: the report must show the workers' file.
    t = np.arange(24000) / 48000
    louder = np.repeat((0.5 * np.sin(2 * np.pi * 1000 * t))[:, None], 2, axis=1)
    sf.write(remote / names[1], louder, 48000, subtype="PCM_16")

    run = mixdesk("check", "--cluster", cluster.address, "--path-map",
                  f"client={tmp_path / 'worker-mount'}", "--path-map", "elsewhere=/nowhere",
                  "--format", "json", "client/album", cwd=tmp_path)  # fmt: skip
    assert run.returncode == 2
    files = {f["path"]: f for f in json.loads(run.stdout)["files"]}
    assert list(files) == [f"client/album/{n}" for n in names]
    missing = files[f"client/album/{names[0]}"]
    assert missing["error"] is not None
    assert missing["measurements"] is None
    assert any(d["code"] == "FMT003" for d in missing["diagnostics"])
    assert f"mixdesk: client/album/{names[0]}: " in run.stderr

    # Every other file reads as a local check of the workers' copy.
    ref = mixdesk("check", "--format", "json", *[f"album/{n}" for n in names[1:]],
                  cwd=tmp_path / "worker-mount")  # fmt: skip
    for obj in json.loads(ref.stdout)["files"]:
        shown = "client/" + str(obj["path"])
        assert files[shown] == {**obj, "path": shown}
    assert files[f"client/album/{names[1]}"]["format"]["subtype"] == "PCM_16"


def test_submission_is_bounded_by_the_window(cluster: DaskCluster, tmp_path: Path) -> None:
    from qc.cluster.client import connect, run_tasks
    from qc.cluster.spec import parse_cluster
    from qc.cluster.task import Task
    from qc.config import ConfigFinder
    from qc.settings import SettingsResolver

    settings = SettingsResolver(ConfigFinder(None)).for_file(str(tmp_path / "x.wav"))
    pulled, delivered, ahead = [0], [], [0]

    def tasks():  # type: ignore[no-untyped-def]
        for i in range(30):
            pulled[0] += 1
            ahead[0] = max(ahead[0], pulled[0] - len(delivered))
            yield Task(i, f"m{i}.wav", str(tmp_path / f"missing{i}.wav"), settings, 60.0)

    with connect(parse_cluster(cluster.address), 30) as client:
        run_tasks(client, tasks(), lambda r: delivered.append(r.index), window=3)
    assert sorted(delivered) == list(range(30))  # each once
    assert ahead[0] == 3  # never more than the window in flight


def test_progress_bar_on_a_terminal_only(cluster: DaskCluster, tmp_path: Path) -> None:
    import pty

    make_folder(tmp_path / "cat", 6, seed=5)
    env = {**os.environ, "CI": "", "TERM": "xterm", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    cmd = [MIXDESK, "check", "--cluster", cluster.address, "--format", "json",
           "--output-file", "r.json", "cat"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 2  # the broken file
    text = seen.decode(errors="replace")
    assert "checking" in text
    assert "files/s" in text
    assert "1 failed" in text  # zz_broken.wav
    assert "6/6" in text
