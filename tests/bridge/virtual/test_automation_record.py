"""The virtual DAW records automation written live over OSC, as REAPER does (issue 8).

Messages go over real UDP as raw REAPER-dialect OSC. The server's clock is a
fake one the test advances, and every message is waited for (the server's
``handled`` count) before the clock moves, so positions are exact: the
expected positions and values below are binary-exact and compared exactly.
Renders are compared with a numpy mix that interpolates the expected points
itself (linear, volume in dB with ``-inf`` as -150 dB), within 1 LSB of 24-bit.
"""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from pythonosc.osc_packet import OscPacket

from bridge.osc.message import Arg, message
from bridge.virtual import load_stems
from bridge.virtual.recorder import THIN_S, Recorder
from bridge.virtual.server import VirtualDaw

RATE = 48000
FRAMES = RATE  # 1 s
LSB = 2.0**-23
INF = math.inf
F64 = npt.NDArray[np.float64]
Points = list[tuple[float, float]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Surface:
    """A raw OSC control surface; each send waits until the server has handled it."""

    def __init__(self, daw: VirtualDaw, clock: FakeClock) -> None:
        self.daw, self.clock = daw, clock
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)

    def send(self, address: str, *args: Arg, at: float | None = None) -> None:
        """Advance the clock to ``at`` (s since the fixture's start), then send."""
        if at is not None:
            self.clock.now = 100.0 + at
        before = self.daw.handled
        self.sock.sendto(message(address, *args).encode(), self.daw.address)
        deadline = time.monotonic() + 5.0
        while self.daw.handled == before:
            assert time.monotonic() < deadline, f"the server did not handle {address}"
            time.sleep(0.001)

    def feedback(self) -> dict[str, object]:
        """Every address → its last value, from what the server sent so far."""
        out: dict[str, object] = {}
        while True:
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return out
            for timed in OscPacket(data).messages:
                out[timed.message.address] = timed.message.params[0]


@pytest.fixture(scope="module")
def stems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(FRAMES) / RATE
    sf.write(folder / "a_bass.wav", 0.4 * np.sin(2 * np.pi * 55 * t), RATE, subtype="PCM_24")
    keys = np.stack([0.3 * np.sin(2 * np.pi * 330 * t), 0.2 * np.sin(2 * np.pi * 495 * t)], 1)
    sf.write(folder / "b_keys.wav", keys, RATE, subtype="PCM_24")
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def daw(stems_dir: Path, tmp_path: Path, clock: FakeClock) -> Iterator[VirtualDaw]:
    server = VirtualDaw(
        load_stems(stems_dir, RATE),
        rate=RATE,
        render_dir=tmp_path,
        port=0,
        feedback=None,
        clock=clock,
    )
    with server:
        yield server


@pytest.fixture
def surface(daw: VirtualDaw, clock: FakeClock) -> Iterator[Surface]:
    s = Surface(daw, clock)
    yield s
    s.sock.close()


# ---------------------------------------------------------------- modes


def test_modes_are_set_by_t_patterns_and_reported_as_0_1(daw: VirtualDaw, surface: Surface) -> None:
    assert daw.automation_mode("a_bass") == "trim"  # REAPER's default: off
    surface.send("/track/2/autolatch")  # t pattern: no argument
    fb = surface.feedback()
    assert [fb[f"/track/2/auto{m}"] for m in ("trim", "read", "touch", "latch", "write")] == [
        0.0, 0.0, 0.0, 1.0, 0.0,
    ]  # fmt: skip
    assert daw.automation_mode("b_keys") == "latch"
    surface.send("/track/2/autoread", 1)  # or with 1
    assert daw.automation_mode("b_keys") == "read"
    ignored = daw.ignored
    surface.send("/track/2/autowrite", 0)  # t patterns ignore anything but 1
    assert daw.automation_mode("b_keys") == "read"
    assert daw.ignored == ignored + 1
    surface.send("/action", 41743)  # refresh: every track reports its mode
    fb = surface.feedback()
    assert fb["/track/1/autotrim"] == 1.0
    assert fb["/track/2/autoread"] == 1.0
    assert fb["/track/2/autolatch"] == 0.0


