"""Release readiness: one version everywhere, and shell completion that works in a real bash."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bridge
import qc
from qc._version import __version__ as source_version
from qc.cli.completion import render, walk
from qc.cli.main import build_parser, main
from qc.profiles import available_profiles

ROOT = Path(__file__).resolve().parents[1]


def test_versions_agree_with_the_installed_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    installed = importlib.metadata.version("mixdesk")
    assert installed == source_version == qc.__version__ == bridge.__version__
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mixdesk {installed}"


def test_console_script_reports_the_installed_version() -> None:
    script = Path(sys.executable).with_name("mixdesk")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "qc"]
    proc = subprocess.run(
        [*command, "--version"], check=True, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.strip() == f"mixdesk {importlib.metadata.version('mixdesk')}"


def test_bridge_version_does_not_read_qc() -> None:
    # bridge falls back to "0+unknown" when the distribution is not installed, never to qc.
    code = (
        "import importlib.metadata as m, sys\n"
        "def missing(name): raise m.PackageNotFoundError(name)\n"
        "m.version = missing\n"
        "import bridge\n"
        "assert not any(n == 'qc' or n.startswith('qc.') for n in sys.modules), 'qc imported'\n"
        "print(bridge.__version__)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert proc.stdout.strip() == "0+unknown"


def test_changelog_has_the_release_section_and_ships_in_the_sdist() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{source_version}] - unreleased" in text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"CHANGELOG.md"' in pyproject


@pytest.fixture(scope="module")
def bash_script() -> str:
    return render("bash", walk(build_parser()))


def complete(script: str, words: list[str]) -> list[str]:
    """Run the generated bash completion for ``words`` (the last one is being typed)."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed: cannot run the bash completion script")
    driver = (
        'source /dev/stdin <<<"$SCRIPT"\n'
        'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
        "_mixdesk\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    proc = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", driver, "bash", *words],
        check=True,
        capture_output=True,
        text=True,
        env={"SCRIPT": script, "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    return proc.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["mixdesk", "mi"], ["mix"]),
        (["mixdesk", "check", "--pro"], ["--profile"]),
        (["mixdesk", "check", "--fail-level", "w"], ["warning"]),
        (["mixdesk", "config", ""], ["show"]),
        (["mixdesk", "mix", "--daw", "virtual", "st"], ["status"]),
        (["mixdesk", "completion", "f"], ["fish"]),
        (["mixdesk", "check", "--format", "=", "ju"], ["junit"]),
        (["mixdesk", "check", "--format=ju"], ["--format=junit"]),
        (["mixdesk", "demo", "--s"], ["--seconds", "--stems"]),
    ],
)
def test_bash_completion(bash_script: str, words: list[str], expected: list[str]) -> None:
    assert complete(bash_script, words) == expected


def test_bash_completes_every_command_and_the_shipped_profiles(bash_script: str) -> None:
    commands = set(complete(bash_script, ["mixdesk", ""]))
    assert {"check", "watch", "mix", "demo", "automate", "completion"} <= commands
    assert complete(bash_script, ["mixdesk", "check", "--profile", ""]) == available_profiles()
    assert "spotify" in available_profiles()


def test_completion_command_prints_each_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    assert "complete -o bashdefault -o default -F _mixdesk mixdesk" in capsys.readouterr().out
    assert main(["completion", "zsh"]) == 0
    zsh = capsys.readouterr().out
    assert zsh.startswith("#compdef mixdesk")
    assert "bashcompinit" in zsh
    assert main(["completion", "fish"]) == 0
    fish = capsys.readouterr().out
    assert "complete -c mixdesk -f -n __fish_use_subcommand -a check" in fish
    assert "-l profile -r -f -a" in fish
    assert "spotify" in fish


def test_generated_scripts_parse(tmp_path: Path) -> None:
    parser = build_parser()
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    path = tmp_path / "mixdesk.bash"
    path.write_text(render("bash", walk(parser)))
    subprocess.run([bash, "-n", str(path)], check=True, timeout=30)
    fish = shutil.which("fish")
    if fish is not None:
        path = tmp_path / "mixdesk.fish"
        path.write_text(render("fish", walk(parser)))
        subprocess.run([fish, "--no-execute", str(path)], check=True, timeout=30)
