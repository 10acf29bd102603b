"""One UDP socket that sends OSC to a DAW and receives its replies and feedback.

Sending and receiving share the socket, so the datagrams a DAW sees come from
the port we listen on. That is what makes "reply to the source port" work
(Ardour's auto port mode, REAPER's reply to the last sender). The socket binds
to loopback unless the caller asks otherwise, and a warning is logged when it
does not.

Incoming datagrams are parsed by python-osc on the receiver thread; bundles are
unpacked into their messages. Ardour's ``#reply`` address, which python-osc
rejects, is rewritten to ``/reply`` first. Malformed datagrams are counted and
logged (at most once per second), never raised.
"""

from __future__ import annotations

import errno
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pythonosc.osc_packet import OscPacket

from bridge.errors import OscError
from bridge.osc.message import Message, well_formed
from bridge.osc.udp import ThrottledLog, bind_udp

__all__ = [
    "MAX_DATAGRAM",
    "Handler",
    "OscTransport",
    "TransportStats",
    "pack_bundles",
    "valid_datagram",
]

log = logging.getLogger("bridge.osc")

MAX_DATAGRAM = 65507
"""The largest UDP payload over IPv4, in bytes."""

_BUNDLE_HEAD = b"#bundle\x00" + struct.pack(">Q", 1)  # timetag 1 = "immediately"

MAX_BUNDLE_DEPTH = 8
"""Bundles nested deeper than this are refused (python-osc recurses per level)."""

Handler = Callable[[str, tuple[object, ...]], None]
"""Called on the receiver thread with each message's address and arguments."""


def valid_datagram(data: bytes, depth: int = 0) -> bool:
    """True if ``data`` is a well-formed OSC message, or a bundle of well-formed elements.

    Checked before python-osc parses anything: it loops forever on a bundle
    element of negative size, recurses without limit into nested bundles, and
    logs to the root logger (once per element, unthrottled) on what it cannot
    identify. Bundle elements must have a positive size that is a multiple of
    4 and fits the datagram; nesting is limited to :data:`MAX_BUNDLE_DEPTH`.
    """
    if data.startswith(b"/"):
        return well_formed(data)
    if not data.startswith(b"#bundle\x00") or len(data) < 16 or depth >= MAX_BUNDLE_DEPTH:
        return False
    pos = 16
    while pos < len(data):
        if pos + 4 > len(data):
            return False
        size = int.from_bytes(data[pos : pos + 4], "big", signed=True)
        pos += 4
        if size <= 0 or size % 4 or pos + size > len(data):
            return False
        if not valid_datagram(data[pos : pos + size], depth + 1):
            return False
        pos += size
    return True


@dataclass
class TransportStats:
    """Counters of one transport.

    Attributes:
        sent: Messages sent (a bundle counts its messages).
        datagrams_sent: UDP datagrams sent.
        received: Messages received and handed to the handler.
        malformed: Datagrams that were not valid OSC.
        handler_errors: Messages whose handler raised.
        last_received: Monotonic time (s) of the last valid datagram, or 0.
    """

    sent: int = 0
    datagrams_sent: int = 0
    received: int = 0
    malformed: int = 0
    handler_errors: int = 0
    last_received: float = 0.0


