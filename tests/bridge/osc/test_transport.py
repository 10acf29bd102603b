"""OscTransport over real UDP sockets on 127.0.0.1 (no socket mocks), and pack_bundles.

A plain UDP socket plays the DAW ("the peer"). Waits are bounded by
:data:`WAIT` and never asserted on: a test fails only if a message does not
arrive at all or arrives wrong.
"""

from __future__ import annotations

import itertools
import logging
import queue
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message import OscMessage
from pythonosc.osc_packet import OscPacket

from bridge.errors import OscError
from bridge.osc.message import Message, message
from bridge.osc.transport import MAX_DATAGRAM, OscTransport, pack_bundles
from bridge.osc.udp import is_loopback

WAIT = 5.0
"""Upper bound on any wait for a datagram, in s (loopback delivers in microseconds)."""

BUNDLE_HEAD = 16  # "#bundle\0" + 8-byte timetag

Received = tuple[str, tuple[object, ...]]


@pytest.fixture
def peer() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(WAIT)
    yield sock
    sock.close()


@pytest.fixture
def inbox() -> queue.Queue[Received]:
    return queue.Queue()


def start(
    peer: socket.socket,
    handler: Callable[[str, tuple[object, ...]], None],
    max_packet: int = 1024,
) -> OscTransport:
    host, port = peer.getsockname()
    return OscTransport((host, port), handler, max_packet=max_packet)


@pytest.fixture
def transport(peer: socket.socket, inbox: queue.Queue[Received]) -> Iterator[OscTransport]:
    t = start(peer, lambda address, args: inbox.put((address, args)))
    yield t
    t.close()


def next_message(inbox: queue.Queue[Received]) -> Received:
    return inbox.get(timeout=WAIT)


def unpack(datagram: bytes) -> list[bytes]:
    """The message datagrams of a bundle (flat), or the datagram itself."""
    if not datagram.startswith(b"#bundle\x00"):
        return [datagram]
    out, i = [], BUNDLE_HEAD
    while i < len(datagram):
        (size,) = struct.unpack(">i", datagram[i : i + 4])
        out.append(datagram[i + 4 : i + 4 + size])
        i += 4 + size
    assert i == len(datagram)
    return out


