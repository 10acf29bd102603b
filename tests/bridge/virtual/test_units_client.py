"""The mixdesk API and CLI drive the virtual DAW's plugins and sends in real units.

A real :class:`~bridge.virtual.server.VirtualDaw` on a free loopback port, and a
mixer over the REAPER dialect (as ``--daw reaper --port P`` would) or the
virtual DAW's dialect; every value is checked in the server's state (in units)
and read back through the API. Expected values are the values set: the EQ's
addresses carry Hz, dB and octaves as float32, exact for these values; other
parameters travel normalised as float32 (relative error below 1e-6).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pythonosc.osc_packet import OscPacket

import bridge
from bridge.dialects.reaper import ReaperDialect
from bridge.dialects.virtual import VirtualDialect
from bridge.errors import BridgeTimeoutError, ValueRangeError
from bridge.mixer.mixer import Mixer
from bridge.osc.message import message
from bridge.osc.transport import pack_bundles
from bridge.virtual.server import VirtualDaw

RATE = 48000


def _eq(daw: VirtualDaw, track: str, name: str) -> float:
    p = daw.state.tracks[track].plugins[0]
    n = p.plugin.number(name)
    assert n is not None
    return p.values[n - 1]


def test_plugins_in_units_over_the_reaper_dialect(daw: VirtualDaw) -> None:
    host, port = daw.address
    with bridge.connect("reaper", host=host, port=port, listen_port=0) as mixer:
        lead = mixer.tracks["Lead"]
        assert [(f.number, f.name) for f in lead.fx] == [(1, "EQ"), (2, "Compressor")]
        gain = lead.fx["EQ"].params["Band 1 gain"]
        assert (gain.unit, gain.min, gain.max) == ("dB", -24.0, 24.0)
        gain.value = 3.0
        assert _eq(daw, "Lead", "Band 1 gain") == 3.0
        assert daw.state.tracks["Lead"].plugins[0].bands_on == {"band/1"}
        assert lead.fx["EQ"].params["Band 1 gain"].value == 3.0
        lead.fx["EQ"].params["High-pass freq"].value = 80.0
        assert _eq(daw, "Lead", "High-pass freq") == 80.0
        lead.fx["Compressor"].params["Ratio"].value = 4
        assert daw.state.tracks["Lead"].plugins[1].values[1] == pytest.approx(4.0, rel=1e-6)
        assert lead.fx["Compressor"].params["Ratio"].value == pytest.approx(4.0, rel=1e-6)
        reverb = mixer.tracks["Reverb"].fx["Reverb"].params["Decay"]
        assert (reverb.unit, reverb.min, reverb.max) == ("s", 0.2, 10.0)
        reverb.value = 3.5
        assert daw.state.tracks["Reverb"].plugins[0].values[0] == pytest.approx(3.5, rel=1e-6)


def test_out_of_range_is_refused_before_anything_is_sent(daw: VirtualDaw) -> None:
    host, port = daw.address
    with bridge.connect("reaper", host=host, port=port, listen_port=0) as mixer:
        gain = mixer.tracks["Lead"].fx["EQ"].params["Band 1 gain"]
        ratio = mixer.tracks["Lead"].fx["Compressor"].params["Ratio"]
        assert (gain.value, ratio.value) == (0.0, 1.0)  # both described: no more questions
        before, state = daw.handled, daw.state.snapshot()
        with pytest.raises(ValueRangeError, match=r"30 is out of range \[-24, 24\] dB"):
            gain.value = 30.0
        with pytest.raises(ValueRangeError, match="out of range"):
            ratio.value = 0.5
        assert daw.handled == before
        assert daw.state.snapshot() == state
        assert daw.state.tracks["Lead"].plugins[0].bands_on == set()


def test_sends_bypass_and_the_master_over_the_virtual_dialect(daw: VirtualDaw) -> None:
    host, port = daw.address
    with Mixer(VirtualDialect(), host=host, port=port, listen_port=0).open() as mixer:
        mixer.tracks["Lead"].sends[1].level_db = -12.0
        assert daw.state.tracks["Lead"].sends_db[0] == -12.0
        assert mixer.tracks["Lead"].sends[1].level_db == -12.0
        mixer.tracks["Bass"].sends[2].level_db = -6.5
        assert daw.state.tracks["Bass"].sends_db[1] == -6.5
        mixer.tracks["Lead"].fx["Compressor"].active = False
        assert daw.state.tracks["Lead"].plugins[1].active is False
        assert mixer.tracks["Lead"].fx["Compressor"].active is False
        mixer.master.fx["Compressor"].params["Makeup"].value = 2.0
        assert daw.state.master_plugins[1].values[5] == pytest.approx(2.0, rel=1e-6)
        mixer.master.fx["EQ"].params["High shelf gain"].value = -1.5
        master_eq = daw.state.master_plugins[0]
        assert master_eq.values[master_eq.plugin.number("High shelf gain") - 1] == -1.5  # type: ignore[operator]


class SilentReaper:
    """A stand-in DAW that names its plugins as the virtual DAW does and ignores every set."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.stop = threading.Event()
        self.sets: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                data, sender = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            for timed in OscPacket(data).messages:
                address = timed.message.address
                if address == "/action":
                    msgs = [message("/track/1/name", "Lead"), message("/track/1/fx/1/name", "EQ")]
                elif address == "/device/track/select":
                    msgs = [message("/track/number/str", "1"), message("/fx/1/name", "EQ")]
                    msgs += [message("/fx/1/fxparam/7/name", "Band 1 gain")]
                else:
                    self.sets.append(address)
                    continue
                for packet in pack_bundles([m.encode() for m in msgs], 1024):
                    self.sock.sendto(packet, sender)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(1.0)
        self.sock.close()


