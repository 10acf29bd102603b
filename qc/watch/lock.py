"""One daemon per log: an advisory lock, released by the kernel when its holder dies.

Two ``mixdesk watch`` processes writing the same log would check every bounce
twice. The daemon therefore takes an exclusive ``flock`` before it opens its
log, on a lock file beside it: ``renders.ndjson`` → ``renders.ndjson.lock``
(next to the real path, so a symlink or a relative path names the same lock).
A lock file rather than the log itself, so the lock does not depend on how the
log is opened or replaced, and so it can hold the holder's PID for the second
daemon's message.

Without a log, each watched folder is locked instead, in the user's runtime
folder (``$XDG_RUNTIME_DIR``, else the temp folder), by a hash of the folder's
real path: two daemons without logs on one folder refuse each other, and the
watched folder is never written to (it may be a read-only share).

``flock`` locks belong to the open file, so the kernel drops them when the
process ends in any way (``kill -9``, the OOM killer): there is never a stale
lock to clean up, and the lock file is left in place on purpose (removing it
would let a third daemon lock a new file while a second still holds the old
one). The descriptor is not inherited by the worker processes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
import tempfile
import time

from qc.errors import QCError
from qc.printable import printable

__all__ = ["LOCK_SUFFIX", "LockedError", "WatchLock", "folder_lock_path", "log_lock_path"]

LOCK_SUFFIX = ".lock"
"""Appended to the log's real path to name its lock file."""

_PID_WAIT_S = 1.0  # how long to wait for a holder that has just locked to write its PID


class LockedError(QCError):
    """Another daemon holds the lock; the message names its PID and the lock file."""

    def __init__(self, what: str, path: str, pid: int | None) -> None:
        who = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(
            f"watch: another mixdesk watch ({who}) is already watching {what} "
            f"(lock {printable(path)}); stop it first"
        )
        self.pid = pid
        self.path = path


def log_lock_path(log: str) -> str:
    """The lock file of a log: its real path plus ``.lock``."""
    return os.path.realpath(log) + LOCK_SUFFIX


def folder_lock_path(folder: str) -> str:
    """The lock file of a watched folder without a log, in the user's runtime folder."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    digest = hashlib.blake2b(os.fsencode(os.path.realpath(folder)), digest_size=8).hexdigest()
    return os.path.join(base, f"mixdesk-watch-{digest}{LOCK_SUFFIX}")


def _read_pid(fd: int) -> int | None:
    deadline = time.monotonic() + _PID_WAIT_S
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


def _open(path: str) -> tuple[int, bool]:
    """Open (create) a lock file; read-only if it belongs to someone else.

    Never through a link (``O_NOFOLLOW``) and only a regular file: a link planted at
    the lock's name would otherwise have the PID written over its target.

    Raises:
        OSError: A link, or something other than a regular file, at ``path``.
    """
    flags = os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd, writable = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except PermissionError:
        fd, writable = os.open(path, os.O_RDONLY | flags), False
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", path)
    return fd, writable


class WatchLock:
    """The exclusive locks of one daemon, held until :meth:`release` or process exit.

    Args:
        targets: ``(what, lock path)`` pairs; ``what`` names the log or folder
            in the refusal message.
        pid_file: Write this process's PID into the lock files (and read the
            holder's from them). False when the file locked is the log itself.

    Raises:
        LockedError: Another process holds one of the locks.
        OSError: A lock file cannot be created or opened.
    """

    def __init__(self, targets: list[tuple[str, str]], *, pid_file: bool = True) -> None:
        self._fds: list[int] = []
        self._pid_file = pid_file
        try:
            for what, path in sorted(set(targets), key=lambda t: t[1]):
                self._take(what, path)
        except BaseException:
            self.release()
            raise

    @classmethod
    def for_daemon(cls, log: str | None, folders: tuple[str, ...]) -> WatchLock:
        """The log's lock, or with no log, one lock per watched folder.

        A log in a folder this user cannot write to (``/var/log/mixdesk.ndjson``
        made for it by root) cannot have a lock file beside it: the log itself
        is locked then, and a refusal cannot name the holder's PID.
        """
        if log is not None:
            if os.path.isdir(log):
                raise IsADirectoryError(errno.EISDIR, "Is a directory", log)
            what, lock = f"the log {printable(log)}", log_lock_path(log)
            try:
                return cls([(what, lock)])
            except (PermissionError, FileNotFoundError):
                if not os.path.isfile(log) or os.path.lexists(lock):
                    raise
            return cls([(what, os.path.realpath(log))], pid_file=False)
        return cls([(f"the folder {printable(f)}", folder_lock_path(f)) for f in folders])

    def _take(self, what: str, path: str) -> None:
        fd, writable = _open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            held = err.errno in (errno.EWOULDBLOCK, errno.EACCES)
            pid = _read_pid(fd) if held and self._pid_file else None
            os.close(fd)
            if held:
                raise LockedError(what, path, pid) from None
            raise
        self._fds.append(fd)
        if writable and self._pid_file:  # read-only: someone else's file, still a lock
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)

    def release(self) -> None:
        """Drop the locks (the kernel does it too when the process ends). Idempotent."""
        while self._fds:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop())
