"""The linter from the command line: profiles, selection, exit codes, batches, formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.builders import ffmpeg_encode

RATE = 48000


def mixdesk(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def sine(seconds: float, db: float, freq: float = 997.0) -> np.ndarray:
    n = np.arange(round(seconds * RATE))
    x = 10 ** (db / 20) * np.sin(2 * np.pi * freq * n / RATE)
    return np.stack([x, 0.9 * x], axis=1)  # not dual mono


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clean.wav passes the default profile; hot.wav clips at full scale."""
    root = tmp_path_factory.mktemp("album")
    (root / "disc").mkdir()
    sf.write(root / "clean.wav", sine(4, -20), RATE, subtype="PCM_24")
    hot = np.clip(sine(4, 6), -1, 1)
    sf.write(root / "disc" / "hot.wav", hot, RATE, subtype="PCM_24")
    (root / "notes.txt").write_text("not audio, not picked up from a folder")
    return root


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    doc = json.loads(proc.stdout)
    return {Path(f["path"]).name: f for f in doc["files"]}


def test_clean_file_exits_0(album: Path) -> None:
    proc = mixdesk("check", "--format", "json", album / "clean.wav")
    assert proc.returncode == 0, proc.stdout
    assert report(proc)["clean.wav"]["diagnostics"] == []


def test_folder_is_walked_and_errors_exit_1(album: Path) -> None:
    proc = mixdesk("check", "--format", "json", "--jobs", "2", album)
    assert proc.returncode == 1
    files = report(proc)
    assert set(files) == {"clean.wav", "hot.wav"}
    codes = {d["code"] for d in files["hot.wav"]["diagnostics"]}  # type: ignore[attr-defined]
    assert {"CLP001", "TP001"} <= codes


def test_ignore_select_and_exit_zero(album: Path) -> None:
    hot = album / "disc" / "hot.wav"
    assert mixdesk("check", "--ignore", "CLP,TP", hot).returncode == 0
    assert mixdesk("check", "--select", "CH", hot).returncode == 0
    assert mixdesk("check", "--select", "TP001", "--ignore", "TP", hot).returncode == 1
    assert mixdesk("check", "--exit-zero", hot).returncode == 0


def test_fail_level(album: Path) -> None:
    clean = album / "clean.wav"
    # The spotify preview is info; fail-level info turns it into exit 1.
    assert mixdesk("check", "--profile", "spotify", clean).returncode == 0
    assert mixdesk("check", "--profile", "spotify", "--fail-level", "info", clean).returncode == 1


def test_several_profiles_one_pass(album: Path) -> None:
    proc = mixdesk("check", "--format", "json", "--profile", "spotify,cd-redbook",
                   album / "clean.wav")  # fmt: skip
    diags = report(proc)["clean.wav"]["diagnostics"]
    by_code = {d["code"]: d for d in diags}  # type: ignore[union-attr]
    assert by_code["FMT002"]["profile"] == "cd-redbook"  # 48 kHz / 24-bit is not CD
    assert by_code["LUF004"]["profile"] == "spotify"
    assert proc.returncode == 1


