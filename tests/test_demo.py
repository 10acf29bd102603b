"""``mixdesk demo`` runs the whole loop, and the two halves stay apart elsewhere."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


def test_demo_runs_the_loop_and_the_daemon_checks_the_bounce(tmp_path: Path) -> None:
    keep = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "demo", "--seconds", "12", "--keep", str(keep)],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    bounce = keep / "renders" / "mix-take01.wav"
    info = sf.info(bounce)
    assert (info.subtype, info.samplerate, info.channels) == ("PCM_24", 48000, 2)
    assert abs(info.duration - 12.0) < 0.01
    lines = [json.loads(line) for line in (keep / "qc.ndjson").read_text().splitlines()]
    assert len(lines) == 1  # checked exactly once
    record = lines[0]
    assert Path(record["path"]).name == "mix-take01.wav"
    assert record["event"]["trigger"] in ("closed", "settled", "renamed")
    assert record["event"]["outcome"] == "checked"
    assert {d["profile"] for d in record["diagnostics"]} <= {"mix-for-mastering", "spotify"}
    assert any(d["code"] == "LUF004" and d["profile"] == "spotify" for d in record["diagnostics"])
    # The mix script's balance reached the bounce: the master sits 2 dB down and
    # nothing clips, so the mix leaves headroom for mastering.
    assert record["measurements"]["sample_peak_dbfs"] < -3.0
    assert "mixing over OSC (4 tracks" in proc.stdout
    # The printed mix shows the channel strip and the reverb send as the DAW confirmed them.
    assert "    bass   EQ: High-pass freq 40 Hz\n" in proc.stdout
    assert (
        "    bass   Compressor: Threshold -18 dB, Ratio 4:1, Attack 10 ms, Release 120 ms,"
        " Makeup 3 dB\n" in proc.stdout
    )
    assert "    lead   send 1 → Reverb -12.0 dB (decay 2.2 s)\n" in proc.stdout


def test_demo_leaves_no_temporary_folder(tmp_path: Path) -> None:
    tmp, work = tmp_path / "tmp", tmp_path / "work"
    tmp.mkdir()
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "demo", "--seconds", "4"],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=work,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert proc.returncode == 0, proc.stderr
    assert f"in {tmp}/mixdesk-demo-" in proc.stdout  # it did use this temporary folder
    assert list(tmp.iterdir()) == []
    assert list(work.iterdir()) == []
    # A stem count the example song does not have is a usage error, not a traceback.
    bad = subprocess.run(
        [sys.executable, "-m", "qc", "demo", "--stems", "2"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=work,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "--stems" in bad.stderr
    assert list(tmp.iterdir()) == []


SHARED = frozenset({"qc.printable", "qc.safe_io"})
"""The two leaf helpers the bridge shares with qc (issue 2.2 asks for one of each): text
made printable before a terminal, and files written without following a link."""


def _imports(path: Path, *, shared_ok: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names if not (shared_ok and n in SHARED)}
    return found


def test_qc_and_bridge_never_import_each_other_except_the_demo() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "bridge").rglob("*.py"))
        if "qc" in _imports(p, shared_ok=True)
    ]
    offenders += [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "qc").rglob("*.py"))
        if "bridge" in _imports(p) and p != ROOT / "qc" / "cli" / "demo.py"
    ]
    assert offenders == []
    assert "bridge" in _imports(ROOT / "qc" / "cli" / "demo.py")  # the check can fail
    # The shared helpers stay leaves: nothing of the bridge, and of qc only errors and sniff.
    for name in SHARED:
        module = ROOT / (name.replace(".", "/") + ".py")
        assert "bridge" not in _imports(module)
    assert "qc" in _imports(ROOT / "bridge" / "cli" / "_common.py")  # the allowance is used
