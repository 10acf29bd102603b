"""Albums: an ordered list of tracks with gaps, checked as one record and written as a CD image.

* :mod:`qc.album.results`: the typed, frozen results (``mixdesk.album/1``).
"""

from __future__ import annotations

from qc.album.results import AlbumFormat, AlbumLoudness, AlbumPreview, AlbumResult, AlbumTrack

__all__ = ["AlbumFormat", "AlbumLoudness", "AlbumPreview", "AlbumResult", "AlbumTrack"]
