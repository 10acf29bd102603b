"""Write an iTunes ``----`` freeform tag (e.g. ``iTunSMPB``) into an MP4 file, for tests.

The ffmpeg CLI writes custom keys as QuickTime ``mdta`` keys (``-movflags
use_metadata_tags``), not as the ``----`` atom (mean ``com.apple.iTunes``, name,
data) that iTunes and Apple's encoders write. This helper appends that atom to
``moov/udta/meta/ilst`` and grows the sizes of the boxes around it. The file must
have its ``moov`` after ``mdat`` (ffmpeg's default), so no chunk offset moves.
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["add_freeform_tag", "itunsmpb"]


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def itunsmpb(priming: int, padding: int, samples: int) -> str:
    """The ``iTunSMPB`` value as Apple's encoders write it (hexadecimal fields)."""
    rest = " ".join(["00000000"] * 8)
    return f" 00000000 {priming:08X} {padding:08X} {samples:016X} {rest}"


def _find(data: bytes, start: int, end: int, kind: bytes) -> int:
    off = start
    while off < end:
        size, typ = struct.unpack(">I4s", data[off : off + 8])
        if typ == kind:
            return off
        off += size
    raise ValueError(f"no {kind!r} box")


def add_freeform_tag(path: Path, name: str, value: str) -> None:
    """Append ``----`` (mean com.apple.iTunes, ``name``, UTF-8 ``value``) to the file's ilst."""
    data = bytearray(path.read_bytes())
    atom = _box(
        b"----",
        _box(b"mean", b"\0\0\0\0com.apple.iTunes")
        + _box(b"name", b"\0\0\0\0" + name.encode())
        + _box(b"data", struct.pack(">II", 1, 0) + value.encode()),
    )
    moov = _find(data, 0, len(data), b"moov")
    mdat = _find(data, 0, len(data), b"mdat")
    assert mdat < moov, "moov must follow mdat"
    moov_end = moov + struct.unpack(">I", data[moov : moov + 4])[0]
    udta = _find(data, moov + 8, moov_end, b"udta")
    udta_end = udta + struct.unpack(">I", data[udta : udta + 4])[0]
    meta = _find(data, udta + 8, udta_end, b"meta")
    meta_end = meta + struct.unpack(">I", data[meta : meta + 4])[0]
    ilst = _find(data, meta + 12, meta_end, b"ilst")  # meta is a full box: 4 bytes of flags
    ilst_end = ilst + struct.unpack(">I", data[ilst : ilst + 4])[0]
    data[ilst_end:ilst_end] = atom
    for box in (moov, udta, meta, ilst):
        size = struct.unpack(">I", data[box : box + 4])[0]
        data[box : box + 4] = struct.pack(">I", size + len(atom))
    path.write_bytes(bytes(data))
