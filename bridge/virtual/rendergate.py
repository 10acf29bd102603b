"""When the virtual DAW may start a render asked for over OSC (action 42230).

A render writes megabytes for a few bytes of OSC, so a client gets at most one
render per datagram (however many ``42230`` arguments or bundled ``/action``
messages it holds), never a second one while one is in progress, and at most
:data:`RENDERS_PER_MINUTE` in any minute. A refused request is logged (as bad
input, throttled to a line a second) and does nothing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Final

__all__ = ["RENDERS_PER_MINUTE", "RenderGate"]

RENDERS_PER_MINUTE: Final = 10
"""Renders the virtual DAW starts in any 60 s, at most."""


class RenderGate:
    """Decides whether a render asked for in one datagram may start.

    Args:
        per_minute: Renders allowed in any 60 s.
        clock: Monotonic clock in s (injected for tests).
    """

    def __init__(
        self, per_minute: int = RENDERS_PER_MINUTE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._started: deque[float] = deque()
        self._datagram: int | None = None
        self._worker: threading.Thread | None = None
        self._finished: threading.Thread | None = None

    def refusal(self, datagram: int) -> str | None:
        """Why a render asked for in datagram number ``datagram`` may not start, or None."""
        if datagram == self._datagram:
            return "one render per datagram"
        worker = self._worker
        if worker is not None and worker.is_alive() and worker is not self._finished:
            return "a render is in progress"
        now = self._clock()
        while self._started and now - self._started[0] >= 60.0:
            self._started.popleft()
        if len(self._started) >= self.per_minute:
            return f"{self.per_minute} renders a minute at most"
        return None

    def started(self, datagram: int, worker: threading.Thread | None) -> None:
        """Note a render started for ``datagram``, on ``worker`` (None: already done)."""
        self._datagram = datagram
        self._worker = worker
        self._started.append(self._clock())

    def finished(self, thread: threading.Thread) -> None:
        """Note that ``thread`` has reported its render's outcome (done or failed).

        The worker thread is still alive for a moment after its reply goes out; a
        client that asks for the next render at once must not be refused for it.
        A thread that is not the render's worker (a refusal on the server's thread)
        changes nothing.
        """
        self._finished = thread
