"""Whether a file needs PyAV, and loading PyAV (the optional extra ``codecs``).

libsndfile reads WAV, AIFF, FLAC, Ogg and MP3; AAC and ALAC in MP4/M4A, Opus in
WebM/MP4, ADTS and CAF-AAC need FFmpeg's libraries through PyAV. This module
decides from a file's first bytes (`qc.audio.sniff`) and imports ``av`` only
when asked, so the plain ``mixdesk check`` of a WAV never loads it.
"""

from __future__ import annotations

import os
import stat
from types import ModuleType

from qc.audio.sniff import HEAD_BYTES, Container, sniff

__all__ = ["AV_HINT", "load_av", "needs_av", "wants_av"]

AV_HINT = "pip install 'mixdesk[codecs]'"
"""How to install PyAV, the extra that decodes AAC/ALAC/WebM and runs the codec preview."""

_AV_CONTAINERS = frozenset({"mp4", "webm", "aac", "wma"})


def needs_av(container: Container) -> bool:
    """True if libsndfile cannot read this container/codec and PyAV should.

    Args:
        container: What `qc.audio.sniff.sniff` found in the file's first bytes.
    """
    return container.container in _AV_CONTAINERS or (
        container.container == "caf" and container.codec == "aac"
    )


def wants_av(path: str | os.PathLike[str]) -> bool:
    """True if the file's first bytes show a container only PyAV reads; never raises.

    Args:
        path: The file; one that cannot be opened is left to the soundfile reader,
            which names the problem.
    """
    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return False
            head = fh.read(HEAD_BYTES)
    except (OSError, ValueError):
        return False
    return needs_av(sniff(head, len(head)))


def load_av() -> ModuleType | None:
    """The ``av`` module, or None when the extra ``codecs`` is not installed."""
    try:
        import av
    except ImportError:
        return None
    return av
