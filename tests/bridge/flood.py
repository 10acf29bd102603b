"""A deterministic flood of OSC datagrams, valid and malformed, with what each must do.

Used by ``tests/bridge/test_flood.py`` (5,000 packets, counted exactly) and
``benchmarks/bench_flood.py`` (100,000, against a python-osc peer).
"""

from __future__ import annotations

import random
import struct
from collections import Counter
from dataclasses import dataclass

__all__ = ["Packet", "make_packets"]

_BUNDLE = b"#bundle\x00" + struct.pack(">Q", 1)


@dataclass(frozen=True)
class Packet:
    """One flood datagram.

    Attributes:
        kind: What it is (``valid``, ``garbage``, ``deep_bundle`` …).
        data: The datagram.
        daw_ignored: How many times the virtual DAW counts it as ignored.
        malformed: 1 if the bridge's transport counts it as malformed.
        messages: Messages the transport hands to its handler.
        target: ``(track, param, value)`` a valid packet sets, else None.
    """

    kind: str
    data: bytes
    daw_ignored: int
    malformed: int
    messages: int
    target: tuple[int, str, float] | None = None


def _pad(raw: bytes) -> bytes:
    return raw + b"\x00" * (4 - len(raw) % 4)


def _msg(address: str, tags: str, *payload: bytes) -> bytes:
    return _pad(address.encode()) + _pad(("," + tags).encode()) + b"".join(payload)


def _f(x: float) -> bytes:
    return struct.pack(">f", x)


def _bundle(*elements: bytes) -> bytes:
    return _BUNDLE + b"".join(struct.pack(">i", len(e)) + e for e in elements)


def make_packets(n: int, seed: int, tracks: int = 2) -> list[Packet]:
    """A deterministic mix of ``n`` datagrams, about a third of them valid.

    Valid ones set ``/track/N/volume/db`` (-60..0) or ``/track/N/pan`` (0..1)
    on tracks ``1..tracks``; the rest are truncated, garbage, wrong types,
    unknown addresses, huge strings, oversized, nested, deep and lying bundles,
    ``T`` booleans, NaN/inf floats and empty datagrams.
    """
    rng = random.Random(seed)
    out: list[Packet] = []
    for _ in range(n):
        t = rng.randint(1, tracks)
        roll = rng.random()
        if roll < 0.35:
            if rng.random() < 0.5:
                v = round(rng.uniform(-60.0, 0.0), 2)
                data = _msg(f"/track/{t}/volume/db", "f", _f(v))
                out.append(Packet("valid", data, 0, 0, 1, (t, "volume_db", v)))
            else:
                v = round(rng.uniform(0.0, 1.0), 3)
                data = _msg(f"/track/{t}/pan", "f", _f(v))
                out.append(Packet("valid", data, 0, 0, 1, (t, "pan", v)))
            continue
        kind = rng.choice(_BAD)
        out.append(_bad(kind, rng, t))
    return out


_BAD = (
    "truncated",
    "garbage",
    "empty",
    "wrong_type",
    "unknown_address",
    "huge_string",
    "bool",
    "nan",
    "inf",
    "oversized_bundle",
    "nested_bundle",
    "deep_bundle",
    "lying_bundle",
    "negative_bundle",
    "empty_bundle",
)


def _bad(kind: str, rng: random.Random, t: int) -> Packet:
    vol = f"/track/{t}/volume/db"
    if kind == "truncated":
        return Packet(kind, _msg(vol, "f", _f(-3.0))[: -rng.randint(1, 3)], 1, 1, 0)
    if kind == "garbage":
        body = rng.randbytes(rng.randint(1, 200))
        return Packet(kind, b"\x01" + body, 1, 1, 0)
    if kind == "empty":
        return Packet(kind, b"", 1, 1, 0)
    if kind == "wrong_type":
        return Packet(kind, _msg(vol, "s", _pad(b"loud")), 1, 0, 1)
    if kind == "unknown_address":
        return Packet(kind, _msg(f"/no/such/{rng.randint(0, 999)}", "i", b"\x00" * 4), 1, 0, 1)
    if kind == "huge_string":
        size = rng.randint(60_000, 65_000) if rng.random() < 0.01 else rng.randint(1000, 4000)
        return Packet(kind, _msg(vol, "s", _pad(b"x" * size)), 1, 0, 1)
    if kind == "bool":
        return Packet(kind, _msg(f"/track/{t}/mute", "T"), 1, 0, 1)
    if kind == "nan":
        return Packet(kind, _msg(vol, "f", _f(float("nan"))), 1, 0, 1)
    if kind == "inf":
        return Packet(kind, _msg(f"/track/{t}/pan", "f", _f(float("inf"))), 1, 0, 1)
    if kind == "oversized_bundle":
        # over REAPER's 1024-byte packets; one in a hundred near the 64 KB UDP limit
        count = rng.randint(2000, 2700) if rng.random() < 0.01 else rng.randint(50, 200)
        return Packet(kind, _bundle(*[_msg("/no/such/x", "i", b"\0" * 4)] * count), count, 0, count)
    if kind == "nested_bundle":
        return Packet(kind, _bundle(_bundle(_bundle(_msg("/no/such/y", "")))), 1, 0, 1)
    if kind == "deep_bundle":
        inner = _msg(vol, "f", _f(-1.0))
        heads, size = [], len(inner)
        for _ in range(rng.randint(9, 300)):  # built outside in: linear, not quadratic
            heads.append(_BUNDLE + struct.pack(">i", size))
            size += 20
        return Packet(kind, b"".join(reversed(heads)) + inner, 1, 1, 0)
    if kind == "lying_bundle":
        return Packet(
            kind, _BUNDLE + struct.pack(">i", 0x7FFFFFFF) + _msg(vol, "f", _f(0.0)), 1, 1, 0
        )
    if kind == "negative_bundle":  # python-osc loops forever on this one
        return Packet(kind, _BUNDLE + struct.pack(">i", -4) + _msg(vol, "f", _f(0.0)), 1, 1, 0)
    return Packet("empty_bundle", _BUNDLE, 1, 1, 0)


def kinds(packets: list[Packet]) -> Counter[str]:
    """How many packets of each kind."""
    return Counter(p.kind for p in packets)
