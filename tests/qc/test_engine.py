"""The engine never leaks the analyzer's worker thread, even when a file fails mid-stream."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.engine import measure_file
from qc.measure import Analyzer


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
