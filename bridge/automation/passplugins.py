"""Plugin lanes before a pass: names resolved against the DAW, values checked against its ranges.

A lane may name its plugin and parameter (``fx/ACE EQ/param/Gain 1``) or number
them (``fx/1/param/4``); its values are in the DAW's units for that parameter
(Ardour: dB, Hz, ms…; Live: its own min..max; REAPER: 0..1). Before anything is sent, every
plugin lane is resolved to numbers through :class:`~bridge.mixer.plugins.PluginDesk`
and each of its points is checked against the parameter's range, so a pass
never streams a value the DAW would drop (Ardour drops one out of range
without a word). Curves run between their points' values, so checking the
points checks the lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.automation.errors import AutomationError
from bridge.dialects.path import PathError, parse
from bridge.dialects.plugins import describe_range
from bridge.errors import BridgeError

if TYPE_CHECKING:
    from bridge.automation.passreport import LaneLike
    from bridge.mixer.mixer import Mixer

__all__ = ["NumberedLane", "resolve_plugin_lanes"]


@dataclass(frozen=True)
class NumberedLane:
    """A plugin lane with its plugin and parameter given by number.

    Attributes:
        lane: The lane as it was written (by name or number).
        param: ``fx/N/param/M`` with numbers, as the dialects take it.
    """

    lane: LaneLike
    param: str

    @property
    def track(self) -> str | int:
        """The lane's track."""
        return self.lane.track

    @property
    def start_s(self) -> float:
        """The lane's first point, in s."""
        return self.lane.start_s

    @property
    def end_s(self) -> float:
        """The lane's last point, in s."""
        return self.lane.end_s

    def value_at(self, t: float) -> float:
        """The lane's value at ``t`` s."""
        return self.lane.value_at(t)


def _extremes(lane: LaneLike) -> list[float]:
    points = getattr(lane, "points", None)
    if points:
        return sorted({float(p.value) for p in points})
    return [lane.value_at(lane.start_s), lane.value_at(lane.end_s)]


def resolve_plugin_lanes(mixer: Mixer, lanes: Sequence[LaneLike]) -> list[LaneLike]:
    """Every lane, plugin lanes resolved to numbers and checked against the DAW's ranges.

    Args:
        mixer: The connected mixer.
        lanes: The pass's lanes.

    Returns:
        The lanes in the same order; plugin lanes as :class:`NumberedLane`.

    Raises:
        AutomationError: A plugin or parameter the DAW does not have, an ambiguous
            name, or a point outside the parameter's range; one line naming the
            lane. Nothing has been sent to the DAW but questions.
    """
    out: list[LaneLike] = []
    for lane in lanes:
        try:
            path = parse(lane.param)
        except PathError:
            path = None
        if path is None or not path.is_plugin_value:
            out.append(lane)
            continue
        label = f"lane {lane.track!r} {lane.param}"
        try:
            target = mixer.resolve(lane.track)
            numbered, spec = mixer.plugins.resolve(target, path)
        except BridgeError as err:
            raise AutomationError(f"{label}: {err}") from None
        assert spec is not None
        for value in _extremes(lane):
            problem = spec.check(value)
            if problem is not None:
                raise AutomationError(
                    f"{label} ({spec.name!r}, {describe_range(spec)}): a point {problem};"
                    " nothing was sent"
                )
        out.append(NumberedLane(lane, str(numbered)))
    return out
