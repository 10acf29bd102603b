"""The re-check metered while writing equals ``check_file`` on the written file.

Also: the input's check running beside the output's pass changes nothing (the same
report and the same output bits as the sequential order), and a plan made early
from the sample peak is dropped when the input's true peak changes it.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.engine import check_file
from qc.fix import fix
from qc.fix.decide import FixOptions
from qc.fix.overlap import quick_facts
from qc.fix.plan import choose_format
from qc.fix.render import Processing, render
from qc.fix.run import fix_file, measure_before
from qc.profiles import ProfileCache

from .helpers import master, rendered


def _same(a: object, b: object) -> bool:
    """Deep equality of measurement dataclasses holding arrays (NaN equals NaN)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, (tuple, list)):
        return (
            isinstance(b, (tuple, list))
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


CASES = [
    # rate, subtype, channels, gain dB, limit, output suffix, rate out
    (48000, "PCM_24", 2, -3.0, False, ".wav", None),  # gain alone, 24-bit rounding
    (44100, "FLOAT", 2, 4.0, True, ".wav", None),  # limited float
    (48000, "FLOAT", 1, 2.0, True, ".flac", 44100),  # resampled, dithered to 24-bit FLAC
    (44100, "PCM_16", 2, 6.0, True, ".aiff", None),  # limited, dithered 16-bit
]


@pytest.mark.parametrize(("rate", "subtype", "channels", "gain", "limit", "suffix", "to"), CASES)
def test_fused_recheck_equals_check_file(  # noqa: PLR0917
    rng: np.random.Generator, tmp_path: Path,
    rate: int, subtype: str, channels: int, gain: float, limit: bool, suffix: str, to: int | None,
) -> None:  # fmt: skip
    src, out = tmp_path / "in.wav", tmp_path / f"out{suffix}"
    sf.write(src, rendered(master(rng, rate, channels, 5.0), rate, -16.0), rate, subtype=subtype)
    profiles = ProfileCache().resolve(["spotify"])
    info = measure_before(str(src), profiles).info
    assert info is not None
    fmt = choose_format(info, profiles, str(out), rate=to)
    proc = Processing(gain, -1.0, seed=3, limit=limit)
    res = render(str(src), fmt, proc, str(out), recheck=profiles)
    assert res.after is not None
    read_back = check_file(str(out), profiles)
    # Same numbers in the same blocks: every measurement and finding is identical.
    assert res.after.info == read_back.info
    assert _same(res.after.measurements, read_back.measurements)
    assert res.after.diagnostics == read_back.diagnostics
    assert res.after.measurements is not None
    assert res.integrated_lufs == res.after.measurements.loudness.integrated_lufs


def test_overlapped_equals_sequential(rng: np.random.Generator, tmp_path: Path) -> None:
    """The input's check beside the output's pass: same report, same bits as checking first."""
    src = tmp_path / "in.wav"
    sf.write(src, rendered(master(rng, 48000, 2, 5.0), 48000, -9.0), 48000, subtype="PCM_24")
    profiles = ProfileCache().resolve(["spotify"])
    opts = FixOptions(seed=5, overlap=True)
    together = fix_file(str(src), profiles, str(tmp_path / "a.wav"), opts)
    before = measure_before(str(src), profiles)
    apart = fix_file(str(src), profiles, str(tmp_path / "b.wav"), opts, before=before)
    assert together.passes == apart.passes == 1
    assert together.max_gr_db == 0.0  # a gain alone: the output was made beside the check
    assert dataclasses.replace(together, out="") == dataclasses.replace(apart, out="")
    a, _ = sf.read(tmp_path / "a.wav", dtype="int32")
    b, _ = sf.read(tmp_path / "b.wav", dtype="int32")
    assert np.array_equal(a, b)


def test_quick_loudness_is_the_checks(rng: np.random.Generator, tmp_path: Path) -> None:
    src = tmp_path / "in.wav"
    sf.write(src, master(rng, 44100, 2, 3.0) * 0.5, 44100, subtype="PCM_16")
    quick = quick_facts(src)
    before = measure_before(str(src), ProfileCache().resolve(["spotify"]))
    assert before.measurements is not None
    assert quick.integrated_lufs == before.measurements.loudness.integrated_lufs  # exactly
    peak = max(before.measurements.levels.channel_peak)
    assert quick.sample_peak_dbfs == pytest.approx(20 * np.log10(peak), abs=1e-9)


def test_early_plan_dropped_when_true_peak_changes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Samples at +-0.5 of a tone at rate/4, phase pi/4: the true peak is 3.01 dB above them.

    Planned from the sample peak, the gain alone would do; the check's true peak says the
    gain needs the limiter, so the output made early is dropped and the file limited.
    """
    import pyloudnorm

    import qc.fix.run

    rate = 48000
    n = np.arange(rate * 4)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    x = np.stack([x, x], axis=1) / np.abs(x).max() * 0.5  # sample peak -6.02 dBFS
    assert 20 * np.log10(np.abs(np.fft.irfft(np.fft.rfft(x[:, 0]), n=len(x) * 16) * 16).max()) == (
        pytest.approx(-3.01, abs=0.01)
    )
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    sf.write(src, x, rate, subtype="FLOAT")
    # A gain putting the samples at -3 dBFS: 1.85 dB under the limiter's threshold (-1.15 dBTP),
    # more than the 1.2 dB the early plan asks for; the true peak then at 0 dBTP.
    target = pyloudnorm.Meter(rate).integrated_loudness(x) + (-3.0 + 6.02)
    seen: list[bool] = []
    real = qc.fix.run.render

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(args[2].limit)  # type: ignore[attr-defined]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(qc.fix.run, "render", spy)
    report = fix(src, "spotify", out, target_lufs=target, max_gr_db=1.5, overlap=True)
    assert not seen[0]  # made early from the sample peak
    assert seen[1:]  # dropped, then made again
    assert all(seen[1:])  # with the limiter
    assert report.max_gr_db > 0.9
    y, _ = sf.read(out)
    ideal = np.abs(np.fft.irfft(np.fft.rfft(y[:, 0]), n=len(y) * 16) * 16).max()
    assert 20 * np.log10(ideal) <= -1.0
    assert [f for f in tmp_path.iterdir() if f.name.startswith(".")] == []  # no temporaries


def test_fix_runs_without_leaking_threads(rng: np.random.Generator, tmp_path: Path) -> None:
    """A bad input after a good one: the error is one line, no thread is left running."""
    src = tmp_path / "in.wav"
    sf.write(src, master(rng, 44100, 2, 2.0) * 0.3, 44100, subtype="PCM_24")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    code = (
        "import sys, threading; from qc.cli.main import main; "
        f"rc = main(['fix', {str(src)!r}, {str(bad)!r}, '--profile', 'spotify', "
        f"'--output-dir', {str(tmp_path / 'o')!r}]); "
        "print(rc, threading.active_count())"
    )
    (tmp_path / "o").mkdir()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["2", "1"]
    assert done.stderr.count("\n") == 1
    assert "bad.wav" in done.stderr
    assert "Traceback" not in done.stderr
