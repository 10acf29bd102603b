"""``mixdesk automate --daw virtual``: the lane file rendered offline, checked against numpy.

The references are computed here from the stems as written (read back from
their 24-bit files), the constant-power pan law's centre gain ``sin(π/4)`` and
the lane's linear-in-dB ramp, or, for an EQ lane, the RBJ cookbook's peaking
gain at its centre frequency (exactly the band's gain, ``A² = 10^(dB/20)``).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from bridge.automation import Lane, Point, save_lanes

RATE = 48000
SECONDS = 1.5
LSB = 2.0**-23  # one step of 24-bit PCM, full scale 1.0
CENTRE = math.sin(math.pi / 4)  # constant-power pan law at centre (-3.01 dB)


@pytest.fixture(scope="module")
def stems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(SECONDS * RATE)) / RATE
    sf.write(folder / "lead.wav", 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_24")
    sf.write(folder / "bass.wav", 0.3 * np.sin(2 * np.pi * 55 * t), RATE, subtype="PCM_24")
    return folder


def mixdesk(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def stem(stems: Path, name: str) -> npt.NDArray[np.float64]:
    data, _ = sf.read(stems / f"{name}.wav", dtype="float64")
    return np.asarray(data)


def ramp_db(
    t: npt.NDArray[np.float64], t0: float, v0: float, t1: float, v1: float
) -> npt.NDArray[np.float64]:
    """A linear-in-dB lane from (t0, v0) to (t1, v1), held before and after."""
    return np.interp(t, [t0, t1], [v0, v1])


def test_a_volume_ride_and_a_master_fade_render_sample_accurately(
    stems: Path, tmp_path: Path
) -> None:
    lanes = tmp_path / "ride.toml"
    save_lanes(
        [
            Lane("lead", "volume_db", (Point(0.2, -12.0), Point(1.0, 0.0))),
            Lane("master", "volume_db", (Point(1.1, 0.0), Point(1.4, -40.0))),
        ],
        lanes,
    )
    proc = mixdesk("automate", "--daw", "virtual", "--stems", stems, lanes,
                   "--render-dir", "out", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "rendering 2 lanes offline in the virtual DAW, 0.20-1.40 s, sample-accurate",
        proc.stdout.splitlines()[1],
    ]
    assert proc.stdout.splitlines()[1].startswith("rendered out/mix-take01.wav (1.5 s, 24-bit")
    got, rate = sf.read(tmp_path / "out" / "mix-take01.wav", dtype="float64")
    assert rate == RATE
    t = np.arange(len(got)) / RATE
    lead = stem(stems, "lead") * 10 ** (ramp_db(t, 0.2, -12.0, 1.0, 0.0) / 20)
    mono = (lead + stem(stems, "bass")) * CENTRE * 10 ** (ramp_db(t, 1.1, 0.0, 1.4, -40.0) / 20)
    want = np.stack([mono, mono], axis=1)
    err = np.max(np.abs(got - want))
    assert err <= 2 * LSB, f"off by {err / LSB:.2f} LSB"
    # The lanes moved the mix: a constant mix would be far off.
    assert np.max(np.abs(got[:, 0] - (stem(stems, "lead") + stem(stems, "bass")) * CENTRE)) > 0.1


def test_eq_lanes_by_name_boost_the_band_by_its_gain(tmp_path: Path) -> None:
    folder = tmp_path / "stems"
    folder.mkdir()
    t = np.arange(int(SECONDS * RATE)) / RATE
    sf.write(folder / "lead.wav", 0.1 * np.sin(2 * np.pi * 440 * t), RATE, subtype="PCM_24")
    lanes = tmp_path / "eq.toml"
    save_lanes(
        [
            Lane("lead", "fx/EQ/param/Band 1 freq", (Point(0.0, 440.0),)),
            Lane(1, "fx/1/param/Band 1 gain", (Point(0.0, 6.0),)),  # by number and name
        ],
        lanes,
    )
    proc = mixdesk("automate", "--daw", "virtual", "--stems", folder, lanes, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got, _ = sf.read(tmp_path / "mix-take01.wav", dtype="float64")  # the current folder
    settled = slice(int(0.5 * RATE), int(1.5 * RATE))  # whole periods of 440 Hz: 440 of them
    rms_in = float(np.sqrt(np.mean(stem(folder, "lead")[settled] ** 2))) * CENTRE
    rms_out = float(np.sqrt(np.mean(got[settled, 0] ** 2)))
    gain_db = 20 * math.log10(rms_out / rms_in)
    assert gain_db == pytest.approx(6.0, abs=0.05)  # RBJ peaking: |H(w0)| = A² = 10^(6/20)


@pytest.mark.parametrize(
    ("lane", "expected"),
    [
        (Lane("lead", "fx/Chorus/param/Rate", (Point(0.0, 1.0),)),
         "fx/Chorus/param/Rate lane: track 'lead' has no plugin 'Chorus' (1 EQ, 2 Compressor)"),
        (Lane("lead", "fx/Compressor/param/Speed", (Point(0.0, 1.0),)),
         "fx/Compressor/param/Speed lane: Compressor on track 'lead' has no parameter 'Speed'"),
        (Lane("lead", "fx/2/param/Ratio", (Point(0.0, 4.0), Point(1.0, 40.0))),
         "fx/2/param/Ratio lane of track 'lead': 40 at 1 s is outside Compressor Ratio's 1..20 :1"),
        (Lane("vox", "volume_db", (Point(0.0, -3.0),)),
         "no track named 'vox' in the virtual DAW ('bass', 'lead', 'Reverb', 'Delay')"),
    ],
)  # fmt: skip
def test_bad_lanes_are_one_line_before_anything_is_rendered(
    stems: Path, tmp_path: Path, lane: Lane, expected: str
) -> None:
    lanes = tmp_path / "bad.toml"
    save_lanes([lane], lanes)
    proc = mixdesk("automate", "--daw", "virtual", "--stems", stems, lanes, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert expected in proc.stderr
    assert not list(tmp_path.glob("*.wav"))


@pytest.mark.parametrize(
    "option",
    [["--mode", "touch"], ["--rate", "50"], ["--restore-modes"], ["--no-roll"], ["--from", "1"]],
)
def test_live_pass_options_are_refused_for_the_offline_render(
    stems: Path, tmp_path: Path, option: list[str]
) -> None:
    lanes = tmp_path / "ride.toml"
    save_lanes([Lane("lead", "volume_db", (Point(0.0, -3.0),))], lanes)
    proc = mixdesk("automate", "--daw", "virtual", "--stems", stems, lanes, *option,
                   cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == (
        f"mixdesk: {option[0]} is for a live pass; --daw virtual renders the lanes offline"
        " (for a live pass: 'mixdesk daw --stems DIR' and --daw reaper)\n"
    )
    assert not list(tmp_path.glob("*.wav"))
