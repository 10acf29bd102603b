"""The NDJSON log line and the sidecar: the mixdesk.check/1 file object plus ``event``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qc.engine import FileResult, check_file
from qc.profiles import load_profile
from qc.safe_io import UnsafeTargetError
from qc.watch.log import NdjsonLog, record_object, sidecar_path, write_sidecar
from qc.watch.record import Outcome, Record, Trigger
from tests.qc.watch.writers import tone, wav_bytes

SCHEMA = Path(__file__).parents[3] / "docs" / "mixdesk.check-1.schema.json"
EVENT_KEYS = {"time", "trigger", "queued_s", "check_s", "outcome", "blake2b", "size_bytes"}


def file_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text())
    return {"$defs": schema["$defs"], **schema["$defs"]["file"]}


def checked(tmp_path: Path) -> Record:
    path = tmp_path / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.5)))
    result = check_file(str(path), [load_profile("default")])
    return Record(
        result,
        Outcome.CHECKED,
        Trigger.CLOSED,
        1_800_000_000.25,
        0.00123456,
        0.5,
        "ab" * 32,
        path.stat().st_size,
    )


def test_log_line_is_the_file_object_plus_event(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    rec = checked(tmp_path)
    log_path = tmp_path / "w.ndjson"
    with NdjsonLog(log_path) as log:
        log.write(rec)
        log.write(rec)
    lines = log_path.read_text().splitlines()
    assert len(lines) == 2
    obj = json.loads(lines[0])
    event = obj.pop("event")
    jsonschema.validate(obj, file_schema())  # the rest is exactly a mixdesk.check/1 file object
    assert set(event) == EVENT_KEYS
    assert event["time"] == "2027-01-15T08:00:00.250Z"
    assert (event["trigger"], event["outcome"]) == ("closed", "checked")
    assert (event["queued_s"], event["check_s"]) == (0.0012, 0.5)
    assert event["size_bytes"] == (tmp_path / "mix.wav").stat().st_size


def test_log_appends_and_refuses_a_folder(tmp_path: Path) -> None:
    rec = checked(tmp_path)
    log_path = tmp_path / "w.ndjson"
    log_path.write_text('{"old": 1}\n')
    with NdjsonLog(log_path) as log:
        log.write(rec)
    assert len(log_path.read_text().splitlines()) == 2
    with pytest.raises(UnsafeTargetError, match=r"refusing to write the log there: it is a folder"):
        NdjsonLog(tmp_path)
    with pytest.raises(FileNotFoundError):
        NdjsonLog(tmp_path / "missing" / "w.ndjson")


def test_deleted_and_incomplete_lines(tmp_path: Path) -> None:
    gone = Record(
        FileResult("/r/a.wav", None, None, "deleted before its check"), Outcome.DELETED, None, 0.0
    )
    obj = record_object(gone)
    assert obj["error"] == "deleted before its check"
    assert obj["diagnostics"] == []
    assert obj["event"]["trigger"] is None
    assert obj["event"]["queued_s"] is None
    json.dumps(obj, allow_nan=False)


def test_sidecar_is_atomic_and_next_to_the_bounce(tmp_path: Path) -> None:
    rec = checked(tmp_path)
    target = write_sidecar(rec)
    assert target == sidecar_path(str(tmp_path / "mix.wav")) == str(tmp_path / "mix.wav.qc.json")
    assert json.loads(Path(target).read_text()) == json.loads(json.dumps(record_object(rec)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav", "mix.wav.qc.json"]


def test_sidecar_in_a_read_only_place_raises_and_leaves_nothing(tmp_path: Path) -> None:
    rec = checked(tmp_path)
    missing = Record(
        FileResult(str(tmp_path / "gone" / "a.wav"), None, None, "x"),
        Outcome.CHECKED,
        Trigger.CLOSED,
        0.0,
    )
    with pytest.raises(FileNotFoundError):
        write_sidecar(missing)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav"]
    del rec


# ---- issue 17: no write follows a link or lands on a file it did not create ----


def test_a_link_planted_at_the_sidecar_path_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    rec = checked(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "mix.wav.qc.json"
    link.symlink_to(victim)
    with pytest.raises(UnsafeTargetError, match=r"mix.wav.qc.json: .*symbolic link"):
        write_sidecar(rec)
    assert victim.read_text() == "precious\n"
    assert link.is_symlink()


def test_a_link_planted_at_the_old_predictable_temp_name_is_never_followed(
    tmp_path: Path,
) -> None:
    import os

    rec = checked(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / f".mix.wav.qc.json.{os.getpid()}.tmp").symlink_to(victim)
    target = Path(write_sidecar(rec))
    assert victim.read_text() == "precious\n"
    assert not target.is_symlink()
    assert target.is_file()
    assert json.loads(target.read_text())["event"]["outcome"] == "checked"


def test_an_existing_sidecar_is_ours_and_replaced(tmp_path: Path) -> None:
    rec = checked(tmp_path)
    Path(sidecar_path(rec.path)).write_text("old\n")
    target = Path(write_sidecar(rec))
    assert json.loads(target.read_text())["path"] == rec.path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav", "mix.wav.qc.json"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("mixdesk.toml", "mixdesk config"),
        ("spotify.toml", "TOML file"),
        ("x.wav", "audio file"),
        ("take.FLAC", "audio file"),
    ],
)
def test_the_log_refuses_configs_and_audio(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(b'profile = "spotify"\n' if name.endswith(".toml") else wav_bytes(tone(0.1)))
    before = path.read_bytes()
    with pytest.raises(
        UnsafeTargetError, match=rf"{name}: refusing to write the log there: .*{reason}"
    ):
        NdjsonLog(path)
    assert path.read_bytes() == before


def test_the_log_refuses_a_link_a_hard_link_and_a_file_that_is_not_a_log(tmp_path: Path) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_text("precious\n")
    (tmp_path / "link.ndjson").symlink_to(victim)
    with pytest.raises(UnsafeTargetError, match=r"symbolic link"):
        NdjsonLog(tmp_path / "link.ndjson")
    with pytest.raises(UnsafeTargetError, match=r"does not start with"):
        NdjsonLog(victim)
    (tmp_path / "hard.ndjson").hardlink_to(victim)
    with pytest.raises(UnsafeTargetError, match=r"another hard link"):
        NdjsonLog(tmp_path / "hard.ndjson")
    assert victim.read_text() == "precious\n"
    wav = tmp_path / "mix.log"
    wav.write_bytes(wav_bytes(tone(0.1)))  # audio by content, whatever the name
    with pytest.raises(UnsafeTargetError, match=r"audio file"):
        NdjsonLog(wav)
