"""What a DAW reports about a track's plugins: their list, and each parameter's description.

A dialect decodes a DAW's plugin replies into these values; the state mirror
keeps them (:class:`~bridge.mixer.mirror.Mirror`), and the mixer model
(:class:`~bridge.mixer.model.Fx`, :class:`~bridge.mixer.model.Param`) reads
them. Values are in the parameter's own units as the DAW reports them: dB, Hz,
ms, a ratio, or 0..1 where the DAW publishes nothing better (REAPER).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # base imports this module for its Decoded union
    from bridge.dialects.base import TrackId

__all__ = ["ParamSpec", "PluginList", "PluginSpecs", "describe_range", "unit_of_format"]

# A printf conversion, as in "%4.1f dB" or "%.0f%%".
_PRINTF: Final = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One plugin parameter as the DAW describes it.

    Attributes:
        number: The parameter's 1-based number, as the DAW's OSC numbers it.
        name: Its name (e.g. ``"Gain 1"``).
        min: The lowest value the DAW accepts, in the parameter's units.
        max: The highest value, in the parameter's units.
        unit: The unit (``"dB"``, ``"Hz"``, ``"ms"``…), ``""`` when the DAW gives
            none, ``"normalized"`` for a 0..1 value with no published mapping.
        value: The current value the DAW reported, or None.
        default: The default value, where the DAW reports it.
        settable: False for an output (a meter such as gain reduction).
        toggle: An on/off parameter (values 0 and 1).
        integer: Only whole numbers.
        logarithmic: Shown on a log scale (frequencies); still set in its units.
        choices: ``(value, label)`` pairs of an enumeration.
        text: The DAW's display text of the value, where it reports one.
    """

    number: int
    name: str
    min: float
    max: float
    unit: str = ""
    value: float | None = None
    default: float | None = None
    settable: bool = True
    toggle: bool = False
    integer: bool = False
    logarithmic: bool = False
    choices: tuple[tuple[float, str], ...] = ()
    text: str | None = None

    def check(self, value: float) -> str | None:
        """Say why ``value`` cannot be set, or return None if it can."""
        if not self.settable:
            return "is an output (read only)"
        if not math.isfinite(value):
            return f"needs a finite number, not {value!r}"
        # Bounds come as float32 (Ardour's 0.1 is 0.10000000149): a value that equals
        # one to float32 precision is in range (and is sent as that bound).
        slack = 1e-6 * max(1.0, abs(self.min), abs(self.max))
        if not self.min - slack <= value <= self.max + slack:
            return f"{value:g} is out of range {describe_range(self)}"
        if self.toggle and min(abs(value - self.min), abs(value - self.max)) > slack:
            return f"is on/off: use {self.min:g} or {self.max:g}, not {value:g}"
        if self.integer and value != round(value):
            return f"takes whole numbers, not {value:g}"
        return None


@dataclass(frozen=True, slots=True)
class PluginList:
    """A track's plugins, in order.

    Attributes:
        target: The track (dialect id) or master.
        plugins: ``(number, name, active)`` for each plugin; ``active`` is None
            where the DAW does not report it.
    """

    target: TrackId
    plugins: tuple[tuple[int, str, bool | None], ...]


@dataclass(frozen=True, slots=True)
class PluginSpecs:
    """The complete description of one plugin's parameters.

    Attributes:
        target: The track (dialect id) or master.
        fx: The plugin's 1-based number.
        params: Every parameter, in the DAW's order.
    """

    target: TrackId
    fx: int
    params: tuple[ParamSpec, ...]


def unit_of_format(fmt: str) -> str:
    """The unit in a printf display format: ``"%4.1f dB"`` → ``"dB"``, ``"%.0f Hz"`` → ``"Hz"``.

    ``%%`` stands for ``%``; a format with no text beside the number has no unit.
    """
    text = _PRINTF.sub("", fmt.replace("%%", "\0")).replace("\0", "%")
    return " ".join(text.split())


def describe_range(spec: ParamSpec) -> str:
    """``[-20, 20] dB``: the range with its unit, for messages."""
    unit = f" {spec.unit}" if spec.unit else ""
    return f"[{spec.min:g}, {spec.max:g}]{unit}"
