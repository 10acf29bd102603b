"""Write automation lanes into a running DAW: set its mode, roll, stream values, play back.

One pass, for lanes of any tracks and parameters:

0. before anything is sent, check that the DAW can set every mode the pass
   needs (:class:`~bridge.automation.passmodes.ModePlan`); a lane it cannot
   (a master lane on REAPER or Ardour) is refused with one line naming it;
1. locate to the start, first (Ardour needs that order and pace: see
   :mod:`~bridge.automation.passtransport`);
2. remember each parameter's automation mode (as the DAW reported it), set
   the pass's mode (``touch``, ``latch`` or ``write``; ``None`` just streams)
   with the start values, touch the controls (touch and latch), and play;
3. every ``1 / rate_hz`` s, evaluate every lane at the *song position* and send
   the values that changed in one bundle. The song position comes from
   :class:`~bridge.automation.songclock.SongClock`: the local clock, set on the
   DAW's first position report past the start and steered by the later ones,
   so a DAW that starts late or runs at its own pace is followed. Ticks are
   scheduled on absolute deadlines, so send times never accumulate drift;
4. at the end, or on any exception including Ctrl-C: release every touch,
   stop the transport, wait until the DAW says it stopped, and leave the written
   lanes in ``read`` (REAPER's Read, Ardour's Play) so the DAW plays them, or
   put the previous modes back with ``restore_modes=True`` (or when no value
   was sent yet). Then the exception goes on.
"""

from __future__ import annotations

import gc
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bridge.automation import passtransport
from bridge.automation.passmodes import ModePlan, ModesAfter
from bridge.automation.passplugins import resolve_plugin_lanes
from bridge.automation.passreport import LaneLike, PassReport
from bridge.automation.songclock import SongClock
from bridge.dialects.base import TrackId, capability_of
from bridge.mixer.mixer import Mixer
from bridge.osc.message import Message

__all__ = ["LaneLike", "LanePlayer", "PassReport"]

_REFRESH_S = 0.5  # resend an unchanged value this often, so a DAW never stops hearing us


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
        restore_modes: After the pass, put the previous modes back instead of
            leaving the written lanes in ``read`` (REAPER Read, Ardour Play).
        clock: Monotonic clock in s (injected for tests).
        sleep: Sleep function in s (injected for tests).
        spin_s: The least time, in s, spent polling the clock rather than
            sleeping before each deadline; it grows with how late this
            machine's sleeps wake up (see :meth:`_wait`).

    Raises:
        UnknownTrackError: A lane names no track of the DAW.
        UnsupportedError: The DAW cannot set a lane's parameter.
        AutomationError: A plugin lane names a plugin or parameter the DAW does not
            have, or has a point outside the parameter's range.
        ModeUnavailableError: The DAW cannot set a mode the pass needs for a
            lane (e.g. REAPER's master); one line naming the lanes and the
            ways out. Nothing has been sent.
    """

    def __init__(
        self,
        mixer: Mixer,
        lanes: Sequence[LaneLike],
        *,
        rate_hz: float = 100.0,
        mode: str | None = "auto",
        roll: bool = True,
        restore_modes: bool = False,
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
        # Plugin lanes by name become numbers, and their points are checked against
        # the DAW's ranges, before any value is sent.
        for lane in resolve_plugin_lanes(mixer, lanes):
            key = mixer.resolve(lane.track)
            dialect.require(capability_of(key, lane.param))
            self._targets.append(_Target(key, lane))
        self.modes = ModePlan.check(
            dialect,
            [(t.key, t.lane.param, f"{t.lane.track!r} {t.lane.param}") for t in self._targets],
            self.mode,
            restore=restore_modes,
        )
        self.song = SongClock(mixer.mirror, clock=clock)
        self._first_move: passtransport.FirstMove | None = None
        self.last_report: PassReport | None = None
        """The report of the last pass run, also one that raised (e.g. on Ctrl-C)."""

    def run(self, start_s: float | None = None, end_s: float | None = None) -> PassReport:
        """Write one pass from ``start_s`` to ``end_s`` (default: the lanes' span).

        Returns:
            The pass's report.

        Raises:
            KeyboardInterrupt: Re-raised after the clean-up (touch released,
                transport stopped; the lanes written so far left in ``read``, or
                the previous modes put back, as after a finished pass).
        """
        lanes = [t.lane for t in self._targets]
        start = min(la.start_s for la in lanes) if start_s is None else start_s
        end = max(la.end_s for la in lanes) if end_s is None else end_s
        if end <= start:
            raise ValueError(f"nothing to play: the pass ends at {end} s, before {start} s")
        report = self.last_report = PassReport(start, end)
        self.modes.remember(self.mixer.mirror)
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
            report.modes_after = self._finish(written=report.ticks > 0)
            report.position_reports = self.song.reports
            report.last_position_error_s = self.song.last_error_s
        return report

    def _send(self, msgs: list[Message]) -> None:
        if msgs:
            self.mixer.send_raw(_dedupe(msgs))

    def _prepare(self, start: float) -> None:
        dialect = self.mixer.dialect
        self._first_move = None
        if self.roll:  # first, and before the mode: see passtransport
            passtransport.settle(self.mixer)
            passtransport.locate(self.mixer, start)
        msgs = self.modes.start()
        for t in self._targets:
            msgs += dialect.set(t.key, t.lane.param, _value(t.lane.param, t.lane.value_at(start)))
        self._send(msgs)
        if self.mode in ("touch", "latch"):
            self._send([m for t in self._targets for m in dialect.touch(t.key, t.lane.param, True)])
        if self.roll:
            # The DAW starts rolling at its next cycle; the song clock starts when
            # it says it plays (or after a short wait, for a DAW that does not say).
            passtransport.play(self.mixer)
            self._first_move = passtransport.FirstMove(self.mixer, start)
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
            if self._first_move is not None:  # set the clock on the DAW's first move
                moved = self._first_move.position(time.monotonic())
                if moved is not None:
                    self.song.start(moved)
                    self._first_move = None
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

    def _finish(self, written: bool) -> ModesAfter:
        dialect = self.mixer.dialect
        msgs: list[Message] = []
        if self.mode in ("touch", "latch"):
            msgs += [m for t in self._targets for m in dialect.touch(t.key, t.lane.param, False)]
        if self.roll:
            msgs += dialect.transport("stop")
        self._send(msgs)
        modes, after = self.modes.end(written)
        if self.roll:
            # Ardour turns Write into Touch when its transport stops: the final
            # modes go once the DAW says it stopped, so they are the last word.
            self.mixer.mirror.wait_for(lambda m: m.get(None, "playing") is False, 1.0)
        self._send(modes)
        if self.roll:
            passtransport.settle(self.mixer)  # so the caller's next locate is taken
        return after


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
