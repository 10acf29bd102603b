"""Albums: an ordered list of tracks with gaps, checked as one record and written as a CD image.

* :mod:`qc.album.spec`: the album file (``album.toml``, ``mixdesk.album/1``), ``album init``.
* :mod:`qc.album.codes`: ISRC (ISO 3901) and UPC/EAN (GS1 check digit).
* :mod:`qc.album.timeline`: where each pre-gap and track falls, on CD frames at 44.1 kHz.
* :mod:`qc.album.check`: one pass per track (in parallel), then the album, with no second read.
* :mod:`qc.album.loudness`: album loudness, LRA, spread, loudest peak, album-mode previews.
* :mod:`qc.album.document`: the ``mixdesk.album/1`` document.
* :mod:`qc.album.results`: the typed, frozen results built from it.
* :mod:`qc.album.render`: text and rich; json, junit, sarif, github through the check renderers.
* :mod:`qc.album.image`: the disc image and CUE sheet, streamed.
* :mod:`qc.album.api`: :func:`qc.check_album`.

The ALB rules are in :mod:`qc.checks.album` and :mod:`qc.checks.redbook` (their
base and runner in :mod:`qc.checks.album_rule`), the pure album math in
:mod:`qc.measure.album`, the watch daemon's re-check in :mod:`qc.watch.album`.

The result types below are imported when first used: the rules import
:mod:`qc.album.codes`, and ``mixdesk check`` should not build the album's (and the
Python API's) result classes on every start (10 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qc.album.results import AlbumFormat, AlbumLoudness, AlbumPreview, AlbumResult, AlbumTrack

__all__ = ["AlbumFormat", "AlbumLoudness", "AlbumPreview", "AlbumResult", "AlbumTrack"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("qc.album.results"), name)
    raise AttributeError(f"module 'qc.album' has no attribute {name!r}")
