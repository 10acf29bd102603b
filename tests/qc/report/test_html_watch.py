"""``mixdesk watch --html`` writes NAME.qc.html next to a bounce (real daemon, real files)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

MAIN = "import sys; from qc.cli.main import main; sys.exit(main(sys.argv[1:]))"


def test_watch_writes_the_html_report_next_to_the_bounce(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    bounce = tmp_path / "mix 'v2' <final>.wav"
    sf.write(bounce, rng.standard_normal((48000 * 4, 2)) * 0.1, 48000, subtype="PCM_24")
    page = Path(f"{bounce}.qc.html")
    proc = subprocess.Popen(
        [sys.executable, "-c", MAIN, "watch", str(tmp_path), "--initial", "--html", "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not page.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 4
    assert (
        "<h2>" + str(bounce).replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;")
        in text
    )
    assert "1 file:" in text
    assert "mix 'v2' <final>.wav" in out  # the daemon's own report of the same bounce
