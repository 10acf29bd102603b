"""The Python API: ``qc.check`` / ``qc.check_files`` agree with ``mixdesk check --format json``."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

import qc

RATE = 48000


def sine(seconds: float, db: float, freq: float = 997.0) -> np.ndarray:
    n = np.arange(round(seconds * RATE))
    x = 10 ** (db / 20) * np.sin(2 * np.pi * freq * n / RATE)
    return np.stack([x, 0.9 * x], axis=1)


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a config (profile, per-file ignore, a waiver) and three masters."""
    root = tmp_path_factory.mktemp("api")
    (root / "stems").mkdir()
    sf.write(root / "hot.wav", np.clip(sine(3, 6), -1, 1), RATE, subtype="PCM_24")
    sf.write(root / "quiet.wav", sine(3, -38), RATE, subtype="PCM_16")
    sf.write(root / "stems" / "fx.wav", np.clip(sine(3, 3), -1, 1), RATE, subtype="PCM_24")
    (root / "mixdesk.toml").write_text(
        'profile = ["spotify", "default"]\n'
        "[[per-file]]\nglob = 'stems/**'\nignore = ['LUF']\n"
        "[[waivers]]\nglob = 'stems/*.wav'\ncodes = ['clipping', 'TP']\nreason = 'FX'\n"
    )
    return root


def cli_json(*args: str | Path, cwd: Path) -> dict[str, Any]:
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", "--format", "json", "--jobs", "1", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def api_in_a_fresh_process(paths: list[Path]) -> list[dict[str, Any]]:
    """``qc.check_files`` run as the CLI runs: a new process with one BLAS thread.

    The true-peak meter's sums differ in their last bits with the BLAS thread
    count, and ``mixdesk`` pins it to one before numpy loads; so does this.
    """
    code = (
        "import dataclasses, json, sys, qc\n"
        "print(json.dumps([dataclasses.asdict(r) for r in qc.check_files(sys.argv[1:])]))\n"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    out: list[dict[str, Any]] = json.loads(proc.stdout)
    return out


def test_api_matches_the_cli_json_on_the_same_files_and_config(album: Path) -> None:
    names = ["hot.wav", "quiet.wav", "stems/fx.wav"]
    doc = cli_json(*names, cwd=album)
    api = api_in_a_fresh_process([album / n for n in names])
    assert len(api) == len(doc["files"]) == 3
    for mine, theirs in zip(api, doc["files"], strict=True):
        profiles = mine.pop("profiles")
        assert mine.pop("fail_level") == "error"
        assert mine == {**theirs, "path": str(album / theirs["path"])}
        assert profiles == ["spotify", "default"]
    # In this process too (BLAS threads may differ): the same codes and severities.
    results = qc.check_files([album / n for n in names])
    for ours, theirs in zip(results, doc["files"], strict=True):
        assert [(d.code, d.severity) for d in ours.diagnostics] == [
            (d["code"], d["severity"]) for d in theirs["diagnostics"]
        ]
    # The config really applied: spotify, the per-file ignore and the waiver.
    hot, quiet, fx = results
    assert hot.profiles == ("spotify", "default")
    assert {d.code for d in hot.diagnostics} >= {"CLP001", "TP001", "LUF004"}
    assert "LUF005" in {d.code for d in quiet.diagnostics}
    assert not any(d.code.startswith("LUF") for d in fx.diagnostics)
    assert {d.severity for d in fx.diagnostics if d.code in ("CLP001", "TP001")} == {"info"}
    assert hot.failed
    assert not fx.failed


def test_profile_and_select_override_the_config_as_the_flags_do(album: Path) -> None:
    doc = cli_json("--profile", "ebu-r128", "--select", "LUF,true-peak-ceiling", "hot.wav",
                   cwd=album)  # fmt: skip
    [ours] = qc.check_files([album / "hot.wav"], "ebu-r128", select=["LUF", "true-peak-ceiling"])
    assert [dataclasses.asdict(d) for d in ours.diagnostics] == doc["files"][0]["diagnostics"]
    assert {d.code for d in ours.diagnostics} <= {"LUF001", "LUF004", "LUF005", "TP001"}


def test_config_false_ignores_the_nearest_config(album: Path) -> None:
    ours = qc.check(album / "stems" / "fx.wav", config=False)
    assert ours.profiles == ("default",)
    assert {d.severity for d in ours.diagnostics if d.code == "CLP001"} == {"error"}


def test_results_are_frozen_and_named_as_the_json_keys(album: Path) -> None:
    result = qc.check(album / "hot.wav", profile="spotify")
    assert result.measurements is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.measurements.true_peak_dbtp = 0.0  # type: ignore[misc]
    obj = cli_json("--profile", "spotify", "hot.wav", cwd=album)["files"][0]
    assert set(dataclasses.asdict(result.measurements)) == set(obj["measurements"])
    assert set(dataclasses.asdict(result.measurements.dither)) == set(obj["measurements"]["dither"])


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"profile": "spotfy"}, qc.ProfileError, "did you mean spotify?"),
        ({"select": ["TPP"]}, qc.SelectorError, "did you mean TP"),
        ({"ignore": ["clippin"]}, qc.SelectorError, "did you mean clipping"),
        ({"config": "/nonexistent/mixdesk.toml"}, qc.ProfileError, "mixdesk.toml"),
    ],
)
def test_bad_input_raises_a_qc_error(
    album: Path, kwargs: dict[str, Any], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text.replace("?", r"\?")):
        qc.check(album / "hot.wav", **kwargs)


def test_an_unreadable_file_raises_from_check_and_is_reported_by_check_files(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    with pytest.raises(qc.AudioReadError) as info:
        qc.check(bad)
    assert str(bad) in str(info.value)
    [result] = qc.check_files([bad])
    assert result.error is not None
    assert [d.code for d in result.diagnostics] == ["FMT003"]


def test_the_api_is_exported() -> None:
    for name in ("check", "check_files", "CheckResult", "Finding", "QCError", "SelectorError"):
        assert name in qc.__all__
        assert getattr(qc, name) is not None
