"""``mixdesk plot``: real files, real subprocesses; matplotlib only when a plot is drawn."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

RATE = 48000
MAIN = "import sys; from qc.cli.main import main; sys.exit(main(sys.argv[1:]))"

BLOCK_MATPLOTLIB = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("blocked for the test: " + name)
        return None
sys.meta_path.insert(0, _Block())
from qc.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-c", MAIN, *args]
    return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})  # fmt: skip


@pytest.fixture(scope="module")
def bounce(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """5 s of seeded stereo white noise at -20 dBFS RMS, the right channel partly correlated."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((RATE * 5, 2)) * 0.1
    x[:, 1] = 0.6 * x[:, 0] + 0.8 * x[:, 1]
    path = tmp_path_factory.mktemp("plot") / "bounce.wav"
    sf.write(path, x, RATE, subtype="FLOAT")
    return path, x


def test_png_and_svg_are_valid(bounce: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    path, x = bounce
    png, svg = tmp_path / "all.png", tmp_path / "loud.svg"
    done = _run("plot", str(path), "-o", str(png))
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    done = _run("plot", str(path), "--kind", "loudness", "--profile", "ebu-r128", "-o", str(svg))
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(svg.read_text(encoding="utf-8"))  # parses as XML
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "Loudness over time" in text
    # The legend's integrated loudness is the file's, by pyloudnorm (BS.1770-4) within 0.1 LU.
    shown = re.search(r"integrated ([+-]\d+\.\d) LUFS", text)
    assert shown is not None, text
    ref = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert float(shown.group(1)) == pytest.approx(ref, abs=0.1)
    assert "target -23 ± 1 LU" in text  # ebu-r128's band: -23 LUFS +- 1 LU (its rule options)


def test_refuses_to_overwrite_without_force(
    bounce: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    path, _ = bounce
    out = tmp_path / "mine.png"
    out.write_bytes(b"precious")
    done = _run("plot", str(path), "-o", str(out))
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert out.read_bytes() == b"precious"
    done = _run("plot", str(path), "--kind", "spectrum", "-o", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_bad_suffix_and_unreadable_input(bounce: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    path, _ = bounce
    done = _run("plot", str(path), "-o", str(tmp_path / "x.jpg"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert ".png or .svg" in done.stderr
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF1234WAVEnope")
    done = _run("plot", str(junk), "-o", str(tmp_path / "j.png"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "j.png").exists()


def test_missing_matplotlib_is_one_line(bounce: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    """matplotlib blocked by an import hook in a real subprocess: one line, exit 2, no file."""
    path, _ = bounce
    expected = "mixdesk: plotting needs matplotlib: pip install 'mixdesk[report]'\n"
    out = tmp_path / "p.png"
    done = _run("plot", str(path), "-o", str(out), code=BLOCK_MATPLOTLIB)
    assert (done.returncode, done.stderr) == (2, expected)
    assert not out.exists()
    page = tmp_path / "r.html"
    args = ("check", str(path), "--format", "html", "--output-file", str(page))
    done = _run(*args, code=BLOCK_MATPLOTLIB)
    assert done.returncode == 2
    assert done.stderr.endswith(expected)
    assert not page.exists()
    done = _run("watch", str(tmp_path), "--html", code=BLOCK_MATPLOTLIB)
    assert (done.returncode, done.stderr) == (2, expected)
    # Without asking for a plot, check works with matplotlib blocked.
    done = _run("check", str(path), "--format", "json", code=BLOCK_MATPLOTLIB)
    assert done.returncode in (0, 1), done.stderr


def test_plain_check_does_not_import_matplotlib(bounce: tuple[Path, np.ndarray]) -> None:
    path, _ = bounce
    code = (
        "import contextlib, io, sys\n"
        "from qc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', {str(path)!r}, '--format', 'json'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
