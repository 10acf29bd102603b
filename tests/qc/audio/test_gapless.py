"""Encoder delay and padding that only a tag or the packets declare.

Item 2 of issue 23's leftovers: an MP4 without an edit list whose AAC priming is
declared only by an ``iTunSMPB`` tag; item 3: the padding of Opus in MP4. The
references come from the ffmpeg CLI and ffprobe (packet counts, the first
packet's time, the declared duration), never from the reader under test.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from qc.audio import open_audio
from qc.audio.gapless import Smpb, parse_smpb
from qc.engine import measure_file
from tests.conftest import need_binary
from tests.qc.audio.mp4tags import add_freeform_tag, itunsmpb

RATE = 48000
SECONDS = 2


@pytest.fixture
def ffprobe() -> str:
    """Path of ffprobe (skips locally when absent, fails in CI)."""
    return need_binary("ffprobe")


def probe(ffprobe: str, path: Path) -> tuple[int, int, int]:
    """ffprobe's packet count, first packet time and declared duration (frames) of a file."""
    out = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "a", "-show_entries",
         "stream=duration_ts,nb_frames:packet=pts", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    doc = json.loads(out)
    stream = doc["streams"][0]
    return int(stream["nb_frames"]), int(doc["packets"][0]["pts"]), int(stream["duration_ts"])


def click_master(tmp_path: Path, click_s: float) -> Path:
    x = np.zeros((SECONDS * RATE, 2))
    x[round(click_s * RATE)] = 0.5
    master = tmp_path / "click.wav"
    sf.write(master, x, RATE, subtype="PCM_24")
    return master


def aac(ffmpeg: str, master: Path, out: Path, *args: str) -> Path:
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(master), "-c:a", "aac", "-b:a", "256k", *args,
         str(out)], check=True,
    )  # fmt: skip
    return out


def click_time(path: Path) -> float:
    result = measure_file(path)
    assert result.error is None, result.error
    assert result.measurements is not None
    return result.measurements.levels.channel_peak_frame[0] / RATE


@pytest.mark.parametrize("click_s", [0.25, 1.7371])
def test_itunsmpb_alone_sets_the_programme(
    tmp_path: Path, ffmpeg: str, ffprobe: str, click_s: float
) -> None:
    master = click_master(tmp_path, click_s)
    # The same encode with an edit list tells the encoder's priming (its first packet's time).
    _, first_pts, _ = probe(ffprobe, aac(ffmpeg, master, tmp_path / "edit.m4a"))
    priming = -first_pts
    assert priming > 0
    bare = aac(ffmpeg, master, tmp_path / "bare.m4a", "-use_editlist", "0")
    packets, _, _ = probe(ffprobe, bare)
    padding = packets * 1024 - priming - SECONDS * RATE
    # Premise: without an edit list or a tag, the priming plays as the programme's start.
    assert click_time(bare) == pytest.approx(click_s + priming / RATE, abs=0.001)

    tagged = tmp_path / "tagged.m4a"
    tagged.write_bytes(bare.read_bytes())
    add_freeform_tag(tagged, "iTunSMPB", itunsmpb(priming, padding, SECONDS * RATE))
    with open_audio(tagged) as src:
        info = src.info
        total = sum(len(b) for b in src.blocks(4096))
    assert (info.priming_frames, info.padding_frames) == (priming, padding)
    assert info.frames == total == SECONDS * RATE
    assert abs(click_time(tagged) - click_s) <= 0.001  # within 1 ms


def test_itunsmpb_as_a_quicktime_key_is_read_too(tmp_path: Path, ffmpeg: str, ffprobe: str) -> None:
    """ffmpeg's own way of writing the tag (an mdta key), which its demuxer does not apply."""
    click_s = 1.0
    master = click_master(tmp_path, click_s)
    _, first_pts, _ = probe(ffprobe, aac(ffmpeg, master, tmp_path / "edit.m4a"))
    value = itunsmpb(-first_pts, 0, SECONDS * RATE)
    keyed = aac(ffmpeg, master, tmp_path / "keyed.m4a", "-use_editlist", "0",
                "-metadata", f"iTunSMPB={value}", "-movflags", "use_metadata_tags")  # fmt: skip
    with open_audio(keyed) as src:
        assert src.info.priming_frames == -first_pts
        assert sum(len(b) for b in src.blocks(65536)) == SECONDS * RATE
    assert abs(click_time(keyed) - click_s) <= 0.001


