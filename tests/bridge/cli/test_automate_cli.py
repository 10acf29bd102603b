"""``mixdesk automate`` and ``mixdesk scene`` on the virtual DAW, and examples/vocal_ride.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation import Lane, Point, load_lanes, load_scene, save_lanes
from qc.cli.main import main

ROOT = Path(__file__).resolve().parents[3]
RATE = 48000


@pytest.fixture(scope="module")
def stems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(1.5 * RATE)) / RATE
    sf.write(folder / "lead.wav", 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_24")
    sf.write(folder / "bass.wav", 0.3 * np.sin(2 * np.pi * 55 * t), RATE, subtype="PCM_24")
    return folder


def test_automate_writes_a_lane_file(
    stems: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lanes = tmp_path / "ride.toml"
    save_lanes([Lane("lead", "volume_db", (Point(0.1, -12.0, "s_curve"), Point(0.8, -3.0)))], lanes)
    code = main(["automate", "--daw", "virtual", "--stems", str(stems), str(lanes), "--rate", "50"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "writing 1 lanes into the virtual DAW, 0.10-0.80 s, mode touch, 50 Hz" in out.out
    done = out.out.strip().splitlines()[-1]
    assert done.startswith("done: ")
    assert "position reports" in done


HEAD = "schema = 'mixdesk.lanes/1'\n[[lane]]\nparam = 'volume_db'\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEAD + "track = 'vox'\npoints = [[0.0, -6.0]]\n", "no track named 'vox'"),
        (HEAD + "track = 'lead'\npoints = [[1.0, -6.0], [0.5, -3.0]]\n", "ride.toml"),
        ("not toml at all [", "ride.toml"),
    ],
)
def test_bad_lane_files_are_one_line_exit_2(
    stems: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    lanes = tmp_path / "ride.toml"
    lanes.write_text(content)
    code = main(["automate", "--daw", "virtual", "--stems", str(stems), str(lanes)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert expected in err
    assert "Traceback" not in err


def test_scene_save_and_diff(
    stems: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    assert main(["scene", "save", "--daw", "virtual", "--stems", str(stems), str(a)]) == 0
    scene = load_scene(a)
    assert set(scene.tracks) >= {"lead", "bass"}
    assert scene.tracks["lead"]["volume_db"] == 0.0
    b.write_text(a.read_text().replace("volume_db = 0.0", "volume_db = -4.5", 1))
    capsys.readouterr()
    assert main(["scene", "diff", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert "0.0 dB → -4.5 dB (-4.5 dB)" in lines[0]


def test_vocal_ride_example_rides_and_fades(tmp_path: Path) -> None:
    stems = tmp_path / "stems"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "stems.py"), str(stems), "--seconds", "14"],
        check=True,
        capture_output=True,
    )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "vocal_ride.py"), str(stems)],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lanes = load_lanes(tmp_path / "ride.toml")
    assert [(la.track, la.param) for la in lanes] == [
        ("lead", "volume_db"),
        ("master", "volume_db"),
    ]
    audio, rate = sf.read(tmp_path / "renders" / "mix-take01.wav", always_2d=True)

    def level(start: float, end: float) -> float:
        seg = audio[int(start * rate) : int(end * rate)]
        return 10 * np.log10(float(np.mean(seg**2)) + 1e-20)

    # The fade: the last half second is far below the song before the fade.
    assert level(13.3, 13.8) < level(4.0, 7.0) - 25
