"""Write automation lanes into a running DAW: set its mode, roll, stream values, restore.

One pass, for lanes of any tracks and parameters:

1. remember each parameter's automation mode (as the DAW reported it) and set
   the pass's mode (``touch``, ``latch`` or ``write``; ``None`` just streams);
2. locate to the start, send the start values, touch the controls (touch and
   latch), and play;
3. every ``1 / rate_hz`` s, evaluate every lane at the *song position* and send
   the values that changed in one bundle. The song position comes from
   :class:`~bridge.automation.songclock.SongClock`: the local clock steered by
   the DAW's own position reports, so a DAW that starts late or runs at its
   own pace is followed. Ticks are scheduled on absolute deadlines, so send
   times never accumulate drift;
4. at the end, or on any exception including Ctrl-C: release every touch, stop
   the transport and put the previous modes back. Then the exception goes on.
"""

from __future__ import annotations

import gc
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bridge.automation.songclock import SongClock
from bridge.dialects.base import TrackId, capability_of
from bridge.mixer.mixer import Mixer
from bridge.osc.message import Message

__all__ = ["LaneLike", "LanePlayer", "PassReport"]

_REFRESH_S = 0.5  # resend an unchanged value this often, so a DAW never stops hearing us


class LaneLike(Protocol):
    """What the player needs of a lane (see :class:`bridge.automation.lane.Lane`)."""

    @property
    def track(self) -> str | int: ...  # noqa: D102

    @property
    def param(self) -> str: ...  # noqa: D102

    @property
    def start_s(self) -> float: ...  # noqa: D102

    @property
    def end_s(self) -> float: ...  # noqa: D102

    def value_at(self, t: float) -> float: ...  # noqa: D102


@dataclass
class PassReport:
    """What one pass did and how well it kept time.

    Attributes:
        start_s: Song position the pass started at, in s.
        end_s: Song position it ended at, in s.
        ticks: Scheduler ticks run.
        messages: Value messages sent.
        send_errors_s: Per tick, the send time minus its deadline, in s, shape (ticks,).
        position_reports: DAW position reports used to steer the song clock.
        last_position_error_s: The last report's error against our song clock, in s.
        interrupted: The pass ended by an exception (e.g. Ctrl-C).
    """

    start_s: float
    end_s: float
    ticks: int = 0
    messages: int = 0
    send_errors_s: list[float] = field(default_factory=list)
    position_reports: int = 0
    last_position_error_s: float = 0.0
    interrupted: bool = False

    def percentile_ms(self, q: float) -> float:
        """The ``q``-quantile (0..1) of the send-time error, in ms."""
        if not self.send_errors_s:
            return math.nan
        s = sorted(self.send_errors_s)
        return 1e3 * s[min(len(s) - 1, int(q * len(s)))]


@dataclass
class _Target:
    key: TrackId
    lane: LaneLike
    last: float | None = None
    sent_at: float = -math.inf


