"""``mixdesk check`` end to end: the real command in a subprocess on real files.

Covers the ``mixdesk.check/1`` JSON contract against analytic values, null
(never NaN/Infinity) for undefined levels, exit codes of batches, one-line
errors for every kind of bad input, hostile file names, ``--output-file``,
the text layout, ``--version`` and bounded time/memory on lying headers.
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
import soundfile as sf

from qc._version import __version__
from tests.builders import hand_wav

RATE = 48000
FREQ = 997.0
PEAK_DBFS = -20.0
AMPLITUDE = 10 ** (PEAK_DBFS / 20)
RUN_TIMEOUT_S = 60.0
DATA_1K = b"\1\0" * 512

FORMAT_KEYS = {
    "container",
    "codec",
    "subtype",
    "bit_depth",
    "sample_rate",
    "channels",
    "frames",
    "duration_s",
}
MEASUREMENT_KEYS = {
    "integrated_lufs",
    "loudness_range_lu",
    "max_momentary_lufs",
    "max_short_term_lufs",
    "sample_peak_dbfs",
    "true_peak_dbtp",
    "true_peak_time_s",
    "clipped_runs",
    "clipped_samples",
    "longest_clip_run",
    "dc_offset",
}
FILE_KEYS = {"path", "error", "format", "measurements", "diagnostics"}

# BS.1770-4 K-weighting at 48 kHz: (b, a) of the shelf and the high-pass stages.
K_STAGES = (
    (
        (1.53512485958697, -2.69169618940638, 1.19839281085285),
        (1.0, -1.69065929318241, 0.73248077421585),
    ),
    ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621)),
)


# --- helpers -------------------------------------------------------------------------


def run_mixdesk(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m qc ARGS`` with colour off and a fixed width."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    return subprocess.run(
        [sys.executable, "-m", "qc", *(os.fspath(a) for a in args)],
        capture_output=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def run_check(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mixdesk check ARGS``."""
    return run_mixdesk("check", *args, cwd=cwd)


def _reject_constant(token: str) -> NoReturn:
    raise AssertionError(f"non-standard JSON constant {token!r} in the report")


def parse_report(text: str) -> dict[str, Any]:
    """Parse strict JSON (NaN/Infinity tokens fail) and check the schema."""
    doc: dict[str, Any] = json.loads(text, parse_constant=_reject_constant)
    assert doc["schema"] == "mixdesk.check/1"
    return doc


def check_json(*args: str | os.PathLike[str]) -> tuple[int, dict[str, Any]]:
    """Run ``check --format json`` and return (exit code, parsed report)."""
    proc = run_check("--format", "json", *args)
    return proc.returncode, parse_report(proc.stdout)


def one_line(stderr: str) -> str:
    """Assert stderr is exactly one line without a traceback; return it."""
    assert stderr.endswith("\n"), repr(stderr)
    line = stderr[:-1]
    assert line, "stderr is empty"
    assert "\n" not in line, repr(stderr)
    assert "Traceback" not in line
    return line


def sine(seconds: float, channels: int = 2, amplitude: float = AMPLITUDE) -> np.ndarray:
    """A 997 Hz sine, the same on every channel, shape ``(frames, channels)``."""
    t = np.arange(round(seconds * RATE)) / RATE
    x = amplitude * np.sin(2 * np.pi * FREQ * t)
    return np.repeat(x[:, None], channels, axis=1)


def write_wav(path: Path, data: np.ndarray, subtype: str = "PCM_24") -> Path:
    sf.write(path, data, RATE, subtype=subtype, format="WAV")
    return path


