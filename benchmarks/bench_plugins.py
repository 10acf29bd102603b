"""Benchmark plugin control against a real Ardour 7: full parameter read, and set → confirmed.

Usage::

    python benchmarks/bench_plugins.py [--rounds 300] [--no-write]

A headless Ardour (``bridge.hosts.ardour``) carries ACE EQ (24 parameters) and
ACE Compressor (11) on one track.

1. **Read a plugin's full parameter list** (names, ranges, units, values):
   ``track.fx["ACE EQ"].params.specs()`` through the bridge, and side by side
   the peer: python-osc by hand (a ``ThreadingOSCUDPServer`` whose socket sends
   ``/strip/plugin/descriptor`` and an event set on ``descriptor_end``).
   Target: under 100 ms.
2. **Set → confirmed** of one parameter in its units:
   ``params["Gain 1"].value = x`` (range check, ``/strip/plugin/parameter``,
   then a fresh descriptor that must carry ``x``). The peer sends the same two
   messages by hand and waits for the descriptor. Target: median under 5 ms.
3. Writes the results into ``docs/benchmarks.md``, section "Plugins (Ardour)".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.common import update_benchmarks_md


def _stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(1e3 * s for s in samples)
    return {
        "median": statistics.median(ms),
        "p90": ms[int(0.9 * (len(ms) - 1))],
        "max": ms[-1],
    }


def _timed(fn: Callable[[int], object], rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


class _Peer:
    """python-osc by hand: what a script does today to read and set a plugin on Ardour."""

    def __init__(self, port: int) -> None:
        from pythonosc.dispatcher import Dispatcher
        from pythonosc.osc_message_builder import OscMessageBuilder
        from pythonosc.osc_server import ThreadingOSCUDPServer

        self._builder = OscMessageBuilder
        self.port = port
        self.done = threading.Event()
        self.params: list[tuple[object, ...]] = []
        disp = Dispatcher()
        disp.map("/strip/plugin/descriptor", lambda _a, *args: self.params.append(args))
        disp.map("/strip/plugin/descriptor_end", lambda _a, *args: self.done.set())
        self.server = ThreadingOSCUDPServer(("127.0.0.1", 0), disp)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._send("/set_surface", 0, 31, 16384, 0, 0, 0, 0)
        time.sleep(0.5)

    def _send(self, address: str, *args: int | float) -> None:
        b = self._builder(address)
        for a in args:
            b.add_arg(a, "f" if isinstance(a, float) else None)
        self.server.socket.sendto(b.build().dgram, ("127.0.0.1", self.port))

    def read(self) -> list[tuple[object, ...]]:
        self.params = []
        self.done.clear()
        self._send("/strip/plugin/descriptor", 1, 1)
        if not self.done.wait(2.0):
            raise TimeoutError("no descriptor_end")
        return self.params

    def set(self, value: float) -> None:
        self._send("/strip/plugin/parameter", 1, 1, 4, value)
        got = self.read()
        if abs(float(got[3][-1]) - value) > 1e-5:  # type: ignore[arg-type]
            raise RuntimeError(f"peer: Gain 1 is {got[3][-1]}, not {value}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(rounds: int) -> dict[str, dict[str, float]]:
    import bridge
    from bridge.hosts.ardour import HeadlessArdour
    from tests.bridge import free_udp_port

    values = [-20.0 + 40.0 * ((i * 37) % 101) / 100.0 for i in range(rounds)]
    with tempfile.TemporaryDirectory() as tmp:
        host = HeadlessArdour(
            Path(tmp), port=free_udp_port(), tracks=("Vocals",),
            plugins={"Vocals": ["ACE EQ", "ACE Compressor"]},
        )  # fmt: skip
        with host, bridge.connect("ardour", port=host.port, timeout=5.0) as mixer:
            eq = mixer.tracks["Vocals"].fx["ACE EQ"]
            assert len(eq.params.specs()) == 24
            gain = eq.params["Gain 1"]
            read = _timed(lambda _i: eq.params.specs(), rounds)
            sets = _timed(lambda i: setattr(gain, "value", values[i]), rounds)
            peer = _Peer(host.port)
            try:
                peer_read = _timed(lambda _i: peer.read(), rounds)
                peer_sets = _timed(lambda i: peer.set(values[i]), rounds)
            finally:
                peer.close()
            engine = host.dump()["routes"]["Vocals"]["plugins"][0]["params"]
            assert abs(engine[3]["value"] - values[-1]) < 1e-5, engine[3]
    return {
        "read": _stats(read),
        "peer_read": _stats(peer_read),
        "set": _stats(sets),
        "peer_set": _stats(peer_sets),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=300, help="rounds of each (300)")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()
    r = run(args.rounds)
    rows = [
        ("read ACE EQ's 24 parameters", "read", "peer_read", 100.0),
        ("set → confirmed, Gain 1 in dB", "set", "peer_set", 5.0),
    ]
    lines = [
        f"{args.rounds} rounds each, one headless Ardour 7.3 on loopback (Dummy backend),"
        " python-osc by hand as the peer in the same run (`benchmarks/bench_plugins.py`).",
        "",
        "| operation | mixdesk median | p90 | max | python-osc by hand, median | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, ours, theirs, target in rows:
        a, b = r[ours], r[theirs]
        verdict = "met" if a["median"] < target else "MISSED"
        lines.append(
            f"| {label} | {a['median']:.2f} ms | {a['p90']:.2f} ms | {a['max']:.2f} ms"
            f" | {b['median']:.2f} ms | {a['median'] / b['median']:.2f}x"
            f" | < {target:g} ms: {verdict} |"
        )
        print(lines[-1])
    lines += [
        "",
        "mixdesk's set checks the range before sending and confirms with a fresh descriptor;"
        " the peer sends the same two messages and checks the value by hand.",
    ]
    if not args.no_write:
        print(f"wrote {update_benchmarks_md('Plugins (Ardour)', chr(10).join(lines))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
