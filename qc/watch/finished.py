"""Is a bounce finished? Header sizes against the file size, plus one cheap probe.

WAV, RF64/BW64, Wave64 and AIFF/AIFC writers put placeholder sizes in the
header (0, or ``0xFFFFFFFF``) while they write, and patch the real sizes when
they close the file; a copy of a finished file carries final sizes from its
first bytes while the data is still arriving. Either way a file is *complete*
only when:

* its audio chunk declares a non-zero size that fits in the file, and
* the outer container size (RIFF/FORM, or ``ds64`` for RF64) covers the audio
  chunk and does not run more than one pad byte past the end of the file.

Bytes after the container (an appended ID3 tag) are allowed. Other formats
(FLAC, MP3, Ogg, CAF, unknown bytes) cannot be validated this way: they are
``unknown``, and the daemon relies on the close, rename and settle signals.

:func:`completeness` is pure; :func:`probe` does the one ``stat`` and 64 KiB read.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qc.audio.sniff import HEAD_BYTES, sniff

__all__ = ["HeaderCheck", "Probe", "Signature", "State", "completeness", "probe"]

State = Literal["complete", "incomplete", "unknown"]
"""What the header says: sizes agree, sizes disagree, or the format cannot tell."""

_PLACEHOLDER_32 = 0xFFFFFFFF
_SIZED = frozenset({"wav", "rf64", "w64", "aiff", "aifc"})


@dataclass(frozen=True)
class HeaderCheck:
    """The verdict of the header-vs-size test.

    Attributes:
        state: ``complete``, ``incomplete`` or ``unknown``.
        reason: Why, in a few words (empty when complete).
        container: Container sniffed from the bytes (``wav``, ``aiff``, ...).
    """

    state: State
    reason: str
    container: str


Signature = tuple[int, int, int]
"""What changes when a file is written or replaced: ``(size bytes, mtime ns, inode)``."""


@dataclass(frozen=True)
class Probe:
    """One look at a file on disk.

    Attributes:
        signature: ``(size bytes, mtime ns, inode)``.
        age_s: Seconds since the last modification, at the moment of the probe
            (negative if the file's clock is ahead of ours).
        header: The header-vs-size verdict at that moment.
    """

    signature: Signature
    age_s: float
    header: HeaderCheck

    @property
    def size(self) -> int:
        """File size in bytes."""
        return self.signature[0]


def _u(b: bytes, off: int, n: int, order: Literal["little", "big"] = "little") -> int | None:
    if off < 0 or off + n > len(b):
        return None
    return int.from_bytes(b[off : off + n], order)


def _outer_end(head: bytes, container: str) -> tuple[int | None, bool]:
    """Byte offset where the container says the file ends, and whether it is a placeholder."""
    if container == "wav":
        size = _u(head, 4, 4)
        return (None if size is None else 8 + size), size in (0, _PLACEHOLDER_32)
    if container == "rf64":
        # EBU Tech 3306: the ds64 chunk comes first; its riffSize replaces the 32-bit one.
        if head[12:16] != b"ds64":
            return None, False
        size = _u(head, 20, 8)
        return (None if size is None else 8 + size), size == 0
    if container == "w64":
        size = _u(head, 16, 8)  # a Wave64 riff size counts its own 24-byte header
        return size, size == 0
    size = _u(head, 4, 4, "big")  # AIFF / AIFC FORM
    return (None if size is None else 8 + size), size in (0, _PLACEHOLDER_32 - 7)


def completeness(head: bytes, size: int) -> HeaderCheck:
    """Judge from a file's first bytes and its size whether its writer has finished.

    Args:
        head: The first bytes of the file, up to ``HEAD_BYTES`` (64 KiB).
        size: The file size in bytes, taken at the same moment.

    Returns:
        The verdict; never raises.

    Example:
        A WAV whose ``data`` chunk still declares 0 bytes::

            completeness(header_with_zero_sizes, 96_044).state == "incomplete"
    """
    if size == 0:
        return HeaderCheck("incomplete", "empty file", "unknown")
    c = sniff(head, size)
    if c.container not in _SIZED:
        return HeaderCheck("unknown", f"{c.container}: no sizes to check", c.container)
    if c.data_offset is None or c.declared_data_bytes is None:
        if size >= HEAD_BYTES:
            return HeaderCheck("unknown", "audio chunk beyond the first 64 KiB", c.container)
        return HeaderCheck("incomplete", "no audio chunk yet", c.container)
    declared, data_end = c.declared_data_bytes, c.data_offset + c.declared_data_bytes
    outer, outer_placeholder = _outer_end(head, c.container)
    held = max(size - c.data_offset, 0)
    if declared == 0 or (c.container == "wav" and declared == _PLACEHOLDER_32) or outer_placeholder:
        reason = f"header sizes are placeholders ({held:,} bytes of audio written so far)"
        return HeaderCheck("incomplete", reason, c.container)
    if data_end > size:
        reason = f"header declares {declared:,} bytes of audio but the file holds {held:,}"
        return HeaderCheck("incomplete", reason, c.container)
    if outer is not None and not data_end <= outer <= size + 1:
        reason = f"header gives the container {outer:,} bytes but the file has {size:,}"
        return HeaderCheck("incomplete", reason, c.container)
    return HeaderCheck("complete", "", c.container)


def _unreachable_link(path: str | os.PathLike[str]) -> os.stat_result | None:
    """The link itself, for a symlink whose target cannot be reached (a loop, nothing)."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISLNK(st.st_mode) else None


def probe(path: str | os.PathLike[str], *, wall: Callable[[], float] = time.time) -> Probe | None:
    """Stat a file and judge its header, or return ``None`` if it is gone.

    A file that exists but cannot be read (permission denied) gets an
    ``unknown`` header, so the daemon still checks it and the check reports
    the reason as a finding.

    Args:
        path: The file.
        wall: Clock giving seconds since the epoch. Defaults to ``time.time``.

    Returns:
        The probe, or ``None`` when the path no longer exists (or is a folder).
        Something else that is not a regular file (a FIFO, a device, a symlink
        loop, a symlink to nothing) gets an ``unknown`` header without being
        opened: its check reports what it is, it is not "deleted".
    """
    try:
        st = os.stat(path)
    except ValueError:
        return None
    except OSError:
        link = _unreachable_link(path)
        if link is None:
            return None  # gone
        st = link
    if stat.S_ISDIR(st.st_mode):
        return None
    signature = (st.st_size, st.st_mtime_ns, st.st_ino)
    if not stat.S_ISREG(st.st_mode):  # opening a FIFO would wait for a writer
        header = HeaderCheck("unknown", "not a regular file", "unknown")
        return Probe(signature, wall() - st.st_mtime, header)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except FileNotFoundError:
        return None
    except OSError as err:
        header = HeaderCheck("unknown", f"cannot read: {err.strerror or err}", "unknown")
        return Probe(signature, wall() - st.st_mtime, header)
    return Probe(signature, wall() - st.st_mtime, completeness(head, st.st_size))