def test_a_set_the_daw_ignores_is_an_error() -> None:
    fake = SilentReaper()
    try:
        port = fake.sock.getsockname()[1]
        mixer = Mixer(ReaperDialect(), port=port, listen_port=0, timeout=0.5).open()
        with mixer, pytest.raises(BridgeTimeoutError):
            mixer.tracks["Lead"].fx["EQ"].params["Band 1 gain"].value = 3.0
        assert "/track/1/fxeq/band/1/gain/db" in fake.sets  # it was sent, and not confirmed
    finally:
        fake.close()


def test_other_plugins_stay_normalised() -> None:
    dialect = ReaperDialect()
    dialect.decode("/track/1/fx/1/name", ["VST: ReaEQ (Cockos)"])
    (update,) = dialect.decode("/track/1/fx/1/fxparam/2/value", [0.25])
    assert update.value == 0.25  # type: ignore[union-attr]
    assert dialect.pushed_spec(1, 1, 2, 0.25, None) is None
    (m,) = dialect.set(1, "fx/1/param/2", 0.25)
    assert (m.address, m.args) == ("/track/1/fx/1/fxparam/2/value", (0.25,))
    assert not dialect.confirms(1, "fx/1/param/2")
    dialect.decode("/track/1/fx/1/name", ["Compressor"])  # the slot now holds a known one
    (update,) = dialect.decode("/track/1/fx/1/fxparam/2/value", [0.5])
    assert update.value == pytest.approx(20.0**0.5, rel=1e-6)  # type: ignore[union-attr]  # 7 digits (float32)
    assert dialect.confirms(1, "fx/1/param/2")


# ---- the CLI ----


def _mix(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qc", "mix", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def test_mix_plugins_and_set_against_a_running_virtual_daw(daw: VirtualDaw, tmp_path: Path) -> None:
    port = str(daw.address[1])
    listing = _mix("--daw", "reaper", "--port", port, "plugins", "Lead", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "fx:1 EQ" in listing.stdout
    assert "Band 1 gain" in listing.stdout
    assert "[-24, 24] dB" in listing.stdout
    assert "fx:2 Compressor" in listing.stdout
    done = _mix(
        "--daw", "reaper", "--port", port, "set", "Lead", "fx:EQ:Band 1 gain", "3", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "not confirm" not in done.stdout + done.stderr
    assert _eq(daw, "Lead", "Band 1 gain") == 3.0
    before = daw.handled
    bad = _mix(
        "--daw", "reaper", "--port", port, "set", "Lead", "fx:EQ:Band 1 gain", "30", cwd=tmp_path
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "out of range" in bad.stderr
    assert _eq(daw, "Lead", "Band 1 gain") == 3.0
    # The refused run connected (hello, refresh, names) but set nothing.
    assert daw.handled > before
    assert daw.state.tracks["Lead"].plugins[0].bands_on == {"band/1"}


def test_mix_with_the_embedded_virtual_daw(stems_dir: Path, tmp_path: Path) -> None:
    done = _mix(
        "--daw", "virtual", "--stems", str(stems_dir), "set", "Lead", "fx:Compressor:Ratio", "4",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Ratio 4" in done.stdout
    assert "not confirm" not in done.stdout + done.stderr


@pytest.mark.parametrize("dialect", ["reaper", "virtual-dialect"])
def test_a_fresh_connection_lists_every_parameter_of_every_plugin(
    daw: VirtualDaw, dialect: str
) -> None:
    # The names arrive in several 1024-byte bundles; the first read must wait for all
    # of them (it once returned the first bundle's ten EQ names).
    from bridge.dialects.virtual_fx import COMPRESSOR, EQ

    host, port = daw.address
    d = ReaperDialect() if dialect == "reaper" else VirtualDialect()
    with Mixer(d, host=host, port=port, listen_port=0, timeout=2.0) as mixer:
        lead = mixer.tracks["Lead"]
        for fx, plugin in ((1, EQ), (2, COMPRESSOR)):
            names = [p.name for p in lead.fx[fx].params]
            assert names == [p.name for p in plugin.params]
