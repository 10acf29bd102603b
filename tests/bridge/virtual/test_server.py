"""The virtual DAW's OSC server: REAPER's feedback, bad input, and ``mixdesk daw``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import bridge
from bridge.osc.message import message
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import free_udp_port

RATE = 48000


@pytest.fixture(scope="module")
def stems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(0.5 * RATE)) / RATE
    sf.write(folder / "Bass.wav", 0.3 * np.sin(2 * np.pi * 60 * t), RATE, subtype="PCM_24")
    stereo = np.stack([0.2 * np.sin(2 * np.pi * 500 * t)] * 2, 1)
    sf.write(folder / "Keys.wav", stereo, RATE, subtype="PCM_24")
    return folder


@pytest.fixture
def daw(stems_dir: Path, tmp_path: Path) -> Iterator[VirtualDaw]:
    server = VirtualDaw(
        load_stems(stems_dir, RATE), rate=RATE, render_dir=tmp_path, port=0, feedback=None
    )
    with server:
        yield server


def test_reaper_dialect_round_trip_and_anti_echo(daw: VirtualDaw) -> None:
    host, port = daw.address
    with bridge.connect("reaper", host=host, port=port, listen_port=0) as mixer:
        assert [t.name for t in mixer.tracks] == ["Bass", "Keys", "Reverb", "Delay"]
        mixer.tracks["Keys"].volume_db = -7.25
        mixer.tracks["Keys"].pan = 0.4
        mixer.tracks["Bass"].solo = True
        # REAPER reports the text and the normalised fader, never /volume/db back.
        mixer.tracks["Keys"].wait_for("pan", 0.4, tolerance=0.006)
        mixer.tracks["Bass"].wait_for("solo", True)
        assert daw.state.tracks["Keys"].volume_db == pytest.approx(-7.25, abs=1e-5)
        assert daw.state.tracks["Bass"].solo is True
        assert mixer.tracks["Keys"].volume_db == pytest.approx(-7.25, abs=0.005)


def test_bad_input_is_ignored_and_the_server_keeps_serving(daw: VirtualDaw) -> None:
    host, port = daw.address
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    junk = [
        b"",
        b"\x00\x01garbage",
        b"/track/1/volume/db\x00\x00,f\x00\x00",  # truncated float
        message("/track/99/volume/db", -3.0).encode(),  # no such track
        message("/track/1/volume/db", "loud").encode(),  # wrong type
        message("/track/1/volume/db", float("nan")).encode(),
        message("/track/1/pan", 7.0).encode(),  # out of range
        message("/track/1/mute", 0.5).encode(),  # b patterns act on 0/1 only
        b"/track/1/mute\x00\x00\x00,T\x00\x00",  # python-osc's True: REAPER ignores it
        message("/no/such/address", 1).encode(),
        message("/action", 1.5).encode(),  # REAPER executes int actions only
        b"#bundle\x00" + b"\x00" * 8 + b"\x7f\xff\xff\xff",  # lying element size
    ]
    for _ in range(20):  # in rounds, so the flood does not overrun the socket buffer
        before = daw.ignored
        for data in junk:
            raw.sendto(data, (host, port))
        deadline = time.monotonic() + 5
        while daw.ignored < before + len(junk) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert daw.ignored == before + len(junk)  # every bad datagram counted once
    raw.sendto(message("/track/1/volume/db", -4.5).encode(), (host, port))
    deadline = time.monotonic() + 5
    while daw.state.tracks["Bass"].volume_db != pytest.approx(-4.5) and time.monotonic() < deadline:
        time.sleep(0.01)
    raw.close()
    assert daw.state.tracks["Bass"].volume_db == pytest.approx(-4.5)
    assert daw.state.tracks["Bass"].mute is False
    assert daw.state.tracks["Bass"].pan == 0.0


def _run_daw(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "qc", "daw", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_mixdesk_daw_serves_renders_and_stops_on_sigint(stems_dir: Path, tmp_path: Path) -> None:
    port, feedback = free_udp_port(), free_udp_port()
    proc = _run_daw(
        ["--stems", str(stems_dir), "--port", str(port), "--feedback-port", str(feedback),
         "--render-dir", "out", "--bits", "16"],
        tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"virtual DAW on 127.0.0.1:{port}" in first
        with bridge.connect("reaper", port=port, listen_port=feedback) as mixer:
            mixer.tracks["Bass"].volume_db = -2.0
            mixer.render()
            line = ""
            while "rendered" not in line:
                line = proc.stdout.readline()
                assert line, "the daw exited before rendering"
        bounce = tmp_path / "out" / "mix-take01.wav"
        assert str(bounce.relative_to(tmp_path)) in line
        info = sf.info(bounce)
        assert (info.samplerate, info.subtype, info.channels) == (RATE, "PCM_16", 2)
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_mixdesk_daw_bad_stems_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    proc = _run_daw(["--stems", str(tmp_path), "--port", str(free_udp_port())], tmp_path)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert err.count("\n") == 1
    assert "broken.wav" in err
    assert "Traceback" not in err


def test_mixdesk_daw_busy_port_is_one_line_exit_2(stems_dir: Path, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        proc = _run_daw(["--stems", str(stems_dir), "--port", str(port)], tmp_path)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert err.count("\n") == 1
    assert f"127.0.0.1:{port}" in err
