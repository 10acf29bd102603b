"""``mixdesk check`` starts light: no other command's modules, no plugins, no bridge.

Run in a fresh interpreter (a subprocess), since this test process has imported
everything already; the check itself is real (a 3 s file, exit 0).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

PROBE = (
    "import sys\n"
    "from qc.cli.main import main\n"
    "code = main(sys.argv[1:])\n"
    "mods = sorted(m for m in sys.modules if m.split('.')[0] in {'bridge', 'qc', 'importlib'})\n"
    "print(repr((code, mods)), file=sys.stderr)\n"
)


def test_check_imports_no_other_command(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    t = np.arange(3 * 48000) / 48000
    sf.write(path, np.stack([0.25 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1), 48000)
    run = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    code, mods = ast.literal_eval(run.stderr.strip().splitlines()[-1])  # written by PROBE
    assert code == 0, run.stderr
    assert json.loads(run.stdout)["files"][0]["path"].endswith("tone.wav")
    assert "qc.cli.check" in mods
    for absent in ("qc.cli.fix", "qc.cli.watch", "qc.cli.completion", "qc.fix", "bridge"):
        assert not any(m == absent or m.startswith(absent + ".") for m in mods), absent
    assert "importlib.metadata" not in mods  # the plugins' entry points were not read


def test_other_commands_still_have_every_parser() -> None:
    from qc.cli.main import build_parser

    full = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    alone = build_parser("check")._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"check", "fix", "watch", "rules", "completion"} <= set(full)
    assert set(alone) == {"check"}
    assert alone["check"].format_help() == full["check"].format_help()
