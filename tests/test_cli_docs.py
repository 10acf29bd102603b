"""docs/cli.md documents every ``mixdesk`` command with its current ``--help`` and real runs.

The page is written by ``python docs/gen_cli.py``. These tests fail when a command,
an option or a help string changes without the page being regenerated, and when
the regenerated output of the QC examples (``check``, ``rules``, ``explain``)
differs from the page. The whole page takes about a minute to regenerate, so the
bridge, watch and demo examples are compared only by ``python docs/gen_cli.py
--check``.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from qc.cli.main import build_parser

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "cli.md"
FIX = "docs/cli.md is stale: run python docs/gen_cli.py"


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(build_parser()))


def _name(path: tuple[str, ...]) -> str:
    return " ".join(("mixdesk", *path))


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda p: " ".join(p) or "mixdesk")
def test_every_command_is_documented_with_its_current_help(
    path: tuple[str, ...], doc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = COMMANDS[path].format_help()
    text = "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())
    name = _name(path)
    assert f"`{name}`\n" in doc, f"no section for {name}; {FIX}"
    assert f"```\n$ {name} --help\n{text}\n```\n" in doc, f"{name} --help changed; {FIX}"


def test_the_page_documents_no_command_that_is_gone(doc: str) -> None:
    documented = set(re.findall(r"^\$ (mixdesk(?: [\w-]+)*) --help$", doc, re.MULTILINE))
    assert documented == {_name(p) for p in COMMANDS}, FIX


@pytest.mark.parametrize("path", [p for p in COMMANDS if p], ids=" ".join)
def test_every_command_has_a_real_example(path: tuple[str, ...], doc: str) -> None:
    runs = [
        line
        for line in re.findall(rf"^\$ mixdesk {path[0]}\b.*$", doc, re.MULTILINE)
        if "--help" not in line and all(re.search(rf"\b{w}\b", line) for w in path[1:])
    ]
    assert runs, f"no example of {_name(path)} in docs/cli.md"


def _gen_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli", REPO / "docs" / "gen_cli.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_qc_examples_regenerate_to_the_page(doc: str) -> None:
    only = {"check", "rules", "explain"}
    _, sections = _gen_cli().generate(only=only)
    for name in sorted(only):
        assert sections[name] in doc, f"the mixdesk {name} section changed; {FIX}"


def test_help_has_no_docstring_markup() -> None:
    """``--help`` is read on a terminal: no RST double backquotes, no cut sentences."""
    for path, parser in _commands(build_parser()):
        text = parser.format_help()
        assert "``" not in text, f"mixdesk {' '.join(path)} --help shows RST markup"