# ---------------------------------------------------------------- recording


def test_write_records_every_value_from_play_to_stop(daw: VirtualDaw, surface: Surface) -> None:
    surface.send("/track/1/autowrite")
    surface.send("/time", 2.0)  # locate while stopped
    surface.send("/play", at=0.0)  # punch-in: the current values at 2.0 s
    surface.send("/track/1/volume/db", -6.0, at=0.5)
    surface.send("/track/1/volume/db", -200.0, at=1.25)  # at or below -150 dB: -inf
    surface.send("/track/1/pan", 0.25, at=1.5)  # pan -0.5
    surface.send("/track/2/volume/db", -3.0, at=1.75)  # track 2 is in trim
    surface.send("/stop", at=2.0)  # punch-out: the current values at 4.0 s
    surface.send("/track/1/volume/db", -1.0, at=2.5)  # stopped: not recorded
    assert daw.automation("a_bass") == {
        "volume_db": [(2.0, 0.0), (2.5, -6.0), (3.25, -INF), (4.0, -INF)],
        "pan": [(2.0, 0.0), (3.5, -0.5), (4.0, -0.5)],
    }
    assert daw.automation("b_keys") == {}
    assert daw.automation_mode("a_bass") == "write"  # kept after stop


def test_touch_records_only_while_touched(daw: VirtualDaw, surface: Surface) -> None:
    surface.send("/track/1/autotouch")
    surface.send("/play", at=0.0)
    surface.send("/track/1/volume/db", -3.0, at=0.5)  # not touched
    surface.send("/track/1/volume/touch", 1, at=1.0)
    surface.send("/track/1/volume/db", -9.0, at=1.5)
    surface.send("/track/1/pan", 0.0, at=1.625)  # pan is not touched
    surface.send("/track/1/volume/touch", 0, at=2.0)
    surface.send("/track/1/volume/db", -1.0, at=2.5)  # released
    surface.send("/track/1/pan/touch", 1, at=3.0)
    surface.send("/track/1/pan", 0.75, at=3.25)
    surface.send("/stop", at=4.0)
    assert daw.automation("a_bass") == {
        "volume_db": [(1.0, -3.0), (1.5, -9.0), (2.0, -9.0)],
        "pan": [(3.0, -1.0), (3.25, 0.5), (4.0, 0.5)],
    }


def test_latch_records_from_first_touch_or_change_until_stop(
    daw: VirtualDaw, surface: Surface
) -> None:
    surface.send("/track/2/autolatch")
    surface.send("/track/2/volume/db", -2.0, at=0.0)  # stopped: nothing
    surface.send("/play", at=0.0)
    surface.send("/track/2/volume/touch", 1, at=0.5)
    surface.send("/track/2/volume/db", -6.0, at=1.0)
    surface.send("/track/2/volume/touch", 0, at=1.5)  # latched: goes on
    surface.send("/track/2/volume/db", -12.0, at=2.0)
    surface.send("/track/2/pan", 0.0, at=2.5)  # a first change latches too
    surface.send("/stop", at=3.0)
    surface.send("/time", 4.0)
    surface.send("/play", at=5.0)  # a new pass must latch again: nothing at 4..5 s
    surface.send("/stop", at=6.0)
    assert daw.automation("b_keys") == {
        "volume_db": [(0.5, -2.0), (1.0, -6.0), (2.0, -12.0), (3.0, -12.0)],
        "pan": [(2.5, -1.0), (3.0, -1.0)],
    }


@pytest.mark.parametrize("mode", ["trim", "read"])
def test_trim_and_read_record_nothing(daw: VirtualDaw, surface: Surface, mode: str) -> None:
    surface.send(f"/track/1/auto{mode}")
    surface.send("/track/1/volume/touch", 1)
    surface.send("/play", at=0.0)
    surface.send("/track/1/volume/db", -6.0, at=0.5)
    surface.send("/track/1/pan", 0.1, at=0.75)
    surface.send("/stop", at=1.0)
    assert daw.automation("a_bass") == {}
    assert daw.state.tracks["a_bass"].volume_db == -6.0  # the fader still moved


