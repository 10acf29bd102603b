"""Tests of the bridge; shared helpers."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.hosts import HeadlessArdour, SessionState

__all__ = ["eventually", "free_udp_port", "udp_sockets", "wait_dump"]


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing was bound to a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_dump(
    daw: HeadlessArdour, check: Callable[[SessionState], bool], timeout: float = 3.0
) -> SessionState:
    """Read Ardour's own state until ``check`` holds or ``timeout`` s pass; return the last."""
    deadline = time.monotonic() + timeout
    state = daw.dump()
    while not check(state) and time.monotonic() < deadline:
        time.sleep(0.02)
        state = daw.dump()
    return state


def eventually(condition: Callable[[], bool], timeout: float = 5.0, poll: float = 0.01) -> bool:
    """Poll ``condition`` every ``poll`` s until it holds or ``timeout`` s pass; its last value."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(poll)
    return condition()


def udp_sockets(port: int) -> list[tuple[str, int, int]]:
    """The kernel's view of the IPv4 UDP sockets bound to ``port`` (``/proc/net/udp``).

    Returns:
        ``(local address, bytes queued to read, datagrams dropped)`` per socket.
    """
    out = []
    for row in Path("/proc/net/udp").read_text().splitlines()[1:]:
        f = row.split()
        hex_ip, hex_port = f[1].split(":")
        if int(hex_port, 16) == port:
            ip = socket.inet_ntoa(bytes.fromhex(hex_ip)[::-1])
            out.append((ip, int(f[4].split(":")[1], 16), int(f[-1])))
    return out
