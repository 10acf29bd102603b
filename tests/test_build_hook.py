"""hatch_build.py: the compiled kernels are built at install, and a missing compiler is a warning.

The hook's compile step is run here for real (the machine's C compiler, into a
temporary folder); the library it writes must load and carry the stamp of the
``kernels.c`` beside the loader. Without a compiler, or with one that fails,
the build goes on and says why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hatch_build  # the repository root's build hook
from qc.measure import native


def test_the_hook_builds_a_library_the_loader_takes(tmp_path: Path) -> None:
    if hatch_build.compiler() is None:
        pytest.skip("no C compiler")
    out = tmp_path / hatch_build.NAME
    assert hatch_build.compile_kernels(out) is None
    lib, status = native.open_library(out, native.SOURCE)
    assert lib is not None, status
    assert lib.mixdesk_kernels_hash().decode() == native.source_hash()


def test_a_failing_compiler_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "false")  # /bin/false: exits 1 at once
    why = hatch_build.compile_kernels(tmp_path / hatch_build.NAME)
    assert why is not None
    assert why.startswith("false ")
    assert "failed" in why
    assert not (tmp_path / hatch_build.NAME).exists()


def test_no_compiler_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run in there
    monkeypatch.setattr(hatch_build.sysconfig, "get_config_var", lambda _name: None)
    assert hatch_build.compiler() is None
    assert hatch_build.compile_kernels(tmp_path / hatch_build.NAME) == (
        "no C compiler (set CC, or install gcc)"
    )
