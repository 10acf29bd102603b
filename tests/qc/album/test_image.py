"""The disc image and CUE sheet, read back by cuetools and split by shntool (bit for bit)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.qc.album.helpers import RATE, album_file, mixdesk, track, write

CD_FRAME = 588
ISRCS = ["USRC17607839", "US-RC1-76-07840", "GBAYE0601498"]


@pytest.fixture
def album(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, list[np.ndarray], list[float]]:
    """Three tracks whose lengths are not whole CD frames; gaps 2 s, none, 1 s."""
    xs = [track(rng, 4.5, -14.0), track(rng, 4.2, -16.0, 550.0), track(rng, 5.01, -12.0, 330.0)]
    gaps = [2.0, 0.0, 1.0]
    names = [f"{i + 1:02d}.wav" for i in range(3)]
    for name, x in zip(names, xs, strict=True):
        write(tmp_path / name, x)
    album_file(tmp_path, names, gaps=gaps, isrcs=ISRCS, catalog="4006381333931")
    return tmp_path, xs, gaps


def _image(folder: Path) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    out = folder / "out"
    out.mkdir(exist_ok=True)
    image, cue = out / "disc.wav", out / "disc.cue"
    run = mixdesk("album", folder / "album.toml", "--profile", "cd-redbook", "--format", "json",
                  "--image", image, "--cue", cue)  # fmt: skip
    return image, cue, run


def _samples(msf: str) -> int:
    """cuebreakpoints' ``m:ss.ff`` -> samples at 44.1 kHz."""
    minutes, rest = msf.split(":")
    seconds, frames = rest.split(".")
    return ((int(minutes) * 60 + int(seconds)) * 75 + int(frames)) * CD_FRAME


def test_cue_sheet_reads_back_with_cuetools(
    album: tuple[Path, list[np.ndarray], list[float]], cuetools: str
) -> None:
    folder, xs, gaps = album
    image, cue, run = _image(folder)
    assert run.returncode == 0, run.stderr
    disc = subprocess.run(
        ["cueprint", "-d", "%N|%P|%T\n", "-t", "%n|%i|%t|%p\n", str(cue)],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.splitlines()  # fmt: skip
    assert disc[0] == "3|The Bounces|Test Album"
    assert disc[1:] == [
        f"{i + 1}|{isrc.replace('-', '')}|Track {i + 1}|The Bounces" for i, isrc in enumerate(ISRCS)
    ]
    toc = subprocess.run(["cueconvert", "-i", "cue", "-o", "toc", str(cue)],
                         capture_output=True, text=True, check=True, timeout=60).stdout  # fmt: skip
    assert 'CATALOG "4006381333931"' in toc
    # Where each track's pre-gap (INDEX 00) and audio (INDEX 01) start, computed here.
    padded = [-(-len(x) // CD_FRAME) * CD_FRAME for x in xs]
    pregaps, starts, at = [], [], 0
    for n, gap in zip(padded, gaps, strict=True):
        pregaps.append(at)
        starts.append(at + round(gap * RATE))
        at = starts[-1] + n
    after = subprocess.run([cuetools, str(cue)], capture_output=True, text=True, check=True,
                           timeout=60).stdout.split()  # fmt: skip
    before = subprocess.run([cuetools, "--prepend-gaps", str(cue)], capture_output=True,
                            text=True, check=True, timeout=60).stdout.split()  # fmt: skip
    assert [_samples(b) for b in after] == starts[1:]
    assert [_samples(b) for b in before] == pregaps[1:]
    info = sf.info(image)
    assert (info.samplerate, info.channels, info.subtype) == (44100, 2, "PCM_16")
    assert info.frames == at


def test_shntool_split_gives_back_every_track_bit_for_bit(
    album: tuple[Path, list[np.ndarray], list[float]], cuetools: str, shntool: str, tmp_path: Path
) -> None:
    folder, xs, gaps = album
    image, cue, run = _image(folder)
    assert run.returncode == 0, run.stderr
    split = tmp_path / "split"
    split.mkdir()
    points = subprocess.run([cuetools, "--prepend-gaps", str(cue)], capture_output=True,
                            text=True, check=True, timeout=60).stdout  # fmt: skip
    subprocess.run([shntool, "split", "-q", "-d", str(split), "-o", "wav", str(image)],
                   input=points, text=True, check=True, timeout=120)  # fmt: skip
    pieces = sorted(split.glob("*.wav"))
    assert len(pieces) == 3
    for piece, x, gap, name in zip(pieces, xs, gaps, ("01", "02", "03"), strict=True):
        got = sf.read(piece, dtype="int16", always_2d=True)[0]
        source = sf.read(folder / f"{name}.wav", dtype="int16", always_2d=True)[0]
        lead = round(gap * RATE)  # the pre-gap: digital silence
        pad = -(-len(x) // CD_FRAME) * CD_FRAME - len(x)  # the frame padding: silence
        assert len(got) == lead + len(source) + pad
        assert not got[:lead].any()
        np.testing.assert_array_equal(got[lead : lead + len(source)], source)
        assert not got[lead + len(source) :].any()


def test_inputs_that_are_not_cd_audio_are_refused_with_the_fix_command(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    write(tmp_path / "a.wav", track(rng, 4.5, -14.0))
    write(tmp_path / "b.wav", track(rng, 4.5, -14.0, rate=48000), rate=48000, subtype="PCM_24")
    album_file(tmp_path, ["a.wav", "b.wav"])
    run = mixdesk("album", tmp_path, "--image", tmp_path / "disc.wav", "--cue", tmp_path / "d.cue")
    assert run.returncode == 2
    assert "b.wav is 48000 Hz, 2 ch, PCM_24" in run.stderr
    assert "mixdesk fix --profile cd-redbook" in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "disc.wav").exists()
    assert not (tmp_path / "d.cue").exists()


def test_an_existing_image_is_kept_without_force(
    album: tuple[Path, list[np.ndarray], list[float]],
) -> None:
    folder = album[0]
    image, cue, run = _image(folder)
    assert run.returncode == 0
    before = image.read_bytes()
    again = mixdesk("album", folder, "--image", image, "--cue", cue)
    assert again.returncode == 2
    assert "--force" in again.stderr
    assert image.read_bytes() == before
    over_track = mixdesk("album", folder, "--image", folder / "01.wav", "--cue", cue, "--force")
    assert over_track.returncode == 2
    assert "tracks" in over_track.stderr
    forced = mixdesk("album", folder, "--image", image, "--cue", cue, "--force")
    assert forced.returncode == 0, forced.stderr


def test_an_album_with_errors_gets_no_image(tmp_path: Path, rng: np.random.Generator) -> None:
    write(tmp_path / "a.wav", track(rng, 4.5, -14.0))
    album_file(tmp_path, ["a.wav"], isrcs=["USRC1760783"])  # 11 characters: a CUE plants reject
    image, cue = tmp_path / "disc.wav", tmp_path / "disc.cue"
    run = mixdesk("album", tmp_path, "--image", image, "--cue", cue)
    assert run.returncode == 1
    assert "not writing" in run.stderr
    assert "(ALB005)" in run.stderr
    assert not image.exists()
    assert not cue.exists()
    run = mixdesk("album", tmp_path, "--image", image, "--cue", cue, "--ignore", "ALB005")
    assert run.returncode == 0, run.stderr
    assert image.exists()
