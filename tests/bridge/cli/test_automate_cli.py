"""``mixdesk automate`` and ``mixdesk scene`` on the virtual DAW, and examples/vocal_ride.py.

The README's automation example is run as written (its Python, then each ``$``
command in a subprocess) and its output compared with the README's.
"""

from __future__ import annotations

import math
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation import Lane, Point, load_lanes, load_scene, save_lanes
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from qc.cli.main import main
from tests.bridge import free_udp_port

ROOT = Path(__file__).resolve().parents[3]
MIXDESK = str(Path(sys.executable).with_name("mixdesk"))  # the console script, as installed
RATE = 48000


@pytest.fixture(scope="module")
def stems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(1.5 * RATE)) / RATE
    sf.write(folder / "lead.wav", 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_24")
    sf.write(folder / "bass.wav", 0.3 * np.sin(2 * np.pi * 55 * t), RATE, subtype="PCM_24")
    return folder


def test_automate_renders_a_lane_file_into_the_virtual_daw(
    stems: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lanes = tmp_path / "ride.toml"
    save_lanes([Lane("lead", "volume_db", (Point(0.1, -12.0, "s_curve"), Point(0.8, -3.0)))], lanes)
    out_dir = tmp_path / "out"
    argv = ["automate", "--daw", "virtual", "--stems", str(stems), str(lanes)]
    code = main([*argv, "--render-dir", str(out_dir)])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[0] == "rendering 1 lane offline in the virtual DAW, 0.10-0.80 s, sample-accurate"
    assert lines[1].startswith(f"rendered {out_dir / 'mix-take01.wav'} (1.5 s, 24-bit")
    assert sf.info(out_dir / "mix-take01.wav").frames == int(1.5 * RATE)


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
        return float(10 * np.log10(float(np.mean(seg**2)) + 1e-20))

    # The fade: the last half second is far below the song before the fade.
    assert level(13.3, 13.8) < level(4.0, 7.0) - 25


def _readme_example() -> tuple[str, list[tuple[str, list[str]]]]:
    """The README automation section's Python, and its ``$`` commands with their output."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Automation: mix moves over time", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, flags=re.DOTALL)
    python = next(body for lang, body in blocks if lang == "python")
    console = next(body for lang, body in blocks if lang == "" and body.startswith("$ "))
    commands: list[tuple[str, list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return python, commands


def _numbers_out(line: str) -> str:
    """A ``done:`` or ``rendered`` line with its measurements (counts, times) replaced by N."""
    measured = line.startswith(("done: ", "rendered "))
    return re.sub(r"[+-]?\d+(?:\.\d+)?", "N", line) if measured else line


def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    python, commands = _readme_example()
    env_python = [sys.executable, "-c", python]
    made = subprocess.run(env_python, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    assert [(la.track, la.param) for la in load_lanes(tmp_path / "fade.toml")] == [
        ("master", "volume_db")
    ]
    assert len(commands) == 4
    for command, expected in commands:
        argv = shlex.split(command)
        if argv[0] == "python":
            argv = [sys.executable, str(ROOT / argv[1]), *argv[2:]]
        else:
            assert argv[0] == "mixdesk"
            argv = [MIXDESK, *argv[1:]]
        proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
        refused = bool(expected) and expected[0].startswith("mixdesk: ")
        assert proc.returncode == (2 if refused else 0), (command, proc.stderr)
        if refused:
            assert proc.stderr.splitlines() == expected, command  # one line, no traceback
            assert proc.stdout == ""
        elif argv[0] == MIXDESK:
            got = [_numbers_out(line) for line in proc.stdout.splitlines()]
            assert got == [_numbers_out(line) for line in expected], command
            assert proc.stderr == ""


@pytest.fixture
def daw(stems: Path, tmp_path: Path) -> Iterator[VirtualDaw]:
    """The virtual DAW as a separate server, so a test can read its state after a command."""
    server = VirtualDaw(
        load_stems(stems, RATE), rate=RATE, render_dir=tmp_path / "renders", port=0, feedback=None
    )
    with server:
        yield server


def _idle(daw: VirtualDaw) -> None:
    """Wait until the server has handled every datagram sent to it (UDP is asynchronous)."""
    handled = -1
    while handled != daw.handled:
        handled = daw.handled
        time.sleep(0.05)


def test_a_master_lane_is_one_line_exit_2_before_the_transport_moves(
    daw: VirtualDaw, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lanes = tmp_path / "fade.toml"
    save_lanes(
        [
            Lane("lead", "volume_db", (Point(0.2, -12.0), Point(0.6, -3.0))),
            Lane("master", "volume_db", (Point(0.3, 0.0), Point(0.6, -60.0))),
        ],
        lanes,
    )
    port = daw.address[1]
    listen = ["--port", str(port), "--listen-port", str(free_udp_port())]
    code = main(["automate", "--daw", "reaper", *listen, str(lanes)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("mixdesk: lane 'master' volume_db: a touch pass cannot write it,")
    assert "REAPER cannot do 'master automation mode" in err
    assert "--mode none" in err
    assert "Traceback" not in err
    # The DAW's own state: never located (the pass starts at 0.2 s), never rolled,
    # no mode set, no value sent.
    _idle(daw)
    assert not daw.playing
    assert daw.position == 0.0
    assert daw.automation_mode("lead") == "trim"
    assert daw.automation("lead") == {}
    assert daw.state.tracks["lead"].volume_db == 0.0
    assert daw.state.master_volume_db == 0.0

    # With --mode none the same lanes stream, the master's too, and no mode changes.
    code = main(["automate", "--daw", "reaper", *listen, "--mode", "none", str(lanes)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1].endswith("; automation modes unchanged")
    _idle(daw)
    assert daw.state.master_volume_db == -60.0
    assert daw.state.tracks["lead"].volume_db == pytest.approx(-3.0, abs=1e-4)
    assert daw.automation_mode("lead") == "trim"


def test_restore_modes_on_the_command_line(
    daw: VirtualDaw, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lanes = tmp_path / "ride.toml"
    save_lanes([Lane("bass", "volume_db", (Point(0.1, -12.0), Point(0.4, -3.0)))], lanes)
    listen = ["--port", str(daw.address[1]), "--listen-port", str(free_udp_port())]
    assert main(["automate", "--daw", "reaper", *listen, str(lanes)]) == 0
    assert "lanes left in read mode" in capsys.readouterr().out
    _idle(daw)
    assert daw.automation_mode("bass") == "read"
    assert main(["automate", "--daw", "reaper", *listen, "--restore-modes", str(lanes)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("previous automation modes restored")
    _idle(daw)
    assert daw.automation_mode("bass") == "read"  # what it was before this pass
    _idle(daw)
    daw_points = daw.automation("bass")["volume_db"]
    assert math.isclose(daw_points[-1][1], -3.0, abs_tol=0.01)


def test_vocal_ride_live_refuses_the_master_fade_before_the_pass(tmp_path: Path) -> None:
    stems = tmp_path / "stems"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "stems.py"), str(stems), "--seconds", "8"],
        check=True,
        capture_output=True,
    )
    script = [sys.executable, str(ROOT / "examples" / "vocal_ride.py"), str(stems), "--live"]
    proc = subprocess.run(script, cwd=tmp_path, check=False, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("mixdesk: lane 'master' volume_db: a touch pass cannot write it")
    assert not list((tmp_path / "renders").glob("*.wav"))  # no take: nothing was played

    proc = subprocess.run(
        [*script, "--offline-master"], cwd=tmp_path, check=False, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "master fade: rendered offline" in proc.stdout
    audio, rate = sf.read(tmp_path / "renders" / "mix-take01.wav", always_2d=True)

    def level(start: float, end: float) -> float:
        seg = audio[int(start * rate) : int(end * rate)]
        return float(10 * np.log10(float(np.mean(seg**2)) + 1e-20))

    assert level(7.3, 7.8) < level(1.0, 2.0) - 25  # the fade is in the take


def test_scene_save_never_replaces_audio_or_an_existing_file(
    stems: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    master = tmp_path / "master.wav"
    sf.write(master, np.zeros((480, 2)), RATE, subtype="PCM_24")
    audio = master.read_bytes()
    virtual = ["--daw", "virtual", "--stems", str(stems)]
    assert main(["scene", "save", *virtual, str(master)]) == 2
    err = capsys.readouterr().err
    assert err == f"mixdesk: {master}: refusing to write the scene there: it is an audio file\n"
    assert master.read_bytes() == audio
    verse = tmp_path / "verse.toml"
    verse.write_text("# notes\n")
    assert main(["scene", "save", *virtual, str(verse)]) == 2
    assert "it already exists (--force replaces it)" in capsys.readouterr().err
    assert verse.read_text() == "# notes\n"
    assert main(["scene", "save", *virtual, "--force", str(verse)]) == 0
    assert set(load_scene(verse).tracks) >= {"lead", "bass"}
