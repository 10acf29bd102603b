"""Latest-value-wins rate limiting per OSC address.

A script that moves a fader in a tight loop would flood the DAW. The limiter
sends the first message for a key at once, then at most one per ``interval_s``;
messages in between replace each other, so the DAW always ends on the latest
value and never gets a backlog. The key is the address plus every argument but
the last (see :attr:`~bridge.osc.message.Message.key`), so ``/strip/gain 1 x``
and ``/strip/gain 2 y`` are limited separately.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable

from bridge.osc.message import Arg, Message

__all__ = ["RateLimiter"]

log = logging.getLogger("bridge.osc")

_Key = tuple[str, tuple[Arg, ...]]


class RateLimiter:
    """Send messages through ``send``, at most one per key per ``interval_s``.

    Args:
        send: Where messages go (e.g. :meth:`OscTransport.send`).
        interval_s: Minimum time between two messages of one key, in s. ``0``
            passes everything straight through.
        clock: Monotonic clock, in s (injected for tests).
    """

    def __init__(
        self,
        send: Callable[[Message], None],
        interval_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[_Key, float] = {}
        self._pending: dict[_Key, Message] = {}
        self._due: list[tuple[float, _Key]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.coalesced = 0
        """Messages replaced by a newer one before they were sent."""

    def submit(self, msg: Message) -> None:
        """Send ``msg`` now, or hold it as the latest value of its key.

        After :meth:`close` messages go straight through (nothing would send
        a held one).
        """
        if self.interval_s <= 0 or self._closed:
            self._send(msg)
            return
        key = msg.key
        with self._cond:
            now = self._clock()
            last = self._last.get(key)
            if last is None or now - last >= self.interval_s:
                if self._pending.pop(key, None) is not None:
                    self.coalesced += 1  # the timer was late; the held value is stale
                self._last[key] = now
                self._send(msg)
                return
            if key in self._pending:
                self.coalesced += 1
            else:
                heapq.heappush(self._due, (last + self.interval_s, key))
            self._pending[key] = msg
            self._ensure_thread()
            self._cond.notify()

    def flush(self) -> None:
        """Send every held message now."""
        with self._cond:
            now = self._clock()
            for key, msg in self._pending.items():
                self._last[key] = now
                self._send(msg)
            self._pending.clear()
            self._due.clear()

    def close(self) -> None:
        """Flush, then stop the timer thread."""
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="osc-ratelimit", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                if not self._due:
                    self._cond.wait()
                    continue
                when, key = self._due[0]
                wait = when - self._clock()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._due)
                if key not in self._pending:
                    continue
                now = self._clock()
                last = self._last.get(key)
                if last is not None and now < last + self.interval_s:
                    # A stale entry: the key was sent since it was scheduled.
                    heapq.heappush(self._due, (last + self.interval_s, key))
                    continue
                msg = self._pending.pop(key)
                self._last[key] = now
                try:
                    self._send(msg)
                except Exception as err:  # a failed send must not stop the timer
                    log.warning("rate limiter: sending %s failed: %r", msg.address, err)
