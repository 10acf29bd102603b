"""Hostile profiles and configs through the real CLI: one line, exit 2, bounded time and memory.

An album folder's ``mixdesk.toml`` is found automatically, so whatever it names
(a FIFO, ``/dev/zero``, a 2 MiB file, 1,000-deep nesting, numbers no float
holds, 300-character names, long ``extends`` chains, backtracking globs) must
end in one ``mixdesk: ...`` line naming the file, exit status 2 and no
traceback, within seconds and a 1 GiB address space (issue 17).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

TIMEOUT_S = 20.0
FAST_S = 10.0
MEMORY_LIMIT = 1 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m qc check ARGS`` in ``cwd``, bounded in time and memory; with its duration."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", *args],
        capture_output=True,
        encoding="utf-8",
        env=dict(os.environ, NO_COLOR="1", COLUMNS="100"),
        cwd=cwd,
        timeout=TIMEOUT_S,
        preexec_fn=_limit_memory,
        check=False,
    )
    return proc, time.monotonic() - start


@pytest.fixture
def album(tmp_path: Path) -> Path:
    """``album/master.wav``: a short quiet tone, with room for a ``mixdesk.toml``."""
    folder = tmp_path / "album"
    folder.mkdir()
    t = np.arange(4800) / 48000
    tone = 0.1 * np.sin(2 * np.pi * 997 * t)
    sf.write(folder / "master.wav", np.column_stack([tone, tone]), 48000, subtype="PCM_24")
    return folder


def refused(album: Path, config: str, *names: str) -> str:
    """Check with ``config`` as the album's ``mixdesk.toml``: one line naming ``names``, exit 2."""
    (album / "mixdesk.toml").write_text(config)
    proc, seconds = check("album/master.wav", cwd=album.parent)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr[-2000:]
    assert proc.stderr.startswith("mixdesk: ")
    for name in names:
        assert name in proc.stderr, proc.stderr
    assert seconds < FAST_S
    return proc.stderr


def test_dev_zero_as_profile(album: Path) -> None:
    err = refused(album, 'profile = "/dev/zero"\n', "/dev/zero", str(album / "mixdesk.toml"))
    assert "not a regular profile file" in err


def test_fifo_as_profile(album: Path) -> None:
    os.mkfifo(album / "pipe.toml")  # nobody ever writes: opening it must not wait
    err = refused(album, 'profile = "pipe.toml"\n', "pipe.toml")
    assert "is a FIFO" in err


def test_fifo_as_explicit_config(album: Path) -> None:
    os.mkfifo(album / "pipe.toml")
    proc, seconds = check("--config", "album/pipe.toml", "album/master.wav", cwd=album.parent)
    assert proc.returncode == 2
    assert proc.stderr == "mixdesk: album/pipe.toml: is a FIFO, not a regular config file\n"
    assert seconds < FAST_S