@pytest.mark.parametrize(
    ("profile_text", "message"),
    [
        (
            "[rules.true-peak-ceiling]\nmax_dbpt = -1\n",
            "unknown key 'rules.true-peak-ceiling.max_dbpt'",
        ),
        ("[rules.no-such-rule]\n", "unknown rule 'rules.no-such-rule'"),
        ('[rules.full-scale-clipping]\nseverity = "fatal"\n', "unknown severity 'fatal'"),
    ],
)
def test_bad_profile_is_one_line_exit_2(
    tmp_path: Path, album: Path, profile_text: str, message: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(profile_text)
    proc = mixdesk("check", "--profile", bad, album / "clean.wav")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert str(bad) in proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sarif_and_junit_parse(album: Path) -> None:
    sarif = json.loads(mixdesk("check", "--format", "sarif", album).stdout)
    assert sarif["version"] == "2.1.0"
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert "CLP001" in rule_ids
    junit = ET.fromstring(mixdesk("check", "--format", "junit", album).stdout)
    cases = junit.findall(".//testcase")
    assert len(cases) == 2
    assert len(junit.findall(".//failure")) == 1


def test_github_annotations(album: Path) -> None:
    out = mixdesk("check", "--format", "github", album / "disc" / "hot.wav").stdout
    assert any(line.startswith("::error file=") and "CLP001" in line for line in out.splitlines())


def test_text_finding_lines(album: Path) -> None:
    out = mixdesk("check", "--format", "text", album / "disc" / "hot.wav").stdout
    lines = [ln for ln in out.splitlines() if " CLP001 " in ln]
    assert len(lines) == 1
    assert lines[0].startswith(f"{album / 'disc' / 'hot.wav'}:00:")
    assert ": error CLP001 " in lines[0]
    assert "mastering cannot repair clipping" in lines[0]


def test_rules_and_explain() -> None:
    listing = mixdesk("rules").stdout
    for code in ("FMT001", "CLP001", "TP001", "LUF001", "SIL001", "CH001", "HDR001"):
        assert code in listing
    text = mixdesk("explain", "TP001").stdout
    assert "max_dbtp" in text
    assert "dBTP" in text
    assert mixdesk("explain", "NOPE").returncode == 2


def test_json_matches_the_published_schema(album: Path, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(__file__).parents[2] / "docs" / "mixdesk.check-1.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((RATE, 2)), RATE, subtype="PCM_16")
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00")
    proc = mixdesk("check", "--format", "json", "--profile", "spotify,ebu-r128", album, silent,
                   tmp_path / "broken.wav")  # fmt: skip
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, schema)
    assert len(doc["files"]) == 4
    assert doc["summary"]["unreadable"] == 1
    # The validator is strict enough to fail on a renamed key.
    doc["files"][0]["measurements"]["true_peak"] = doc["files"][0]["measurements"].pop(
        "true_peak_dbtp"
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_config_file_per_file_overrides_and_waivers(album: Path, tmp_path: Path) -> None:
    (tmp_path / "mixdesk.toml").write_text(
        """
profile = "default"
fail-level = "error"

[[per-file]]
glob = "**/clean.wav"
profile = ["cd-redbook"]

[[waivers]]
glob = "**/hot.wav"
codes = ["CLP", "TP001"]
reason = "clipped on purpose: the client wants it"

[[waivers]]
glob = "nothing-matches/*.wav"
codes = ["CH"]
reason = "never used"
"""
    )
    shutil.copytree(album, tmp_path / "album")
    proc = mixdesk("check", "--format", "json", "album", cwd=tmp_path)
    files = report(proc)
    clean = {d["code"] for d in files["clean.wav"]["diagnostics"]}  # type: ignore[attr-defined]
    assert "FMT002" in clean  # cd-redbook applied to clean.wav only
    hot = files["hot.wav"]["diagnostics"]
    waived = [d for d in hot if d["code"] in ("CLP001", "TP001")]  # type: ignore[union-attr]
    assert waived
    assert all(
        d["severity"] == "info" and "waived: clipped on purpose" in d["message"] for d in waived
    )
    assert proc.returncode == 1  # FMT002 on clean.wav is still an error
    # A flag beats the config: no FMT002 under the default profile.
    assert mixdesk("check", "--profile", "default", "album", cwd=tmp_path).returncode == 0
    shown = mixdesk("config", "show", cwd=tmp_path).stdout
    assert "cd-redbook" in shown
    assert "clipped on purpose" in shown


@pytest.mark.parametrize(
    ("ext", "args"),
    [
        ("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
        ("m4a", ["-c:a", "aac", "-b:a", "128k"]),
        ("ogg", ["-c:a", "libvorbis"]),
        ("opus", ["-c:a", "libopus"]),
        ("wma", ["-c:a", "wmav2"]),
        ("wav", ["-c:a", "adpcm_ms"]),
        ("wav", ["-c:a", "libmp3lame"]),
    ],
)
def test_lossy_codecs_are_found_by_bytes(
    tmp_path: Path, ffmpeg: str, ext: str, args: list[str]
) -> None:
    encoded = ffmpeg_encode(ffmpeg, tmp_path / f"src.{ext}", *args, seconds=1.0)
    disguised = tmp_path / "final_master.wav"
    encoded.rename(disguised)  # whatever the extension says
    proc = mixdesk("check", "--format", "json", disguised)
    diags = json.loads(proc.stdout)["files"][0]["diagnostics"]
    lossy = [d for d in diags if d["code"] == "FMT001"]
    assert len(lossy) == 1, diags
    assert lossy[0]["severity"] == "error"
    assert "never send lossy audio to mastering" in lossy[0]["message"]
    assert proc.returncode in (1, 2)  # 2 when libsndfile cannot decode it at all
