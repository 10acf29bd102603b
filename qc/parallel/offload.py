"""One meter fed beside the main thread: on a worker thread, then in a forked child.

numpy releases the GIL only inside its loops, and a meter fed 65,536-frame
blocks spends much of its time between them, in Python; two threads therefore
took turns more than they ran together (the 5-minute loud master of
``benchmarks/bench_check.py``: 3.8 s of CPU in 2.8 s of wall time). A child
process has a GIL of its own. :class:`Beside` feeds the first blocks of a
stream on a worker thread (a short file never pays for a process) and, once the
input is long, forks: the child is a copy of the meter as it stands, so it goes
on exactly where the thread left off, and the results are those of the thread
path bit for bit (tests/qc/measure/test_offload.py).

Blocks reach the child through four slots of shared memory (``mmap``, one copy
in, channel by channel: the child's meters transpose nothing), a 16-byte header
per block on a pipe, and a one-byte acknowledgement back
once the child has measured the block in its slot (the meters keep copies of
what they need, never the block); a block larger than a slot goes down the pipe
itself. Four slots let the parent run ahead through the stretches where the
child's crest search is slow. At the end the child pickles the meter's
result back up the pipe and exits with ``os._exit`` (nothing of the parent's
is flushed or run twice). Where ``os.fork`` does not exist the thread is used
throughout.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import signal
import struct
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, BinaryIO, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from qc.parallel.forking import (
    ERROR,
    LENGTH,
    can_fork,
    fork_is_safe,
    keep_freed_memory,
    read_outcome,
    run_forked,
    send_outcome,
)

__all__ = ["FORK_AFTER_FRAMES", "Beside"]

R = TypeVar("R")
Floats = NDArray[np.float64]

FORK_AFTER_FRAMES = 1 << 17
"""Frames fed on the thread before the child is forked (2.7 s at 48 kHz)."""

_HEADER = struct.Struct("<qq")  # slot (or _INLINE, _END), frames
_INLINE = -1  # the block follows the header on the pipe
_END = -2  # finish and send the result
_SLOTS = 4  # the parent may be this many blocks ahead of the child
_ACK = b"A"


class Beside(Generic[R]):
    """Feeds one meter beside the caller and returns its result.

    Args:
        feed: The meter's ``feed(block)``; blocks of shape ``(frames, channels)``.
        finish: The meter's ``result()``; its value must pickle.
        channels: Channel count of the blocks.
        executor: The worker thread used before the fork.
        fork: Fork a child once :data:`FORK_AFTER_FRAMES` frames were fed
            (False: the thread throughout).
    """

    def __init__(
        self,
        feed: Callable[[Floats], None],
        finish: Callable[[], R],
        *,
        channels: int,
        executor: ThreadPoolExecutor,
        fork: bool = True,
    ) -> None:
        self._feed = feed
        self._finish = finish
        self._channels = channels
        self._executor = executor
        self._fork = fork and can_fork()
        self._fed = 0  # frames
        self._pending: Future[None] | None = None
        self._child: _Child | None = None
        self._ended = False

    @property
    def forked(self) -> bool:
        """Whether the meter now runs in a child process."""
        return self._child is not None

    def feed(self, block: Floats) -> None:
        """Queue one block; the caller must not modify it later."""
        if (
            self._child is None
            and self._fork
            and self._fed + len(block) > FORK_AFTER_FRAMES
            and fork_is_safe(self._executor)
        ):
            self._wait()
            self._child = _Child(self._feed, self._finish, self._channels, len(block))
        self._fed += len(block)
        if self._child is not None:
            self._child.send(block)
        else:
            self._wait()
            self._pending = self._executor.submit(self._feed, block)

    def end(self) -> None:
        """No more blocks: the child starts on its result while the caller goes on."""
        if not self._ended:
            self._ended = True
            self._wait()
            if self._child is not None:
                self._child.end()

    def result(self) -> R:
        """The meter's result (the child's, pickled back, once it forked)."""
        self.end()
        if self._child is not None:
            child, self._child = self._child, None
            value: R = child.result()
            return value
        return self._finish()

    def close(self) -> None:
        """Stop the child if one still runs (also after an error in the stream)."""
        if self._child is not None:
            self._child.kill()
            self._child = None
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None


class _Child:
    """The forked process: shared slots, a pipe down and a pipe up."""

    def __init__(
        self,
        feed: Callable[[Floats], None],
        finish: Callable[[], object],
        channels: int,
        frames: int,
    ) -> None:
        self._channels = channels
        self._size = max(frames, 1) * channels
        self._shm = mmap.mmap(-1, _SLOTS * self._size * 8)
        self._slots = np.frombuffer(self._shm, dtype=np.float64).reshape(_SLOTS, self._size)
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()

        def child() -> int:  # pragma: no cover - runs in the child
            os.close(down_w)
            os.close(up_r)
            keep_freed_memory()
            return self._serve(feed, finish, down_r, up_w)

        pid = run_forked(child)
        os.close(down_r)
        os.close(up_w)
        self._pid = pid
        self._down = down_w
        self._up: BinaryIO = os.fdopen(up_r, "rb")
        self._sent = 0  # blocks sent through slots
        self._unacked = 0

    def send(self, block: Floats) -> None:
        """Hand one block to the child."""
        frames = len(block)
        n = frames * self._channels
        if n > self._size:
            data = np.ascontiguousarray(block, dtype=np.float64)
            self._write(_HEADER.pack(_INLINE, frames) + data.tobytes())
            return
        if self._unacked == _SLOTS:  # the slot about to be used is still being read
            self._expect(_ACK)
            self._unacked -= 1
        slot = self._sent % _SLOTS
        # Channel by channel: the child's meters read channels as contiguous rows.
        self._slots[slot, :n].reshape(self._channels, frames)[...] = block.T
        self._write(_HEADER.pack(slot, frames))
        self._sent += 1
        self._unacked += 1

    def end(self) -> None:
        """Ask for the result."""
        self._write(_HEADER.pack(_END, 0))

    def result(self) -> Any:
        """Read the result (re-raising the child's exception), then reap the child."""
        try:
            for _ in range(self._unacked):
                self._expect(_ACK)
            kind, value = read_outcome(self._up)
        finally:
            self._reap()
        if kind == ERROR:
            raise value if isinstance(value, BaseException) else RuntimeError(str(value))
        return value

    def kill(self) -> None:
        """Stop the child now and reap it."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.kill(self._pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._down)
        with contextlib.suppress(OSError):
            self._up.close()
        with contextlib.suppress(ChildProcessError):  # reaped elsewhere
            os.waitpid(self._pid, 0)
        self._slots = np.zeros((0, 0))
        self._shm.close()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._down, view) :]
        except BrokenPipeError:  # the child stopped: raise its error
            self._raise_why_it_stopped(b"")

    def _expect(self, kind: bytes) -> None:
        got = self._up.read(1)
        if got != kind:
            self._raise_why_it_stopped(got)

    def _raise_why_it_stopped(self, got: bytes) -> None:
        """Read what the child wrote before it stopped and raise its error.

        Args:
            got: The byte already read from the pipe up (``b""`` for none).

        Raises:
            BaseException: The child's exception, if it sent one; otherwise
                RuntimeError saying that it ended early.
        """
        if not got:
            got = self._up.read(1)
        while got == _ACK:  # acknowledgements of blocks measured before the error
            got = self._up.read(1)
        if got == ERROR:
            head = self._up.read(LENGTH.size)
            if len(head) == LENGTH.size:
                (length,) = LENGTH.unpack(head)
                data = self._up.read(length)
                if len(data) == length:
                    value = pickle.loads(data)
                    if isinstance(value, BaseException):
                        raise value
                    raise RuntimeError(str(value))
        raise RuntimeError("a measuring worker process ended early")

    def _serve(  # pragma: no cover - runs in the child
        self, feed: Callable[[Floats], None], finish: Callable[[], object], fd: int, up: int
    ) -> int:
        down = os.fdopen(fd, "rb")
        out = os.fdopen(up, "wb")
        channels = self._channels

        def run() -> object:
            while True:
                head = down.read(_HEADER.size)
                if len(head) != _HEADER.size:
                    raise SystemExit(1)  # the parent went away
                slot, frames = _HEADER.unpack(head)
                if slot == _END:
                    break
                n = frames * channels
                if slot == _INLINE:
                    raw = down.read(n * 8)
                    block = np.frombuffer(raw, dtype=np.float64).reshape(frames, channels).copy()
                    feed(block)
                else:  # measured in place, the slot handed back after (no copy)
                    feed(self._slots[slot, :n].reshape(channels, frames).T)
                    out.write(_ACK)
                    out.flush()
            return finish()

        send_outcome(out, run)
        return 0
