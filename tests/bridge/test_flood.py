"""Issue 9: the virtual DAW and the bridge's feedback listener survive a flood of bad OSC."""

from __future__ import annotations

import logging
import math
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.dialects.reaper import ReaperDialect
from bridge.mixer.mixer import Mixer
from bridge.osc.message import message
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import eventually, free_udp_port
from tests.bridge.flood import Packet, make_packets

RATE = 48000
PACKETS = 5000
ROUND = 100
BURST_BYTES = 96 * 1024  # half the default socket receive buffer


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def warnings() -> Iterator[_Records]:
    """Every warning logged anywhere: ours propagate to the root logger, where python-osc logs."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def _flood(packets: list[Packet], to: tuple[str, int], settled: Callable[[int], bool]) -> None:
    """Send everything, waiting until ``settled(packets sent so far)`` whenever up to
    ``ROUND`` packets or ``BURST_BYTES`` are in flight, so the kernel drops nothing."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        in_flight = 0
        for i, p in enumerate(packets):
            if in_flight + len(p.data) > BURST_BYTES or i % ROUND == 0:
                eventually(lambda i=i: settled(i), timeout=10.0, poll=0.002)
                in_flight = 0
            raw.sendto(p.data, to)
            in_flight += len(p.data)
        eventually(lambda: settled(len(packets)), timeout=10.0, poll=0.002)


def _last_values(packets: list[Packet]) -> dict[tuple[int, str], float]:
    last: dict[tuple[int, str], float] = {}
    for p in packets:
        if p.target is not None:
            last[p.target[0], p.target[1]] = p.target[2]
    return last


def _check_log(records: list[logging.LogRecord], seconds: float) -> None:
    assert all(r.name.startswith("bridge") for r in records), "python-osc logged to root"
    assert len(records) <= math.ceil(seconds) + 1, [r.getMessage()[:80] for r in records]
    for r in records[1:]:  # every line after the first stands for a second of suppressed ones
        assert "more suppressed)" in r.getMessage()


def test_the_virtual_daw_survives_and_counts_every_bad_packet_once(
    tmp_path: Path, warnings: _Records
) -> None:
    t = np.arange(RATE // 10) / RATE
    sf.write(tmp_path / "A.wav", 0.1 * np.sin(2 * np.pi * 100 * t), RATE)
    sf.write(tmp_path / "B.wav", 0.1 * np.sin(2 * np.pi * 200 * t), RATE)
    packets = make_packets(PACKETS, seed=9)
    daw = VirtualDaw(
        load_stems(tmp_path, RATE), rate=RATE, render_dir=tmp_path / "r", port=0, feedback=None
    )
    began = time.monotonic()
    with daw:
        _flood(packets, daw.address, lambda sent: daw.handled >= sent)
        assert daw.handled == PACKETS  # nothing dropped, nothing counted twice
        assert daw.ignored == sum(p.daw_ignored for p in packets)
        for (n, param), value in _last_values(packets).items():
            got = getattr(daw.state.tracks[daw.names[n - 1]], param)
            expected = 2.0 * value - 1.0 if param == "pan" else value
            assert got == pytest.approx(expected, abs=1e-4), (n, param)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.sendto(message("/track/2/volume/db", -7.5).encode(), daw.address)
        eventually(
            lambda: daw.state.tracks["B"].volume_db == pytest.approx(-7.5), timeout=10.0, poll=0.002
        )
        assert daw.state.tracks["B"].volume_db == pytest.approx(-7.5)
        assert all(th.is_alive() for th in daw._threads)
    _check_log(warnings.records, time.monotonic() - began)


def test_the_mixer_feedback_listener_survives_and_counts_every_bad_packet_once(
    warnings: _Records,
) -> None:
    packets = make_packets(PACKETS, seed=10)
    malformed = sum(p.malformed for p in packets)
    messages = sum(p.messages for p in packets)
    mixer = Mixer(ReaperDialect(), port=free_udp_port(), listen_port=0, require_answer=False)
    mixer.timeout = 0.05
    began = time.monotonic()
    with mixer:
        stats = mixer._transport().stats

        def settled(sent: int) -> bool:
            part = packets[:sent]
            return stats.malformed + stats.received >= sum(p.malformed + p.messages for p in part)

        _flood(packets, ("127.0.0.1", mixer.local_port), settled)
        assert stats.malformed == malformed
        assert stats.received == messages
        assert stats.handler_errors == 0
        for (n, param), value in _last_values(packets).items():
            expected = 2.0 * value - 1.0 if param == "pan" else value
            got = mixer.mirror.get(mixer.resolve(n), param)
            assert got == pytest.approx(expected, abs=1e-4), (n, param)
        assert mixer._transport()._thread.is_alive()
    _check_log(warnings.records, time.monotonic() - began)