class OscTransport:
    """A UDP socket bound for listening that also sends to one remote address.

    Args:
        remote: The DAW's ``(host, port)``.
        handler: Called with ``(address, args)`` for every message received.
        listen: ``(host, port)`` to bind; port 0 picks a free one. Loopback by
            default.
        max_packet: Largest bundle to send, in bytes (REAPER reads 1024-byte
            packets by default).
        sock: An already bound UDP socket to use instead of creating one.
        clock: Monotonic clock, in seconds (injected for tests).

    Raises:
        OscError: The listening port is busy or cannot be bound.
    """

    def __init__(
        self,
        remote: tuple[str, int],
        handler: Handler,
        *,
        listen: tuple[str, int] = ("127.0.0.1", 0),
        max_packet: int = 1024,
        sock: socket.socket | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.remote = remote
        self.max_packet = max_packet
        self.stats = TransportStats()
        self._handler = handler
        self._clock = clock
        self._closed = threading.Event()
        self._send_lock = threading.Lock()
        self._warnings = ThrottledLog(log, clock=clock)
        self._sock = sock if sock is not None else _listen(*listen)
        self._thread = threading.Thread(target=self._receive, name="osc-receiver", daemon=True)
        self._thread.start()

    @property
    def local_address(self) -> tuple[str, int]:
        """The ``(host, port)`` the socket listens on."""
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def send(self, msg: Message) -> None:
        """Send one message to the remote address.

        Raises:
            OscError: The transport is closed or the datagram cannot be sent.
        """
        self._sendto(msg.encode())
        self.stats.sent += 1

    def send_many(self, msgs: Iterable[Message]) -> int:
        """Send messages packed into as few bundles as fit under ``max_packet``.

        A message too large for a bundle of ``max_packet`` bytes goes alone.

        Returns:
            The number of datagrams sent.
        """
        datagrams = [m.encode() for m in msgs]
        packets = pack_bundles(datagrams, self.max_packet)
        for packet in packets:
            self._sendto(packet)
        self.stats.sent += len(datagrams)
        return len(packets)

    def close(self) -> None:
        """Stop the receiver thread and close the socket (idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        if threading.current_thread() is not self._thread:  # a handler may close us
            self._thread.join(timeout=1.0)
        self._sock.close()

    def __enter__(self) -> OscTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sendto(self, data: bytes) -> None:
        if self._closed.is_set():
            raise OscError("the OSC transport is closed")
        try:
            with self._send_lock:
                self._sock.sendto(data, self.remote)
        except OSError as err:
            host, port = self.remote
            raise OscError(f"cannot send OSC to {host}:{port}: {err.strerror or err}") from None
        self.stats.datagrams_sent += 1

    def _receive(self) -> None:
        self._sock.settimeout(0.1)
        while not self._closed.is_set():
            try:
                data, _ = self._sock.recvfrom(MAX_DATAGRAM + 1)
            except TimeoutError:
                continue
            except OSError as err:
                if self._closed.is_set():
                    return
                # ICMP "port unreachable" from an earlier send surfaces here on Linux.
                if err.errno not in (errno.ECONNREFUSED, errno.EAGAIN):
                    self._warn(f"receive failed: {err}")
                continue
            self._dispatch(data)

    def _dispatch(self, data: bytes) -> None:
        if data.startswith(b"#reply"):
            data = b"/" + data[1:]  # same length, so the OSC padding still holds
        if not valid_datagram(data):
            self.stats.malformed += 1
            self._warn(f"ignored a malformed OSC datagram ({len(data)} bytes)")
            return
        try:
            packet = OscPacket(data)
        except Exception as err:  # valid_datagram should catch it all; stay alive anyway
            self.stats.malformed += 1
            self._warn(f"ignored a malformed OSC datagram ({len(data)} bytes): {err}")
            return
        if not packet.messages:
            self.stats.malformed += 1
            self._warn(f"ignored an OSC datagram with no message in it ({len(data)} bytes)")
            return
        self.stats.last_received = self._clock()
        for timed in packet.messages:
            msg = timed.message
            self.stats.received += 1
            try:
                self._handler(msg.address, tuple(msg.params))
            except Exception as err:  # a handler bug must not kill the receiver
                self.stats.handler_errors += 1
                self._warn(f"error handling {msg.address}: {err!r}")

    def _warn(self, text: str) -> None:
        self._warnings.warn(text)


def _listen(host: str, port: int) -> socket.socket:
    return bind_udp(
        host,
        port,
        who="",
        busy_hint="another OSC client or DAW uses it; pick another --listen-port",
        log=log,
    )


def pack_bundles(datagrams: Sequence[bytes], max_packet: int) -> list[bytes]:
    """Pack message datagrams into OSC bundles of at most ``max_packet`` bytes.

    Args:
        datagrams: Encoded OSC messages.
        max_packet: The size limit of one bundle, in bytes.

    Returns:
        Bundles in order; a message that does not fit in any bundle is returned
        alone, as a plain message datagram.
    """
    out: list[bytes] = []
    parts: list[bytes] = []
    size = len(_BUNDLE_HEAD)
    for dgram in datagrams:
        element = 4 + len(dgram)
        if len(_BUNDLE_HEAD) + element > max_packet:
            if parts:
                out.append(_BUNDLE_HEAD + b"".join(parts))
                parts, size = [], len(_BUNDLE_HEAD)
            out.append(dgram)
            continue
        if size + element > max_packet:
            out.append(_BUNDLE_HEAD + b"".join(parts))
            parts, size = [], len(_BUNDLE_HEAD)
        parts.append(struct.pack(">i", len(dgram)) + dgram)
        size += element
    if parts:
        out.append(_BUNDLE_HEAD + b"".join(parts))
    return out
