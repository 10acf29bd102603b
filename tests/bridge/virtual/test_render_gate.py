"""One datagram, one render at most; renders rate-limited; no feedback amplification.

Real UDP on 127.0.0.1 against the virtual DAW; for the amplification check the
server takes 127.0.0.1 for another machine's address (no traffic leaves loopback).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.osc.message import message
from bridge.osc.transport import pack_bundles
from bridge.virtual.rendergate import RENDERS_PER_MINUTE
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import eventually

RATE = 48000


@pytest.fixture(scope="module")
def stems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(0.25 * RATE)) / RATE
    sf.write(folder / "Bass.wav", 0.3 * np.sin(2 * np.pi * 60 * t), RATE, subtype="PCM_24")
    sf.write(folder / "Keys.wav", 0.2 * np.sin(2 * np.pi * 500 * t), RATE, subtype="PCM_24")
    return folder


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def daw(stems_dir: Path, tmp_path: Path, clock: FakeClock) -> Iterator[VirtualDaw]:
    server = VirtualDaw(
        load_stems(stems_dir, RATE),
        rate=RATE,
        render_dir=tmp_path / "renders",
        port=0,
        feedback=None,
        clock=clock,
    )
    with server:
        yield server


@pytest.fixture
def surface() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        yield s


def _send(daw: VirtualDaw, s: socket.socket, *datagrams: bytes) -> None:
    """Send the datagrams and wait until the server has processed all of them."""
    before = daw.handled
    for data in datagrams:
        s.sendto(data, daw.address)
    assert eventually(lambda: daw.handled >= before + len(datagrams), timeout=10)
    assert daw.wait_renders(timeout=60)


def _takes(daw: VirtualDaw) -> list[Path]:
    return sorted(daw.render_dir.glob("*.wav"))


def test_twenty_renders_in_one_112_byte_datagram_make_one_take(
    daw: VirtualDaw, surface: socket.socket
) -> None:
    data = message("/action", *[42230] * 20).encode()
    assert len(data) == 112
    _send(daw, surface, data)
    assert len(_takes(daw)) == 1
    assert len(daw.renders) == 1


def test_twenty_render_messages_in_one_bundle_make_one_take(
    daw: VirtualDaw, surface: socket.socket
) -> None:
    (bundle,) = pack_bundles([message("/action", 42230).encode()] * 20, 1024)
    _send(daw, surface, bundle)
    assert len(_takes(daw)) == 1


def test_a_flood_of_render_datagrams_is_refused_with_few_log_lines(
    daw: VirtualDaw, surface: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bridge.virtual")
    _send(daw, surface, *[message("/action", 42230).encode()] * 40)
    takes = len(_takes(daw))
    assert 1 <= takes <= RENDERS_PER_MINUTE  # one in flight at a time, a few a minute
    refused = [r for r in caplog.records if "render refused" in r.getMessage()]
    assert 1 <= len(refused) <= 3  # a line a second at most, with the count suppressed
    assert daw.ignored >= 40 - takes


def test_renders_a_minute_are_limited_and_come_back(
    daw: VirtualDaw, surface: socket.socket, clock: FakeClock
) -> None:
    render = message("/action", 42230).encode()
    for _ in range(RENDERS_PER_MINUTE + 3):  # each after the one before has finished
        _send(daw, surface, render)
    assert len(_takes(daw)) == RENDERS_PER_MINUTE
    clock.now += 61.0
    _send(daw, surface, render)
    assert len(_takes(daw)) == RENDERS_PER_MINUTE + 1


def _received(s: socket.socket) -> int:
    s.settimeout(0.5)
    total = 0
    try:
        while True:
            total += len(s.recv(65536))
    except TimeoutError:
        return total


def test_feedback_off_loopback_never_exceeds_what_was_sent(
    stems_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sender the server does not take for loopback gets no more bytes than it sent.

    Only 127.0.0.1 is used (no traffic leaves loopback): the server is told that
    the loopback address is another machine's, which is the one predicate at stake.
    """
    refresh = message("/action", 41743).encode()  # every value of every track, ~1 KB back
    loopback = VirtualDaw(
        load_stems(stems_dir, RATE), rate=RATE, render_dir=tmp_path, port=0, feedback=None
    )
    with loopback, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as local:
        local.bind(("127.0.0.1", 0))
        local.sendto(refresh, loopback.address)
        assert eventually(lambda: loopback.handled >= 1)
        assert _received(local) > 10 * len(refresh)  # loopback gets it all, as before
    monkeypatch.setattr("bridge.virtual.endpoint.is_loopback", lambda host: False)
    server = VirtualDaw(
        load_stems(stems_dir, RATE), rate=RATE, render_dir=tmp_path, port=0, feedback=None
    )
    with server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as remote:
        remote.bind(("127.0.0.1", 0))
        for _ in range(5):
            remote.sendto(refresh, server.address)
        assert eventually(lambda: server.handled >= 5)
        assert _received(remote) <= 5 * len(refresh)


def test_a_refused_render_is_an_error_the_client_sees(
    daw: VirtualDaw, surface: socket.socket
) -> None:
    """Over the limit, the server answers /mixdesk/render/error and the mixer raises."""
    from bridge.dialects.reaper import ReaperDialect
    from bridge.errors import BridgeError
    from bridge.mixer.mixer import Mixer

    render = message("/action", 42230).encode()
    for _ in range(RENDERS_PER_MINUTE):
        _send(daw, surface, render)
    host, port = daw.address
    mixer = Mixer(ReaperDialect(), host=host, port=port, listen_port=0, timeout=2.0)
    with mixer, pytest.raises(BridgeError, match="render refused"):
        mixer.render(wait=True, timeout=10.0)
    assert len(_takes(daw)) == RENDERS_PER_MINUTE


def test_a_worker_that_has_reported_does_not_block_the_next_render() -> None:
    """The worker thread lives a moment after its reply; the next render must not be refused."""
    import threading

    from bridge.virtual.rendergate import RenderGate

    release = threading.Event()
    worker = threading.Thread(target=release.wait, daemon=True)
    worker.start()
    gate = RenderGate()
    gate.started(1, worker)
    assert gate.refusal(2) == "a render is in progress"  # alive and not reported: the check bites
    gate.finished(threading.current_thread())  # a refusal's reply, on another thread
    assert gate.refusal(2) == "a render is in progress"
    gate.finished(worker)  # the worker's own done/failed reply
    assert worker.is_alive()
    assert gate.refusal(2) is None
    release.set()
    worker.join()
