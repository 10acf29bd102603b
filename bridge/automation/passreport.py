"""What :class:`~bridge.automation.player.LanePlayer` plays and what one pass reports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from bridge.automation.passmodes import ModesAfter

__all__ = ["LaneLike", "PassReport"]


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
        modes_after: What the end of the pass did to the modes: ``"read"``
            (the written lanes left in the DAW's read/Play mode), ``"restored"``
            (the previous modes put back) or ``"unchanged"`` (the pass set none).
    """

    start_s: float
    end_s: float
    ticks: int = 0
    messages: int = 0
    send_errors_s: list[float] = field(default_factory=list)
    position_reports: int = 0
    last_position_error_s: float = 0.0
    interrupted: bool = False
    modes_after: ModesAfter = "unchanged"

    def percentile_ms(self, q: float) -> float:
        """The ``q``-quantile (0..1) of the send-time error, in ms."""
        if not self.send_errors_s:
            return math.nan
        s = sorted(self.send_errors_s)
        return 1e3 * s[min(len(s) - 1, int(q * len(s)))]
