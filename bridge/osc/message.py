"""OSC messages with explicit argument types.

DAWs are strict about types: Ardour ignores an int where it wants a float,
REAPER's ``b`` patterns act only on exactly ``0``/``1``, and python-osc turns
``True`` into a payload-less ``T``. So a :class:`Message` carries its type tags
explicitly, and :func:`message` infers them strictly: ``float`` → ``f``,
``int`` → ``i``, ``str`` → ``s``. A ``bool`` is refused rather than guessed.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from functools import lru_cache

from bridge.errors import OscError

__all__ = ["Arg", "Message", "message", "well_formed"]

Arg = int | float | str
"""An OSC argument value; its wire type is in :attr:`Message.types`."""

_TAGS = frozenset("ifsdh")


@dataclass(frozen=True, slots=True)
class Message:
    """One OSC message.

    Attributes:
        address: The OSC address, starting with ``/``.
        args: The argument values.
        types: One OSC type tag per argument (``i`` int32, ``h`` int64,
            ``f`` float32, ``d`` float64, ``s`` string).
    """

    address: str
    args: tuple[Arg, ...] = ()
    types: str = ""

    def __post_init__(self) -> None:
        if not self.address.startswith("/"):
            raise OscError(f"OSC address must start with '/': {self.address!r}")
        if len(self.types) != len(self.args) or not set(self.types) <= _TAGS:
            raise OscError(f"{self.address}: type tags {self.types!r} do not fit {self.args!r}")

    def encode(self) -> bytes:
        """Return the message as an OSC 1.0 datagram.

        Encoding is done here rather than by python-osc's builder, which
        parses every datagram it builds (three times the cost). python-osc
        parses what we receive, and the tests parse what we send with it.

        Raises:
            OscError: A value does not fit its type tag (e.g. ``i`` for 2**31,
                ``f`` for 1e300, a string that is not valid Unicode).
        """
        try:
            parts = [_head(self.address, self.types)]
            for value, tag in zip(self.args, self.types, strict=True):
                if tag == "s":
                    parts.append(_padded(str(value)))
                else:
                    parts.append(_PACK[tag](value))
        except (struct.error, OverflowError, UnicodeError) as err:
            raise OscError(
                f"{self.address!r}: cannot encode {self.args!r} as {self.types!r}: {err}"
            ) from None
        return b"".join(parts)

    @property
    def key(self) -> tuple[str, tuple[Arg, ...]]:
        """What a newer message replaces: the address and all but the last argument.

        Two ``/strip/gain 3 <dB>`` messages share a key; ``/strip/gain 4 <dB>``
        does not.
        """
        return (self.address, self.args[:-1])


_FLOAT32_MAX = 3.4028234663852886e38

_PACK = {
    "i": struct.Struct(">i").pack,
    "h": struct.Struct(">q").pack,
    "f": struct.Struct(">f").pack,
    "d": struct.Struct(">d").pack,
}


@lru_cache(maxsize=4096)
def _padded(text: str) -> bytes:
    """An OSC string: UTF-8, NUL-terminated, padded to a multiple of 4 bytes."""
    raw = text.encode("utf-8")
    return raw + b"\x00" * (4 - len(raw) % 4)


@lru_cache(maxsize=4096)
def _head(address: str, types: str) -> bytes:
    """The address and type-tag strings of a message, padded."""
    return _padded(address) + _padded("," + types)


def _tag(value: object, address: str) -> str:
    if isinstance(value, bool):
        raise OscError(f"{address}: send 1 or 0, not {value} (bool has no OSC payload)")
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise OscError(f"{address}: {value} does not fit in OSC's 64-bit integer")
        return "i" if -(2**31) <= value < 2**31 else "h"
    if isinstance(value, float):
        if abs(value) > _FLOAT32_MAX and not math.isinf(value):
            raise OscError(f"{address}: {value!r} is too large for a float32")
        return "f"
    if isinstance(value, str):
        if "\0" in value:
            raise OscError(f"{address}: an OSC string cannot contain NUL: {value!r}")
        return "s"
    raise OscError(f"{address}: cannot send {type(value).__name__} {value!r} over OSC")


def message(address: str, *args: Arg) -> Message:
    """Build a message, inferring each argument's type strictly.

    Args:
        address: The OSC address.
        *args: ``float`` (sent as float32), ``int`` (int32, or int64 when
            it does not fit) or ``str``. Convert explicitly: ``float(x)``
            where the DAW needs a float, ``int(flag)`` for 0/1 switches.

    Returns:
        The message.

    Raises:
        OscError: An argument is a ``bool`` or another unsupported type, an
            int beyond 64 bits, a float beyond float32 or a string with NUL.
    """
    return Message(address, args, "".join(_tag(a, address) for a in args))


# Only the tags python-osc parses: it skips others (c, S, I ...) without consuming their
# bytes, so what follows would be read at other offsets than the ones checked here.
_FIXED = {"i": 4, "f": 4, "r": 4, "m": 4, "h": 8, "d": 8, "t": 8}
_EMPTY = frozenset("TFN[]")


def _string_end(dgram: bytes, pos: int) -> int:
    """Index after the padded OSC string at ``pos``, or -1 if unterminated or not UTF-8."""
    nul = dgram.find(b"\x00", pos)
    if nul < 0:
        return -1
    try:
        dgram[pos:nul].decode("utf-8")  # python-osc raises UnicodeDecodeError on it
    except UnicodeDecodeError:
        return -1
    return nul + 4 - (nul - pos) % 4 if (nul - pos) % 4 else nul + 4


def _brackets_balance(tags: str) -> bool:
    """True if every ``[`` (array start) in the type tags has its ``]`` and none is extra."""
    depth = 0
    for tag in tags:
        depth += (tag == "[") - (tag == "]")
        if depth < 0:
            return False
    return depth == 0


def well_formed(dgram: bytes) -> bool:
    """True if an OSC message datagram holds exactly the arguments its type tags declare.

    python-osc reads a float whose bytes are missing as 0.0, so a truncated
    ``/track/1/volume/db ,f`` would set 0 dB. Receivers check each message with
    this first.
    """
    pos = _string_end(dgram, 0)
    if pos < 0 or pos >= len(dgram) or dgram[pos : pos + 1] != b",":
        return pos == len(dgram)  # an address with no type tags at all is allowed
    tags_start = pos + 1
    end = _string_end(dgram, pos)
    if end < 0:
        return False
    tags = dgram[tags_start : dgram.find(b"\x00", pos)].decode("ascii", "replace")
    pos = end
    if not _brackets_balance(tags):  # python-osc raises on an unbalanced array
        return False
    for tag in tags:
        if tag in _FIXED:
            pos += _FIXED[tag]
        elif tag == "s":
            pos = _string_end(dgram, pos)
            if pos < 0:
                return False
        elif tag == "b":
            if pos + 4 > len(dgram):
                return False
            size = int.from_bytes(dgram[pos : pos + 4], "big", signed=True)
            if size < 0:
                return False
            pos += 4 + size + (-size % 4)
        elif tag not in _EMPTY:
            return False
        if pos > len(dgram):
            return False
    return pos == len(dgram)
