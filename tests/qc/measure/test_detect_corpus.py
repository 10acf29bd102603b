"""The detectors on the generated corpus: real sox and ffmpeg renders, real lossy round trips.

Targets (issue 4): no dithered file called undithered; at least 95 % correct
dither verdicts on 16-bit files (inconclusive counts as wrong); no lossy
history confirmed on a lossless file and at most one suspect among them; at
least 90 % of the round trips at 192 kbps or less flagged. The corpus here is
shorter (12 s) than the benchmark's (20 s, ``benchmarks/bench_detect.py``),
with a different seed, so it also checks that the thresholds hold off the
material they were set on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.detect_corpus import (
    Case,
    bitdepth_cases,
    dither_cases,
    lossy_cases,
    measure,
    names,
)
from qc.measure import Measurements

SECONDS = 12.0
SEED = 2024


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("detect")


def _dither_16(folder: Path) -> list[Case]:
    return dither_cases(folder, seconds=SECONDS, seed=SEED) + dither_cases(
        folder, seconds=SECONDS, rate=48000, seed=SEED + 1, tag="-48k"
    )


def test_dither_verdicts_on_every_sox_and_ffmpeg_render(
    corpus: Path, sox: str, ffmpeg: str
) -> None:
    cases = _dither_16(corpus)
    assert len(cases) == 2 * 29, names(cases)
    wrong, inconclusive, report = [], [], []
    for case in cases:
        d = measure(case).dither
        report.append(f"{case.name}: {d.verdict} ({d.kind})")
        want = "dithered" if case.dithered else "undithered"
        if d.verdict == "inconclusive":
            inconclusive.append(case.name)
        elif d.verdict != want:
            wrong.append(case.name)
    print("\n".join(report))
    dithered_called_undithered = [c.name for c in cases if c.dithered and c.name in wrong]
    assert dithered_called_undithered == []
    correct = len(cases) - len(wrong) - len(inconclusive)
    assert correct / len(cases) >= 0.95, (wrong, inconclusive)


def test_a_noise_floor_makes_verdicts_inconclusive_never_wrong(
    corpus: Path, sox: str, ffmpeg: str
) -> None:
    cases = dither_cases(corpus, seconds=SECONDS, seed=SEED + 2, tag="-floor84", floor_dbfs=-84.0)
    for case in cases:
        d = measure(case).dither
        if case.dithered:
            assert d.verdict != "undithered", case.name
        elif d.verdict == "dithered":
            # Rounding under a 2 LSB noise floor is self-dithered: allowed, but only
            # as inconclusive, never as a positive "dithered" claim.
            pytest.fail(f"{case.name}: {d.kind}")


def test_padded_bit_depth_including_after_a_gain_change(corpus: Path) -> None:
    for case in bitdepth_cases(corpus, seconds=SECONDS, seed=SEED):
        assert measure(case).bit_depth.padded is case.padded, case.name


@pytest.fixture(scope="module")
def lossy_measured(corpus: Path) -> list[tuple[Case, Measurements]]:
    return [(c, measure(c)) for c in lossy_cases(corpus, seconds=SECONDS, seed=SEED)]


def test_lossy_history_confirmed_and_suspect_where_due(
    lossy_measured: list[tuple[Case, Measurements]], sox: str, ffmpeg: str
) -> None:
    lossless = [(c, m) for c, m in lossy_measured if not c.lossy]
    lossy = [(c, m) for c, m in lossy_measured if c.lossy]
    print("\n".join(f"{c.name}: {m.lossy.verdict}: {m.lossy.reason}" for c, m in lossy_measured))
    assert [c.name for c, m in lossless if m.lossy.verdict == "confirmed"] == []
    assert sum(m.lossy.verdict == "suspect" for _, m in lossless) <= 1
    low = [(c, m) for c, m in lossy if c.kbps is not None and c.kbps <= 192]
    flagged = sum(m.lossy.verdict != "clean" for _, m in low)
    assert len(low) >= 6
    assert flagged / len(low) >= 0.9, [(c.name, m.lossy.reason) for c, m in low]


def test_no_lossy_history_in_any_16bit_render(corpus: Path, sox: str, ffmpeg: str) -> None:
    for case in dither_cases(corpus, seconds=SECONDS, seed=SEED):
        lossy = measure(case).lossy
        assert lossy.verdict == "clean", (case.name, lossy.reason)


def test_lossy_decodes_rounded_to_16_bits_are_not_double_reported(
    lossy_measured: list[tuple[Case, Measurements]],
) -> None:
    """The decoder rounds; DTH001 stays quiet when lossy history is confirmed."""
    from qc.audio import open_audio
    from qc.checks import get
    from qc.checks.rule import Context

    rule = get("missing-dither")
    opts = rule.defaults()
    for case, m in lossy_measured:
        if m.lossy.verdict != "confirmed":
            continue
        with open_audio(case.path) as src:
            info = src.info
        found = rule.check(Context(str(case.path), info, m, "t"), opts, rule.severity)
        assert list(found) == [], case.name
