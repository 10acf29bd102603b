"""The album file, ``album.toml`` (schema ``mixdesk.album/1``): read, validated, written.

Schema::

    schema = "mixdesk.album/1"
    title = "Night Drives"
    performer = "The Bounces"
    catalog = "4006381333931"      # UPC-A (12 digits) or EAN-13 (13), optional
    gap_s = 2.0                    # default pause before each track but the first, s
    first_gap_s = 2.0              # pause before the first track (the CD's pre-gap), s

    [[tracks]]
    file = "01 intro.wav"          # relative to the album file's folder
    title = "Intro"
    performer = "The Bounces"      # optional: the album's
    isrc = "GB-AYE-06-01498"       # optional
    gap_s = 0.0                    # optional: the pause before this track, s

Every key is validated when the file loads: an unknown key, a wrong type or a
negative or non-finite gap is a :class:`~qc.errors.UsageError` naming the file
and the key (``album.toml: unknown key 'tracks[2].isrcc' (did you mean isrc?)``).
The file is read by :mod:`qc._toml` (a regular file, at most 1 MiB).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qc._toml import read_toml
from qc.errors import ProfileError, UsageError, did_you_mean, nearest

__all__ = ["ALBUM_FILE", "SCHEMA", "AlbumSpec", "TrackSpec", "album_toml", "load_album"]

SCHEMA = "mixdesk.album/1"
ALBUM_FILE = "album.toml"
"""The album file a folder may hold."""

_AUDIO = frozenset({".wav", ".wave", ".flac", ".aif", ".aiff", ".w64", ".rf64", ".bwf"})
_TOP: dict[str, type | tuple[type, ...]] = {
    "schema": str,
    "title": str,
    "performer": str,
    "catalog": str,
    "gap_s": (int, float),
    "first_gap_s": (int, float),
    "tracks": list,
}
_TRACK: dict[str, type | tuple[type, ...]] = {
    "file": str,
    "title": str,
    "performer": str,
    "isrc": str,
    "gap_s": (int, float),
}
DEFAULT_GAP_S = 2.0
"""Default pause between tracks, s (the Red Book's usual 2 s)."""


@dataclass(frozen=True)
class TrackSpec:
    """One track as the album file lists it.

    Attributes:
        path: The audio file (resolved against the album file's folder).
        title: Title (``""`` if none).
        performer: Performer (``""``: the album's).
        isrc: ISRC as written (``""`` if none).
        gap_s: The pause before it, s.
    """

    path: str
    title: str
    performer: str
    isrc: str
    gap_s: float


@dataclass(frozen=True)
class AlbumSpec:
    """An album: its facts and its tracks in order.

    Attributes:
        path: The album file (or the folder, for an album made from a folder).
        title: Album title.
        performer: Album performer.
        catalog: UPC/EAN as written (``""`` if none).
        tracks: The tracks in sequence.
    """

    path: str
    title: str
    performer: str
    catalog: str
    tracks: tuple[TrackSpec, ...]


def _typed(where: str, key: str, value: Any, kind: type | tuple[type, ...], file: str) -> None:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UsageError(f"{file}: '{where}{key}' has the wrong type ({value!r})")
    if isinstance(value, float | int) and not (math.isfinite(value) and value >= 0):
        raise UsageError(f"{file}: '{where}{key}' is {value!r}; expected a number of at least 0")
    if isinstance(value, float | int) and value > 3600:
        raise UsageError(f"{file}: '{where}{key}' is {value!r}; expected at most 3600 s")


def _check_keys(
    table: dict[str, Any], allowed: dict[str, type | tuple[type, ...]], where: str, file: str
) -> None:
    for key, value in table.items():
        if key not in allowed:
            hint = did_you_mean(nearest(key, sorted(allowed)))
            raise UsageError(f"{file}: unknown key '{where}{key}'{hint}")
        _typed(where, key, value, allowed[key], file)


def load_album(path: str | os.PathLike[str]) -> AlbumSpec:
    """Read an album file, or make an album of a folder (its ``album.toml``, else its files).

    Args:
        path: An ``album.toml``, or a folder: its ``album.toml`` if it has one,
            else its audio files in name order with the default gaps.

    Returns:
        The album.

    Raises:
        UsageError: Unreadable or invalid album file (naming the file and key),
            a folder with no audio, or no tracks.
    """
    p = Path(path)
    if p.is_dir():
        if (p / ALBUM_FILE).is_file():
            return load_album(p / ALBUM_FILE)
        return _from_folder(p)
    try:
        data = read_toml(p, "album")
    except ProfileError as err:
        raise UsageError(str(err)) from None
    file = str(p)
    _check_keys(data, _TOP, "", file)
    if data.get("schema", SCHEMA) != SCHEMA:
        raise UsageError(f"{file}: 'schema' is {data['schema']!r}; expected {SCHEMA!r}")
    raw = data.get("tracks", [])
    if not raw:
        raise UsageError(f"{file}: no [[tracks]]")
    gap = float(data.get("gap_s", DEFAULT_GAP_S))
    first_gap = float(data.get("first_gap_s", DEFAULT_GAP_S))
    tracks = []
    for i, table in enumerate(raw):
        where = f"tracks[{i}]."
        if not isinstance(table, dict):
            raise UsageError(f"{file}: 'tracks[{i}]' must be a table")
        _check_keys(table, _TRACK, where, file)
        if "file" not in table:
            raise UsageError(f"{file}: 'tracks[{i}]' has no 'file'")
        tracks.append(
            TrackSpec(
                path=str(p.parent / table["file"]),
                title=table.get("title", ""),
                performer=table.get("performer", ""),
                isrc=table.get("isrc", ""),
                gap_s=float(table.get("gap_s", first_gap if i == 0 else gap)),
            )
        )
    return AlbumSpec(
        path=file,
        title=data.get("title", ""),
        performer=data.get("performer", ""),
        catalog=data.get("catalog", ""),
        tracks=tuple(tracks),
    )


def _audio_files(folder: Path) -> list[Path]:
    return sorted(
        (f for f in folder.iterdir() if f.suffix.lower() in _AUDIO and f.is_file()),
        key=lambda f: f.name,
    )


def _from_folder(folder: Path) -> AlbumSpec:
    files = _audio_files(folder)
    if not files:
        raise UsageError(f"{folder}: no audio files (and no {ALBUM_FILE})")
    tracks = tuple(TrackSpec(str(f), f.stem, "", "", DEFAULT_GAP_S) for f in files)
    return AlbumSpec(str(folder), folder.name, "", "", tracks)


def _quote(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def album_toml(folder: str | os.PathLike[str]) -> str:
    """The text of an ``album.toml`` for a folder's audio files, in name order.

    Args:
        folder: The album's folder.

    Returns:
        TOML text: the folder's name as the title, each file as a track titled
        by its name, the default gaps, empty ISRCs to fill in.

    Raises:
        UsageError: Not a folder, or no audio files in it.
    """
    p = Path(folder)
    if not p.is_dir():
        raise UsageError(f"{p}: not a folder")
    files = _audio_files(p)
    if not files:
        raise UsageError(f"{p}: no audio files to make an album of")
    lines = [
        f'schema = "{SCHEMA}"',
        f"title = {_quote(p.resolve().name)}",
        'performer = ""',
        'catalog = ""  # UPC-A (12 digits) or EAN-13 (13 digits)',
        f"gap_s = {DEFAULT_GAP_S}  # pause before each track, s",
        f"first_gap_s = {DEFAULT_GAP_S}  # pre-gap of track 1, s (Red Book: at least 2)",
    ]
    for f in files:
        lines += [
            "",
            "[[tracks]]",
            f"file = {_quote(f.name)}",
            f"title = {_quote(f.stem)}",
            'isrc = ""  # CC-XXX-YY-NNNNN',
        ]
    return "\n".join(lines) + "\n"
