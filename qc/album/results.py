"""Typed, frozen results of an album check, named exactly as the ``mixdesk.album/1`` JSON keys.

An :class:`AlbumResult` is what ``mixdesk album --format json`` prints, as values:
levels in dB (``_lufs``, ``_dbtp``, ``_lu``, ``_db``), times in seconds (``_s``)
on the album timeline, CD frames of 588 samples (``_frames``, 1/75 s at 44.1 kHz),
``None`` where the JSON has ``null``. Each track also carries its own file check
(:class:`qc.results.CheckResult`, the ``mixdesk.check/1`` file object), so an
album report shows every track's own findings next to the album's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qc.results import CheckResult, Finding, SeverityLabel

__all__ = [
    "AlbumFormat",
    "AlbumLoudness",
    "AlbumPreview",
    "AlbumResult",
    "AlbumTrack",
]


@dataclass(frozen=True)
class AlbumTrack:
    """One track in sequence (``tracks[i]``).

    Attributes:
        number: Track number, from 1.
        path: The audio file as named in the album file (resolved against its folder).
        title: Track title (``""`` if none).
        performer: Track performer (``""``: the album's).
        isrc: ISRC as written in the album file (``""`` if none).
        gap_s: The pause set before the track, s.
        start_s: Where the track's audio starts on the album timeline (its
            ``INDEX 01``), s.
        duration_s: Its length, s (``None`` if it could not be read).
        leading_silence_s: Silence at its start (below -60 dBFS), s.
        trailing_silence_s: Silence at its end, s.
        pause_before_s: What a listener hears before it: the previous track's
            trailing silence, the gap and its own leading silence, s.
        integrated_lufs: Its own integrated loudness, LUFS.
        offset_lu: Its loudness minus the album's, LU.
        true_peak_dbtp: Its true peak, dBTP.
        loudness_range_lu: Its own LRA, LU.
        check: Its own file check (every profile's per-file rules).
    """

    number: int
    path: str
    title: str
    performer: str
    isrc: str
    gap_s: float
    start_s: float
    duration_s: float | None
    leading_silence_s: float | None
    trailing_silence_s: float | None
    pause_before_s: float | None
    integrated_lufs: float | None
    offset_lu: float | None
    true_peak_dbtp: float | None
    loudness_range_lu: float | None
    check: CheckResult


@dataclass(frozen=True)
class AlbumPreview:
    """Album-mode normalisation by one streaming profile (``loudness.previews[i]``).

    Attributes:
        profile: The profile (``spotify``, ``apple-music``).
        target_lufs: Its playback reference, LUFS.
        gain_db: The one gain it applies to every track in album mode, dB.
        album_after_lufs: The album's loudness after that gain, LUFS.
        true_peak_after_dbtp: The loudest true peak after it, dBTP.
    """

    profile: str
    target_lufs: float
    gain_db: float
    album_after_lufs: float
    true_peak_after_dbtp: float


@dataclass(frozen=True)
class AlbumLoudness:
    """The album as one programme (``loudness``).

    Attributes:
        integrated_lufs: BS.1770-4 gating over every track's 400 ms blocks
            together, gaps excluded, LUFS (``None`` if no track could be measured).
        loudness_range_lu: EBU Tech 3342 LRA over every track's short-term
            values together, LU.
        spread_lu: Loudest minus quietest track, LU.
        loudest_track: Number of the loudest track.
        quietest_track: Number of the quietest track.
        max_true_peak_dbtp: The loudest true peak of any track, dBTP.
        max_true_peak_track: The track it is in.
        previews: Album-mode normalisation per streaming profile checked.
    """

    integrated_lufs: float | None
    loudness_range_lu: float | None
    spread_lu: float | None
    loudest_track: int | None
    quietest_track: int | None
    max_true_peak_dbtp: float | None
    max_true_peak_track: int | None
    previews: tuple[AlbumPreview, ...]


@dataclass(frozen=True)
class AlbumFormat:
    """The album's stream format, when the tracks agree (``format``).

    Attributes:
        sample_rate: Hz (``None`` when tracks differ or none was read).
        bit_depth: Bits (``None`` when they differ, or for float).
        channels: Channel count (``None`` when they differ).
        consistent: True when every readable track has the same three.
    """

    sample_rate: int | None
    bit_depth: int | None
    channels: int | None
    consistent: bool


@dataclass(frozen=True)
class AlbumResult:
    """The check of one album.

    Attributes:
        path: The album file (or folder) as given.
        title: Album title.
        performer: Album performer.
        catalog: UPC/EAN as written (``""`` if none).
        tracks: The tracks in sequence.
        total_s: Running time from the start of the first pre-gap to the end
            of the last track, s.
        format: Rate, depth and channels across the album.
        loudness: The album's loudness.
        diagnostics: The album's own findings (``ALB`` rules), worst first;
            each track's own findings are in ``tracks[i].check``.
        profiles: The profiles it was checked against.
        fail_level: Findings at least this severe fail the album.
    """

    path: str
    title: str
    performer: str
    catalog: str
    tracks: tuple[AlbumTrack, ...]
    total_s: float
    format: AlbumFormat
    loudness: AlbumLoudness
    diagnostics: tuple[Finding, ...]
    profiles: tuple[str, ...] = ()
    fail_level: SeverityLabel = "error"

    @property
    def failed(self) -> bool:
        """True when ``mixdesk album`` would exit non-zero."""
        order = ("info", "warning", "error")
        level = order.index(self.fail_level)
        album = any(order.index(d.severity) >= level for d in self.diagnostics)
        return album or any(t.check.failed for t in self.tracks)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AlbumResult:
        """Build from the ``mixdesk.album/1`` JSON document (:mod:`qc.album.report`)."""
        loud = obj["loudness"]
        loudness = AlbumLoudness(
            **{**loud, "previews": tuple(AlbumPreview(**p) for p in loud["previews"])}
        )
        tracks = tuple(
            AlbumTrack(
                **{
                    **t,
                    "check": CheckResult.from_json(
                        t["check"],
                        profiles=tuple(obj["profiles"]),
                        fail_level=obj["fail_level"],
                    ),
                }
            )
            for t in obj["tracks"]
        )
        return cls(
            path=obj["path"],
            title=obj["title"],
            performer=obj["performer"],
            catalog=obj["catalog"],
            tracks=tracks,
            total_s=obj["total_s"],
            format=AlbumFormat(**obj["format"]),
            loudness=loudness,
            diagnostics=tuple(Finding(**d) for d in obj["diagnostics"]),
            profiles=tuple(obj["profiles"]),
            fail_level=obj["fail_level"],
        )