def test_two_mib_profile(album: Path) -> None:
    (album / "big.toml").write_text("# padding\n" * ((2 << 20) // 10 + 1))
    err = refused(album, 'profile = "big.toml"\n', "big.toml")
    assert "larger than 1 MiB" in err


def test_two_mib_config(album: Path) -> None:
    err = refused(album, 'profile = "default"\n' + "#" * (2 << 20) + "\n", "mixdesk.toml")
    assert "larger than 1 MiB" in err


@pytest.mark.parametrize(
    "body",
    [
        "x = " + "[" * 1000 + "]" * 1000,
        "x = " + "{a = " * 1000 + "}" * 1000,
        "a" + ".a" * 1000 + " = 1",
        "[" + ".".join(["a"] * 1000) + "]",
    ],
    ids=["arrays", "inline-tables", "dotted-keys", "table-header"],
)
def test_thousand_deep_nesting_in_a_profile(album: Path, body: str) -> None:
    (album / "deep.toml").write_text(body + "\n")
    err = refused(album, 'profile = "deep.toml"\n', "deep.toml")
    assert "nested deeper than 32 levels" in err


def test_thousand_deep_nesting_in_a_config(album: Path) -> None:
    err = refused(album, "x = " + "[" * 1000 + "]" * 1000 + "\n", "mixdesk.toml")
    assert "nested deeper than 32 levels" in err


@pytest.mark.parametrize(
    ("table", "value", "problem"),
    [
        ("rules.true-peak-ceiling", "max_dbtp = " + "1" + "0" * 400, "out of range"),
        ("measure", "over_dbtp = " + "1" + "0" * 400, "out of range"),
        ("rules.true-peak-ceiling", "max_dbtp = 1e400", "is inf; expected a finite number"),
        ("rules.true-peak-ceiling", "max_dbtp = nan", "is nan; expected a finite number"),
        ("measure", "clip_tolerance = -inf", "is -inf; expected a finite number"),
        ("measure", "clip_min_run = " + "9" * 5000, "invalid TOML"),
    ],
    ids=["int-10e400-option", "int-10e400-measure", "1e400", "nan", "-inf", "5000-digits"],
)
def test_numbers_no_float_holds(album: Path, table: str, value: str, problem: str) -> None:
    (album / "num.toml").write_text(f"[{table}]\n{value}\n")
    err = refused(album, 'profile = "num.toml"\n', "num.toml")
    assert problem in err
    if "range" in problem or "finite" in problem:
        key = f"'{table}.{value.split(maxsplit=1)[0]}'"
        assert key in err


def test_300_character_profile_name_in_a_config(album: Path) -> None:
    err = refused(album, f'profile = "{"x" * 300}"\n', str(album / "mixdesk.toml"), "'profile'")
    assert "longer than 255 characters" in err


def test_300_character_profile_path_in_a_config(album: Path) -> None:
    err = refused(album, f'profile = "{"x" * 300}.toml"\n', "mixdesk.toml")
    assert "longer than 255 bytes" in err


def test_300_character_extends(album: Path) -> None:
    (album / "child.toml").write_text(f'extends = "{"x" * 300}"\n')
    err = refused(album, 'profile = "child.toml"\n', "child.toml", "'extends'")
    assert "longer than 255 characters" in err


def test_a_252_character_extends_is_an_unknown_profile_not_a_traceback(album: Path) -> None:
    """Within the 255-character name limit, but too long a file name with ".toml"."""
    (album / "child.toml").write_text(f'extends = "{"x" * 252}"\n')
    err = refused(album, 'profile = "child.toml"\n', "child.toml", "'extends'")
    assert "unknown profile" in err


def test_profile_name_with_a_backslash(album: Path) -> None:
    err = refused(album, 'profile = "..\\\\spotify"\n', "mixdesk.toml")
    assert "contains a path separator" in err


def test_config_naming_an_unknown_profile_names_the_config(album: Path) -> None:
    err = refused(album, '[[per-file]]\nglob = "*.wav"\nprofile = ["nosuch"]\n', "mixdesk.toml")
    assert "'per-file[0].profile[0]': unknown profile 'nosuch'" in err


def _chain(folder: Path, length: int) -> None:
    """``c0.toml`` extends ``c1.toml`` ... up to ``c{length-1}.toml``, which extends default."""
    for i in range(length):
        parent = f"c{i + 1}.toml" if i + 1 < length else "default"
        (folder / f"c{i}.toml").write_text(f'extends = "{parent}"\n')


def test_eighteen_deep_extends_chain_is_not_a_loop(album: Path) -> None:
    _chain(album, 18)
    (album / "mixdesk.toml").write_text('profile = "c0.toml"\n')
    proc, _ = check("--format", "json", "album/master.wav", cwd=album.parent)
    assert proc.returncode in (0, 1), proc.stderr
    assert "loops" not in proc.stderr
    assert '"c0"' in proc.stdout


def test_extends_chain_past_the_limit_says_depth_exceeded(album: Path) -> None:
    _chain(album, 40)
    err = refused(album, 'profile = "c0.toml"\n', "c31.toml")
    assert "deeper than 32 profiles (depth exceeded)" in err
    assert "loops" not in err


def test_per_file_glob_with_many_stars_is_fast(album: Path) -> None:
    """``*a*a…*az`` backtracked 13 s per file at 12 stars and over 30 s at 14."""
    glob = "*a" * 16 + "z"
    name = "a" * 60 + ".wav"
    (album / name).write_bytes((album / "master.wav").read_bytes())
    (album / "mixdesk.toml").write_text(f'[[per-file]]\nglob = "{glob}"\nignore = ["TP"]\n')
    proc, seconds = check("--format", "json", f"album/{name}", cwd=album.parent)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert seconds < FAST_S


def test_glob_longer_than_the_limit(album: Path) -> None:
    err = refused(album, f'[[per-file]]\nglob = "{"*" * 2000}"\n', "mixdesk.toml")
    assert "'per-file[0].glob' is longer than 1024 characters" in err
