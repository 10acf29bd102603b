"""Profiles load, inherit and fail loudly; the wheel ships them as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qc.errors import ProfileError
from qc.profiles import available_profiles, load_profile

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_profile_loads() -> None:
    names = available_profiles()
    assert "default" in names
    for name in names:
        assert load_profile(name).name == name


def test_default_values() -> None:
    m = load_profile("default").measure
    assert (m.true_peak_method, m.over_dbtp, m.clip_min_run) == ("accurate", -1.0, 3)


def test_extends_overrides_only_what_it_names(tmp_path: Path) -> None:
    child = tmp_path / "broadcast.toml"
    child.write_text('extends = "default"\ndescription = "x"\n[measure]\nover_dbtp = -2\n')
    p = load_profile(str(child))
    assert p.measure.over_dbtp == -2.0
    assert p.measure.true_peak_method == "accurate"  # inherited
    grandchild = tmp_path / "g.toml"
    grandchild.write_text('extends = "broadcast.toml"\n[measure]\ntrue_peak_method = "bs1770"\n')
    g = load_profile(str(grandchild))
    assert (g.measure.over_dbtp, g.measure.true_peak_method) == (-2.0, "bs1770")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo = 1\n", "unknown key 'foo'"),
        ("[measure]\nover_dbpt = -1\n", "unknown key 'measure.over_dbpt'"),
        ('[measure]\nover_dbtp = "loud"\n', "'measure.over_dbtp' has the wrong type"),
        ('[measure]\ntrue_peak_method = "16x"\n', "expected one of accurate, bs1770"),
        ("[measure]\nclip_min_run = 0\n", "at least 1"),
        ("[measure\n", "invalid TOML"),
        ('extends = "self.toml"\n', "loops back"),
        ('extends = "no-such-profile"\n', "unknown profile 'no-such-profile'"),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "self.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_profile_file() -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile("/nonexistent/p.toml")


def test_wheel_ships_rules_inside_qc(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("mixdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"qc/rules/{p.name}" for p in (ROOT / "rules").glob("*.toml")}
    assert shipped
    assert shipped <= names
    assert {"qc/py.typed", "bridge/py.typed"} <= names
    assert not any(n.startswith("rules/") for n in names)  # no top-level "rules" package
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mixdesk = qc.cli.main:main" in zipfile.ZipFile(wheel).read(entry).decode()
