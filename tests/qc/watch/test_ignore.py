"""Which names the daemon checks."""

from __future__ import annotations

import pytest

from qc.cli.check import AUDIO_SUFFIXES as CHECK_SUFFIXES
from qc.watch.ignore import AUDIO_SUFFIXES, ignore_reason, is_bounce


@pytest.mark.parametrize(
    "name",
    ["mix.wav", "Mix Final.WAV", "a.b.aif", "take-3.flac", "song.mp3", "x.rf64", "master.bwf"],
)
def test_bounces(name: str) -> None:
    assert is_bounce(f"/renders/{name}", "/renders")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (".mix.wav", "hidden"),
        ("mix.wav.tmp", "temporary file"),
        ("mix.tmp.wav", "temporary file"),
        ("mix.wav.part", "temporary file"),
        ("mix.wav.partial", "temporary file"),
        ("mix.wav.crdownload", "temporary file"),
        ("mix.wav~", "temporary file"),
        ("~$mix.wav", "temporary file"),
        ("mix.wav.reapeaks", "DAW side file"),
        ("mix.wav.pkf", "DAW side file"),
        ("mix.wav.asd", "DAW side file"),
        ("mix.wav.peak", "DAW side file"),
        ("mix.wav.qc.json", "DAW side file"),
        ("aB3xYz", "not audio"),  # Ardour's g_mkstemp("XXXXXX") export temp file
        ("session.ardour", "not audio"),
        ("watch.ndjson", "not audio"),
    ],
)
def test_ignored(name: str, reason: str) -> None:
    assert ignore_reason(f"/renders/{name}", "/renders") == reason


def test_hidden_folders_below_the_root_hide_their_files() -> None:
    assert ignore_reason("/renders/.cache/mix.wav", "/renders") == "hidden"
    assert ignore_reason("/home/.me/renders/mix.wav", "/home/.me/renders") is None


def test_exclude_globs() -> None:
    assert ignore_reason("/r/drums_stem.wav", exclude=("*_stem.wav",)) == "excluded by *_stem.wav"
    assert is_bounce("/r/drums.wav", exclude=("*_stem.wav",))


def test_same_extensions_as_check() -> None:
    assert AUDIO_SUFFIXES == CHECK_SUFFIXES