def test_rename_keeps_the_recorded_lane(daw: VirtualDaw, surface: Surface) -> None:
    surface.send("/track/1/autowrite")
    surface.send("/play", at=0.0)
    surface.send("/stop", at=1.0)
    surface.send("/track/1/name", "Bass")
    assert daw.automation("Bass")["volume_db"] == [(0.0, 0.0), (1.0, 0.0)]
    assert daw.automation_mode("Bass") == "write"


# ---------------------------------------------------------------- render


def ref_interp(points: Points, t: F64, db: bool) -> F64:
    """Linear interpolation between points (dB: -inf counts as -150, <= -150 is -inf)."""
    times = np.array([p[0] for p in points])
    values = np.array([max(p[1], -150.0) if db else p[1] for p in points])
    out = np.interp(t, times, values)
    if db:
        out[out <= -150.0] = -np.inf
    return out


def read_take(path: Path) -> F64:
    data, rate = sf.read(path, dtype="int32", always_2d=True)
    assert rate == RATE
    out: F64 = data.astype(np.float64) / 2**31
    return out


def test_render_plays_the_written_pass_in_every_mode(
    daw: VirtualDaw, surface: Surface, stems_dir: Path
) -> None:
    surface.send("/track/1/autowrite")
    surface.send("/track/2/autowrite")
    surface.send("/play", at=0.0)
    surface.send("/track/1/volume/db", -6.0, at=0.125)
    surface.send("/track/1/volume/db", 3.0, at=0.3125)
    surface.send("/track/2/pan", 0.25, at=0.375)
    surface.send("/track/1/volume/db", -200.0, at=0.5)
    surface.send("/track/1/volume/db", -3.0, at=0.6875)
    surface.send("/track/2/pan", 1.0, at=0.75)
    surface.send("/stop", at=0.875)
    volume: Points = [(0.0, 0.0), (0.125, -6.0), (0.3125, 3.0), (0.5, -INF), (0.6875, -3.0),
                      (0.875, -3.0)]  # fmt: skip
    pan: Points = [(0.0, 0.0), (0.375, -0.5), (0.75, 1.0), (0.875, 1.0)]
    assert daw.automation("a_bass") == {"volume_db": volume, "pan": [(0.0, 0.0), (0.875, 0.0)]}
    assert daw.automation("b_keys") == {
        "volume_db": [(0.0, 0.0), (0.875, 0.0)],
        "pan": pan,
    }

    bass = sf.read(stems_dir / "a_bass.wav", always_2d=True)[0][:, 0]
    keys = sf.read(stems_dir / "b_keys.wav", always_2d=True)[0]
    t = np.arange(FRAMES) / RATE

    def mix(bass_db: F64 | float, keys_pan: F64 | float) -> F64:
        g = np.where(np.asarray(bass_db) == -np.inf, 0.0, 10.0 ** (np.asarray(bass_db) / 20.0))
        theta = (np.asarray(keys_pan) + 1.0) * np.pi / 4.0
        left = g * bass * np.cos(np.pi / 4) + np.cos(theta) * keys[:, 0]
        right = g * bass * np.sin(np.pi / 4) + np.sin(theta) * keys[:, 1]
        return np.clip(np.round(np.stack([left, right], 1) / LSB), -(2**23), 2**23 - 1) * LSB

    surface.send("/action", 42230)
    assert daw.wait_renders(timeout=30)
    got = read_take(daw.renders[-1].path)
    want = mix(ref_interp(volume, t, db=True), ref_interp(pan, t, db=False))
    assert np.max(np.abs(got - want)) <= LSB

    surface.send("/track/1/autotrim")  # REAPER plays envelopes in trim/read too
    surface.send("/action", 42230)
    assert daw.wait_renders(timeout=30)
    got = read_take(daw.renders[-1].path)
    assert np.max(np.abs(got - want)) <= LSB
    static = mix(-3.0, ref_interp(pan, t, db=False))  # the fader alone
    assert np.max(np.abs(got - static)) > 1000 * LSB  # so the lane really played