def test_an_edit_list_wins_over_the_tag(tmp_path: Path, ffmpeg: str, ffprobe: str) -> None:
    """Apple's files carry both: the priming must be dropped once, not twice."""
    click_s = 0.5
    master = click_master(tmp_path, click_s)
    both = aac(ffmpeg, master, tmp_path / "both.m4a")
    _, first_pts, _ = probe(ffprobe, both)
    add_freeform_tag(both, "iTunSMPB", itunsmpb(-first_pts, 0, SECONDS * RATE))
    assert abs(click_time(both) - click_s) <= 0.001


def test_opus_in_mp4_reports_its_padding(tmp_path: Path, ffmpeg: str, ffprobe: str) -> None:
    t = np.arange(round(2.5 * RATE)) / RATE
    master = tmp_path / "tone.wav"
    sf.write(master, np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1) * 0.3, RATE)
    coded = tmp_path / "opus.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(master), "-c:a", "libopus", "-b:a", "128k",
         "-frame_duration", "20", str(coded)], check=True,
    )  # fmt: skip
    packets, first_pts, declared = probe(ffprobe, coded)
    # 20 ms packets of 960 frames; the pre-skip is the first packet's lead before time 0.
    padding = packets * 960 - (-first_pts) - declared
    assert padding > 0
    with open_audio(coded) as src:
        info = src.info
    assert info.padding_frames == padding
    assert info.priming_frames == -first_pts
    assert info.frames == declared == len(t)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 00000000 00000840 000001CA 00000000003F31F6 00000000", Smpb(0x840, 0x1CA, 0x3F31F6)),
        ("00000000 00000840", None),  # too few fields
        (" 00000000 0000ZZ40 000001CA 00000000003F31F6", None),  # not hexadecimal
        (" 00000000 00100000 000001CA 00000000003F31F6", None),  # no encoder primes 1 M frames
    ],
)
def test_parse_smpb(value: str, expected: Smpb | None) -> None:
    assert parse_smpb({"itunsmpb": value}) == expected


def test_a_length_beyond_what_was_coded_is_not_believed(tmp_path: Path, ffmpeg: str) -> None:
    """A hostile or stale iTunSMPB length must not make a good file unreadable."""
    click_s = 1.0
    master = click_master(tmp_path, click_s)
    bare = aac(ffmpeg, master, tmp_path / "bare.m4a", "-use_editlist", "0")
    with open_audio(bare) as src:
        untagged = src.info.frames  # the container's length, priming included
    add_freeform_tag(bare, "iTunSMPB", itunsmpb(1024, 0, 10**12))
    with open_audio(bare) as src:
        assert src.info.priming_frames == 1024  # the priming is kept (FFmpeg drops it too)
        assert src.info.frames == untagged - 1024
        assert sum(len(b) for b in src.blocks(65536)) == untagged - 1024
    assert abs(click_time(bare) - click_s) <= 0.001


_HEX_FIELD = st.one_of(
    st.integers(0, 2**70).map(lambda n: f"{n:X}"),
    st.integers(-(2**20), 2**20).map(lambda n: f"{n:x}"),
    st.text(max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.text(max_size=200), st.lists(_HEX_FIELD, max_size=12).map(" ".join)))
def test_parse_smpb_never_raises_and_believes_only_an_encoder_sized_delay(value: str) -> None:
    """Whatever a tag holds: no exception, and a delay and padding an encoder could make."""
    found = parse_smpb({"iTunSMPB": value})
    if found is not None:
        assert 0 <= found.priming < 16384
        assert 0 <= found.padding < 16384
        assert found.samples > 0
        fields = value.split()
        assert (found.priming, found.padding, found.samples) == tuple(
            int(f, 16) for f in fields[1:4]
        )
