"""The watch daemon re-checks an album when one of its tracks is re-rendered (a real daemon)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from tests.qc.album.helpers import RATE, album_file, track, write
from tests.qc.watch.test_cli_watch import Daemon


def _wait_out(d: Daemon, needle: str, count: int = 1) -> None:
    """Wait until ``count`` stdout lines (the text report of each check) hold ``needle``."""
    deadline = time.monotonic() + 30
    while sum(needle in x for x in d.out) < count:
        assert time.monotonic() < deadline, f"no {needle!r} in {d.out} / {d.lines}"
        assert d.proc.poll() is None, d.lines
        time.sleep(0.05)


def _album_lines(log: Path) -> list[dict[str, object]]:
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    return [x for x in lines if x["event"]["outcome"] == "album"]


def test_a_re_rendered_track_re_checks_its_album_once(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    watched, log = tmp_path / "album", tmp_path / "watch.ndjson"
    watched.mkdir()
    write(watched / "01.wav", track(rng, 4.5, -14.0))
    write(watched / "02.wav", track(rng, 4.5, -15.0, 550.0))
    album_file(watched, ["01.wav", "02.wav"], gaps=[2.0, 2.0])
    d = Daemon(watched, "--log", log, "--jobs", "1", "--profile", "cd-redbook")
    try:
        d.wait_line("watching")
        _wait_out(d, f"{watched / '01.wav'}: wav/pcm")  # the files there at start: checked,
        _wait_out(d, f"{watched / '02.wav'}: wav/pcm")  # kept, no album re-check (no change)
        # The mastering engineer re-renders track 2, 12 dB quieter, renamed into place.
        quieter = track(rng, 4.5, -27.0, 550.0)
        staged = tmp_path / "02.tmp.wav"
        write(staged, quieter)
        os.replace(staged, watched / "02.wav")
        line = d.wait_line(f"re-checked after {watched / '02.wav'}")
        assert "2 tracks" in line
        d.wait_line("ALB002")  # now 12 LU below its neighbour: the outlier note
        # The same content again (a duplicate): no re-check. Then track 1 re-rendered: one.
        write(staged, quieter)
        os.replace(staged, watched / "02.wav")
        write(staged, track(rng, 4.5, -13.0))
        os.replace(staged, watched / "01.wav")
        d.wait_line(f"re-checked after {watched / '01.wav'}")
        time.sleep(1.0)  # nothing more may come
    finally:
        d.proc.send_signal(signal.SIGTERM)
        assert d.finish() == 0, d.lines
    albums = _album_lines(log)
    assert len(albums) == 2, albums  # once per change
    doc = albums[0]["album"]
    assert isinstance(doc, dict)
    assert doc["path"] == str(watched / "album.toml")
    track2 = doc["tracks"][1]
    expected = pyloudnorm.Meter(RATE).integrated_loudness(quieter)
    assert track2["integrated_lufs"] == pytest.approx(expected, abs=0.05)
    assert "check" not in track2  # each track's check has its own line
    assert [c["code"] for c in doc["diagnostics"]].count("ALB002") >= 1
    assert "Traceback" not in "\n".join(d.lines)


def test_a_bounce_outside_any_album_re_checks_nothing(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    watched, log = tmp_path / "renders", tmp_path / "watch.ndjson"
    watched.mkdir()
    d = Daemon(watched, "--log", log, "--jobs", "1")
    try:
        d.wait_line("watching")
        staged = tmp_path / "mix.tmp.wav"
        write(staged, track(rng, 4.5, -14.0))
        os.replace(staged, watched / "mix.wav")
        _wait_out(d, f"{watched / 'mix.wav'}: wav/pcm")
    finally:
        d.proc.send_signal(signal.SIGTERM)
        assert d.finish() == 0, d.lines
    assert not _album_lines(log)
    assert not [x for x in d.lines if "re-checked" in x]
