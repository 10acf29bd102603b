"""Selection you cannot get wrong: every selector path refuses a typo, with a suggestion.

``--select``, ``--ignore``, config ``select``/``ignore``, ``[[per-file]]``
entries and waivers: an entry that matches no rule code, family or rule name is
an error (exit 2) naming it and the nearest codes; rule names are accepted
wherever codes are. And the property that motivates it: a clipped master can
never exit 0 because a selector was mistyped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.checks import ALL_RULES
from qc.cli.main import main
from qc.errors import SelectorError
from qc.selection import FAMILIES, FAMILY_NAMES, parse_selector, suggest

RATE = 48000


def mixdesk(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def loud(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master hard-clipped at full scale: 220 Hz at +4 dB clipped to +-1, 2 s, stereo."""
    folder = tmp_path_factory.mktemp("sel")
    n = np.arange(2 * RATE)
    x = np.clip(10 ** (4 / 20) * np.sin(2 * np.pi * 220 * n / RATE), -1.0, 1.0)
    path = folder / "loud.wav"
    sf.write(path, np.stack([x, 0.9 * x], axis=1), RATE, subtype="PCM_24")
    return path


def test_the_issues_typos_exit_2_with_a_suggestion(loud: Path) -> None:
    proc = mixdesk("check", "--select", "TPP,CLIP", loud)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr == (
        "mixdesk: --select: unknown rule selector 'TPP' (did you mean TP, TP001, TP002?)\n"
    )
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def flat_top(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's loud master: clipped, then lowered to -0.2 dBFS (flat tops, CLP002)."""
    n = np.arange(2 * RATE)
    x = np.clip(10 ** (4 / 20) * np.sin(2 * np.pi * 220 * n / RATE), -1.0, 1.0)
    x *= 10 ** (-0.2 / 20)
    path = tmp_path_factory.mktemp("flat") / "loud.wav"
    sf.write(path, np.stack([x, 0.9 * x], axis=1), RATE, subtype="PCM_24")
    return path


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("clipping", {"CLP002"}),  # a family name: both clipping rules
        ("flat-top-clipping", {"CLP002"}),  # a rule name
        ("clp", {"CLP002"}),  # a family, any case
        ("full-scale-clipping", set()),  # the other rule: it does not fire, exit 0
    ],
)
def test_names_select_their_rules(flat_top: Path, selector: str, expected: set[str]) -> None:
    proc = mixdesk("check", "--format", "text", "--select", selector, flat_top)
    assert proc.returncode == (1 if expected else 0), proc.stderr
    codes = {line.split()[2] for line in proc.stdout.splitlines() if ": error " in line}
    assert codes == expected


@pytest.mark.parametrize(
    ("flag", "value", "named", "hint"),
    [
        ("--select", "CLPP", "'CLPP'", "did you mean CLP"),
        ("--ignore", "TP0001", "'TP0001'", "did you mean TP001"),
        ("--ignore", "clippin", "'clippin'", "did you mean clipping"),
        (
            "--select",
            "true-peek",
            "'true-peek'",
            "did you mean true-peak, codec-true-peak, true-peak-ceiling",
        ),
    ],
)
def test_flag_typo_exits_2(loud: Path, flag: str, value: str, named: str, hint: str) -> None:
    proc = mixdesk("check", flag, value, loud)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"mixdesk: {flag}: unknown rule selector {named}")
    assert hint in line


@pytest.mark.parametrize(
    ("config", "key", "hint"),
    [
        ("select = ['TPP']\n", "'select[0]'", "did you mean TP"),
        ("ignore = ['SIL', 'clipin']\n", "'ignore[1]'", "did you mean clipping"),
        ("[[per-file]]\nglob = '*.wav'\nselect = ['LUFF']\n", "'per-file[0].select[0]'", "LUF"),
        ("[[per-file]]\nglob = '*.wav'\nignore = ['CPL']\n", "'per-file[0].ignore[0]'", "CLP"),
        ("[[waivers]]\nglob = '*.wav'\ncodes = ['CLP01']\nreason = 'on purpose'\n",
         "'waivers[0].codes[0]'", "did you mean CLP001"),
    ],
)  # fmt: skip
def test_config_typo_exits_2(loud: Path, tmp_path: Path, config: str, key: str, hint: str) -> None:
    (tmp_path / "mixdesk.toml").write_text(config)
    proc = mixdesk("check", "--config", tmp_path / "mixdesk.toml", loud)
    assert proc.returncode == 2, proc.stdout
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"mixdesk: {tmp_path / 'mixdesk.toml'}: {key}: unknown rule selector")
    assert hint in line