# ---------------------------------------------------------------- the pure recorder


def recorder(values: dict[tuple[str, str], float] | None = None) -> Recorder:
    current = values or {}
    return Recorder(["a"], lambda track, param: current.get((track, param), 0.0))


def test_points_closer_than_1_ms_are_thinned() -> None:
    rec = recorder()
    step = 2.0**-10  # 0.977 ms, binary-exact
    for i in range(4):
        rec.record("a", "pan", 1.0 + i * step, i / 8)
    # 1.0 + step is within THIN_S of 1.0: it replaces the value; 1.0 + 2 step is not.
    assert step < THIN_S < 2 * step
    assert rec.points("a") == {"pan": [(1.0, 1 / 8), (1.0 + 2 * step, 3 / 8)]}


def test_memory_is_bounded_by_thinning() -> None:
    rec = recorder()
    for i in range(20000):  # 10 kHz for 2 s
        rec.record("a", "volume_db", i * 1e-4, -float(i % 7))
    n = len(rec.points("a")["volume_db"])
    assert 1000 <= n <= 2001  # at most one point per ms


def test_a_pass_replaces_older_points_inside_its_span() -> None:
    values = {("a", "volume_db"): -5.0}
    rec = recorder(values)
    rec.set_mode("a", "write", 0.0)
    rec.play(0.0)
    for t, v in [(1.0, -1.0), (2.0, -2.0), (3.0, -3.0), (4.0, -4.0)]:
        values[("a", "volume_db")] = v
        rec.changed("a", "volume_db", t, v)
    rec.stop(5.0)
    rec.set_mode("a", "touch", 5.0)
    rec.locate(5.0, 1.5)  # stopped: only the position moves (the server's job)
    rec.play(1.5)
    rec.touch("a", "volume_db", True, 1.5)  # punch-in at 1.5 with -4 dB
    values[("a", "volume_db")] = -10.0
    rec.changed("a", "volume_db", 2.5, -10.0)
    rec.touch("a", "volume_db", False, 3.0)  # 3.0 is inside the span: replaced
    rec.stop(3.5)
    assert rec.points("a")["volume_db"] == [
        (0.0, -5.0), (1.0, -1.0), (1.5, -4.0), (2.5, -10.0), (3.0, -10.0), (4.0, -4.0),
        (5.0, -4.0),
    ]  # fmt: skip


def test_transport_going_back_starts_a_new_pass() -> None:
    rec = recorder()
    rec.record("a", "pan", 2.0, 0.5)
    rec.record("a", "pan", 3.0, 0.25)
    rec.record("a", "pan", 1.0, -0.5)  # the first pass [2, 3] is kept
    rec.record("a", "pan", 1.5, -0.25)
    assert rec.points("a")["pan"] == [(1.0, -0.5), (1.5, -0.25), (2.0, 0.5), (3.0, 0.25)]


def test_recorded_volume_interpolates_in_db_through_minus_inf() -> None:
    rec = recorder()
    for t, v in [(1.0, -6.0), (2.0, -INF), (3.0, 0.0)]:
        rec.record("a", "volume_db", t, v)
    lane = rec.lane("a", "volume_db")
    assert lane is not None
    got = lane.values_at(np.array([0.0, 1.0, 1.5, 2.0, 2.75, 3.0, 9.0]))
    # -inf counts as -150 dB between points: (-6 - 150) / 2 = -78.
    np.testing.assert_array_equal(got, [-6.0, -6.0, -78.0, -INF, -37.5, 0.0, 0.0])
    assert (lane.start_s, lane.end_s, lane.value_at(1.5)) == (1.0, 3.0, -78.0)
