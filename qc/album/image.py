"""The disc image and its CUE sheet: one 44.1 kHz/16-bit WAV, tracks on CD frames.

The image is written block by block (memory does not grow with the album):
each pre-gap as digital silence, each track's samples copied as 16-bit
integers (bit for bit: no conversion to float and back), then silence to the
end of its CD frame (588 samples), so every track starts on a frame and no
audio is cut. The CUE sheet names the image and gives ``CATALOG``, ``TITLE``,
``PERFORMER``, and per track ``TITLE``, ``PERFORMER``, ``ISRC``, ``INDEX 00``
(the pre-gap, when there is one) and ``INDEX 01`` (CDRWIN cue sheet syntax, as
cuetools and replication tools read it).

Inputs that are not 44.1 kHz/16-bit stereo PCM are refused with the command
that makes them so; nothing is converted silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qc.album.codes import isrc_compact
from qc.album.spec import AlbumSpec
from qc.album.timeline import Slot, layout, msf
from qc.errors import UsageError
from qc.measure.album import CD_RATE
from qc.safe_io import ensure_writable, write_file

__all__ = ["BLOCK", "check_cd_inputs", "cue_sheet", "write_image"]

BLOCK = 1 << 16
"""Frames copied per block."""


def _cd_problem(info: object) -> str | None:
    rate = getattr(info, "samplerate", None)
    channels = getattr(info, "channels", None)
    subtype = getattr(info, "subtype", None)
    if (rate, channels, subtype) == (CD_RATE, 2, "PCM_16"):
        return None
    return f"is {rate} Hz, {channels} ch, {subtype}; a CD image takes 44100 Hz, 2 ch, PCM_16"


def check_cd_inputs(spec: AlbumSpec) -> list[int]:
    """Each track's length, samples.

    Raises:
        UsageError: A track is unreadable or not 44.1 kHz/16-bit stereo PCM, naming
            the command that makes it so.
    """
    import soundfile as sf

    frames = []
    for t in spec.tracks:
        try:
            if not stat.S_ISREG(os.stat(t.path).st_mode):  # a FIFO would block the open
                raise UsageError(f"{t.path}: not a regular file")
            info = sf.info(t.path)
        except (RuntimeError, OSError) as err:
            raise UsageError(f"{t.path}: cannot read: {err}") from None
        problem = _cd_problem(info)
        if problem is not None:
            fixed = Path(t.path).with_name(Path(t.path).stem + ".cd.wav")
            raise UsageError(
                f"{t.path} {problem}: make it so first with "
                f"'mixdesk fix --profile cd-redbook {t.path} -o {fixed}'"
            )
        frames.append(int(info.frames))
    return frames


def _refuse_image(path: str, spec: AlbumSpec, *, force: bool) -> None:
    """Refuse an image path that is a track, not a regular file, or exists without ``force``."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    target = os.path.realpath(path)
    if any(os.path.realpath(t.path) == target for t in spec.tracks):
        raise UsageError(f"{path}: refusing to write the image over one of the album's tracks")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path}: refusing to write the image there: not a regular file")
    if not force:
        raise UsageError(f"{path}: refusing to write the image there: it exists (--force)")


def _quoted(text: str) -> str:
    """A CUE string: double quotes (a CUE sheet has no escape, so inner quotes become ')."""
    clean = "".join(c for c in text if c.isprintable()).replace('"', "'")
    return f'"{clean}"'


def cue_sheet(spec: AlbumSpec, slots: Sequence[Slot], image_name: str) -> str:
    """The CUE sheet of an image laid out as ``slots``.

    Args:
        spec: The album.
        slots: Each track's place on the timeline, samples at 44.1 kHz, on CD frames.
        image_name: The image as the sheet names it (relative to the sheet's folder).

    Returns:
        The sheet's text (CRLF-free, UTF-8).
    """
    lines = []
    if spec.catalog:
        lines.append(f"CATALOG {spec.catalog.zfill(13)}")
    if spec.performer:
        lines.append(f"PERFORMER {_quoted(spec.performer)}")
    if spec.title:
        lines.append(f"TITLE {_quoted(spec.title)}")
    lines.append(f"FILE {_quoted(image_name)} WAVE")
    for i, (t, slot) in enumerate(zip(spec.tracks, slots, strict=True)):
        lines.append(f"  TRACK {i + 1:02d} AUDIO")
        if t.title:
            lines.append(f"    TITLE {_quoted(t.title)}")
        if t.performer or spec.performer:
            lines.append(f"    PERFORMER {_quoted(t.performer or spec.performer)}")
        if t.isrc:
            lines.append(f"    ISRC {isrc_compact(t.isrc)}")
        if slot.start > slot.pregap:
            lines.append(f"    INDEX 00 {msf(slot.pregap)}")
        lines.append(f"    INDEX 01 {msf(slot.start)}")
    return "\n".join(lines) + "\n"


def _silence(out: Any, frames: int) -> None:
    zeros = np.zeros((min(frames, BLOCK), 2), dtype=np.int16)
    left = frames
    while left > 0:
        n = min(left, BLOCK)
        out.write(zeros[:n])
        left -= n


def write_image(spec: AlbumSpec, image: str, cue: str, *, force: bool = False) -> tuple[Slot, ...]:
    """Write the album's disc image and CUE sheet.

    Args:
        spec: The album; every track 44.1 kHz/16-bit stereo PCM.
        image: The WAV image to write.
        cue: The CUE sheet to write.
        force: Replace an existing image or sheet (never one of the tracks).

    Returns:
        Each track's place in the image, samples.

    Raises:
        UsageError: A track is not CD audio (naming the command that makes it
            so), or a target is refused.
        OSError: The disk is full, the folder is not writable, ...
    """
    import soundfile as sf

    frames = check_cd_inputs(spec)
    _refuse_image(image, spec, force=force)
    slots = layout(frames, [t.gap_s for t in spec.tracks], CD_RATE)
    name = os.path.relpath(os.path.abspath(image), os.path.dirname(os.path.abspath(cue)))
    text = cue_sheet(spec, slots, name)
    ensure_writable(cue, what="CUE sheet", force=force)  # refused before any audio is written
    partial = f"{image}.partial"
    try:
        with sf.SoundFile(partial, "w", CD_RATE, 2, "PCM_16", format="WAV") as out:
            for t, slot in zip(spec.tracks, slots, strict=True):
                _silence(out, slot.start - slot.pregap)
                with sf.SoundFile(t.path) as src:
                    for block in src.blocks(BLOCK, dtype="int16", always_2d=True):
                        out.write(block)
                _silence(out, slot.padding)
        os.replace(partial, image)
        write_file(cue, text, what="CUE sheet", force=force)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return slots
