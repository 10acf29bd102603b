"""Tests of the bridge; shared helpers."""

from __future__ import annotations

import socket


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing was bound to a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
