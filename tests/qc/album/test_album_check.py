"""The album check on real files: loudness against pyloudnorm and ffmpeg, sequence, edges."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

import qc
from tests.qc.album.helpers import RATE, album_file, track, write

CD_FRAME = 588


@pytest.fixture
def three(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, list[np.ndarray]]:
    """Three 5-7 s tracks far apart in level (one quiet interlude), lengths off the CD grid."""
    xs = [
        track(rng, 6.3, -10.0, 440.0),
        track(rng, 5.1, -38.0, 660.0),
        track(rng, 7.05, -18.0, 330.0),
    ]
    names = [f"{i + 1:02d}.wav" for i in range(3)]
    for name, x in zip(names, xs, strict=True):
        write(tmp_path / name, x)
    album_file(tmp_path, names, gaps=[2.0, 2.0, 1.0])
    return tmp_path, xs


def _ffmpeg_integrated(ffmpeg: str, path: Path) -> float:
    out = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stderr  # fmt: skip
    summary = out[out.rindex("Summary:") :]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]


def test_album_loudness_matches_pyloudnorm_and_ffmpeg_on_the_programme(
    ffmpeg: str, tmp_path: Path, rng: np.random.Generator
) -> None:
    # 15-20 s tracks: a 400 ms block straddling a join (the concatenation has six, the album
    # none) moves the concatenation's value by about 0.07 LU here (0.14 LU with 5-7 s tracks).
    xs = [track(rng, 20.3, -10.0, 440.0), track(rng, 15.1, -38.0, 660.0), track(rng, 20.05, -18.0)]
    folder = tmp_path / "album"
    folder.mkdir()
    for i, x in enumerate(xs):
        write(folder / f"{i + 1:02d}.wav", x)
    album_file(folder, [f"{i + 1:02d}.wav" for i in range(3)], gaps=[2.0, 2.0, 1.0])
    result = qc.check_album(folder / "album.toml", config=False)
    programme = np.concatenate(xs)  # the tracks end to end: gaps excluded, as album gain does
    joined = write(tmp_path / "programme.wav", programme, subtype="FLOAT")
    reference = pyloudnorm.Meter(RATE).integrated_loudness(programme)
    by_ffmpeg = _ffmpeg_integrated(ffmpeg, joined)
    album = result.loudness.integrated_lufs
    assert album is not None
    # The tolerance: 0.1 LU.
    assert album == pytest.approx(reference, abs=0.1)
    assert album == pytest.approx(by_ffmpeg, abs=0.1)  # ffmpeg prints 0.1 LU steps
    # Not the mean of the tracks' values: the quiet interlude is gated out of the album.
    own = [t.integrated_lufs for t in result.tracks]
    assert all(v is not None for v in own)
    assert abs(album - float(np.mean(own))) > 1.0  # type: ignore[arg-type]


def test_sequence_spread_and_per_track_values(three: tuple[Path, list[np.ndarray]]) -> None:
    folder, xs = three
    result = qc.check_album(folder, config=False)  # the folder's album.toml
    frames = [len(x) for x in xs]
    padded = [-(-n // CD_FRAME) * CD_FRAME for n in frames]
    gaps = [2 * RATE, 2 * RATE, RATE]  # 2 s and 1 s: whole CD frames already
    starts = [
        gaps[0],
        gaps[0] + padded[0] + gaps[1],
        gaps[0] + padded[0] + gaps[1] + padded[1] + gaps[2],
    ]
    assert [t.start_s for t in result.tracks] == pytest.approx([s / RATE for s in starts], abs=1e-9)
    assert result.total_s == pytest.approx((starts[2] + padded[2]) / RATE, abs=1e-9)
    assert [t.duration_s for t in result.tracks] == pytest.approx([n / RATE for n in frames])
    for t, x in zip(result.tracks, xs, strict=True):  # each track's own loudness, independently
        assert t.integrated_lufs == pytest.approx(
            pyloudnorm.Meter(RATE).integrated_loudness(x), abs=0.05
        )
        assert t.offset_lu == pytest.approx(t.integrated_lufs - result.loudness.integrated_lufs)  # type: ignore[operator]
        assert t.check.format is not None
        assert t.check.format.sample_rate == RATE
    own = [t.integrated_lufs for t in result.tracks]
    assert result.loudness.spread_lu == pytest.approx(max(own) - min(own))  # type: ignore[type-var,operator]
    assert (result.loudness.loudest_track, result.loudness.quietest_track) == (1, 2)
    peaks = [t.true_peak_dbtp for t in result.tracks]
    assert result.loudness.max_true_peak_dbtp == max(peaks)  # type: ignore[type-var]
    assert result.format.consistent
    assert result.format.bit_depth == 16
    # The quiet track 2 is information, not an error.
    outliers = [d for d in result.diagnostics if d.code == "ALB002"]
    assert outliers
    assert all(d.severity == "info" for d in outliers)
    assert not result.failed


def test_album_mode_preview_is_one_gain_for_every_track(
    three: tuple[Path, list[np.ndarray]],
) -> None:
    folder, _ = three
    result = qc.check_album(folder, profile=["spotify"], config=False)
    (p,) = result.loudness.previews
    album = result.loudness.integrated_lufs
    peak = result.loudness.max_true_peak_dbtp
    assert album is not None
    assert peak is not None
    # Spotify (boost "headroom" to -1 dBTP): down to -14 if louder, else up to the peak limit.
    expected = -14.0 - album if album > -14.0 else max(min(-14.0 - album, -1.0 - peak), 0.0)
    assert p.profile == "spotify"
    assert p.gain_db == pytest.approx(expected)
    assert p.true_peak_after_dbtp == pytest.approx(peak + expected)


def test_album_mode_previews_follow_the_selection(three: tuple[Path, list[np.ndarray]]) -> None:
    """``--ignore LUF004`` (or a selection without it) drops the album-mode previews too."""
    folder, _ = three
    assert qc.check_album(folder, profile=["spotify"], config=False).loudness.previews
    for kw in ({"ignore": ["LUF004"]}, {"ignore": ["normalization-preview"]}, {"select": ["TP"]}):
        result = qc.check_album(folder, profile=["spotify"], config=False, **kw)  # type: ignore[arg-type]
        assert result.loudness.previews == (), kw


def test_trailing_silence_before_a_gap_is_a_longer_pause(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    a = np.concatenate([track(rng, 5.0, -14.0), np.zeros((3 * RATE, 2))])  # ends in 3 s of silence
    b = track(rng, 5.0, -14.0)
    write(tmp_path / "a.wav", a)
    write(tmp_path / "b.wav", b)
    album_file(tmp_path, ["a.wav", "b.wav"], gaps=[2.0, 2.0])
    result = qc.check_album(tmp_path, config=False)
    (d,) = [d for d in result.diagnostics if d.code == "ALB003"]
    assert d.measured == pytest.approx(5.0, abs=0.1)  # 3 s + the 2 s gap (silence to 100 ms)
    assert result.tracks[1].pause_before_s == pytest.approx(5.0, abs=0.1)
    # Without the silence, no finding.
    write(tmp_path / "a.wav", a[: 5 * RATE])
    assert not [d for d in qc.check_album(tmp_path, config=False).diagnostics if d.code == "ALB003"]


def test_a_click_at_a_gapless_join_and_a_seamless_one(tmp_path: Path) -> None:
    t = np.arange(10 * RATE) / RATE
    sine = 0.5 * np.sin(2 * np.pi * 220.0 * t)
    whole = np.round(np.stack([sine, sine], axis=1) * 2**15) / 2**15
    cut = 5 * RATE + 50  # mid-cycle, far from a zero crossing
    write(tmp_path / "a.wav", whole[:cut])
    write(tmp_path / "b.wav", whole[cut:])  # continues the waveform: seamless
    write(tmp_path / "c.wav", whole[cut + RATE // 440 :])  # jumps half a cycle: a click
    album_file(tmp_path, ["a.wav", "b.wav"], gaps=[2.0, 0.0])
    assert not [d for d in qc.check_album(tmp_path, config=False).diagnostics if d.code == "ALB004"]
    album_file(tmp_path, ["a.wav", "c.wav"], gaps=[2.0, 0.0])
    (d,) = [d for d in qc.check_album(tmp_path, config=False).diagnostics if d.code == "ALB004"]
    jump = abs(whole[cut + RATE // 440, 0] - (2 * whole[cut - 1, 0] - whole[cut - 2, 0]))
    assert d.measured == pytest.approx(20 * np.log10(jump), abs=0.01)


def test_the_album_files_waivers_apply_to_album_findings(tmp_path: Path) -> None:
    """A click at a gapless join, waived in mixdesk.toml for album.toml: info, with the reason."""
    t = np.arange(6 * RATE) / RATE
    sine = 0.5 * np.sin(2 * np.pi * 220.0 * t)
    whole = np.round(np.stack([sine, sine], axis=1) * 2**15) / 2**15
    cut = 3 * RATE + 50
    write(tmp_path / "a.wav", whole[:cut])
    write(tmp_path / "c.wav", whole[cut + RATE // 440 :])  # jumps half a cycle: a click
    album_file(tmp_path, ["a.wav", "c.wav"], gaps=[2.0, 0.0])
    (before,) = [d for d in qc.check_album(tmp_path).diagnostics if d.code == "ALB004"]
    assert before.severity != "info"
    (tmp_path / "mixdesk.toml").write_text(
        "[[waivers]]\nglob = 'album.toml'\ncodes = ['ALB004']\nreason = 'the edit is the art'\n"
    )
    (after,) = [d for d in qc.check_album(tmp_path).diagnostics if d.code == "ALB004"]
    assert after.severity == "info"
    assert after.message.endswith("(waived: the edit is the art)")


def test_mixed_formats_are_an_album_error(tmp_path: Path, rng: np.random.Generator) -> None:
    write(tmp_path / "a.wav", track(rng, 4.5, -14.0))
    write(tmp_path / "b.wav", track(rng, 4.5, -14.0, rate=48000), rate=48000, subtype="PCM_24")
    album_file(tmp_path, ["a.wav", "b.wav"])
    result = qc.check_album(tmp_path, config=False)
    (d,) = [d for d in result.diagnostics if d.code == "ALB001"]
    assert "48000 Hz/24-bit" in d.message
    assert d.severity == "error"
    assert not result.format.consistent
    assert result.failed


def test_track_results_equal_mixdesk_check(three: tuple[Path, list[np.ndarray]]) -> None:
    folder, _ = three
    result = qc.check_album(folder, profile="cd-redbook", config=False)
    for t in result.tracks:
        alone = qc.check_files([t.path], profile="cd-redbook", config=False)[0]
        assert t.check.diagnostics == alone.diagnostics
        assert t.check.measurements == alone.measurements


def test_an_unreadable_track_is_reported_not_raised(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    write(tmp_path / "a.wav", track(rng, 4.5, -14.0))
    (tmp_path / "b.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    album_file(tmp_path, ["a.wav", "b.wav"])
    result = qc.check_album(tmp_path, config=False)
    assert result.tracks[1].check.error is not None
    assert result.tracks[1].duration_s is None
    assert result.loudness.integrated_lufs is not None  # from the readable track
    assert result.failed


def test_a_folder_without_album_toml_is_its_files_in_name_order(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    for name in ("b.wav", "a.wav", "c.flac"):
        sf.write(tmp_path / name, track(rng, 4.2, -14.0), RATE, subtype="PCM_16")
    result = qc.check_album(tmp_path, config=False)
    assert [Path(t.path).name for t in result.tracks] == ["a.wav", "b.wav", "c.flac"]
    assert [t.gap_s for t in result.tracks] == [2.0, 2.0, 2.0]
