"""What a worker process does with one finished bounce: hash it, check it, look again.

Runs in the worker pool, never on the observer or scheduler threads. The
content is hashed first in a streaming pass (BLAKE2b-256, 1 MiB chunks): if it
matches the content last checked at the same path the file is a duplicate and
is not checked again. The file's ``(size, mtime, inode)`` is taken before and
after; if it differs the result is thrown away and the file is checked again.
Nothing here raises for a bad file: :func:`~qc.engine.check` turns it into a
result with ``error`` set and an ``FMT003`` finding; it applies the file's
waivers too, as for ``mixdesk check``.

After each check the worker hands the heap's free pages back to the kernel
(:func:`trim_heap`). Without it, glibc's adaptive mmap threshold moves the
blocks' multi-megabyte buffers onto the heap after a few hundred checks, and a
worker's RSS stepped up by about 20 MB and stayed there (measured: 52 → 73 MB
between checks 200 and 250 of 2 s stereo bounces; flat at 49–52 MB with it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.engine import FileResult, check, measure_file
from qc.watch.finished import Signature

if TYPE_CHECKING:
    from qc.settings import Settings

__all__ = [
    "HASH_CHUNK_BYTES",
    "Job",
    "JobResult",
    "content_hash",
    "run_job",
    "trim_heap",
    "worker_init",
]

HASH_CHUNK_BYTES = 1 << 20
"""Bytes read per step while hashing (1 MiB): memory stays flat whatever the file size."""


@dataclass(frozen=True)
class Job:
    """One file to check, with the settings that apply to it.

    Attributes:
        path: The file.
        settings: Its resolved settings (profiles, selection, waivers, fail level).
        known_blake2b: Hash of the content last checked at this path, or ``None``.
    """

    path: str
    settings: Settings
    known_blake2b: str | None = None


@dataclass(frozen=True)
class JobResult:
    """What the worker found.

    Attributes:
        path: The file.
        result: The linter's result; ``None`` for a duplicate or a vanished file.
        blake2b: Hex BLAKE2b-256 of the content, or ``None`` if it could not be read.
        size_bytes: Size when the worker started, or ``None`` if the file was gone.
        started_s: When the worker started, seconds since the epoch.
        check_s: Seconds spent hashing and checking.
        changed: The file changed while it was read; the result is stale.
        gone: The file was gone at the start or the end.
        duplicate: Same content as the last check at this path; not checked.
    """

    path: str
    result: FileResult | None
    blake2b: str | None
    size_bytes: int | None
    started_s: float
    check_s: float
    changed: bool = False
    gone: bool = False
    duplicate: bool = False


def content_hash(path: str | os.PathLike[str], *, chunk_bytes: int = HASH_CHUNK_BYTES) -> str:
    """Hash a file's bytes in one streaming pass.

    Args:
        path: The file.
        chunk_bytes: Bytes read per step. Defaults to 1 MiB.

    Returns:
        The hex BLAKE2b digest of 32 bytes (64 hex characters).

    Raises:
        OSError: The file cannot be opened or read.
    """
    h = hashlib.blake2b(digest_size=32)
    buf = bytearray(chunk_bytes)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(view):
            h.update(view[:n])
    return h.hexdigest()


def _stat(path: str) -> os.stat_result | None:
    """The file, or the link itself if it is a symlink to nothing or a loop; ``None`` if gone.

    Such a link is there but is not a file: ``check`` says which (a
    ``symbolic link loop``, a ``broken symbolic link``), it is not "deleted".
    """
    try:
        return os.stat(path)
    except ValueError:
        return None
    except OSError:
        pass
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISLNK(st.st_mode) else None


def _signature(st: os.stat_result | None) -> Signature | None:
    return None if st is None else (st.st_size, st.st_mtime_ns, st.st_ino)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """Glibc's ``malloc_trim``, or ``None`` (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        found: Callable[[int], int] | None = getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None
    return found


def trim_heap() -> bool:
    """Return the free memory at the top and inside the C heap to the kernel.

    Returns:
        True if glibc's ``malloc_trim`` ran; False where there is none.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def run_job(job: Job) -> JobResult:
    """Hash and check one file (the function the worker pool runs).

    Args:
        job: The file and its settings.

    Returns:
        The outcome; never raises for a bad or vanishing file.
    """
    started, t0 = time.time(), time.perf_counter()
    st = _stat(job.path)
    before = _signature(st)
    if st is None or before is None:
        return JobResult(job.path, None, None, None, started, time.perf_counter() - t0, gone=True)
    regular = stat.S_ISREG(st.st_mode)  # not a FIFO: opening one would wait for a writer
    try:
        digest: str | None = content_hash(job.path) if regular else None
    except FileNotFoundError:
        return JobResult(job.path, None, None, None, started, time.perf_counter() - t0, gone=True)
    except OSError:
        digest = None  # unreadable: check says why, as a finding
    if digest is not None and digest == job.known_blake2b and _signature(_stat(job.path)) == before:
        elapsed = time.perf_counter() - t0
        return JobResult(job.path, None, digest, before[0], started, elapsed, duplicate=True)
    result = check(job.path, job.settings)
    trim_heap()  # the blocks are freed: give their pages back (see the module's note)
    after = _signature(_stat(job.path))
    return JobResult(
        job.path,
        result,
        digest,
        before[0],
        started,
        time.perf_counter() - t0,
        changed=after is not None and after != before,
        gone=after is None,
    )


def _exit_with(owner: int, every_s: float = 1.0) -> None:
    """Exit this worker once the daemon process ``owner`` is gone (killed with SIGKILL)."""
    while True:
        time.sleep(every_s)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # a new process took the pid; ours is gone
            os._exit(0)


def worker_init(owner: int | None = None) -> None:
    """Prepare a worker process: ignore SIGINT/SIGTERM, warm the measuring code.

    The daemon decides when to stop and lets in-flight checks finish, so a
    Ctrl-C sent to the whole process group must not kill the workers. The
    warm-up measures 0.5 s of quiet 48 kHz noise once (silence skips code
    paths), so the first bounce does not pay for first-call costs. With
    ``owner`` (the daemon's pid), a thread ends the worker within a second of
    the daemon's death: a worker's parent is the forkserver, and after a
    ``kill -9`` of the daemon nothing else would tell it to stop.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if owner is not None:
        threading.Thread(target=_exit_with, args=(owner,), daemon=True).start()
    import numpy as np
    import soundfile as sf

    noise = 0.05 * np.random.default_rng(0).standard_normal((24000, 2))
    with tempfile.TemporaryDirectory(prefix="mixdesk-warm-") as tmp:
        path = os.path.join(tmp, "warm.wav")
        sf.write(path, noise, 48000, subtype="PCM_24")
        measure_file(path)
