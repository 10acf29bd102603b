"""The engine: no worker thread leaked, blocks of bounded size, detectors run only when read."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.audio import StreamInfo
from qc.checks import get
from qc.checks.rule import Context
from qc.engine import check, measure_file
from qc.measure import Analyzer, MeasureOptions, analyze
from qc.measure.dither import DitherMeter
from qc.measure.lossy import LossyMeter
from qc.profiles import load_profile
from qc.settings import Settings


def test_no_thread_left_behind_after_a_read_error(tmp_path: Path) -> None:
    x = np.zeros((200_000, 1))
    x[150_000] = np.nan  # fails in the third block, after the worker has started
    path = tmp_path / "nan.wav"
    sf.write(path, x, 48000, subtype="FLOAT")
    before = threading.active_count()
    for _ in range(5):
        assert measure_file(path).error is not None
    assert threading.active_count() == before


@pytest.mark.parametrize("channels", [12, 24, 64])
def test_blocks_hold_a_fixed_number_of_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, channels: int
) -> None:
    # Issue 17: blocks were 65536 frames whatever the channel count (5 GB for 1024).
    path = tmp_path / "many.wav"
    sf.write(path, np.full((100_000, channels), 0.25), 48000, subtype="PCM_16")
    shapes: list[tuple[int, ...]] = []
    feed = Analyzer.feed

    def spy(self: Analyzer, block: np.ndarray) -> None:
        shapes.append(block.shape)
        feed(self, block)

    monkeypatch.setattr(Analyzer, "feed", spy)
    result = measure_file(path)
    assert result.error is None
    assert sum(s[0] for s in shapes) == 100_000
    assert max(s[0] * s[1] for s in shapes) <= 65536 * 8
    assert shapes[0][0] == 65536 * 8 // channels  # 7.1 and fewer keep 65536 frames


def test_duration_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "two.wav"
    sf.write(path, np.zeros((96_000, 2)), 48000, subtype="PCM_16")
    assert measure_file(path, max_duration_s=2.0).error is None
    error = measure_file(path, max_duration_s=1.5).error
    assert error == (
        "duration 0:00:02 (2 s) exceeds the limit of 0:00:01 (mixdesk check --max-duration)"
    )


def _noise(path: Path, **kwargs: object) -> Path:
    x = np.random.default_rng(7).normal(0.0, 0.1, (44100 * 3, 2))
    sf.write(path, x, 44100, **kwargs)  # type: ignore[arg-type]
    return path


def _no_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detectors' meters fail the check if they are fed at all."""

    def fed(self: object, *args: object) -> None:
        raise AssertionError(f"{type(self).__name__} was fed")

    monkeypatch.setattr(LossyMeter, "feed", fed)
    monkeypatch.setattr(DitherMeter, "feed", fed)


def test_a_lossy_coded_file_is_not_searched_for_its_own_codec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LSY001 and DTH001 do not judge a lossy file (FMT001 does): their detectors do not run.

    The report says why instead of a verdict; the file is still judged lossy.
    """
    path = _noise(tmp_path / "mix.mp3", format="MP3")
    _no_detector(monkeypatch)
    result = check(path, Settings(profiles=(load_profile("default"),)))
    assert result.error is None
    assert result.measurements is not None
    lossy, dither = result.measurements.lossy, result.measurements.dither
    assert lossy.verdict == "not-measured"
    assert lossy.reason == "not measured: the file is itself lossy-coded (FMT001)"
    assert (dither.verdict, dither.kind) == ("not-applicable", lossy.reason)
    assert "FMT001" in {d.code for d in result.diagnostics}


def test_a_detector_no_rule_reads_says_not_measured_not_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--select FMT``: the lossy-history detector does not run, and no verdict claims it did.

    (It reported "clean: no codec grid, no encoder shelf" for a search never made.)
    """
    path = _noise(tmp_path / "mix.wav", subtype="PCM_16")
    _no_detector(monkeypatch)
    settings = Settings(profiles=(load_profile("default"),), select=("FMT",))
    m = check(path, settings).measurements
    assert m is not None
    assert (m.lossy.verdict, m.lossy.reason) == (
        "not-measured",
        "not measured: no selected rule reads it",
    )
    assert m.dither.kind == "not measured: no selected rule reads it"


def test_the_lossy_rule_never_passes_a_search_that_was_not_made() -> None:
    """Were LSY001 ever given an unmeasured verdict for a PCM file, it would fail loudly."""
    x = np.random.default_rng(3).normal(0.0, 0.1, (48000, 2))
    m = analyze([x], 48000, 2, MeasureOptions(detectors=False), bit_depth=24)
    assert m.lossy.verdict == "not-measured"
    info = StreamInfo("t.wav", "wav", "pcm", False, "PCM_24", 24, 48000, 2, len(x), len(x) / 48000)
    rule = get("lossy-history")
    with pytest.raises(RuntimeError, match="detector did not run"):
        list(rule.check(Context("t.wav", info, m, ""), rule.defaults(), rule.severity))
