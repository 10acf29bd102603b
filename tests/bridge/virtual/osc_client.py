"""A plain python-osc client for the virtual DAW's tests, listening for its feedback."""

from __future__ import annotations

import socket
import time

import numpy as np
from pythonosc.osc_packet import OscPacket
from pythonosc.udp_client import SimpleUDPClient

from bridge.virtual.server import VirtualDaw
from tests.bridge import eventually

__all__ = ["Client", "f32"]


def f32(x: float) -> float:
    """The float32 value nearest ``x`` (what an OSC ``f`` argument carries)."""
    return float(np.float32(x))


class Client:
    """A plain python-osc client that also listens for the server's feedback."""

    def __init__(self, daw: VirtualDaw) -> None:
        self.daw = daw
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.osc = SimpleUDPClient(*daw.address)
        self.osc._sock = self.sock  # send from the socket we listen on: feedback comes back

    def send(self, address: str, *args: object) -> None:
        """Send one message and wait until the server has handled it."""
        before = self.daw.handled
        self.osc.send_message(address, list(args) if args else [])
        assert eventually(lambda: self.daw.handled > before, 5.0)

    def feedback(self, quiet_s: float = 0.15) -> dict[str, object]:
        """Every address → its last value, read until the socket is quiet for ``quiet_s``."""
        out: dict[str, object] = {}
        deadline = time.monotonic() + quiet_s
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            for timed in OscPacket(data).messages:
                params = timed.message.params
                out[timed.message.address] = params[0] if params else None
            deadline = time.monotonic() + quiet_s
        return out

    def close(self) -> None:
        self.sock.close()
