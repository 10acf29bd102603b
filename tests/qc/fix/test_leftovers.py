"""What ``fix`` cannot mend is named in the report, with why, and the exit code follows it.

(The clipped mix, the MP3-decoded WAV, dual mono and the too-short file are in
``test_fix.py``.) Each case first checks, with ``mixdesk check``'s engine, that the
input really has the finding, so the test cannot pass by the finding going missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from qc.diagnostic import Severity
from qc.engine import check_file
from qc.fix import fix
from qc.profiles import ProfileCache

from .helpers import master


def _codes(path: Path, profile: str) -> set[str]:
    return {d.code for d in check_file(path, ProfileCache().resolve([profile])).diagnostics}


def test_silent_channel_is_named(rng: np.random.Generator, tmp_path: Path) -> None:
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    x = master(rng, 48000, 2, 4.0) * 0.3
    x[:, 1] = 0.0
    sf.write(src, x, 48000, subtype="PCM_24")
    assert "SIL003" in _codes(src, "spotify")
    report = fix(src, "spotify", out)
    [left] = [x for x in report.leftovers if x.code == "SIL003"]
    assert "silent channel" in left.why
    assert report.exit_code() == (
        1 if any(x.severity >= Severity.ERROR for x in report.leftovers) else 0
    )


def test_undithered_16_bit_input_is_named(rng: np.random.Generator, tmp_path: Path) -> None:
    """Rounded to 16 bits without dither (libsndfile rounds), with a quiet tail where it shows."""
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    x = master(rng, 44100, 2, 8.0) * 0.5
    x[len(x) // 2 :] *= 10 ** (-85 / 20)
    sf.write(src, x, 44100, subtype="PCM_16")
    assert "DTH001" in _codes(src, "cd-redbook")
    report = fix(src, "cd-redbook", out)
    assert report.dither == "none"  # 16-bit in, 16-bit out: never dithered again
    [left] = [x for x in report.leftovers if x.code == "DTH001"]
    assert "24-bit master" in left.why
    assert report.exit_code() == (
        1 if any(x.severity >= Severity.ERROR for x in report.leftovers) else 0
    )
