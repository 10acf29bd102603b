"""qc.safe_io and the commands that write through it (issue 17).

No write follows a link or lands on a file it did not create: the rules of
:func:`qc.safe_io.refusal` on real files, links, hard links and FIFOs, then
``mixdesk check --output-file`` and ``mixdesk watch --log`` as subprocesses.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qc.safe_io import (
    UnsafeTargetError,
    create_new,
    ensure_writable,
    open_append,
    refusal,
    write_file,
)
from tests.qc.watch.writers import tone, wav_bytes

MIXDESK = str(Path(sys.executable).with_name("mixdesk"))


def mixdesk(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [MIXDESK, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture
def mix(tmp_path: Path) -> Path:
    path = tmp_path / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.2)))
    return path


# ---- the rules ----


def test_always_refused_whatever_force(tmp_path: Path, mix: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("x")
    (tmp_path / "link.txt").symlink_to(victim)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo.txt")
    renamed = tmp_path / "mix.txt"
    renamed.write_bytes(mix.read_bytes())  # audio by its first bytes
    cases = {
        "link.txt": "it is a symbolic link",
        "dangling.txt": "it is a symbolic link",
        "fifo.txt": "it is not a regular file (a FIFO, socket or device)",
        ".": "it is a folder",
        "mix.wav": "it is an audio file",
        "new.FLAC": "it is an audio file",
        "mix.txt": "it is an audio file",
        "mixdesk.toml": "it is a mixdesk config",
        "pyproject.toml": "it is a mixdesk config",
        "spotify.toml": "it is a TOML file (a config, profile or scene)",
    }
    for name, reason in cases.items():
        assert refusal(tmp_path / name, force=True, ours=True) == reason, name
    assert refusal(tmp_path / "pyproject.toml", toml=True, force=True) == "it is a mixdesk config"
    assert refusal(Path("/dev/null"), force=True) == cases["fifo.txt"]


def test_an_existing_file_needs_force_unless_it_is_ours(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    assert refusal(path) is None
    path.write_text("old")
    assert refusal(path) == "it already exists (--force replaces it)"
    assert refusal(path, force=True) is None
    assert refusal(path, ours=True) is None
    assert refusal(tmp_path / "scene.toml", toml=True) is None


def test_write_file_renames_a_private_temp_file_into_place(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    write_file(path, "one\n")
    path_b = tmp_path / "b.txt"
    path_b.write_text("old")
    (tmp_path / "hard.txt").hardlink_to(path_b)  # replaced by the rename, never written into
    write_file(path_b, "new\n", force=True)
    assert path.read_text() == "one\n"
    assert path_b.read_text() == "new\n"
    assert (tmp_path / "hard.txt").read_text() == "old"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt", "hard.txt", "report.txt"]
    with pytest.raises(UnsafeTargetError, match=r"report.txt: refusing to write the report there"):
        write_file(path, "two\n", what="report")
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "missing" / "r.txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt", "hard.txt", "report.txt"]


def test_ensure_writable_names_the_file_on_one_line(tmp_path: Path, mix: Path) -> None:
    with pytest.raises(UnsafeTargetError) as info:
        ensure_writable(mix, what="report", force=True)
    assert str(info.value) == f"{mix}: refusing to write the report there: it is an audio file"


def test_open_append_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "q.ndjson")
    with pytest.raises(UnsafeTargetError, match=r"not a regular file"):
        open_append(tmp_path / "q.ndjson")
    with open_append(tmp_path / "w.ndjson", expect=b"{") as fh:
        fh.write("{}\n")
    with open_append(tmp_path / "w.ndjson", expect=b"{") as fh:
        fh.write("{}\n")
    assert (tmp_path / "w.ndjson").read_text() == "{}\n{}\n"


def test_create_new_never_opens_what_exists(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("x")
    (tmp_path / "take.wav").symlink_to(victim)
    with pytest.raises(FileExistsError):
        create_new(tmp_path / "take.wav")
    with pytest.raises(FileExistsError):
        create_new(victim)
    os.close(create_new(tmp_path / "new.wav"))
    assert victim.read_text() == "x"


# ---- mixdesk check --output-file ----


def test_check_output_file_never_replaces_the_audio(tmp_path: Path, mix: Path) -> None:
    audio = mix.read_bytes()
    proc = mixdesk("check", "--format", "text", "--output-file", mix, mix, cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        proc.stderr == f"mixdesk: {mix}: refusing to write the report there: it is an audio file\n"
    )
    assert mix.read_bytes() == audio
    proc = mixdesk("check", "--force", "--output-file", "mixdesk.toml", mix, cwd=tmp_path)
    assert proc.returncode == 2
    assert "it is a mixdesk config" in proc.stderr
    assert not (tmp_path / "mixdesk.toml").exists()


def test_check_output_file_replaces_an_existing_file_only_with_force(
    tmp_path: Path, mix: Path
) -> None:
    report = tmp_path / "existing.txt"
    report.write_text("keep me\n")
    proc = mixdesk("check", "--format", "json", "--output-file", report, mix, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "existing.txt: refusing to write the report there: it already exists" in proc.stderr
    assert report.read_text() == "keep me\n"
    proc = mixdesk(
        "check", "--format", "json", "--force", "--output-file", report, mix, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert '"schema": "mixdesk.check/1"' in report.read_text()


def test_check_output_file_never_follows_a_link(tmp_path: Path, mix: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "out.json").symlink_to(victim)
    proc = mixdesk("check", "--force", "--output-file", "out.json", mix, cwd=tmp_path)
    assert proc.returncode == 2
    assert "symbolic link" in proc.stderr
    assert victim.read_text() == "precious\n"


# ---- mixdesk watch --log ----


@pytest.mark.parametrize(
    ("log", "reason"),
    [
        ("mixdesk.toml", "it is a mixdesk config"),
        ("renders/x.wav", "it is an audio file"),
        ("renders/mix.wav", "it is an audio file"),
    ],
)
def test_watch_refuses_a_log_that_is_audio_or_a_config(
    tmp_path: Path, log: str, reason: str
) -> None:
    renders = tmp_path / "renders"
    renders.mkdir()
    (renders / "mix.wav").write_bytes(wav_bytes(tone(0.1)))
    config = tmp_path / "mixdesk.toml"
    config.write_text('profile = "default"\n')
    before = {p: p.read_bytes() for p in (config, renders / "mix.wav")}
    proc = mixdesk("watch", renders, "--log", log, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"mixdesk: {log}: refusing to write the log there: {reason}\n"
    assert {p: p.read_bytes() for p in before} == before
    assert not (renders / "x.wav").exists()
