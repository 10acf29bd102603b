"""The virtual DAW's UDP side: receive OSC, send feedback as REAPER does, log bad input.

Feedback goes out as float32 in ``#bundle`` packets of at most 1024 bytes, to
the configured feedback address or, when there is none, to the last sender (as
REAPER does with no device port set), and never on the address being processed
(REAPER's anti-echo), except for button and trigger (``b``, ``t``) patterns.

Feedback to the last sender on another machine never adds up to more bytes
than that sender sent (a spoofed sender cannot turn the server into an
amplifier); a loopback sender and a configured feedback address are not limited.

Malformed datagrams, unknown addresses and bad values are logged (at most one
line per second, with a count of what was suppressed, the client's text escaped
and cut by :func:`qc.printable.printable_line`) and ignored; nothing a client
sends stops the server.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable

from pythonosc.osc_packet import OscPacket

from bridge.osc.message import Message
from bridge.osc.transport import pack_bundles, valid_datagram
from bridge.osc.udp import ThrottledLog, bind_udp, is_loopback
from qc.printable import printable_line

__all__ = ["RCVBUF_BYTES", "Handler", "OscEndpoint", "grow_receive_buffer"]

log = logging.getLogger("bridge.virtual")

RCVBUF_BYTES = 8 << 20
"""The receive buffer asked of the kernel (8 MiB: a burst of 5,000 datagrams fits)."""

_SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)  # Linux; CAP_NET_ADMIN only


def grow_receive_buffer(sock: socket.socket, size: int = RCVBUF_BYTES) -> int:
    """Ask the kernel for a ``size``-byte receive buffer; return what it granted, in bytes.

    ``SO_RCVBUFFORCE`` is tried first (it passes ``net.core.rmem_max`` for root),
    then ``SO_RCVBUF`` (capped at ``rmem_max``). Linux reports twice the size
    it books (its bookkeeping overhead), as ``getsockopt`` returns it.
    """
    for opt in (_SO_RCVBUFFORCE, socket.SO_RCVBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, size)
            break
        except OSError:
            continue
    return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))


Handler = Callable[[str, tuple[object, ...]], None]
"""Called with each well-formed message's address and arguments."""

_BUTTON = re.compile(
    r"^/(play|stop|record|pause|track/\d+/(mute|solo|recarm|autotrim|autoread|autotouch"
    r"|autolatch|autowrite|fx/\d+/bypass|fxeq/bypass|fxeq/[a-z]+(/\d+)?/bypass))$"
)


class OscEndpoint:
    """A bound UDP socket that hands messages to a handler and sends feedback.

    Args:
        host: Address to listen on.
        port: UDP port (0 = any free).
        feedback: ``(host, port)`` feedback goes to, or None for "the last sender".
        handle: Called on the serving thread for every well-formed message; an
            exception it raises is logged and counted as ignored.

    Raises:
        OscError: The port is busy or cannot be bound.
    """

    def __init__(
        self, host: str, port: int, feedback: tuple[str, int] | None, handle: Handler
    ) -> None:
        self.ignored = 0
        """Messages ignored (unknown address, bad type or value, malformed)."""
        self.handled = 0
        """Messages and datagrams processed so far, ignored ones included."""
        self.closed = threading.Event()
        self._feedback = feedback
        self._last_sender: tuple[str, int] | None = None
        self._credit = 0
        """Bytes the last sender sent and feedback to it has not used yet (off loopback)."""
        self._handle = handle
        self._warnings = ThrottledLog(log, "virtual DAW ignored ")
        self._sock = bind_udp(
            host, port, who="virtual DAW ", busy_hint="pick another --port", log=log
        )
        self._sock.settimeout(0.1)
        self.rcvbuf = grow_receive_buffer(self._sock)
        """The receive buffer the kernel granted, in bytes (what ``SO_RCVBUF`` reports)."""
        log.info("virtual DAW receive buffer: %d bytes (asked %d)", self.rcvbuf, RCVBUF_BYTES)

    @property
    def address(self) -> tuple[str, int]:
        """The ``(host, port)`` the socket is bound to."""
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def close(self) -> None:
        """Close the socket (after :attr:`closed` is set and the serving thread ended)."""
        self._sock.close()

    def serve(self) -> None:
        """Receive and handle datagrams until :attr:`closed` is set."""
        while not self.closed.is_set():
            try:
                data, sender = self._sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                if self.closed.is_set():
                    return
                continue
            self._received((str(sender[0]), int(sender[1])), len(data))
            self._datagram(data)

    def _received(self, sender: tuple[str, int], size: int) -> None:
        """Make ``sender`` the last sender; feedback to it may use ``size`` more bytes."""
        self._credit = size + (self._credit if sender == self._last_sender else 0)
        self._last_sender = sender

    def _datagram(self, data: bytes) -> None:
        if not valid_datagram(data):  # before python-osc, which can hang or recurse on it
            self.ignore(f"malformed OSC datagram ({len(data)} bytes)")
            self.handled += 1
            return
        try:
            packet = OscPacket(data)
        except Exception as err:  # python-osc raises several types on garbage
            self.ignore(f"malformed OSC datagram ({len(data)} bytes): {err}")
            self.handled += 1
            return
        if not packet.messages:
            self.ignore(f"datagram with no OSC message in it ({len(data)} bytes)")
        for timed in packet.messages:
            msg = timed.message
            try:
                self._handle(msg.address, tuple(msg.params))
            except Exception as err:  # a bad message must never stop the server
                self.ignore(f"{msg.address}: {err!r}")
        self.handled += 1

    def send(self, msgs: list[Message], processing: str | None) -> None:
        """Send feedback, leaving out ``processing`` unless it is a button or trigger."""
        target = self._feedback or self._last_sender
        if target is None:
            return
        keep = [m for m in msgs if m.address != processing or _BUTTON.match(m.address)]
        packets = pack_bundles([m.encode() for m in keep], 1024)
        if self._feedback is None and not is_loopback(target[0]):
            size = sum(map(len, packets))
            if size > self._credit:
                self.ignore(
                    f"feedback to {target[0]}:{target[1]} withheld: {size} bytes"
                    f" for {self._credit} received (no amplification off loopback)"
                )
                return
            self._credit -= size
        try:
            for packet in packets:
                self._sock.sendto(packet, target)
        except OSError as err:
            self.ignore(f"feedback to {target[0]}:{target[1]} failed: {err}")

    def ignore(self, text: str) -> None:
        """Count an ignored message and log it, at most one line per second."""
        self.ignored += 1
        self._warnings.warn(printable_line(text))
