"""Helpers for the bridge CLI tests: free ports, a headless Ardour, raw OSC, the CLI in-process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bridge.hosts import HeadlessArdour, SessionState
from bridge.osc.message import message
from qc.cli.main import main
from tests.bridge import free_udp_port, wait_dump


@contextmanager
def running_ardour(
    ardour_bin: str, factory: pytest.TempPathFactory, tracks: tuple[str, ...]
) -> Iterator[HeadlessArdour]:
    """A fresh headless Ardour with these tracks, stopped at the end."""
    host = HeadlessArdour(
        factory.mktemp("ardour"), port=free_udp_port(), tracks=tracks, binary=ardour_bin
    )
    with host:
        yield host


def reset_mixer(daw: HeadlessArdour) -> SessionState:
    """Put every strip back at 0 dB, centre, unmuted and not soloed (raw OSC, floats)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        for ssid in range(1, len(daw.dump()["strips"]) + 1):
            for msg in (
                message("/strip/gain", ssid, 0.0),
                message("/strip/pan_stereo_position", ssid, 0.5),
                message("/strip/mute", ssid, 0),
                message("/strip/solo", ssid, 0),
            ):
                sock.sendto(msg.encode(), ("127.0.0.1", daw.port))
    finally:
        sock.close()

    def clean(s: SessionState) -> bool:
        routes = [s["routes"][name] for name in s["strips"]]
        return all(
            abs(r["gain_db"]) < 1e-3
            and r["pan_azimuth"] in (None, 0.5)
            and not r["mute"]
            and not r["solo"]
            for r in routes
        )

    state = wait_dump(daw, clean)
    assert clean(state), "could not reset the mixer"
    return state


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run ``mixdesk ARGS`` in-process; return (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as stop:  # argparse usage errors
        code = stop.code if isinstance(stop.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def mixdesk(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m qc ARGS`` (the ``mixdesk`` entry point) in a subprocess."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def one_line(err: str) -> str:
    """The single stderr line of a clean error (fails on tracebacks or several lines)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("mixdesk: "), err
    return lines[0]
