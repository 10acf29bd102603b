"""``mixdesk config show --profile NAME`` prints every threshold with its status and source."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from qc.checks import ALL_RULES
from qc.profiles import rules_dir


def show(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "qc", "config", "show", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("name", ["spotify", "cd-redbook"])
def test_every_rule_and_threshold_with_status_and_source(name: str) -> None:
    proc = show("--profile", name)
    assert proc.returncode == 0, proc.stderr
    shown = tomllib.loads(proc.stdout)  # the output is TOML
    for rule in ALL_RULES:
        table = shown["rules"][rule.name]
        assert {"enabled", "severity"} <= set(table)
        assert {o.name for o in rule.options} <= set(table)
    # Every value the profile file (and what it extends) sets is shown as set, with its
    # status and source, read here from the TOML files themselves.
    files = [tomllib.loads((rules_dir() / f"{name}.toml").read_text())]
    while "extends" in files[-1]:
        files.append(tomllib.loads((rules_dir() / f"{files[-1]['extends']}.toml").read_text()))
    merged: dict[str, dict[str, object]] = {}
    for data in reversed(files):
        for rule_name, table in data.get("rules", {}).items():
            merged.setdefault(rule_name, {}).update(table)
    assert merged
    for rule_name, table in merged.items():
        for key, value in table.items():
            expected = list(value) if isinstance(value, list) else value
            assert shown["rules"][rule_name][key] == expected, (rule_name, key)


def test_an_unknown_profile_exits_2_with_a_suggestion() -> None:
    proc = show("--profile", "spotfy")
    assert proc.returncode == 2
    assert proc.stderr.startswith("mixdesk: unknown profile 'spotfy' (did you mean spotify? ")
