"""Writing files without following links or landing on a file mixdesk did not create.

Every file mixdesk writes goes through this module: ``check --output-file``
reports, watch sidecars and the watch log, ``scene save`` files, lane files and
the virtual DAW's takes. Whether a target may be written is decided by
:func:`refusal`, in this order:

Always refused, ``force`` or not:

1. a symbolic link, dangling or not, wherever it points;
2. anything that exists and is not a regular file: a folder, FIFO, socket or device;
3. audio: a name ending in one of :data:`AUDIO_SUFFIXES` (any case), or an
   existing file whose first bytes :func:`qc.audio.sniff.sniff` recognises as
   an audio container;
4. a project config: a file named ``mixdesk.toml`` or ``pyproject.toml``, and any
   other ``*.toml`` (a profile, a scene) when the text written is not TOML.

Refused unless ``force=True``:

5. an existing regular file that is not ours. A file the user names
   (``--output-file``, ``scene save``, ``save_lanes``) is never ours; a file
   whose name mixdesk derives itself (the sidecar ``NAME.qc.json`` next to the
   bounce ``NAME``) is ours, and its writer passes ``ours=True``.

:func:`write_file` writes a whole file: into a temporary file that
:func:`tempfile.mkstemp` creates exclusively (``O_EXCL``) in the target's
folder under an unpredictable hidden name ``.NAME.XXXXXXXX.tmp`` (which the
watcher ignores), flushed with ``fsync``, made ``0o644`` and renamed over the
target with :func:`os.replace`. A rename replaces the directory entry: a link
or hard link planted at the target, even after the checks, is replaced and
never written through.

:func:`open_append` opens a log for appending with
``O_APPEND | O_CREAT | O_NOFOLLOW``; rules 1 to 4 apply (any ``*.toml`` is
refused), a file with a second hard link is refused (an append would land in
the other name's file too), and an existing non-empty file must start with the
caller's ``expect`` bytes. :func:`create_new` creates a file that must not
exist (``O_CREAT | O_EXCL | O_NOFOLLOW``), for renders written in place.

Refusals raise :class:`UnsafeTargetError`, whose message is one line naming
the file; failures of the system calls stay :class:`OSError`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from typing import IO

from qc.audio.sniff import HEAD_BYTES, sniff
from qc.errors import QCError

__all__ = [
    "AUDIO_SUFFIXES",
    "CONFIG_NAMES",
    "UnsafeTargetError",
    "create_new",
    "ensure_writable",
    "open_append",
    "refusal",
    "write_file",
]

AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".bwf", ".rf64", ".w64", ".aif", ".aiff", ".aifc", ".flac", ".ogg",
     ".oga", ".opus", ".mp3", ".mp2", ".m4a", ".m4b", ".mp4", ".aac", ".wma", ".caf", ".alac",
     ".ape", ".wv", ".dsf", ".dff", ".au", ".snd", ".sd2", ".mka", ".ac3"}
)  # fmt: skip
"""Extensions mixdesk never writes a report, scene, lane file or log over."""

CONFIG_NAMES = frozenset({"mixdesk.toml", "pyproject.toml"})
"""File names that hold a project's config; never overwritten."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class UnsafeTargetError(QCError):
    """A write was refused; the message is one line naming the file and why."""


def _kind(mode: int) -> str | None:
    """Why a file of this mode is not writable, or ``None`` for a regular file."""
    if stat.S_ISLNK(mode):
        return "it is a symbolic link"
    if stat.S_ISDIR(mode):
        return "it is a folder"
    if not stat.S_ISREG(mode):
        return "it is not a regular file (a FIFO, socket or device)"
    return None


