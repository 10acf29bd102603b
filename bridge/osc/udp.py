"""What every UDP listener of the bridge shares: binding, and warnings that cannot flood.

Both the bridge's own socket (:class:`~bridge.osc.transport.OscTransport`) and the
virtual DAW's server (:mod:`bridge.virtual.endpoint`) bind with :func:`bind_udp`,
which refuses a busy port with a one-line error and warns when the socket is
reachable from other machines, and log bad input through :class:`ThrottledLog`.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import time
from collections.abc import Callable

from bridge.errors import OscError

__all__ = ["ThrottledLog", "bind_udp", "is_loopback"]


def is_loopback(host: str) -> bool:
    """True if ``host`` names this machine only (``127.x``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_udp(
    host: str, port: int, *, who: str, busy_hint: str, log: logging.Logger
) -> socket.socket:
    """Bind a UDP socket, warning on ``log`` when it is reachable from other machines.

    Args:
        host: Address to listen on.
        port: UDP port (0 = any free).
        who: Prefix naming the listener in messages (``""`` or ``"virtual DAW "``).
        busy_hint: Said after "the port is busy" (how to pick another port).
        log: Where the reachability warning goes.

    Raises:
        OscError: The port is busy or cannot be bound; one line naming host:port.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise OscError(
                f"{who}cannot listen on {host}:{port}: the port is busy ({busy_hint})"
            ) from None
        raise OscError(f"{who}cannot listen on {host}:{port}: {err.strerror or err}") from None
    if not is_loopback(host):
        log.warning("%slistening on %s:%d, reachable from other machines", who, host, port)
    return sock


class ThrottledLog:
    """Warnings at most once a second; the next line says how many were suppressed.

    Args:
        log: The logger.
        prefix: Put before every line.
        clock: Monotonic clock in s (injected for tests).
    """

    def __init__(
        self, log: logging.Logger, prefix: str = "", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._log = log
        self._prefix = prefix
        self._clock = clock
        self._last = -1e9
        self._suppressed = 0

    def warn(self, text: str) -> None:
        """Log ``text``, unless a line went out less than a second ago."""
        now = self._clock()
        if now - self._last < 1.0:
            self._suppressed += 1
            return
        more = f" ({self._suppressed} more suppressed)" if self._suppressed else ""
        self._last, self._suppressed = now, 0
        self._log.warning("%s%s%s", self._prefix, text, more)