def hand_rf64(data: bytes, declared: int) -> bytes:
    """RF64 (PCM_16 stereo 48 kHz) whose ``ds64`` chunk declares ``declared`` data bytes."""
    fmt = struct.pack("<HHIIHH", 1, 2, RATE, RATE * 4, 4, 16)
    ds64 = struct.pack("<QQQI", declared + 36 + len(fmt), declared, declared // 4, 0)
    body = b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + data
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body


def k_weighting_gain_db(freq: float) -> float:
    """Power gain of the BS.1770 K-weighting filter at ``freq`` (48 kHz), in dB."""
    z = np.exp(-1j * 2 * np.pi * freq / RATE * np.arange(3))
    gain = 1.0
    for b, a in K_STAGES:
        gain *= abs(np.dot(b, z) / np.dot(a, z)) ** 2
    return float(10 * math.log10(gain))


def sine_loudness_lufs(amplitude: float, channels: int) -> float:
    """BS.1770 loudness of a steady 997 Hz sine: -0.691 + 10 log10(sum_c G * A^2 / 2)."""
    mean_square = amplitude**2 / 2 * 10 ** (k_weighting_gain_db(FREQ) / 10)
    return -0.691 + 10 * math.log10(channels * mean_square)


# --- 1. the JSON contract ---------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """3 s stereo 48 kHz PCM_24 997 Hz sine at -20 dBFS peak, and its JSON file object."""
    path = write_wav(tmp_path_factory.mktemp("ref") / "sine.wav", sine(3.0))
    code, doc = check_json(path)
    assert code == 0
    assert len(doc["files"]) == 1
    return path, doc["files"][0]


def test_analytic_loudness_of_the_calibration_sine() -> None:
    # The -0.691 constant makes a 997 Hz sine at peak A on two channels read 20 log10(A).
    assert sine_loudness_lufs(AMPLITUDE, 2) == pytest.approx(PEAK_DBFS, abs=0.01)
    assert sine_loudness_lufs(1.0, 1) == pytest.approx(-3.01, abs=0.01)


def test_json_file_object_keys(reference: tuple[Path, dict[str, Any]]) -> None:
    path, obj = reference
    assert set(obj) >= FILE_KEYS
    assert obj["path"] == str(path)
    assert obj["error"] is None
    # The only finding on an identical-channel sine: dual mono (info).
    assert [(d["code"], d["severity"]) for d in obj["diagnostics"]] == [("CH003", "info")]
    assert set(obj["format"]) >= FORMAT_KEYS
    assert set(obj["measurements"]) >= MEASUREMENT_KEYS


def test_json_format_values(reference: tuple[Path, dict[str, Any]]) -> None:
    fmt = reference[1]["format"]
    assert {k: fmt[k] for k in FORMAT_KEYS} == {
        "container": "wav",
        "codec": "pcm",
        "subtype": "PCM_24",
        "bit_depth": 24,
        "sample_rate": RATE,
        "channels": 2,
        "frames": 3 * RATE,
        "duration_s": pytest.approx(3.0, abs=1e-9),
    }


def test_json_measurements_match_analytic_values(
    reference: tuple[Path, dict[str, Any]],
) -> None:
    m = reference[1]["measurements"]
    expected_lufs = sine_loudness_lufs(AMPLITUDE, 2)
    # Loudness: steady sine, so every window reads the same (+-0.1 LU).
    for key in ("integrated_lufs", "max_momentary_lufs", "max_short_term_lufs"):
        assert m[key] == pytest.approx(expected_lufs, abs=0.1), key
    assert m["loudness_range_lu"] == pytest.approx(0.0, abs=0.1)
    # Peaks: 997 Hz and 48 kHz are coprime, so samples land within 1e-4 rad of the crest.
    assert m["sample_peak_dbfs"] == pytest.approx(PEAK_DBFS, abs=0.01)
    assert m["true_peak_dbtp"] == pytest.approx(PEAK_DBFS, abs=0.05)
    assert 0.0 <= m["true_peak_time_s"] <= 3.0
    assert m["clipped_runs"] == 0
    assert m["clipped_samples"] == 0
    assert m["longest_clip_run"] == 0
    assert abs(m["dc_offset"]) < 1e-6


# --- 2, 3. silence and short files ------------------------------------------------------


def test_digital_silence_reports_null_levels(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "silence.wav", np.zeros((2 * RATE, 2)))
    proc = run_check("--format", "json", path)
    assert proc.returncode == 1, proc.stderr  # SIL004: the file is silent
    for token in ("NaN", "Infinity"):
        assert token not in proc.stdout
    m = parse_report(proc.stdout)["files"][0]["measurements"]
    for key in (
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
        "sample_peak_dbfs",
        "true_peak_dbtp",
    ):
        assert m[key] is None, key
    assert m["clipped_runs"] == 0
    assert m["dc_offset"] == 0.0


def test_short_file_has_peaks_but_no_loudness(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "short.wav", sine(0.2))
    code, doc = check_json(path)
    assert code == 0
    obj = doc["files"][0]
    assert obj["error"] is None
    assert obj["format"]["frames"] == round(0.2 * RATE)
    m = obj["measurements"]
    for key in ("integrated_lufs", "max_momentary_lufs", "max_short_term_lufs"):
        assert m[key] is None, key
    assert m["sample_peak_dbfs"] == pytest.approx(PEAK_DBFS, abs=0.01)
    assert isinstance(m["true_peak_dbtp"], float)
    assert m["true_peak_dbtp"] >= m["sample_peak_dbfs"] - 0.01


# --- 4. exit codes and batches ----------------------------------------------------------


def test_good_file_exits_0(reference: tuple[Path, dict[str, Any]]) -> None:
    proc = run_check("--format", "text", reference[0])
    assert proc.returncode == 0
    assert proc.stderr == ""


def test_batch_goes_on_past_a_bad_file(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", sine(0.5))
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio\n")
    proc = run_check("--format", "json", bad, good)
    assert proc.returncode == 2
    files = {f["path"]: f for f in parse_report(proc.stdout)["files"]}
    assert files[str(good)]["error"] is None
    assert files[str(good)]["measurements"]["sample_peak_dbfs"] == pytest.approx(
        PEAK_DBFS, abs=0.01
    )
    assert files[str(bad)]["error"]
    assert files[str(bad)]["measurements"] is None
    line = one_line(proc.stderr)
    assert str(bad) in line
    assert str(good) not in line


# --- 5. bad input -----------------------------------------------------------------------


def _text_as_wav(d: Path) -> Path:
    p = d / "notes.wav"
    p.write_text("this is not audio, just a text file\n" * 20)
    return p


def _empty(d: Path) -> Path:
    p = d / "empty.wav"
    p.write_bytes(b"")
    return p


def _directory(d: Path) -> Path:
    p = d / "folder.wav"
    p.mkdir()
    return p


def _truncated(d: Path) -> Path:
    p = write_wav(d / "cut.wav", sine(1.0), subtype="PCM_16")
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    return p


def _lying_sizes(d: Path) -> Path:
    p = d / "liar.wav"
    p.write_bytes(hand_wav(2, RATE, b"\1\0" * 400, declared=10 * 800, riff_from_declared=True))
    return p


def _zero_channels(d: Path) -> Path:
    p = d / "zero_ch.wav"
    p.write_bytes(hand_wav(0, RATE))
    return p


def _zero_rate(d: Path) -> Path:
    p = d / "zero_hz.wav"
    p.write_bytes(hand_wav(2, 0))
    return p


def _float_with(value: float) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        data = sine(0.1, channels=1)
        data[100, 0] = value
        return write_wav(d / f"float_{value}.wav", data, subtype="FLOAT")

    return build


def _missing(d: Path) -> Path:
    return d / "does_not_exist.wav"


def _symlink_loop(d: Path) -> Path:
    (d / "a.wav").symlink_to("b.wav")
    (d / "b.wav").symlink_to("a.wav")
    return d / "a.wav"


BAD_INPUTS = [
    pytest.param(_text_as_wav, "not a recognised audio file", id="text-named-wav"),
    pytest.param(_empty, "empty file", id="empty"),
    pytest.param(_directory, "is a directory with no audio files", id="directory"),
    pytest.param(_truncated, "truncated", id="truncated-mid-data"),
    pytest.param(_lying_sizes, "header declares", id="sizes-lie-10x"),
    pytest.param(_zero_channels, "0 channels", id="zero-channels"),
    pytest.param(_zero_rate, "0 Hz", id="zero-rate"),
    pytest.param(_float_with(math.nan), "NaN or Inf", id="float-nan"),
    pytest.param(_float_with(math.inf), "NaN or Inf", id="float-inf"),
    pytest.param(_missing, "no such file", id="missing"),
    pytest.param(_symlink_loop, "symbolic link loop", id="symlink-loop"),
]


def test_hand_built_headers_are_valid_when_honest(tmp_path: Path) -> None:
    # Controls for the hand-built bad headers: the builders themselves are sound.
    wav, rf64 = tmp_path / "honest.wav", tmp_path / "honest_rf64.wav"
    wav.write_bytes(hand_wav(2, RATE))
    rf64.write_bytes(hand_rf64(DATA_1K, declared=len(DATA_1K)))
    code, doc = check_json(wav, rf64)
    assert code == 1  # readable (not 2); silent, so SIL004 findings
    assert [f["error"] for f in doc["files"]] == [None, None]
    assert [f["format"]["container"] for f in doc["files"]] == ["wav", "rf64"]
    assert [f["format"]["frames"] for f in doc["files"]] == [100, 256]


@pytest.mark.parametrize(("build", "reason"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, build: Callable[[Path], Path], reason: str
) -> None:
    path = build(tmp_path)
    start = time.monotonic()
    proc = run_check("--format", "json", path)
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc.stderr)
    assert line.startswith(f"mixdesk: {path}: "), line
    assert reason in line, line
    assert elapsed < 10.0
    obj = parse_report(proc.stdout)["files"][0]
    assert obj["path"] == str(path)
    assert reason in obj["error"]
    assert obj["measurements"] is None


# --- 6. hostile names -------------------------------------------------------------------

# A relative path (run with cwd=tmp_path); the "/" in "[/bold red]" makes "[bold red]x[" a folder.
HOSTILE_NAME = "[bold red]x[/bold red]\x1b[31m.wav"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / HOSTILE_NAME
    path.parent.mkdir()
    write_wav(path, sine(0.5))
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "rich"])
def test_names_print_literally(hostile: Path, fmt: str) -> None:
    proc = run_check("--format", fmt, HOSTILE_NAME, cwd=hostile)
    assert proc.returncode == 0, proc.stderr
    assert "[bold red]x[/bold red]" in proc.stdout
    assert "\x1b" not in proc.stdout
    assert "\\x1b[31m.wav" in proc.stdout


