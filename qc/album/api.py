"""The Python API of the album check: :func:`check_album`.

Example:
    >>> import qc
    >>> album = qc.check_album("album.toml", profile="cd-redbook")  # doctest: +SKIP
    >>> album.loudness.integrated_lufs, [t.start_s for t in album.tracks]  # doctest: +SKIP
    (-14.2, [2.0, 200.04, 391.4])

Settings are resolved as for ``mixdesk album`` (and as :func:`qc.check`
resolves them): each track's nearest ``mixdesk.toml`` judges its own findings,
the album file's judges the album's; ``profile``, ``select`` and ``ignore``
override both. The result is :class:`~qc.album.results.AlbumResult`, named as
the ``mixdesk.album/1`` JSON keys.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

from qc.album.check import check_album_spec
from qc.album.results import AlbumResult
from qc.album.spec import load_album
from qc.api import api_finder
from qc.settings import SettingsResolver

__all__ = ["check_album"]

PathLike = str | os.PathLike[str]


def check_album(
    album: PathLike,
    profile: str | Sequence[str] | None = None,
    config: PathLike | Literal[False] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int = 1,
) -> AlbumResult:
    """Check an album as a whole, and each of its tracks.

    Args:
        album: An ``album.toml``, or a folder (its ``album.toml``, else its
            audio files in name order with 2 s gaps).
        profile: A shipped profile name, a ``.toml`` path or a list of them
            (``"cd-redbook"`` adds the Red Book rules); ``None`` keeps the config's.
        config: ``None``: the nearest ``mixdesk.toml``; a path: that file;
            ``False``: no config file.
        select: Rule codes, prefixes or names to run (as ``--select``).
        ignore: Rule codes, prefixes or names to skip (as ``--ignore``).
        jobs: Tracks checked in parallel (worker processes).

    Returns:
        The album's result; an unreadable track has its ``check.error`` set.

    Raises:
        UsageError: A bad album file (naming the file and key) or folder.
        ProfileError: An unknown profile, or a bad config or profile file.
        SelectorError: A selector matches no rule.
    """
    spec = load_album(album)
    resolver = SettingsResolver(api_finder(profile, config, select, ignore))
    return check_album_spec(spec, resolver, jobs=jobs).result
