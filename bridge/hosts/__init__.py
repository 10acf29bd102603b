"""Real DAWs run headless for integration tests, benchmarks and CI.

:mod:`bridge.hosts.ardour` runs Ardour 7 (``ardour7-lua``, no X server) with its
OSC surface on a loopback-reachable UDP port, with tracks, buses, aux sends and
Ardour's bundled ACE plugins; see ``docs/ardour-host.md``.
"""

from bridge.hosts.ardour import (
    ArdourHostError,
    HeadlessArdour,
    RouteState,
    SessionState,
    query_strip_list,
    udp_port_in_use,
)
from bridge.hosts.ardour_state import (
    ACE_PLUGINS,
    AutomationState,
    PluginParam,
    PluginState,
    SendState,
)

__all__ = [
    "ACE_PLUGINS",
    "ArdourHostError",
    "AutomationState",
    "HeadlessArdour",
    "PluginParam",
    "PluginState",
    "RouteState",
    "SendState",
    "SessionState",
    "query_strip_list",
    "udp_port_in_use",
]
