"""The engine never leaks the analyzer's worker thread, even when a file fails mid-stream."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import soundfile as sf

from qc.engine import measure_file


def test_no_thread_left_behind_after_a_read_error(tmp_path: Path) -> None:
    x = np.zeros((200_000, 1))
    x[150_000] = np.nan  # fails in the third block, after the worker has started
    path = tmp_path / "nan.wav"
    sf.write(path, x, 48000, subtype="FLOAT")
    before = threading.active_count()
    for _ in range(5):
        assert measure_file(path).error is not None
    assert threading.active_count() == before
