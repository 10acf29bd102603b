"""Real DAWs run headless for integration tests, benchmarks and CI.

:mod:`bridge.hosts.ardour` runs Ardour 7 (``ardour7-lua``, no X server) with its
OSC surface on a loopback-reachable UDP port; see ``docs/ardour-host.md``.
"""

from bridge.hosts.ardour import (
    ArdourHostError,
    AutomationState,
    HeadlessArdour,
    RouteState,
    SessionState,
    query_strip_list,
    udp_port_in_use,
)

__all__ = [
    "ArdourHostError",
    "AutomationState",
    "HeadlessArdour",
    "RouteState",
    "SessionState",
    "query_strip_list",
    "udp_port_in_use",
]
