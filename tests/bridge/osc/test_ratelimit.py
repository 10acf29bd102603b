"""RateLimiter: latest value wins per key, at most one message per key per interval.

Decisions are driven by an injected fake clock, so the tests are exact; the
limiter's timer thread still runs for real (it re-reads the fake clock after
each real wait, at most ``interval_s`` seconds long). Waits for the thread are
bounded by :data:`WAIT` and never asserted on.
"""

from __future__ import annotations

import threading
import time

from bridge.osc.message import Message, message
from bridge.osc.ratelimit import RateLimiter

WAIT = 5.0
"""Upper bound on any wait for the timer thread, in s."""


class FakeClock:
    """A monotonic clock that moves only when told to; counts reads by other threads."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.thread_reads = 0
        self._main = threading.current_thread()

    def __call__(self) -> float:
        if threading.current_thread() is not self._main:
            self.thread_reads += 1
        return self.now

    def wait_for_a_thread_read(self) -> bool:
        """Wait until another thread (the limiter's timer) has read the clock."""
        deadline = time.monotonic() + WAIT
        while not self.thread_reads and time.monotonic() < deadline:
            time.sleep(0.001)
        return self.thread_reads > 0


class Sink:
    """Collects sent messages; an event fires when ``count`` have arrived."""

    def __init__(self, fail_first: int = 0) -> None:
        self.sent: list[Message] = []
        self.fail_first = fail_first
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def __call__(self, msg: Message) -> None:
        with self._lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                raise OSError("network is unreachable")
            self.sent.append(msg)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = WAIT) -> bool:
        """Wait until ``count`` messages were sent; False after ``timeout`` s."""
        with self._lock:
            return self._changed.wait_for(lambda: len(self.sent) >= count, timeout)

    def values(self) -> list[float]:
        with self._lock:
            return [float(m.args[-1]) for m in self.sent]


def gain(value: float, strip: int = 1) -> Message:
    return message("/strip/gain", strip, value)


def test_zero_interval_passes_everything_straight_through() -> None:
    sink = Sink()
    limiter = RateLimiter(sink, 0.0)
    for v in range(5):
        limiter.submit(gain(float(v)))
    assert sink.values() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert limiter.coalesced == 0
    limiter.close()


def test_first_is_immediate_later_ones_coalesce_and_flush_sends_the_latest() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 0.1, clock=clock)
    limiter.submit(gain(-1.0))
    assert sink.values() == [-1.0]
    clock.now += 0.01
    limiter.submit(gain(-2.0))
    limiter.submit(gain(-3.0))
    assert sink.values() == [-1.0]  # held: the fake clock is inside the interval
    assert limiter.coalesced == 1  # -2 was replaced by -3 before it went out
    limiter.flush()
    assert sink.values() == [-1.0, -3.0]
    limiter.flush()
    assert sink.values() == [-1.0, -3.0]  # nothing held any more
    limiter.close()


def test_keys_are_independent() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 0.1, clock=clock)
    limiter.submit(gain(-1.0, strip=1))
    limiter.submit(gain(-1.0, strip=2))  # another strip: its own key
    limiter.submit(message("/master/gain", -1.0))  # another address
    assert len(sink.sent) == 3
    limiter.submit(gain(-5.0, strip=1))
    assert len(sink.sent) == 3
    limiter.close()
    assert [m.args for m in sink.sent] == [(1, -1.0), (2, -1.0), (-1.0,), (1, -5.0)]


def test_after_the_interval_a_message_goes_at_once() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 0.1, clock=clock)
    limiter.submit(gain(-1.0))
    clock.now += 0.1
    limiter.submit(gain(-2.0))
    assert sink.values() == [-1.0, -2.0]
    limiter.close()


def test_close_sends_what_is_held_and_later_messages_pass_through() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 10.0, clock=clock)
    limiter.submit(gain(-1.0))
    limiter.submit(gain(-2.0))
    limiter.close()
    assert sink.values() == [-1.0, -2.0]
    limiter.submit(gain(-3.0))  # nothing would ever send a held message now
    limiter.submit(gain(-4.0))
    assert sink.values() == [-1.0, -2.0, -3.0, -4.0]


def test_the_timer_thread_sends_the_latest_value_when_the_interval_ends() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 0.05, clock=clock)
    limiter.submit(gain(-1.0))
    limiter.submit(gain(-2.0))
    limiter.submit(gain(-3.0))
    assert sink.values() == [-1.0]
    clock.now += 0.05  # the interval ends; the thread notices within 0.05 s of real time
    assert sink.wait_for(2)
    assert sink.values() == [-1.0, -3.0]
    assert limiter.coalesced == 1
    limiter.close()
    assert sink.values() == [-1.0, -3.0]


def test_a_late_timer_never_sends_a_key_early() -> None:
    """A held value replaced by an on-time submit leaves a stale timer entry behind.

    The entry must not release the next held value before its own interval.
    """
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 1000.0, clock=clock)
    limiter.submit(gain(-1.0))  # t=1000: sent
    clock.now += 1.0
    limiter.submit(gain(-2.0))  # held until t=2000; the thread sleeps (real s) on it
    assert clock.wait_for_a_thread_read()  # it has seen t=1001 and will sleep until notified
    clock.now += 1999.0
    limiter.submit(gain(-3.0))  # t=3000: the interval is over, sent at once; -2 dropped
    assert sink.values() == [-1.0, -3.0]
    clock.now += 1.0
    limiter.submit(gain(-4.0))  # t=3001: held until t=4000, wakes the thread
    # The fake clock stays at 3001, so a correct limiter never sends -4 by itself;
    # a broken one does so as soon as the thread wakes. (A negative wait: a slow
    # machine can only make this pass spuriously, never fail.)
    assert not sink.wait_for(3, timeout=0.3)
    limiter.close()
    assert sink.values() == [-1.0, -3.0, -4.0]
    assert limiter.coalesced == 1


def test_a_failing_send_does_not_stop_the_timer_thread() -> None:
    clock, sink = FakeClock(), Sink()
    limiter = RateLimiter(sink, 0.05, clock=clock)
    limiter.submit(gain(-1.0))
    limiter.submit(gain(-2.0))
    sink.fail_first = 1  # the thread's send of -2 fails
    clock.now += 0.05
    # Wait until the thread has attempted it (fail_first drops to 0) ...
    deadline = time.monotonic() + WAIT
    while sink.fail_first and time.monotonic() < deadline:
        time.sleep(0.001)
    assert sink.fail_first == 0
    # ... then a later held value must still go out through the same thread.
    limiter.submit(gain(-3.0))
    clock.now += 0.05
    assert sink.wait_for(2)
    assert sink.values() == [-1.0, -3.0]
    limiter.close()


def test_every_message_is_sent_or_counted_as_coalesced_on_a_real_clock() -> None:
    sink = Sink()
    limiter = RateLimiter(sink, 0.002)
    n = 300
    for v in range(n):
        limiter.submit(gain(float(v)))
    limiter.close()
    values = sink.values()
    assert values[0] == 0.0  # the first goes at once
    assert values[-1] == float(n - 1)  # the latest value always wins in the end
    assert values == sorted(values)  # never an older value after a newer one
    assert len(values) + limiter.coalesced == n
