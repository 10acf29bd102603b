"""``mixdesk album``: formats, the published schema, exit codes, init, bad input."""

from __future__ import annotations

import json
import os
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from referencing import Registry, Resource

from qc.album.results import AlbumResult
from tests.qc.album.helpers import album_file, mixdesk, track, write

DOCS = Path(__file__).parents[3] / "docs"


@pytest.fixture
def folder(tmp_path: Path, rng: np.random.Generator) -> Path:
    names = ["01 intro.wav", "02 song.wav"]
    write(tmp_path / names[0], track(rng, 4.5, -14.0))
    write(tmp_path / names[1], np.concatenate([track(rng, 4.2, -15.0), np.zeros((3 * 44100, 2))]))
    album_file(tmp_path, names, gaps=[2.0, 2.0], isrcs=["USRC17607839", "USRC1760783"],
               catalog="4006381333932")  # fmt: skip
    return tmp_path


def _validator() -> jsonschema.Draft202012Validator:
    check = json.loads((DOCS / "mixdesk.check-1.schema.json").read_text())
    album = json.loads((DOCS / "mixdesk.album-1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(album)
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (check, album)]
    )
    return jsonschema.Draft202012Validator(album, registry=registry)


def test_json_matches_the_published_schema_and_the_api(folder: Path) -> None:
    run = mixdesk("album", folder, "--profile", "cd-redbook,spotify", "--format", "json")
    assert run.returncode == 1, run.stderr  # the bad ISRC and catalog are errors
    doc = json.loads(run.stdout)
    _validator().validate(doc)
    codes = {d["code"] for d in doc["diagnostics"]}
    assert {"ALB005", "ALB007"} <= codes
    result = AlbumResult.from_json(doc)
    assert result.failed
    assert [t.number for t in result.tracks] == [1, 2]
    bad = dict(doc, tracks=[dict(doc["tracks"][0], start_s="late")])
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(bad)


def test_text_shows_sequence_loudness_and_both_kinds_of_findings(folder: Path) -> None:
    run = mixdesk("album", folder / "album.toml", "--profile", "cd-redbook,spotify")
    assert run.returncode == 1
    out = run.stdout
    assert '"Test Album" by The Bounces, 2 tracks' in out
    assert "   1  00:02.000 00:04.500" in out
    assert "spotify album mode:" in out
    assert "error ALB007 catalog '4006381333932' check digit is 2, expected 1" in out
    assert "ALB003 pause before track 2" not in out  # the silence ends track 2, not 1
    assert "02 song.wav" in out  # a track's own findings follow (SIL002-free: 3 s < 5 s)


@pytest.mark.parametrize("fmt", ["junit", "sarif", "github", "rich"])
def test_other_formats(folder: Path, fmt: str) -> None:
    run = mixdesk("album", folder, "--format", fmt, "--select", "ALB")
    assert run.returncode == 1
    if fmt == "junit":
        ET.fromstring(run.stdout)
    elif fmt == "sarif":
        assert json.loads(run.stdout)["runs"][0]["results"]
    assert "ALB007" in run.stdout


def test_exit_zero_and_fail_level(folder: Path) -> None:
    assert mixdesk("album", folder, "--exit-zero").returncode == 0
    quiet = ("--ignore", "ALB005,ALB007", "--profile", "cd-redbook")  # leaves ALB014 info
    assert mixdesk("album", folder, *quiet).returncode == 0
    assert mixdesk("album", folder, *quiet, "--fail-level", "info").returncode == 1


def test_init_writes_an_album_file_in_name_order(tmp_path: Path, rng: np.random.Generator) -> None:
    for name in ("b.wav", "a.flac", "notes.txt"):
        if name.endswith(".txt"):
            (tmp_path / name).write_text("x")
        else:
            write(tmp_path / name, track(rng, 4.1, -14.0))
    run = mixdesk("album", "init", tmp_path)
    assert run.returncode == 0, run.stderr
    data = tomllib.loads((tmp_path / "album.toml").read_text())
    assert data["schema"] == "mixdesk.album/1"
    assert [t["file"] for t in data["tracks"]] == ["a.flac", "b.wav"]
    assert mixdesk("album", "init", tmp_path).returncode == 2  # never over an existing file
    assert mixdesk("album", tmp_path, "--exit-zero").returncode == 0  # and it checks


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'title = "x"\ntitel = "y"\n[[tracks]]\nfile = "a.wav"\n',
            "unknown key 'titel' (did you mean title?)",
        ),
        (
            '[[tracks]]\nfile = "a.wav"\nisrcc = "x"\n',
            "unknown key 'tracks[0].isrcc' (did you mean isrc?)",
        ),
        ('[[tracks]]\nfile = "a.wav"\ngap_s = -1\n', "'tracks[0].gap_s' is -1"),
        ('[[tracks]]\nfile = "a.wav"\ngap_s = nan\n', "'tracks[0].gap_s' is nan"),
        ('[[tracks]]\ntitle = "a"\n', "'tracks[0]' has no 'file'"),
        (
            'schema = "mixdesk.album/9"\n[[tracks]]\nfile = "a.wav"\n',
            "'schema' is 'mixdesk.album/9'",
        ),
        ('title = "x"\n', "no [[tracks]]"),
        ("title = \n", "invalid TOML"),
    ],
)
def test_bad_album_files_are_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "album.toml"
    path.write_text(text)
    run = mixdesk("album", path)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert str(path) in run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_album_and_empty_folder(tmp_path: Path) -> None:
    gone = mixdesk("album", tmp_path / "nope.toml")
    assert gone.returncode == 2
    assert "no such album file" in gone.stderr
    empty = mixdesk("album", tmp_path)
    assert empty.returncode == 2
    assert "no audio files" in empty.stderr


def test_a_missing_track_exits_2_after_reporting(tmp_path: Path, rng: np.random.Generator) -> None:
    write(tmp_path / "a.wav", track(rng, 4.5, -14.0))
    album_file(tmp_path, ["a.wav", "gone.wav"])
    run = mixdesk("album", tmp_path)
    assert run.returncode == 2
    assert "gone.wav" in run.stderr
    assert "FMT003" in run.stdout


def test_a_fifo_track_neither_hangs_nor_crashes(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.wav")  # no writer: opening it for reading would block
    album_file(tmp_path, ["a.wav"])
    run = mixdesk("album", tmp_path)
    assert run.returncode == 2
    assert "not a regular file" in run.stderr
    assert "no readable track" in run.stdout
    image = mixdesk("album", tmp_path, "--image", tmp_path / "d.wav", "--cue", tmp_path / "d.cue")
    assert image.returncode == 2
    assert image.stderr.strip().endswith("a.wav: not a regular file")
    assert "Traceback" not in run.stderr + image.stderr
