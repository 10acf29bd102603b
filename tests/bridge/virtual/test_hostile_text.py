"""Names from a DAW or a folder never reach the terminal raw (issue 17).

A track name set over real OSC (UDP on 127.0.0.1) on the virtual DAW, read
back through ``mixdesk mix --daw reaper``; a stem file name in ``mixdesk daw``'s
banner; an OSC address in its log; a scene diff; a 100 KB name in an error.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation.scene import Scene, save_scene
from bridge.osc.message import message
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from qc.printable import LINE_LIMIT
from tests.bridge import eventually, free_udp_port
from tests.bridge.cli import cli, one_line

RATE = 48000
HOSTILE = "\x1b[2J\x1b]0;pwned\x07"
SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07"


@pytest.fixture(scope="module")
def stems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(0.1 * RATE)) / RATE
    for name in ("Bass", "Keys"):
        sf.write(folder / f"{name}.wav", 0.1 * np.sin(2 * np.pi * 60 * t), RATE)
    return folder


@pytest.fixture
def daw(stems_dir: Path, tmp_path: Path) -> Iterator[VirtualDaw]:
    """The virtual DAW with track 1 renamed over OSC to a terminal attack."""
    server = VirtualDaw(
        load_stems(stems_dir, RATE), rate=RATE, render_dir=tmp_path, port=0, feedback=None
    )
    with server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(message("/track/1/name", HOSTILE).encode(), server.address)
        assert eventually(lambda: server.names[0] == HOSTILE)
        yield server


def _mix(capsys: pytest.CaptureFixture[str], daw: VirtualDaw, *args: str) -> tuple[int, str, str]:
    port = str(daw.address[1])
    return cli(capsys, "mix", "--daw", "reaper", "--port", port, "--listen-port", "0", *args)


@pytest.mark.parametrize("fmt", ["text", "rich"])
def test_status_shows_a_hostile_track_name_escaped(
    capsys: pytest.CaptureFixture[str], daw: VirtualDaw, fmt: str
) -> None:
    code, out, err = _mix(capsys, daw, "status", "--format", fmt)
    assert code == 0, err
    assert "\x1b" not in out + err
    assert "\x07" not in out + err
    assert SHOWN in out


def test_set_errors_and_json_show_names_escaped(
    capsys: pytest.CaptureFixture[str], daw: VirtualDaw
) -> None:
    code, out, err = _mix(capsys, daw, "set", "1", "mute", "on")
    assert code == 0, err
    assert "\x1b" not in out
    assert SHOWN in out
    code, out, err = _mix(capsys, daw, "get", HOSTILE + "x", "volume")
    assert code == 2
    line = one_line(err)
    assert "\x1b" not in line
    assert "\\x1b[2J" in line
    code, out, _ = _mix(capsys, daw, "status", "--format", "json")  # JSON stays JSON
    assert code == 0
    assert "\x1b" not in out
    assert json.loads(out)["tracks"][0]["name"] == HOSTILE
    code, out, _ = _mix(capsys, daw, "get", "1", "volume", "--format", "json")
    assert code == 0
    assert "\x1b" not in out
    assert json.loads(out)["track"]["name"] == HOSTILE


def test_a_100_kb_name_gives_one_short_line(
    capsys: pytest.CaptureFixture[str], daw: VirtualDaw
) -> None:
    code, _, err = _mix(capsys, daw, "get", "N" * 100_000, "volume")
    assert code == 2
    line = one_line(err)
    assert len(line) <= len("mixdesk: ") + LINE_LIMIT
    assert "more chars)" in line


def test_scene_diff_shows_track_names_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for file, db in (("a.toml", -6.0), ("b.toml", -3.0)):
        save_scene(Scene(name=file, tracks={HOSTILE: {"volume_db": db}}), tmp_path / file)
    code, out, err = cli(capsys, "scene", "diff", tmp_path / "a.toml", tmp_path / "b.toml")
    assert code == 0, err
    assert "\x1b" not in out
    assert SHOWN in out


def test_daw_banner_and_log_escape_file_names_and_addresses(
    stems_dir: Path, tmp_path: Path
) -> None:
    stems = tmp_path / "stems"
    stems.mkdir()
    for src in stems_dir.iterdir():
        (stems / f"{HOSTILE}{src.name}").write_bytes(src.read_bytes())
    port = free_udp_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "qc", "daw", "--stems", str(stems), "--port", str(port),
         "--feedback-port", "0", "--render-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    banner: list[str] = []
    try:
        assert proc.stdout is not None
        while not banner or "renders go to" not in banner[-1]:
            banner.append(proc.stdout.readline())
            assert banner[-1], "the daw exited early"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(10)
            address = f"/no/{HOSTILE}".encode() + b"\x00" * (4 - len(f"/no/{HOSTILE}") % 4)
            s.sendto(address + b",\x00\x00\x00", ("127.0.0.1", port))
            s.sendto(message("/action", 41743).encode(), ("127.0.0.1", port))
            assert s.recv(65536)  # the refresh answered: the bad address was handled
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    text = "".join(banner) + _out + err
    assert "\x1b" not in text
    assert "\x07" not in text
    assert sum(SHOWN in line for line in banner) == 2  # both tracks
    assert f"/no/{SHOWN}" in err
