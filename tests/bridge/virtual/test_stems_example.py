"""``examples/stems.py``: deterministic stems with realistic levels, mixed by the engine.

Tolerances: stem sample peaks within [-12, -6] dBFS (targets -7.5 to -12,
quantised to 24 bits); a 12 s four-stem mix at unity with the default pan law
within [-16, -11] LUFS (the fade and intro weigh more in a short song; 60 s
measures -13.7) and below -1 dBFS sample peak. No timing is asserted.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.virtual import MixState, load_stems, render
from examples.stems import STEM_NAMES, generate, main
from qc.engine import measure_file

SECONDS, RATE, SEED = 12.0, 48000, 1770
CHANNELS = {"drums": 2, "bass": 1, "keys": 2, "lead": 1, "pad": 2, "perc": 2, "arp": 1, "fx": 2}


@pytest.fixture(scope="module")
def eight(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("eight"), SECONDS, RATE, SEED, 8)


def test_files(eight: list[Path]) -> None:
    assert [p.name for p in eight] == [f"{n}.wav" for n in STEM_NAMES]
    for path in eight:
        info = sf.info(str(path))
        assert (info.samplerate, info.frames, info.subtype) == (RATE, SECONDS * RATE, "PCM_24")
        assert info.channels == CHANNELS[path.stem]


def test_deterministic(eight: list[Path], tmp_path: Path) -> None:
    four = generate(tmp_path / "same", SECONDS, RATE, SEED, 4)
    for mine, theirs in zip(four, eight, strict=False):  # the count does not change a stem
        assert mine.read_bytes() == theirs.read_bytes()
    other = generate(tmp_path / "other", SECONDS, RATE, SEED + 1, 4)
    assert other[0].read_bytes() != four[0].read_bytes()


def test_levels_silence_and_fades(eight: list[Path]) -> None:
    for path in eight:
        x = sf.read(path, always_2d=True)[0]
        peak_dbfs = 20 * math.log10(float(np.max(np.abs(x))))
        assert -12.01 <= peak_dbfs <= -6.0, path.name
        assert not np.any(x[: round(0.45 * RATE)]), path.name  # silence before the song
        assert not np.any(x[-round(0.55 * RATE) :]), path.name  # and after it
    drums = sf.read(eight[0])[0]
    end = round((SECONDS - 0.6) * RATE)  # end of the music
    fading = np.sqrt(np.mean(drums[end - RATE // 4 : end] ** 2))
    before = np.sqrt(np.mean(drums[end - 4 * RATE : end - 3 * RATE] ** 2))
    assert 20 * math.log10(fading / before) < -20.0  # the fade-out reaches silence


def test_mix_is_music_like(eight: list[Path], tmp_path: Path) -> None:
    stems = [s for s in load_stems(eight[0].parent, RATE) if s.name in STEM_NAMES[:4]]
    result = render(stems, MixState.for_stems(stems), tmp_path, rate=RATE, project="demo")
    assert result.peak_dbfs < -1.0
    assert result.clipped_samples == 0
    m = measure_file(result.path).measurements
    assert m is not None
    assert m.loudness.integrated_lufs is not None
    assert -16.0 <= m.loudness.integrated_lufs <= -11.0
    assert m.loudness.loudness_range_lu is not None
    assert m.loudness.loudness_range_lu > 2.0  # sections and fades: it has dynamics


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out"), "--seconds", "2", "--rate", "8000", "--stems", "5"]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == [f"{n}.wav" for n in STEM_NAMES[:5]]
    assert main([str(tmp_path / "bad"), "--stems", "9"]) == 2
    assert "count must be 4 to 8, got 9" in capsys.readouterr().err
