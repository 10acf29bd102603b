"""Independent meters run in the same test on the same music-like bounces.

* pyloudnorm 0.2 (pure numpy, RBJ-cookbook K-weighting): I within 0.05 LU.
  It reads about 0.03-0.04 LU low on everything (reference/qc/speed.md).
* ffmpeg ``ebur128`` (libavfilter; I and LRA from 0.01 LU histograms, last
  per-frame value, 3 decimals): I within 0.05 LU, LRA within 0.1 LU.
* sox ``stats``: sample peak within 0.01 dB and DC offset within 1e-4.

The bounces come from ``examples/music.py`` (deterministic, loud and gentle).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from examples.music import write_master
from qc.engine import measure_file
from qc.measure import amplitude_to_db


@pytest.fixture(scope="module", params=["loud", "gentle"])
def bounce(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xcheck") / f"{request.param}.wav"
    write_master(path, seconds=40.0, loud=request.param == "loud", seed=7)
    return path


def _ours(path: Path) -> dict[str, float]:
    r = measure_file(path)
    assert r.error is None
    m = r.measurements
    assert m is not None
    assert m.loudness.integrated_lufs is not None
    assert m.loudness.loudness_range_lu is not None
    return {
        "I": m.loudness.integrated_lufs,
        "LRA": m.loudness.loudness_range_lu,
        "peak": amplitude_to_db(max(m.levels.channel_peak)),
        "dc": max(m.levels.channel_dc, key=abs),
    }


def test_integrated_vs_pyloudnorm(bounce: Path) -> None:
    pyln = pytest.importorskip("pyloudnorm")
    data, rate = sf.read(bounce)
    theirs = pyln.Meter(rate).integrated_loudness(data)
    assert _ours(bounce)["I"] == pytest.approx(theirs, abs=0.05)


def test_integrated_and_lra_vs_ffmpeg(bounce: Path, ffmpeg: str, tmp_path: Path) -> None:
    meta = tmp_path / "meta.txt"
    subprocess.run(
        [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", str(bounce), "-af",
         f"ebur128=metadata=1,ametadata=mode=print:file={meta}", "-f", "null", "-"],
        check=True, capture_output=True,
    )  # fmt: skip
    text = meta.read_text()
    i = float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+)", text)[-1])
    lra = float(re.findall(r"lavfi\.r128\.LRA=(-?[\d.]+)", text)[-1])
    ours = _ours(bounce)
    assert ours["I"] == pytest.approx(i, abs=0.05)
    assert ours["LRA"] == pytest.approx(lra, abs=0.1)


def test_peak_and_dc_vs_sox(bounce: Path, sox: str) -> None:
    out = subprocess.run(
        [sox, str(bounce), "-n", "stats"], check=True, capture_output=True, text=True
    )
    overall = {
        m.group(1).strip(): m.group(2).split()
        for m in re.finditer(r"^(.+?)\s{2,}(.*)$", out.stderr, re.M)
    }
    pk = float(overall["Pk lev dB"][0])
    dc = [float(v) for v in overall["DC offset"][1:]]  # per channel
    ours = _ours(bounce)
    assert ours["peak"] == pytest.approx(pk, abs=0.01)
    assert ours["dc"] == pytest.approx(max(dc, key=abs), abs=1e-4)
    assert np.isfinite(ours["I"])
