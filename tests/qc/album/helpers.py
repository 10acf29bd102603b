"""Album fixtures: short seeded tracks written as 44.1 kHz/16-bit WAV, and album files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 44100


def track(
    rng: np.random.Generator, seconds: float, dbfs: float, freq: float = 440.0, *, rate: int = RATE
) -> np.ndarray:
    """A stereo tone with a little noise, shape ``(frames, 2)``, TPDF-dithered to 16 bits."""
    n = round(seconds * rate)
    t = np.arange(n) / rate
    x = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)
    x = x + 10 ** ((dbfs - 30) / 20) * rng.standard_normal(n)  # some programme variation
    stereo = np.stack([x, 0.9 * x], axis=1)
    tpdf = (rng.uniform(-0.5, 0.5, stereo.shape) + rng.uniform(-0.5, 0.5, stereo.shape)) / 2**15
    return np.clip(np.round((stereo + tpdf) * 2**15), -32768, 32767) / 2**15


def write(path: Path, x: np.ndarray, *, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    """Write samples to a WAV file."""
    sf.write(path, x, rate, subtype=subtype)
    return path


def album_file(
    folder: Path,
    files: Sequence[str],
    *,
    gaps: Sequence[float] | None = None,
    isrcs: Sequence[str] | None = None,
    catalog: str = "",
    extra: str = "",
) -> Path:
    """Write ``folder/album.toml`` listing ``files`` with the given gaps and ISRCs."""
    lines = ['schema = "mixdesk.album/1"', 'title = "Test Album"', 'performer = "The Bounces"']
    if catalog:
        lines.append(f'catalog = "{catalog}"')
    lines.append(extra)
    for i, name in enumerate(files):
        lines += ["[[tracks]]", f'file = "{name}"', f'title = "Track {i + 1}"']
        if gaps is not None:
            lines.append(f"gap_s = {gaps[i]}")
        if isrcs is not None and isrcs[i]:
            lines.append(f'isrc = "{isrcs[i]}"')
    path = folder / "album.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def mixdesk(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mixdesk`` in a subprocess (plain text, fixed width)."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False,
    )  # fmt: skip
