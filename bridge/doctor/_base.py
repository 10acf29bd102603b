"""The probe's pieces: a finding, a listening socket with its inbox, one probe run."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from bridge.dialects.base import Dialect
from bridge.osc.message import Message
from bridge.osc.transport import OscTransport

__all__ = ["Finding", "Inbox", "Probe", "Socket", "Status", "listen"]

Status = Literal["ok", "warn", "fail", "skip"]
"""How a check went; ``warn`` and ``fail`` are problems."""

_QUIET_S: Final = 0.15
_POLL_S: Final = 0.02


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one check.

    Attributes:
        check: What was checked, e.g. ``"listen port"``.
        status: ``ok``, ``warn``, ``fail`` or ``skip``.
        message: What was found, one line.
        fix: What to do about it (empty when nothing).
    """

    check: str
    status: Status
    message: str
    fix: str = ""


Received = tuple[str, tuple[object, ...]]
"""One message received: address and arguments."""


class Inbox:
    """Messages one socket received, in order, with a condition to wait on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.items: list[Received] = []

    def __call__(self, address: str, args: tuple[object, ...]) -> None:
        with self._cond:
            self.items.append((address, args))
            self._cond.notify_all()

    def wait(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` (which may watch other inboxes too), or ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, _POLL_S))
        return True

    def settle(self, timeout: float) -> None:
        """Wait until nothing arrives for a moment (a dump has ended), at most ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = len(self.items)
            time.sleep(_QUIET_S)
            if len(self.items) == count:
                return

    def since(self, start: int) -> list[Received]:
        """The messages from index ``start`` on."""
        with self._cond:
            return self.items[start:]

    def first(self, address: str, start: int = 0) -> tuple[object, ...] | None:
        """The arguments of the first message to ``address`` from index ``start`` on."""
        return next((args for a, args in self.since(start) if a == address), None)


@dataclass
class Socket:
    """A bound UDP socket that sends to the DAW and collects what arrives.

    Attributes:
        port: The local port.
        inbox: What arrived.
        transport: The OSC transport.
    """

    port: int
    inbox: Inbox
    transport: OscTransport

    def send(self, msgs: list[Message]) -> None:
        """Send messages to the DAW (bundled as its dialect allows)."""
        self.transport.send_many(msgs)


@contextlib.contextmanager
def listen(host: str, port: int, remote: tuple[str, int], max_packet: int) -> Iterator[Socket]:
    """Bind ``host:port`` (0 = any) for the duration of the block.

    Raises:
        OscError: The port is busy.
    """
    inbox = Inbox()
    transport = OscTransport(remote, inbox, listen=(host, port), max_packet=max_packet)
    try:
        yield Socket(transport.local_address[1], inbox, transport)
    finally:
        transport.close()


@dataclass
class Probe:
    """One probe run: the DAW, our socket and the sockets watching stray ports.

    Attributes:
        dialect: The DAW's dialect.
        remote: The DAW's ``(host, port)``.
        ours: The socket we send from and expect replies on.
        strays: Sockets on the ports the DAW may send to instead.
        timeout: How long to wait for each answer, in s.
    """

    dialect: Dialect
    remote: tuple[str, int]
    ours: Socket
    strays: list[Socket]
    timeout: float

    def heard(self) -> bool:
        """True once anything came to our port."""
        return bool(self.ours.inbox.items)

    def stray(self) -> Socket | None:
        """The first stray socket that received anything."""
        return next((s for s in self.strays if s.inbox.items), None)