def _sniffs_as_audio(path: str) -> bool:
    """True if the existing regular file at ``path`` starts like an audio container."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        head = os.read(fd, HEAD_BYTES)
    finally:
        os.close(fd)
    return bool(head) and sniff(head, st.st_size).container != "unknown"


def refusal(
    path: str | os.PathLike[str], *, toml: bool = False, force: bool = False, ours: bool = False
) -> str | None:
    """Say why ``path`` must not be written, or ``None`` if it may be.

    Args:
        path: The target.
        toml: The text written is TOML (``scene save``, a ``.toml`` lane file).
        force: Replace an existing regular file that is not ours (rule 5).
        ours: An existing file at ``path`` is mixdesk's own (a sidecar).

    Returns:
        The reason, e.g. ``"it is an audio file"``, or ``None``.
    """
    p = os.fspath(path)
    name = os.path.basename(p).lower()
    try:
        st: os.stat_result | None = os.lstat(p)
    except FileNotFoundError:
        st = None
    if st is not None and (kind := _kind(st.st_mode)) is not None:
        return kind
    if os.path.splitext(name)[1] in AUDIO_SUFFIXES:
        return "it is an audio file"
    if name in CONFIG_NAMES:
        return "it is a mixdesk config"
    if name.endswith(".toml") and not toml:
        return "it is a TOML file (a config, profile or scene)"
    if st is None:
        return None
    if _sniffs_as_audio(p):
        return "it is an audio file"
    if not (force or ours):
        return "it already exists (--force replaces it)"
    return None


def _refuse(path: str, what: str, reason: str) -> UnsafeTargetError:
    return UnsafeTargetError(f"{path}: refusing to write the {what} there: {reason}")


def ensure_writable(
    path: str | os.PathLike[str],
    *,
    what: str = "file",
    toml: bool = False,
    force: bool = False,
    ours: bool = False,
) -> None:
    """Raise if :func:`refusal` refuses ``path``: lets a command fail before its work.

    Args:
        path: The target.
        what: What would be written, for the message (``"report"``).
        toml: The text written is TOML.
        force: Replace an existing file that is not ours.
        ours: An existing file at ``path`` is ours to replace.

    Raises:
        UnsafeTargetError: ``PATH: refusing to write the WHAT there: REASON``.
    """
    reason = refusal(path, toml=toml, force=force, ours=ours)
    if reason is not None:
        raise _refuse(os.fspath(path), what, reason)


def write_file(
    path: str | os.PathLike[str],
    text: str,
    *,
    what: str = "file",
    toml: bool = False,
    force: bool = False,
    ours: bool = False,
) -> None:
    """Write ``text`` (UTF-8) as the whole of ``path``: temp file, ``fsync``, rename.

    Args:
        path: The target; its folder must exist.
        text: The new content.
        what: What is written, for the message (``"report"``).
        toml: The text is TOML.
        force: Replace an existing file that is not ours.
        ours: An existing file at ``path`` is ours to replace.

    Raises:
        UnsafeTargetError: :func:`refusal` refuses the target.
        OSError: The folder is missing or not writable, the disk is full, ...
    """
    target = os.fspath(path)
    ensure_writable(target, what=what, toml=toml, force=force, ours=ours)
    data = text.encode("utf-8")
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or ".")
    try:
        try:
            os.fchmod(fd, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_append(path: str | os.PathLike[str], *, what: str = "log", expect: bytes = b"") -> IO[str]:
    """Open a log for appending text, never through a link or into a non-regular file.

    Args:
        path: The log; created ``0o644`` if missing.
        what: What the file is, for the message.
        expect: An existing non-empty file must start with these bytes
            (``b"{"`` for an NDJSON log); anything else is not ours.

    Returns:
        A line-buffered UTF-8 text stream open for appending.

    Raises:
        UnsafeTargetError: Rules 1 to 4, a second hard link, or a file that does
            not start with ``expect``.
        OSError: The folder is missing or not writable, ...
    """
    target = os.fspath(path)
    ensure_writable(target, what=what, ours=True)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC
    try:
        fd = os.open(target, flags, 0o644)
    except OSError:
        if os.path.islink(target):  # planted after the check
            raise _refuse(target, what, "it is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        reason = _kind(st.st_mode)
        if reason is None and st.st_nlink > 1:
            reason = "it has another hard link"
        if reason is None and expect and st.st_size > 0 and os.pread(fd, len(expect), 0) != expect:
            reason = f"it exists and is not a {what} (it does not start with {expect!r})"
        if reason is not None:
            raise _refuse(target, what, reason)
        os.set_blocking(fd, True)
        return open(fd, "a", encoding="utf-8", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def create_new(path: str | os.PathLike[str], mode: int = 0o644) -> int:
    """Create ``path``, which must not exist, and return a descriptor open for writing.

    A name that exists, as a file or as a link (dangling or not), fails with
    :class:`FileExistsError`: nothing existing is ever opened.

    Raises:
        FileExistsError: Something is already there.
        OSError: The folder is missing or not writable, ...
    """
    return os.open(
        os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode
    )
