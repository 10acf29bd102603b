"""OSC transport: typed messages, one UDP socket for both directions, bundles, rate limiting.

This layer knows nothing of DAWs; :mod:`bridge.dialects` maps mixer operations
onto its messages.
"""

from bridge.osc.message import Arg, Message, message
from bridge.osc.ratelimit import RateLimiter
from bridge.osc.transport import (
    MAX_DATAGRAM,
    Handler,
    OscTransport,
    TransportStats,
    pack_bundles,
)
from bridge.osc.udp import ThrottledLog, bind_udp, is_loopback

__all__ = [
    "MAX_DATAGRAM",
    "Arg",
    "Handler",
    "Message",
    "OscTransport",
    "RateLimiter",
    "ThrottledLog",
    "TransportStats",
    "bind_udp",
    "is_loopback",
    "message",
    "pack_bundles",
]