class LanePlayer:
    """Streams lanes into a DAW in real time, synced to its transport.

    Args:
        mixer: A connected mixer.
        lanes: The lanes to write.
        rate_hz: Values per second per lane.
        mode: Automation mode for the pass (``touch``, ``latch``, ``write``),
            ``"auto"`` for the dialect's :attr:`~bridge.dialects.base.Dialect.write_mode`
            (touch for REAPER, write for Ardour), or ``None`` to leave modes
            alone and just stream values.
        roll: Locate, play and stop the transport; ``False`` follows a transport
            someone else runs (the song position still comes from the DAW).
        clock: Monotonic clock in s (injected for tests).
        sleep: Sleep function in s (injected for tests).
        spin_s: The least time, in s, spent polling the clock rather than
            sleeping before each deadline; it grows with how late this
            machine's sleeps wake up (see :meth:`_wait`).
    """

    def __init__(
        self,
        mixer: Mixer,
        lanes: Sequence[LaneLike],
        *,
        rate_hz: float = 100.0,
        mode: str | None = "auto",
        roll: bool = True,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
        spin_s: float = 0.0005,
    ) -> None:
        if not lanes:
            raise ValueError("no lanes to play")
        if not 1.0 <= rate_hz <= 1000.0:
            raise ValueError(f"rate {rate_hz} Hz is outside 1..1000 Hz")
        self.mixer = mixer
        self.rate_hz = rate_hz
        self.mode = mixer.dialect.write_mode if mode == "auto" else mode
        self.roll = roll
        self._clock = clock
        self._sleep = sleep
        self._spin_s = spin_s
        self._oversleep: deque[float] = deque(maxlen=256)
        dialect = mixer.dialect
        self._targets = []
        for lane in lanes:
            key = mixer.resolve(lane.track)
            dialect.require(capability_of(key, lane.param))
            self._targets.append(_Target(key, lane))
        self.song = SongClock(mixer.mirror, clock=clock)

    def run(self, start_s: float | None = None, end_s: float | None = None) -> PassReport:
        """Write one pass from ``start_s`` to ``end_s`` (default: the lanes' span).

        Returns:
            The pass's report.

        Raises:
            KeyboardInterrupt: Re-raised after the clean-up (touch released,
                transport stopped, modes restored).
        """
        lanes = [t.lane for t in self._targets]
        start = min(la.start_s for la in lanes) if start_s is None else start_s
        end = max(la.end_s for la in lanes) if end_s is None else end_s
        if end <= start:
            raise ValueError(f"nothing to play: the pass ends at {end} s, before {start} s")
        report = PassReport(start, end)
        previous = self._modes()
        collecting = gc.isenabled()
        try:
            self._prepare(start)
            gc.disable()  # no collector pauses inside the real-time loop
            self._loop(start, end, report)
        except BaseException:
            report.interrupted = True
            raise
        finally:
            if collecting:
                gc.enable()
            self._finish(previous)
            report.position_reports = self.song.reports
            report.last_position_error_s = self.song.last_error_s
        return report

    def _modes(self) -> dict[tuple[TrackId, str], str]:
        if self.mode is None:
            return {}
        mirror = self.mixer.mirror
        out = {}
        for t in self._targets:
            got = mirror.get(t.key, f"automation/{t.lane.param}")
            out[(t.key, t.lane.param)] = got if isinstance(got, str) else "off"
        return out

    def _send(self, msgs: list[Message]) -> None:
        if msgs:
            self.mixer.send_raw(_dedupe(msgs))

    def _prepare(self, start: float) -> None:
        dialect = self.mixer.dialect
        msgs: list[Message] = []
        if self.mode is not None:
            for t in self._targets:
                msgs += dialect.automation_mode(t.key, t.lane.param, self.mode)
        for t in self._targets:
            msgs += dialect.set(t.key, t.lane.param, _value(t.lane.param, t.lane.value_at(start)))
        if self.roll:
            msgs += dialect.transport("locate", start)
        self._send(msgs)
        if self.mode in ("touch", "latch"):
            self._send([m for t in self._targets for m in dialect.touch(t.key, t.lane.param, True)])
        if self.roll:
            self._send(dialect.transport("play"))
            # The DAW starts rolling at its next cycle; the song clock starts when
            # it says it plays (or after a short wait, for a DAW that does not say).
            self.mixer.mirror.wait_for(lambda m: m.get(None, "playing") is True, 0.5)
        self.song.start(start)

    def _loop(self, start: float, end: float, report: PassReport) -> None:
        dialect = self.mixer.dialect
        period = 1.0 / self.rate_hz
        t0 = self._clock()
        k = 0
        while True:
            # Values are computed for the song position at the tick's deadline,
            # before it, so the bundle goes out on time.
            deadline = t0 + k * period
            self.song.now()  # take in any new position report
            position = self.song.at(deadline)
            final = position >= end
            at = min(position, end)
            msgs: list[Message] = []
            for t in self._targets:
                value = t.lane.value_at(at)
                if value == t.last and deadline - t.sent_at < _REFRESH_S and not final:
                    continue
                msgs += dialect.set(t.key, t.lane.param, _value(t.lane.param, value))
                t.last, t.sent_at = value, deadline
            self._wait(deadline)
            report.send_errors_s.append(self._clock() - deadline)
            self._send(msgs)
            report.messages += len(msgs)
            report.ticks += 1
            k += 1
            if final:
                return

    def _wait(self, deadline: float) -> None:
        """Sleep, then poll the clock for the last stretch before ``deadline``.

        The stretch adapts to how late this machine's sleeps wake up: it is the
        99th percentile of the last 256 oversleeps plus 0.2 ms (at least
        ``spin_s``, at most 80 % of a period). On a quiet machine that is about
        0.5 ms of polling per tick; on a loaded VM, a few ms.
        """
        left = deadline - self._clock()
        margin = self._margin()
        if left > margin:
            planned = left - margin
            before = self._clock()
            self._sleep(planned)
            self._oversleep.append(max(0.0, self._clock() - before - planned))
        while self._clock() < deadline:
            pass

    def _margin(self) -> float:
        if len(self._oversleep) < 16:
            return max(self._spin_s, 0.003)  # learn first, safely
        ranked = sorted(self._oversleep)
        p99 = ranked[min(len(ranked) - 1, int(0.99 * len(ranked)))]
        return min(max(self._spin_s, p99 + 0.0002), 0.8 / self.rate_hz)

    def _finish(self, previous: dict[tuple[TrackId, str], str]) -> None:
        dialect = self.mixer.dialect
        msgs: list[Message] = []
        if self.mode in ("touch", "latch"):
            msgs += [m for t in self._targets for m in dialect.touch(t.key, t.lane.param, False)]
        if self.roll:
            msgs += dialect.transport("stop")
        for (key, param), mode in previous.items():
            msgs += dialect.automation_mode(key, param, mode)
        self._send(msgs)


def _value(param: str, value: float) -> float | bool:
    if param in ("mute", "solo"):
        return value >= 0.5
    return value


def _dedupe(msgs: list[Message]) -> list[Message]:
    """Drop repeats of an identical message (REAPER's mode is per track, not per lane)."""
    seen: set[Message] = set()
    out = []
    for m in msgs:
        if m not in seen:
            seen.add(m)
            out.append(m)
    return out
