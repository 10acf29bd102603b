"""The virtual DAW against REAPER: fader law, texts, bursts, one parser, render replies.

Real UDP on 127.0.0.1. REAPER's fader anchors are the published ones
(``reaper_medium::VolumeSliderValue``: slider 2.5138729793972 = -150 dB,
3.1647785560398 = -144 dB, 716 = 0 dB, 1000 = +12 dB; slider = 1000 × the
normalised value). Tolerances: a normalised value travels as float32 (relative
error 6e-8), which moves a level by at most 60·log10(1 + 6e-8) ≈ 2e-6 dB on the
cube-root law; the anchors themselves are given to 14 digits.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from pythonosc.udp_client import SimpleUDPClient

from bridge.dialects.base import MASTER, TrackId, Update, Value
from bridge.dialects.reaper import ReaperDialect
from bridge.dialects.virtual import VirtualDialect
from bridge.virtual.fader import db_to_fader, fader_to_db
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import eventually
from tests.bridge.virtual.osc_client import Client

RATE = 48000

ANCHORS = [  # (normalised fader value, dB)
    (2.5138729793972e-3, -150.0),
    (3.1647785560398e-3, -144.0),
    (0.716, 0.0),
    (1.0, 12.0),
]


# ---- the fader law ----


@pytest.mark.parametrize(("v", "db"), ANCHORS)
def test_normalised_volume_meets_reapers_anchors(
    daw: VirtualDaw, client: Client, v: float, db: float
) -> None:
    client.send("/track/1/volume", v)
    assert daw.state.tracks["Bass"].volume_db == pytest.approx(db, abs=1e-4)
    assert db_to_fader(db) == pytest.approx(v, rel=1e-6)


def test_the_floor_and_silence(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/1/volume", 0.0025)  # below the -150 dB anchor (today's law: -203 dB)
    assert daw.state.tracks["Bass"].volume_db == -150.0
    client.send("/track/1/volume", 0.0)
    assert daw.state.tracks["Bass"].volume_db == -math.inf
    assert db_to_fader(-math.inf) == 0.0


def test_the_law_is_continuous_increasing_and_round_trips() -> None:
    v = np.linspace(2.52e-3, 1.0, 20001)
    db = np.array([fader_to_db(float(x)) for x in v])
    assert np.all(np.diff(db) > 0.0)
    back = np.array([db_to_fader(float(x)) for x in db])
    assert np.max(np.abs(back - v)) < 1e-12
    # Where the cube-root law (2 g / g_max) ** (1/3) meets the power law 0.716 g ** (1/K):
    g_max = 10 ** (12 / 20)
    k = math.log(g_max) / math.log(1 / 0.716)
    g_c = (0.716 / (2 / g_max) ** (1 / 3)) ** (1 / (1 / 3 - 1 / k))
    v_c = 0.716 * g_c ** (1 / k)
    assert -12.0 < 20 * math.log10(g_c) < -8.0  # "they cross near -10 dB"
    step = fader_to_db(v_c + 1e-9) - fader_to_db(v_c - 1e-9)
    assert 0.0 < step < 1e-6  # no jump at the join
    assert fader_to_db(v_c) == pytest.approx(20 * math.log10(g_c), abs=1e-9)


def test_feedback_uses_the_same_law_and_reapers_texts(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/1/volume/db", -144.0)
    got = client.feedback()
    assert got["/track/1/volume"] == pytest.approx(3.1647785560398e-3, rel=1e-6)
    assert got["/track/1/pan/str"] == "C"  # REAPER's centre (mkpanstr)
    assert got["/track/1/volume/str"] == "-144.00dB"


# ---- the receive buffer ----


def test_the_last_value_of_an_unpaced_burst_of_5000_lands(daw: VirtualDaw) -> None:
    granted = daw._osc.rcvbuf
    print(f"SO_RCVBUF granted: {granted} bytes")
    sender = SimpleUDPClient(*daw.address)
    before = daw.handled
    for i in range(5000):
        sender.send_message("/track/1/volume/db", -60.0 + i * 0.01)
    last = -60.0 + 4999 * 0.01
    landed = eventually(lambda: daw.handled >= before + 5000, 30.0)
    lost = before + 5000 - daw.handled
    assert landed, f"{lost} of 5000 datagrams lost with a {granted}-byte receive buffer"
    assert daw.state.tracks["Bass"].volume_db == pytest.approx(last, abs=1e-5)


# ---- one parser: what the dialects build, the server understands alike ----

SETS: list[tuple[TrackId, str, Value]] = [
    (1, "volume_db", -7.5),
    (2, "pan", -0.25),
    (2, "width", 0.5),
    (1, "mute", True),
    (2, "solo", True),
    (MASTER, "volume_db", -3.0),
    (MASTER, "pan", 0.5),
    (1, "send/1/level_db", -12.0),
    (2, "send/2/level_db", -6.0),
    (2, "fx/1/param/7", 3.0),  # EQ Band 1 gain, dB
    (2, "fx/1/param/6", 1000.0),  # EQ Band 1 freq, Hz
    (1, "fx/1/param/1", 80.0),  # High-pass freq, Hz
    (1, "fx/2/param/2", 4.0),  # Compressor Ratio
    (3, "fx/1/param/1", 3.5),  # Reverb Decay, s
    (4, "fx/1/param/1", 250.0),  # Delay Time, ms
    (MASTER, "fx/2/param/6", 2.0),  # master Compressor Makeup, dB
    (2, "fx/2/active", False),
    (1, "name", "Bass DI"),
]


def state_value(daw: VirtualDaw, target: TrackId, param: str) -> Value:
    """The server's value of a dialect parameter path, in the API's units."""
    if target == MASTER:
        if param in ("volume_db", "pan"):
            return daw.state.master_volume_db if param == "volume_db" else daw.state.master_pan
        plugins = daw.state.master_plugins
        t = None
    else:
        assert isinstance(target, int)
        t = daw.state.tracks[daw.names[target - 1]]
        plugins = t.plugins
    parts = param.split("/")
    if param == "name":
        assert isinstance(target, int)
        return daw.names[target - 1]
    if parts[0] == "send":
        assert t is not None
        return t.sends_db[int(parts[1]) - 1]
    if parts[0] == "fx" and parts[2] == "active":
        return plugins[int(parts[1]) - 1].active
    if parts[0] == "fx":
        return plugins[int(parts[1]) - 1].values[int(parts[3]) - 1]
    assert t is not None
    return getattr(t, param)  # type: ignore[no-any-return]


def _learn_slots(dialect: ReaperDialect, daw: VirtualDaw) -> None:
    """Teach the dialect the slots' plugin names, as the server's feedback does."""
    for n in range(len(daw.names) + 1):
        plugins = daw.state.master_plugins if n == 0 else daw.state.tracks[daw.names[n - 1]].plugins
        for slot, p in enumerate(plugins, start=1):
            dialect.decode(f"/track/{n}/fx/{slot}/name", [p.plugin.name])


@pytest.mark.parametrize("dialect_class", [VirtualDialect, ReaperDialect])
def test_every_set_a_dialect_builds_means_the_same_on_the_server(
    daw: VirtualDaw, client: Client, dialect_class: type[ReaperDialect]
) -> None:
    dialect = dialect_class(send_db_pattern=True)
    _learn_slots(dialect, daw)
    for target, param, value in SETS:
        if dialect_class is ReaperDialect and (
            param.endswith("/active") or (target == MASTER and param.startswith("fx/"))
        ):
            continue  # not capabilities of the stock REAPER dialect
        before = daw.ignored
        for m in dialect.set(target, param, value):
            client.send(m.address, *m.args)
        assert daw.ignored == before, (target, param)
        got = state_value(daw, target, param)
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-6, abs=1e-6), (target, param)
        else:
            assert got == value, (target, param)


def test_every_value_the_server_reports_decodes_to_its_state(
    daw: VirtualDaw, client: Client
) -> None:
    dialect = VirtualDialect()
    for target, param, value in SETS:  # a mix with every kind of value set
        for m in dialect.set(target, param, value) if not param.startswith("fx/") else []:
            client.send(m.address, *m.args)
    client.send("/track/2/fxeq/band/1/gain/db", 3.0)
    client.send("/track/4/fx/1/fxparam/2/value", 0.5)
    client.feedback()
    client.send("/action", 41743)
    got: dict[tuple[TrackId | None, str], Value] = {}
    tolerance: dict[tuple[TrackId | None, str], float] = {}
    for address, arg in client.feedback(0.3).items():
        for u in dialect.decode(address, [arg]):
            assert isinstance(u, Update)
            got[(u.target, u.param)] = u.value
            tolerance[(u.target, u.param)] = u.tolerance
    checked = 0
    for (target, param), value in got.items():
        if target is None or param.startswith("automation/") or param.endswith(("/text", "/name")):
            continue
        if param == "rec_arm":
            continue  # the state has no record arm: the server keeps it aside
        want = state_value(daw, target, param)
        if isinstance(want, float) and isinstance(value, float):
            slack = max(tolerance[(target, param)], 1e-9)
            assert abs(value - want) <= slack or value == want, (target, param, value, want)
        else:
            assert value == want, (target, param)
        checked += 1
    every_param = sum(len(p.values) for t in daw.state.tracks.values() for p in t.plugins)
    assert checked >= every_param + 4 * 5  # every plugin value and the faders of 4 tracks


# ---- render replies ----


def test_a_render_replies_with_its_path(daw: VirtualDaw, client: Client) -> None:
    client.send("/action", 42230)
    assert daw.wait_renders(30.0)
    got = client.feedback(0.3)
    path = Path(str(got["/mixdesk/render/done"]))
    assert path.is_file()
    assert path == daw.renders[-1].path
    assert ReaperDialect().decode("/mixdesk/render/done", [str(path)]) == [
        Update(None, "render/done", str(path))
    ]


def test_a_failed_render_replies_with_its_reason(daw: VirtualDaw, client: Client) -> None:
    shutil.rmtree(daw.render_dir, ignore_errors=True)
    daw.render_dir.write_text("not a folder")  # the render folder became a file
    client.send("/action", 42230)
    assert daw.wait_renders(30.0)
    got = client.feedback(0.3)
    reason = got.get("/mixdesk/render/error")
    assert isinstance(reason, str)
    assert reason == daw.render_errors[-1]
    assert "\n" not in reason
    assert "/mixdesk/render/done" not in got
    decoded = ReaperDialect().decode("/mixdesk/render/error", [reason])
    assert decoded == [Update(None, "render/error", reason)]


# ---- live automation of plugins and sends ----


class _Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_plugin_send_and_master_moves_are_recorded(stems_dir: Path, tmp_path: Path) -> None:
    clock = _Clock()
    daw = VirtualDaw(
        load_stems(stems_dir, RATE),
        rate=RATE,
        render_dir=tmp_path,
        port=0,
        feedback=None,
        clock=clock,
    )
    with daw:
        c = Client(daw)
        try:
            c.send("/track/2/autowrite")
            c.send("/track/0/autowrite")
            c.send("/play")
            clock.now = 50.5
            c.send("/track/2/fxeq/band/1/gain/db", 6.0)
            c.send("/track/2/send/1/volume/db", -10.0)
            c.send("/master/pan", 0.75)
            clock.now = 51.0
            c.send("/track/2/fx/2/fxparam/6/value", 0.5)  # Makeup, linear 0..24 dB
            c.send("/stop")
        finally:
            c.close()
        lead, master = daw.automation("Lead"), daw.automation("master")
    # A plugin or send pass starts 1 ms before its first change with the value before it.
    assert lead["fx/1/param/7"] == [(0.499, 0.0), (0.5, 6.0), (1.0, 6.0)]
    assert lead["send/1/level_db"] == [(0.499, -math.inf), (0.5, -10.0), (1.0, -10.0)]
    assert lead["fx/2/param/6"] == [(0.999, 0.0), (1.0, 12.0)]
    assert master["pan"] == [(0.0, 0.0), (0.5, 0.5), (1.0, 0.5)]
    assert master["volume_db"] == [(0.0, 0.0), (1.0, 0.0)]