def test_names_are_escaped_in_error_lines(tmp_path: Path) -> None:
    name = "gone\x1b[31m\n[bold]x.wav"
    proc = run_check("--format", "rich", name, cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "\x1b" not in proc.stderr + proc.stdout
    assert line == "mixdesk: gone\\x1b[31m\\n[bold]x.wav: no such file"
    assert "gone\\x1b[31m\\n[bold]x.wav" in proc.stdout


def test_names_round_trip_in_json(hostile: Path) -> None:
    proc = run_check("--format", "json", HOSTILE_NAME, cwd=hostile)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout  # JSON escapes it as \u001b
    assert parse_report(proc.stdout)["files"][0]["path"] == HOSTILE_NAME


# --- 7. --output-file -------------------------------------------------------------------


def test_output_file_receives_the_report(
    tmp_path: Path, reference: tuple[Path, dict[str, Any]]
) -> None:
    out = tmp_path / "report.json"
    proc = run_check("--format", "json", "--output-file", out, reference[0])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""
    doc = parse_report(out.read_text(encoding="utf-8"))
    assert doc["files"][0]["path"] == str(reference[0])


def test_unwritable_output_file_is_one_line_exit_2(
    tmp_path: Path, reference: tuple[Path, dict[str, Any]]
) -> None:
    proc = run_check("--format", "json", "--output-file", tmp_path, reference[0])
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = one_line(proc.stderr)
    assert str(tmp_path) in line


# --- 8, 9, 10. text layout, top-level command, options ----------------------------------


def test_text_line_shape(reference: tuple[Path, dict[str, Any]]) -> None:
    proc = run_check("--format", "text", reference[0])
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{reference[0]}: ")
    assert "48000 Hz" in lines[0]
    assert any("integrated" in ln and "LUFS" in ln for ln in lines[1:])


def test_version() -> None:
    proc = run_mixdesk("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"mixdesk {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["frobnicate"], id="unknown-subcommand"),
        pytest.param(["check", "--true-peak-method", "magic", "x.wav"], id="bad-choice"),
    ],
)
def test_usage_error_is_one_line_exit_2(args: list[str]) -> None:
    proc = run_mixdesk(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert one_line(proc.stderr).startswith("mixdesk: error: ")


def test_true_peak_method_bs1770(reference: tuple[Path, dict[str, Any]]) -> None:
    code, doc = check_json("--true-peak-method", "bs1770", reference[0])
    assert code == 0
    m = doc["files"][0]["measurements"]
    assert m["true_peak_method"] == "bs1770"
    assert m["true_peak_dbtp"] == pytest.approx(PEAK_DBFS, abs=0.1)
    assert reference[1]["measurements"]["true_peak_method"] == "accurate"


# --- 11. hostile headers: bounded time and memory --------------------------------------


_MEASURE_CHILD = (
    "import resource, subprocess, sys;"
    "p = subprocess.run(sys.argv[1:]);"
    "sys.stderr.write(f'\\nmaxrss_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}');"
    "sys.exit(p.returncode)"
)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            hand_wav(2, RATE, DATA_1K, declared=0xFFFFFFFF, riff_from_declared=True),
            id="wav-4gib-placeholder",
        ),
        pytest.param(
            hand_wav(2, RATE, DATA_1K, declared=0xFFFFFF00, riff_from_declared=True), id="wav-4gib"
        ),
        pytest.param(hand_rf64(DATA_1K, declared=4 << 30), id="rf64-4gib"),
        pytest.param(hand_rf64(DATA_1K, declared=1 << 62), id="rf64-4eib"),
    ],
)
def test_hostile_header_fails_fast(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "huge.wav"
    path.write_bytes(raw)
    assert len(raw) < 1200
    start = time.monotonic()
    # A small intermediate process forks the check, so the child's ru_maxrss is its
    # own (a child forked straight from pytest inherits pytest's RSS before exec).
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE_CHILD, sys.executable, "-m", "qc", "check", "--format",
         "json", str(path)],
        capture_output=True, encoding="utf-8", env=dict(os.environ, NO_COLOR="1"),
        timeout=RUN_TIMEOUT_S, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - start
    err, _, rss = proc.stderr.rpartition("\nmaxrss_kib=")
    assert proc.returncode == 2, proc.stdout
    assert one_line(err).startswith(f"mixdesk: {path}: header ")
    assert elapsed < 5.0
    if sys.platform.startswith("linux"):
        assert int(rss) < 512 * 1024  # KiB: the 4 GiB claim allocates nothing
