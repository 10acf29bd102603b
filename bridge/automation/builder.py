"""``track.automate("volume_db")``: build a lane point by point, in seconds or bars:beats.

>>> lane = (LaneBuilder("Vocals", "volume_db", tempo=Tempo(96))
...         .at("1:1", -6.0).to("9:1", -3.5, "s_curve").hold("17:1").to("21:1", -60.0).lane)
>>> lane.end_s
50.0
"""

from __future__ import annotations

from bridge.automation.curves import Curve
from bridge.automation.errors import AutomationError
from bridge.automation.lane import Lane, Point, TrackRef
from bridge.automation.timebase import Position, Tempo, to_seconds

__all__ = ["LaneBuilder"]


class LaneBuilder:
    """Collects the points of one lane; every method returns the builder.

    Args:
        track: Track name, 1-based number or ``"master"``.
        param: The parameter path (``volume_db``, ``pan``, ``send/1/level_db`` …).
        tempo: Needed for ``"bar:beat"`` positions.
    """

    def __init__(self, track: TrackRef, param: str, *, tempo: Tempo | None = None) -> None:
        self.track = track
        self.param = param
        self.tempo = tempo
        self._points: list[Point] = []

    def at(self, when: Position, value: float, curve: Curve = "linear_db") -> LaneBuilder:
        """Add a point; ``curve`` is the shape from this point to the next one."""
        self._points.append(Point(to_seconds(when, self.tempo), float(value), curve))
        return self

    def to(self, when: Position, value: float, curve: Curve = "linear_db") -> LaneBuilder:
        """Move from the previous point to ``value`` at ``when`` along ``curve``."""
        if not self._points:
            raise AutomationError(f"{self._label}: 'to' needs a starting point ('at' first)")
        last = self._points[-1]
        self._points[-1] = Point(last.time_s, last.value, curve)
        self._points.append(Point(to_seconds(when, self.tempo), float(value), "linear_db"))
        return self

    def hold(self, until: Position) -> LaneBuilder:
        """Keep the previous value until ``until``."""
        if not self._points:
            raise AutomationError(f"{self._label}: 'hold' needs a starting point ('at' first)")
        return self.to(until, self._points[-1].value, "hold")

    @property
    def lane(self) -> Lane:
        """The lane (validated: times increasing, values in range).

        Raises:
            AutomationError: No points, or a point out of order or range.
        """
        if not self._points:
            raise AutomationError(f"{self._label}: no points")
        return Lane(self.track, self.param, tuple(self._points))

    @property
    def _label(self) -> str:
        return f"lane {self.track!r} {self.param}"
