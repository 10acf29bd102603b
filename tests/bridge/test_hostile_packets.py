"""Packets that used to hang or kill a receiver: python-osc loops forever on a bundle
element of negative size and recurses without limit into nested bundles."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.osc.message import message
from bridge.osc.transport import MAX_BUNDLE_DEPTH, OscTransport, valid_datagram
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import eventually

HEAD = b"#bundle\x00" + struct.pack(">Q", 1)
GOOD = message("/track/1/volume/db", -4.0).encode()


def _element(data: bytes) -> bytes:
    return struct.pack(">i", len(data)) + data


def _nested(depth: int) -> bytes:
    data = GOOD
    for _ in range(depth):
        data = HEAD + _element(data)
    return data


HOSTILE = {
    "negative element size": HEAD + struct.pack(">i", -4) + GOOD,
    "zero element size": HEAD + struct.pack(">i", 0) + GOOD,
    "element past the end": HEAD + struct.pack(">i", 4096) + GOOD,
    "unaligned element": HEAD + struct.pack(">i", 6) + GOOD[:6],
    "nested 3000 deep": _nested(3000),
    "nested past the limit": _nested(MAX_BUNDLE_DEPTH + 1),
    "truncated float": b"/track/1/volume/db\x00\x00,f\x00\x00",
}


def test_the_checker_accepts_real_bundles_and_refuses_the_hostile_ones() -> None:
    assert valid_datagram(GOOD)
    assert valid_datagram(HEAD + _element(GOOD) + _element(GOOD))
    assert valid_datagram(_nested(MAX_BUNDLE_DEPTH - 1))
    for name, data in HOSTILE.items():
        assert not valid_datagram(data), name


def test_the_bridge_listener_survives_them() -> None:
    got: list[tuple[str, tuple[object, ...]]] = []
    transport = OscTransport(("127.0.0.1", 9), lambda a, args: got.append((a, args)))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for data in HOSTILE.values():
            sender.sendto(data, transport.local_address)
        sender.sendto(GOOD, transport.local_address)
        assert eventually(lambda: len(got) == 1)
        assert got == [("/track/1/volume/db", (-4.0,))]
        assert transport.stats.malformed == len(HOSTILE)
    finally:
        sender.close()
        transport.close()


def test_the_virtual_daw_survives_them(tmp_path: Path) -> None:
    t = np.arange(4800) / 48000
    sf.write(tmp_path / "a.wav", 0.1 * np.sin(2 * np.pi * 100 * t), 48000, subtype="PCM_24")
    daw = VirtualDaw(load_stems(tmp_path, 48000), rate=48000, render_dir=tmp_path / "r", port=0)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with daw:
        for data in HOSTILE.values():
            sender.sendto(data, daw.address)
        sender.sendto(GOOD, daw.address)
        assert eventually(lambda: daw.state.tracks["a"].volume_db == pytest.approx(-4.0))
        assert daw.ignored == len(HOSTILE)
    sender.close()
