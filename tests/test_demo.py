"""``mixdesk demo`` runs the whole loop, and the two halves stay apart elsewhere."""

from __future__ import annotations

import ast
import json
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


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_qc_and_bridge_never_import_each_other_except_the_demo() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "bridge").rglob("*.py"))
        if "qc" in _imports(p)
    ]
    offenders += [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "qc").rglob("*.py"))
        if "bridge" in _imports(p) and p != ROOT / "qc" / "cli" / "demo.py"
    ]
    assert offenders == []
    assert "bridge" in _imports(ROOT / "qc" / "cli" / "demo.py")  # the check can fail
