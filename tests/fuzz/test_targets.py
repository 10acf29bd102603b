"""The fuzz targets in the normal suite: the committed corpus, then hypothesis mutations of it.

Each target raises only on a crash (see ``tests/fuzz/targets.py``), so a test
just calls it. The atheris runner itself gets one short smoke run.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import targets
from tests.fuzz.make_corpus import CORPUS, SEEDS

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(targets.TARGETS)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def _seeds(name: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((CORPUS / name).iterdir())]


def test_the_committed_corpus_is_what_make_corpus_writes() -> None:
    for name, make in SEEDS.items():
        committed = {p.name: p.read_bytes() for p in (CORPUS / name).iterdir()}
        assert committed == make(), f"run python -m tests.fuzz.make_corpus ({name})"
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 100_000


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_file_replays_without_a_crash(name: str) -> None:
    for data in _seeds(name):
        targets.TARGETS[name](data)


@st.composite
def _mutated(draw: st.DrawFn, name: str) -> bytes:
    """A seed, then a few of: truncate, flip bytes, overwrite a 32-bit size, splice, insert."""
    data = bytearray(draw(st.sampled_from(_seeds(name))))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("cut", "flip", "size", "insert", "splice")))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "cut":
            del data[at:]
        elif op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "size":
            size = draw(st.sampled_from((0, 1, 3, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 65536)))
            order = draw(st.sampled_from(("<I", ">I")))
            data[at : at + 4] = struct.pack(order, size)
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=16))
        else:
            other = draw(st.sampled_from(_seeds(name)))
            data[at:] = other[draw(st.integers(0, len(other))) :]
        if not data:
            data = bytearray(b"\x00")
    return bytes(data)


@pytest.mark.parametrize("name", NAMES)
def test_mutated_seeds_never_crash(name: str) -> None:
    @FAST
    @given(data=_mutated(name))
    def check(data: bytes) -> None:
        targets.TARGETS[name](data)

    check()


@pytest.mark.parametrize(
    "name", ["osc_bridge", "osc_virtual", "profile", "config", "lanes", "scene"]
)
def test_random_bytes_never_crash(name: str) -> None:
    @FAST
    @given(data=st.binary(max_size=256))
    def check(data: bytes) -> None:
        targets.TARGETS[name](data)

    check()


def test_the_atheris_runner_runs_a_target(tmp_path: Path) -> None:
    try:
        import atheris  # noqa: F401
    except ImportError as err:
        reason = f"atheris is not installed ({err}); pip install -e '.[dev]' on Linux x86_64"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must have it")
        print(reason)
        pytest.skip(reason)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", "osc_bridge", "--seconds", "3",
         "--corpus", str(tmp_path / "corpus"), "--artifacts", str(tmp_path / "crashes")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    summary = json.loads(proc.stdout.splitlines()[-1].removeprefix("FUZZ-SUMMARY "))
    assert summary["crashes"] == 0
    assert summary["execs"] > 0
    assert not list((tmp_path / "crashes").iterdir())
