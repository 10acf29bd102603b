"""One codec's round trip in two worker processes: the coder, then the meters.

FFmpeg's encoders hold the GIL (PyAV does not release it), and the AAC encoder
alone takes most of a round trip's CPU. So each codec runs as a pipeline of two
processes: the *coder* reads the master, encodes, decodes and sends the decoded
blocks (float32, 65,536 frames, 512 KiB stereo) through a pipe; the *meter*
process measures them and sends back the `CodecPreview`. The pipe holds a few
blocks at most (the coder waits when it is full), so memory stays flat in the
file's length, and the slowest codec's chain is split over both cores.

Messages on the block pipe: ``("start", encoder, note, rate, channels)``, then
``("block", array)`` ..., then ``("end", coded_bytes)``; or ``("error", reason,
encoder)`` at any point. A process that dies (killed, out of memory) makes the
codec's result an error; it never hangs the caller. Nor does one that hangs (an
FFmpeg thread that is never joined, a deadlock): where ``/proc`` tells each
process's CPU time, a round trip whose two processes use none for
:data:`STALL_S` seconds of the caller's waiting is stopped, and its result is
an error that says so.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np

from qc.audio.av_load import AV_HINT, load_av
from qc.codec.meter import measure_blocks, preview_of
from qc.codec.result import CodecPreview, failed
from qc.codec.roundtrip import Transcoder, encoder_for
from qc.codec.spec import CodecSpec
from qc.errors import QCError
from qc.parallel import can_fork, fork_is_safe, freeze_inherited

__all__ = ["STALL_S", "Stages"]

_POLL_S = 0.2

STALL_S = 60.0
"""Seconds of waiting in which neither process of a round trip used any CPU: stuck.

Counted in the caller's polls, not on the clock, so a check that was
suspended (Ctrl-Z) and resumed does not take the pause for a hang.
"""


def _cpu_ticks(pid: int | None) -> int | None:
    """User + system CPU time of a process in clock ticks, from ``/proc`` (None: unknown)."""
    if pid is None:
        return None
    try:
        # Fields after the command name, which is in parentheses and may hold spaces:
        # state is field 3 of proc(5), utime 14 and stime 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def _coder(path: str, spec: CodecSpec, out: Connection, nice: int) -> None:
    """Process 1: encode and decode the master, send the decoded blocks."""
    freeze_inherited()
    _renice(nice)
    av = load_av()
    if av is None:
        out.send(("error", f"codec preview needs PyAV: {AV_HINT}", ""))
        return
    encoder = ""
    try:
        encoder, note = encoder_for(av, spec)
        with Transcoder(av, path, spec, encoder) as tr:
            out.send(("start", encoder, note, tr.rate, tr.channels))
            for block in tr.blocks():
                out.send(("block", block))
            out.send(("end", tr.coded_bytes))
    except QCError as err:
        out.send(("error", str(err), encoder))
    except (av.error.FFmpegError, ValueError, OSError, MemoryError) as err:
        out.send(("error", f"{encoder or spec.codec}: {err}", encoder))
    finally:
        out.close()


def _context() -> ForkContext | ForkServerContext | SpawnContext:
    """How to start the stages' processes.

    ``fork`` (no start-up cost) when no other thread could hold a lock the child
    needs (`qc.parallel.fork_is_safe`), else a start that gives clean children
    (``forkserver``, or ``spawn`` where there is none).
    """
    if can_fork() and fork_is_safe():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _renice(nice: int) -> None:
    """Lower this process's priority by ``nice`` (0: unchanged); never fails the preview."""
    if nice > 0:
        with contextlib.suppress(OSError, AttributeError):  # not on every system
            os.nice(nice)


def _received(inp: Connection, end: list[int]) -> Iterator[np.ndarray]:
    """The blocks on the pipe; ``end`` gets the coded bytes. Raises QCError on an error."""
    while True:
        kind, *rest = inp.recv()
        if kind == "block":
            yield rest[0]
        elif kind == "end":
            end.append(int(rest[0]))
            return
        else:
            raise QCError(str(rest[0]))


