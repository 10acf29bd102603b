"""Is Ardour's OSC surface up? Ask it for ``/strip/list`` with a bare UDP socket.

python-osc refuses Ardour's ``#reply`` address, so the probe encodes its one
message and decodes the few argument types the strip list replies use itself.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

__all__ = ["query_strip_list"]

_OSC_NUMBERS = {"i": ">i", "f": ">f", "h": ">q", "d": ">d"}


def _parse_osc_strings(dgram: bytes) -> tuple[str, list[Any]]:
    """Decode the address and the string and number arguments of one OSC datagram.

    python-osc refuses Ardour's ``#reply`` address (it does not start with ``/``),
    so the readiness probe decodes the few types ``/strip/list`` replies use.
    """

    def read_str(pos: int) -> tuple[str, int]:
        end = dgram.index(b"\0", pos)
        return dgram[pos:end].decode("utf-8", "replace"), (end + 4) & ~3

    address, pos = read_str(0)
    if pos >= len(dgram) or dgram[pos : pos + 1] != b",":
        return address, []
    tags, pos = read_str(pos)
    args: list[Any] = []
    for tag in tags[1:]:
        if tag == "s":
            value, pos = read_str(pos)
            args.append(value)
        elif tag in _OSC_NUMBERS:
            fmt = _OSC_NUMBERS[tag]
            args.append(struct.unpack_from(fmt, dgram, pos)[0])
            pos += struct.calcsize(fmt)
        else:
            break
    return address, args


def _osc_message(address: str) -> bytes:
    """An OSC message with no arguments."""
    raw = address.encode() + b"\0"
    raw += b"\0" * (-len(raw) % 4)
    return raw + b",\0\0\0"


def query_strip_list(port: int, *, timeout: float = 0.5) -> list[str] | None:
    """Ask an Ardour OSC surface on 127.0.0.1 for its strip list.

    Args:
        port: Ardour's OSC UDP port.
        timeout: seconds to wait for the whole answer.

    Returns:
        Strip names in ssid order (``[0]`` is ssid 1), or None when no complete
        answer (ending in ``end_route_list``) arrived within ``timeout``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.sendto(_osc_message("/strip/list"), ("127.0.0.1", port))
        deadline = time.monotonic() + timeout
        names: list[tuple[int, str]] = []
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                dgram, _ = sock.recvfrom(65536)
            except (TimeoutError, ConnectionRefusedError):
                return None
            address, args = _parse_osc_strings(dgram)
            if address not in ("#reply", "/reply") or not args:
                continue
            if args[0] == "end_route_list":
                return [name for _, name in sorted(names)]
            if len(args) >= 7 and isinstance(args[1], str) and isinstance(args[6], int):
                names.append((args[6], args[1]))
        return None
    finally:
        sock.close()
