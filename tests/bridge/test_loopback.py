"""Every listening socket binds to 127.0.0.1 unless asked otherwise, and says so when not.

The bound address is read back from the kernel (``/proc/net/udp``), not from
our own objects, and the warning is checked where the user sees it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.dialects.reaper import ReaperDialect
from bridge.mixer.mixer import Mixer
from bridge.osc.transport import OscTransport
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge import free_udp_port, udp_sockets

RATE = 48000
WARNING = "reachable from other machines"


def kernel_udp_binds(port: int) -> list[str]:
    """The local IPv4 addresses the kernel has UDP sockets bound to on ``port``."""
    return [ip for ip, _, _ in udp_sockets(port)]


@pytest.fixture
def stems(tmp_path: Path) -> Path:
    folder = tmp_path / "stems"
    folder.mkdir()
    t = np.arange(RATE // 10) / RATE
    sf.write(folder / "Kick.wav", 0.1 * np.sin(2 * np.pi * 60 * t), RATE)
    return folder


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def test_the_transport_listens_on_loopback_by_default(
    warnings: pytest.LogCaptureFixture,
) -> None:
    with OscTransport(("127.0.0.1", free_udp_port()), lambda a, b: None) as t:
        assert kernel_udp_binds(t.local_address[1]) == ["127.0.0.1"]
    assert WARNING not in warnings.text


def test_the_mixer_listens_on_loopback_by_default(warnings: pytest.LogCaptureFixture) -> None:
    with Mixer(ReaperDialect(), port=free_udp_port(), listen_port=0, require_answer=False) as m:
        assert kernel_udp_binds(m.local_port) == ["127.0.0.1"]
    assert WARNING not in warnings.text


def test_the_virtual_daw_listens_on_loopback_by_default(
    stems: Path, tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    daw = VirtualDaw(load_stems(stems, RATE), rate=RATE, render_dir=tmp_path / "r", port=0)
    with daw:
        assert kernel_udp_binds(daw.address[1]) == ["127.0.0.1"]
    assert WARNING not in warnings.text


def test_asked_for_all_interfaces_they_bind_them_and_warn_once(
    stems: Path, tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    with OscTransport(
        ("127.0.0.1", free_udp_port()), lambda a, b: None, listen=("0.0.0.0", 0)
    ) as t:
        assert kernel_udp_binds(t.local_address[1]) == ["0.0.0.0"]
    daw = VirtualDaw(
        load_stems(stems, RATE), rate=RATE, render_dir=tmp_path / "r", host="0.0.0.0", port=0
    )
    with daw:
        assert kernel_udp_binds(daw.address[1]) == ["0.0.0.0"]
    lines = [r.getMessage() for r in warnings.records if WARNING in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[1].startswith("virtual DAW listening on 0.0.0.0:")


def run_daw(stems: Path, tmp_path: Path, *extra: str) -> tuple[str, str, list[str]]:
    """Run ``mixdesk daw``, read its bind from the kernel, stop it: (stdout, stderr, binds)."""
    port = free_udp_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qc", "daw", "--stems", str(stems), "--port", str(port),
         "--feedback-port", "0", "--render-dir", str(tmp_path / "renders"), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("virtual DAW on"), first
        deadline = time.monotonic() + 10
        while not (binds := kernel_udp_binds(port)) and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    return first + out, err, binds


def test_mixdesk_daw_binds_loopback_and_is_quiet_by_default(stems: Path, tmp_path: Path) -> None:
    out, err, binds = run_daw(stems, tmp_path)
    assert binds == ["127.0.0.1"]
    assert out.startswith("virtual DAW on 127.0.0.1:")
    assert err == ""


def test_mixdesk_daw_on_all_interfaces_warns_on_stderr(stems: Path, tmp_path: Path) -> None:
    out, err, binds = run_daw(stems, tmp_path, "--host", "0.0.0.0")
    assert binds == ["0.0.0.0"]
    assert out.startswith("virtual DAW on 0.0.0.0:")
    assert err.splitlines() == [
        f"mixdesk daw: virtual DAW listening on 0.0.0.0:{out.split(':')[1].split()[0]}, {WARNING}"
    ]
