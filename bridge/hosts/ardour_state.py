"""Session, route, plugin, send and automation state of a headless Ardour; its ACE plugins.

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
    "RouteState",
    "SendState",
    "SessionState",
    "parse_automation",
    "parse_plugins",
    "parse_sends",
    "parse_session",
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


class RouteState(TypedDict):
    """One route (track or bus) as read by Lua inside Ardour.

    Attributes:
        name: route name.
        kind: ``"audio_track"``, ``"midi_track"``, ``"bus"``, ``"master"`` or ``"monitor"``.
        order: Ardour's presentation order (sort key of the OSC strip list).
        hidden: whether the route is hidden (hidden routes get no OSC strip id).
        active: whether the route is active.
        gain: fader gain as a linear factor (1.0 = 0 dB).
        gain_db: fader gain in dB, ``20 * log10(gain)`` computed exactly; ``-inf``
            (a float) when the gain is 0.
        trim: trim as a linear factor, or None when the route has no trim.
        pan_azimuth: panner position as Ardour's engine holds it, 0..1 with 0 = hard
            left (OSC ``/strip/pan_stereo_position`` sends ``1 - azimuth``); None
            without a panner.
        pan_width: stereo width -1..1, or None (mono-in tracks have no width).
        mute: whether the route's own mute is on.
        solo: whether the route's own solo is on.
        rec_enable: record-enable of a track; None for buses.
        gain_automation: gain automation (values are linear gain factors).
        pan_automation: azimuth automation, or None without a panner.
        plugins: plugin inserts in OSC piid order (``plugins[0]`` is piid 1).
        sends: sends in OSC sendid order (``sends[0]`` is send 1).
    """

    name: str
    kind: str
    order: int
    hidden: bool
    active: bool
    gain: float
    gain_db: float
    trim: float | None
    pan_azimuth: float | None
    pan_width: float | None
    mute: bool
    solo: bool
    rec_enable: bool | None
    gain_automation: AutomationState
    pan_automation: AutomationState | None
    plugins: list[PluginState]
    sends: list[SendState]


class SessionState(TypedDict):
    """The session as read by Lua inside Ardour (`HeadlessArdour.dump`).

    Attributes:
        sample_rate: nominal session sample rate in Hz.
        transport_sample: transport (playhead) position in samples.
        rolling: whether the transport is rolling.
        routes: every route by name, in presentation order, master last.
        strips: names of the routes that get OSC strip ids with Ardour's default
            strip types (no master, monitor or hidden routes), in ssid order:
            ``strips[0]`` is ssid 1.
    """

    sample_rate: int
    transport_sample: int
    rolling: bool
    routes: dict[str, RouteState]
    strips: list[str]


def parse_session(data: dict[str, Any]) -> SessionState:
    """The session state from the Lua loop's ``dump`` reply (see `SessionState`)."""
    rate = int(data["sample_rate"])
    routes: dict[str, RouteState] = {}
    for raw in data["routes"]:
        gain = float(raw["gain"])
        routes[raw["name"]] = RouteState(
            name=raw["name"],
            kind=raw["kind"],
            order=int(raw["order"]),
            hidden=bool(raw["hidden"]),
            active=bool(raw["active"]),
            gain=gain,
            gain_db=gain_to_db(gain),
            trim=float_or_none(raw.get("trim")),
            pan_azimuth=float_or_none(raw.get("pan_azimuth")),
            pan_width=float_or_none(raw.get("pan_width")),
            mute=bool(raw["mute"]),
            solo=bool(raw["solo"]),
            rec_enable=raw.get("rec_enable"),
            gain_automation=parse_automation(raw["gain_automation"], rate),
            pan_automation=(
                parse_automation(raw["pan_automation"], rate) if raw.get("pan_automation") else None
            ),
            plugins=parse_plugins(raw.get("plugins"), rate),
            sends=parse_sends(raw.get("sends")),
        )
    strips = [
        r["name"]
        for r in routes.values()
        if r["kind"] not in ("master", "monitor") and not r["hidden"]
    ]
    return SessionState(
        sample_rate=rate,
        transport_sample=int(data["transport_sample"]),
        rolling=bool(data["rolling"]),
        routes=routes,
        strips=strips,
    )


def float_or_none(value: Any) -> float | None:
    """A number the Lua loop may leave out (JSON null) as a float, or None."""
    return None if value is None else float(value)
