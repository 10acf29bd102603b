"""Plugin, send and automation state of a headless Ardour, and its bundled ACE plugins.

`bridge.hosts.ardour.HeadlessArdour.dump` returns these. The Lua loop inside Ardour
writes JSON; the functions here turn its parts into these typed dicts. Facts measured
with Ardour 7.3 (Debian ``1:7.3.0+ds0-1``) are in ``ardour_serve.lua`` and
``docs/ardour-host.md``.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

__all__ = [
    "ACE_PLUGINS",
    "AutomationState",
    "PluginParam",
    "PluginState",
    "SendState",
    "parse_automation",
    "parse_plugins",
    "parse_sends",
]

ACE_PLUGINS: dict[str, str] = {
    "ACE EQ": "urn:ardour:a-eq",
    "ACE Compressor": "urn:ardour:a-comp",
    "ACE Compressor (stereo)": "urn:ardour:a-comp#stereo",
    "ACE Reverb": "urn:ardour:a-reverb",
    "ACE Delay": "urn:ardour:a-delay",
}
"""Short names `HeadlessArdour` accepts for its ``plugins`` argument, and their LV2 URIs.

Ardour bundles these LV2 plugins, so a headless session carries them without any
other package. The short name is also the plugin's name in `PluginState` and in
OSC ``/strip/plugin/list``.
"""


class AutomationState(TypedDict):
    """One control's automation, as Ardour's engine holds it.

    Attributes:
        state: automation mode: ``"Manual"``, ``"Play"``, ``"Write"``, ``"Touch"`` or
            ``"Latch"`` (Ardour's internal name for ``"Manual"`` is ``Off``).
        events: ``(time in seconds from session start, value)`` pairs in time order.
            Values are the control's internal unit: linear gain factor for gain,
            azimuth 0..1 (0 = left) for pan, the parameter's own unit for a plugin.
    """

    state: str
    events: list[tuple[float, float]]


class PluginParam(TypedDict):
    """One control port of a plugin, numbered the way Ardour's OSC numbers it.

    Attributes:
        number: the parameter number of OSC ``/strip/plugin/descriptor`` and
            ``/strip/plugin/parameter`` (1-based; not always contiguous with the
            plugin's LV2 port numbers).
        name: the parameter's label, e.g. ``"Gain 1"``.
        value: current value in the parameter's own unit (dB, Hz, ms, ratio…).
        lower: lowest value; OSC drops a value below it.
        upper: highest value; OSC drops a value above it.
        input: False for an output (a meter such as the compressor's
            ``"Gain Reduction"``): OSC lists it, but cannot set it.
        automation: the parameter's automation, or None for an output.
    """

    number: int
    name: str
    value: float
    lower: float
    upper: float
    input: bool
    automation: AutomationState | None


class PluginState(TypedDict):
    """One plugin insert of a route; a route's list is in OSC piid order (``[0]`` is piid 1).

    Attributes:
        name: the plugin's name, e.g. ``"ACE EQ"``.
        active: whether the insert is active (not bypassed).
        params: the parameters OSC lists, in number order.
    """

    name: str
    active: bool
    params: list[PluginParam]


class SendState(TypedDict):
    """One send of a route; a route's list is in OSC sendid order (``[0]`` is send 1).

    Attributes:
        target: name of the bus an aux send feeds (for another send: its name).
        gain: send level as a linear factor (1.0 = 0 dB).
        gain_db: send level in dB, ``20 * log10(gain)`` computed exactly; ``-inf``
            when the gain is 0.
        active: whether the send is active.
    """

    target: str
    gain: float
    gain_db: float
    active: bool


def gain_to_db(gain: float) -> float:
    """Exact ``20 * log10(gain)``; ``-inf`` for a gain of 0 or less."""
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def parse_automation(raw: dict[str, Any], rate: int) -> AutomationState:
    """An `AutomationState` from the Lua dump's ``{state, events: [[sample, value]]}``."""
    return AutomationState(
        state=str(raw["state"]),
        events=[(float(when) / rate, float(value)) for when, value in raw["events"]],
    )


def parse_plugins(raw: list[dict[str, Any]] | None, rate: int) -> list[PluginState]:
    """The `PluginState` list of one route from the Lua dump."""
    plugins: list[PluginState] = []
    for plugin in raw or []:
        params = [
            PluginParam(
                number=int(param["number"]),
                name=str(param["name"]),
                value=_float(param["value"]),
                lower=_float(param["lower"]),
                upper=_float(param["upper"]),
                input=bool(param["input"]),
                automation=(
                    parse_automation(param["automation"], rate) if param.get("automation") else None
                ),
            )
            for param in plugin["params"]
        ]
        plugins.append(
            PluginState(name=str(plugin["name"]), active=bool(plugin["active"]), params=params)
        )
    return plugins


def parse_sends(raw: list[dict[str, Any]] | None) -> list[SendState]:
    """The `SendState` list of one route from the Lua dump."""
    sends: list[SendState] = []
    for send in raw or []:
        gain = float(send["gain"])
        sends.append(
            SendState(
                target=str(send["target"]),
                gain=gain,
                gain_db=gain_to_db(gain),
                active=bool(send["active"]),
            )
        )
    return sends


def _float(value: Any) -> float:
    """A JSON number, or NaN for the ``null`` the Lua encoder writes for NaN and ±inf."""
    return math.nan if value is None else float(value)
