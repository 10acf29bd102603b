"""Which files in a watched folder are bounces, and which are left alone.

Only audio extensions are considered. Temporary, hidden and DAW side files are
ignored by name:

* hidden files and anything inside a hidden folder (``.mix.wav``, ``.cache/x.wav``);
* names with a temp marker anywhere in their suffixes (``mix.wav.part``,
  ``mix.tmp.wav``, ``.partial``, ``.crdownload``, ``.download``);
* editor/backup names (``mix.wav~``, ``~$mix.wav``);
* peak and analysis files: REAPER ``.reapeaks``, Pro Tools/Audition ``.pkf``,
  Live ``.asd``, Audacity/Logic ``.peak``;
* Ardour's normalisation/real-time export temp files (``g_mkstemp`` names like
  ``aB3xYz`` with no extension) and the daemon's own ``.qc.json`` sidecars fall
  out because they have no audio extension.

These rules are pure functions of a path, so they are tested without a filesystem.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence

__all__ = ["AUDIO_SUFFIXES", "SIDE_SUFFIXES", "TEMP_SUFFIXES", "ignore_reason", "is_bounce"]

AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".bwf", ".rf64", ".w64", ".aif", ".aiff", ".aifc", ".flac", ".ogg",
     ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wma", ".caf"}
)  # fmt: skip
"""Extensions the daemon checks; the same set ``mixdesk check`` picks up in a folder."""

TEMP_SUFFIXES = frozenset({".tmp", ".temp", ".part", ".partial", ".crdownload", ".download"})
"""Suffixes that mark a file as still being written, wherever they sit in the name."""

SIDE_SUFFIXES = frozenset({".reapeaks", ".pkf", ".asd", ".peak", ".qc.json"})
"""DAW peak/analysis files and the daemon's own sidecars."""


def _suffixes(name: str) -> list[str]:
    """Every dot-suffix of a name, lower-case: ``a.tmp.wav`` → ``[".tmp", ".wav"]``."""
    parts = name.lower().split(".")
    return [f".{p}" for p in parts[1:]]


def ignore_reason(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    exclude: Sequence[str] = (),
) -> str | None:
    """Say why a path is not a bounce to check, or ``None`` if it is one.

    Args:
        path: The file's path.
        root: The watched folder; folders between it and the file that start
            with a dot make the file hidden. Defaults to None (only the name counts).
        exclude: Extra ``fnmatch`` globs matched against the file name
            (case-sensitive), e.g. ``("*_stem*.wav",)``.

    Returns:
        A short reason (``hidden``, ``temporary file``, ``DAW side file``,
        ``excluded by GLOB``, ``not audio``), or ``None`` for a bounce.
    """
    name = os.path.basename(os.fspath(path))
    if not name or name.startswith("."):
        return "hidden"
    if root is not None:
        rel = os.path.relpath(os.fspath(path), os.fspath(root))
        if any(part.startswith(".") and part not in (".", "..") for part in rel.split(os.sep)[:-1]):
            return "hidden"
    lower = name.lower()
    suffixes = _suffixes(name)
    if lower.endswith("~") or lower.startswith("~$") or TEMP_SUFFIXES.intersection(suffixes):
        return "temporary file"
    if any(lower.endswith(s) for s in SIDE_SUFFIXES):
        return "DAW side file"
    for glob in exclude:
        if fnmatch.fnmatchcase(name, glob):
            return f"excluded by {glob}"
    if not suffixes or suffixes[-1] not in AUDIO_SUFFIXES:
        return "not audio"
    return None


def is_bounce(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    exclude: Sequence[str] = (),
) -> bool:
    """True if the daemon should check this file (see :func:`ignore_reason`)."""
    return ignore_reason(path, root, exclude=exclude) is None