def test_watch_refuses_a_typo_before_watching(tmp_path: Path) -> None:
    proc = mixdesk("watch", tmp_path, "--select", "TPP")
    assert proc.returncode == 2
    assert "unknown rule selector 'TPP'" in proc.stderr


def test_names_are_accepted_wherever_codes_are(loud: Path, tmp_path: Path) -> None:
    """The same findings whether a config names rules by code or by name."""
    by_code = tmp_path / "code.toml"
    by_name = tmp_path / "name.toml"
    by_code.write_text(
        "ignore = ['CH003']\n[[waivers]]\nglob = '*.wav'\ncodes = ['CLP001']\nreason = 'demo'\n"
    )
    by_name.write_text(
        "ignore = ['dual-mono']\n[[waivers]]\nglob = '*.wav'\ncodes = ['full-scale-clipping']\n"
        "reason = 'demo'\n"
    )
    one = mixdesk("check", "--format", "json", "--config", by_code, loud)
    two = mixdesk("check", "--format", "json", "--config", by_name, loud)
    assert one.returncode == two.returncode
    assert one.stdout == two.stdout
    assert "waived: demo" in one.stdout


def _single_edits(word: str) -> set[str]:
    """Every deletion, transposition, substitution and insertion of one character."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-" if word.isupper() else (
        "abcdefghijklmnopqrstuvwxyz0123456789-"
    )  # fmt: skip
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    return out - {word, ""}


def test_a_clipped_master_never_exits_0_because_of_a_mistyped_selector(
    loud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every one-character typo of the clipping selectors that matches no rule is refused
    (exit 2, before any audio is read); a typo that is itself a selector names rules on
    purpose, and when those include CLP001 (the rule this master breaks) the check fails."""
    valid: set[str] = set()
    typos = set().union(*(_single_edits(w) for w in ("CLP", "CLP001", "clipping")))
    for typo in sorted(typos):
        try:
            prefix = parse_selector(typo)
        except SelectorError:
            assert main(["check", "--format", "text", f"--select={typo}", str(loud)]) == 2, typo
            err = capsys.readouterr().err
            assert f"unknown rule selector {typo!r}" in err, typo
            continue
        if "CLP001".startswith(prefix):
            valid.add(typo)
    assert len(typos) > 500  # the property was tried on many typos
    for typo in sorted(valid):
        assert main(["check", "--format", "text", "--jobs", "1", f"--select={typo}",
                     str(loud)]) == 1, typo  # fmt: skip
        capsys.readouterr()


def test_suggestions_come_from_codes_families_and_names() -> None:
    assert suggest("TPP")[0] == "TP"
    assert suggest("clip") == ["clipping", "flat-top-clipping", "CLP"]
    assert suggest("dithr")[0] == "dither"
    assert suggest("zzzzzz") == []
    for rule in ALL_RULES:  # every code, name and family parses to itself
        assert parse_selector(rule.code.lower()) == rule.code
        assert parse_selector(rule.name) == rule.code
    for family in FAMILIES:
        assert parse_selector(family) == family
    for name, family in FAMILY_NAMES.items():
        assert parse_selector(name) == family


def test_a_huge_selector_is_one_short_line_without_suggestions(tmp_path: Path) -> None:
    """A 100,000-character selector in a config: no difflib over it, a bounded message."""
    config = tmp_path / "mixdesk.toml"
    config.write_text(f"select = ['{'Q' * 100_000}']\n")
    proc = mixdesk("config", "show", "--config", config)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.endswith(f"'select[0]': unknown rule selector '{'Q' * 40}...'")