def _meter(  # noqa: PLR0917
    spec: CodecSpec, ceiling: float, started: float, inp: Connection, out: Connection, nice: int
) -> None:
    """Process 2: measure the blocks the coder sends; send back the `CodecPreview`."""
    freeze_inherited()
    _renice(nice)
    result: CodecPreview
    try:
        kind, *head = inp.recv()
        if kind != "start":
            result = failed(spec, str(head[0]), started, str(head[1]))
        else:
            encoder, note, rate, channels = head
            end: list[int] = []
            try:
                meter = measure_blocks(rate, channels, _received(inp, end), ceiling)
                result = preview_of(
                    spec, encoder=encoder, note=note, rate=rate, meter=meter,
                    coded_bytes=end[0], started=started,
                )  # fmt: skip
            except QCError as err:
                result = failed(spec, str(err), started, encoder)
    except EOFError:
        result = failed(spec, "the encoding process ended without a result", started)
    out.send(result)
    out.close()


class Stages:
    """One codec's coder and meter processes, started at once.

    Args:
        path: The master.
        spec: Codec and bit rate.
        ceiling_dbtp: Over threshold of the decoded true peak, dBTP.
        nice: Lower both processes' priority by this much (0: as the caller's), so
            that a cheaper codec fills the cores around the costliest one's chain.
    """

    def __init__(self, path: str, spec: CodecSpec, ceiling_dbtp: float, *, nice: int = 0) -> None:
        self._spec = spec
        self._started = time.perf_counter()
        ctx = _context()
        blocks_in, blocks_out = ctx.Pipe(duplex=False)
        self._result_in, result_out = ctx.Pipe(duplex=False)
        self._coder: BaseProcess = ctx.Process(
            target=_coder, args=(path, spec, blocks_out, nice), name=f"mixdesk-{spec.text}-coder"
        )
        self._meter: BaseProcess = ctx.Process(
            target=_meter,
            args=(spec, ceiling_dbtp, self._started, blocks_in, result_out, nice),
            name=f"mixdesk-{spec.text}-meter",
        )
        self._procs = (self._coder, self._meter)
        for proc in self._procs:
            proc.daemon = True  # never outlive the check
            proc.start()
        for end in (blocks_in, blocks_out, result_out):  # the children hold their own
            end.close()
        self._result: CodecPreview | None = None

    def result(self) -> CodecPreview:
        """Wait for the codec's result (an error result if a process died)."""
        if self._result is None:
            self._result = self._wait()
            self.close()
        return self._result

    def _wait(self) -> CodecPreview:
        last: list[int | None] = []
        idle = 0  # polls in a row in which neither process used CPU time
        while not self._result_in.poll(_POLL_S):
            dead = [p for p in self._procs if p.exitcode not in (None, 0)]
            if dead:
                what = "encoding" if dead[0] is self._coder else "measuring"
                reason = f"the {what} process died (exit code {dead[0].exitcode})"
                return failed(self._spec, reason, self._started)
            ticks = [_cpu_ticks(p.pid) for p in self._procs]
            idle = idle + 1 if None not in ticks and ticks == last else 0
            last = ticks
            if idle * _POLL_S >= STALL_S:
                reason = (
                    f"the round trip made no progress for {STALL_S:g} s (its processes used "
                    "no CPU time: a hang in the encoder or decoder); stopped"
                )
                return failed(self._spec, reason, self._started)
        try:
            got: Any = self._result_in.recv()
        except EOFError:
            return failed(self._spec, "the measuring process ended without a result", self._started)
        assert isinstance(got, CodecPreview)
        return got

    def close(self) -> None:
        """Stop both processes if they still run (the master was unreadable). Idempotent."""
        for proc in self._procs:
            if proc.is_alive():
                proc.kill()  # our own child; SIGTERM may be ignored (watch workers)
            proc.join()
        self._result_in.close()