def test_one_socket_sends_and_receives(
    transport: OscTransport, peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    transport.send(message("/ping", 1))
    data, source = peer.recvfrom(MAX_DATAGRAM)
    # The peer sees our listening port as the source, so "reply to sender" reaches us.
    assert source == transport.local_address
    assert OscMessage(data).address == "/ping"
    assert OscMessage(data).params == [1]
    peer.sendto(message("/pong", "ok", 2.5).encode(), source)
    assert next_message(inbox) == ("/pong", ("ok", 2.5))
    assert transport.stats.sent == 1
    assert transport.stats.datagrams_sent == 1
    assert transport.stats.received == 1


def test_ardour_hash_reply_is_rewritten_and_delivered(
    transport: OscTransport, peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    dgram = message("/reply", "Vocals", 1).encode()
    peer.sendto(b"#" + dgram[1:], transport.local_address)
    assert next_message(inbox) == ("/reply", ("Vocals", 1))
    assert transport.stats.malformed == 0


def test_bundles_from_the_peer_are_unpacked_in_order(
    transport: OscTransport, peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    inner = OscBundleBuilder(IMMEDIATELY)
    inner.add_content(OscMessage(message("/b", 2).encode()))
    inner.add_content(OscMessage(message("/c", 3).encode()))
    outer = OscBundleBuilder(IMMEDIATELY)
    outer.add_content(OscMessage(message("/a", 1).encode()))
    outer.add_content(inner.build())
    outer.add_content(OscMessage(message("/d", "four").encode()))
    peer.sendto(outer.build().dgram, transport.local_address)
    # REAPER's own kind: flat bundles with timetag 1 ("immediately").
    reaper = pack_bundles([message("/track/1/mute", 1.0).encode()], 1024)
    peer.sendto(reaper[0], transport.local_address)
    got = [next_message(inbox) for _ in range(5)]
    assert got == [
        ("/a", (1,)),
        ("/b", (2,)),
        ("/c", (3,)),
        ("/d", ("four",)),
        ("/track/1/mute", (1.0,)),
    ]


GARBAGE = (
    b"",  # an empty datagram
    b"garbage",
    b"/bad\x00\x00\x00\x00,i\x00\x00",  # an int tag without its 4 bytes
    b"/track/1/volume/db\x00\x00,f\x00\x00",  # a float without its bytes (python-osc: 0.0)
    b"/\xff\xfe\x00,\x00\x00\x00",  # an address that is not UTF-8
    b"#bundle\x00\x00\x00",  # a truncated timetag
    b"#bundle\x00" + bytes(8) + b"\x00\x00",  # a truncated element size
    b"#bundle\x00" + bytes(8) + b"\x00\x00\x00\x04/x\x00",  # an element shorter than its size
    b"#reply",  # rewritten to /reply, but not NUL-terminated
    b"/x\x00\x00,s\x00\x00abc",  # unterminated string
)


def test_malformed_datagrams_are_counted_and_never_kill_the_receiver(
    transport: OscTransport, peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    for junk in GARBAGE:
        peer.sendto(junk, transport.local_address)
    peer.sendto(message("/ok").encode(), transport.local_address)
    assert next_message(inbox) == ("/ok", ())  # one socket pair on loopback keeps the order
    assert transport.stats.malformed == len(GARBAGE)
    assert transport.stats.received == 1
    assert inbox.empty()


def test_a_handler_that_raises_is_counted_and_the_receiver_survives(
    peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    def handler(address: str, args: tuple[object, ...]) -> None:
        if address == "/boom":
            raise ValueError("handler bug")
        inbox.put((address, args))

    with start(peer, handler) as t:
        peer.sendto(message("/boom").encode(), t.local_address)
        peer.sendto(message("/ok", 1).encode(), t.local_address)
        assert next_message(inbox) == ("/ok", (1,))
        assert t.stats.handler_errors == 1
        assert t.stats.received == 2


def test_send_many_packs_bundles_under_max_packet_and_keeps_the_order(peer: socket.socket) -> None:
    max_packet = 200
    msgs = [message(f"/track/{i}/name", "x" * (i % 37)) for i in range(60)]
    msgs.insert(30, message("/too/big", "y" * 400))  # larger than max_packet: goes alone
    with start(peer, lambda a, b: None, max_packet=max_packet) as t:
        sent = t.send_many(msgs)
        datagrams = [peer.recvfrom(MAX_DATAGRAM)[0] for _ in range(sent)]
        assert t.stats.sent == len(msgs)
        assert t.stats.datagrams_sent == sent
    for d in datagrams:
        if d.startswith(b"#bundle"):
            assert len(d) <= max_packet
        else:
            assert OscMessage(d).address == "/too/big"
    assert sum(not d.startswith(b"#bundle") for d in datagrams) == 1
    assert sent < len(msgs) / 3  # they were packed, not sent one by one
    delivered = [m.message for d in datagrams for m in OscPacket(d).messages]
    assert [(m.address, m.params) for m in delivered] == [(m.address, list(m.args)) for m in msgs]


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=120), max_size=40),
    max_packet=st.integers(min_value=16, max_value=400),
)
def test_pack_bundles_is_ordered_bounded_and_greedy(sizes: list[int], max_packet: int) -> None:
    datagrams = [b"/" + bytes([65 + i % 26]) * (4 * n - 1) for i, n in enumerate(sizes)]
    packets = pack_bundles(datagrams, max_packet)
    assert [d for p in packets for d in unpack(p)] == datagrams
    for p in packets:
        if p.startswith(b"#bundle"):
            assert len(p) <= max_packet
        else:  # alone only when no bundle could hold it
            assert BUNDLE_HEAD + 4 + len(p) > max_packet
    for a, b in itertools.pairwise(packets):
        if a.startswith(b"#bundle") and b.startswith(b"#bundle"):
            assert len(a) + 4 + len(unpack(b)[0]) > max_packet  # b's first would not fit in a


def test_a_busy_port_is_an_osc_error_naming_host_and_port(peer: socket.socket) -> None:
    host, port = peer.getsockname()
    with pytest.raises(OscError, match=rf"{host}:{port}.*busy"):
        OscTransport(("127.0.0.1", 9), lambda a, b: None, listen=(host, port))


def test_close_is_idempotent_and_sending_after_it_fails(transport: OscTransport) -> None:
    transport.close()
    transport.close()
    with pytest.raises(OscError, match="closed"):
        transport.send(message("/x"))
    with pytest.raises(OscError, match="closed"):
        transport.send_many([message("/x")])


def test_a_handler_may_close_the_transport(
    peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    closed = threading.Event()
    box: list[OscTransport] = []

    def handler(address: str, args: tuple[object, ...]) -> None:
        box[0].close()  # on the receiver thread, which close() must not join
        closed.set()

    t = start(peer, handler)
    box.append(t)
    peer.sendto(message("/bye").encode(), t.local_address)
    assert closed.wait(WAIT)
    assert t.stats.handler_errors == 0
    with pytest.raises(OscError, match="closed"):
        t.send(message("/x"))


def test_sending_to_a_dead_port_does_not_stop_the_receiver(
    peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dead.bind(("127.0.0.1", 0))
    dead_address = dead.getsockname()
    dead.close()  # nothing listens there now: the kernel answers "port unreachable"
    with OscTransport(dead_address, lambda a, b: inbox.put((a, b))) as t:
        for _ in range(3):
            t.send(message("/nobody"))
        peer.sendto(message("/still/here").encode(), t.local_address)
        assert next_message(inbox) == ("/still/here", ())


def test_last_received_uses_the_injected_clock(
    peer: socket.socket, inbox: queue.Queue[Received]
) -> None:
    host, port = peer.getsockname()
    with OscTransport((host, port), lambda a, b: inbox.put((a, b)), clock=lambda: 42.0) as t:
        assert t.stats.last_received == 0.0
        peer.sendto(message("/x").encode(), t.local_address)
        next_message(inbox)
        assert t.stats.last_received == 42.0


def test_a_given_socket_is_used_as_is(peer: socket.socket, inbox: queue.Queue[Received]) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with OscTransport(peer.getsockname(), lambda a, b: inbox.put((a, b)), sock=sock) as t:
        assert t.local_address == sock.getsockname()
        t.send(message("/hi"))
        assert peer.recvfrom(MAX_DATAGRAM)[1] == sock.getsockname()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_listening_beyond_loopback_logs_a_warning(
    peer: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bridge.osc"):
        t = OscTransport(peer.getsockname(), lambda a, b: None, listen=("0.0.0.0", 0))
        t.close()
    assert "reachable from other machines" in caplog.text


def test_messages_are_plain_datagrams_when_sent_one_by_one(
    transport: OscTransport, peer: socket.socket
) -> None:
    msg = Message("/track/1/volume/db", (-6.0,), "f")
    transport.send(msg)
    assert peer.recvfrom(MAX_DATAGRAM)[0] == msg.encode()
