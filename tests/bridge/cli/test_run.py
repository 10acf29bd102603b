"""``mixdesk run SCRIPT`` and ``examples/mix_moves.py`` against a real headless Ardour.

The scripts' effects are checked in Ardour's own state (``HeadlessArdour.dump``).
The track names make the example fall back to a number for one move.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bridge.hosts import HeadlessArdour
from tests.bridge.cli import cli, free_udp_port, one_line, wait_dump

TRACKS = ("Lead Vox", "Bass", "Room Mic")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "mix_moves.py"


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "moves.py"
    path.write_text(body)
    return path


def test_script_gets_a_connected_mixer_and_its_own_argv(
    daw: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(
        tmp_path,
        "import sys\n"
        "print(__name__, sys.argv[1:], bridge.__name__)\n"
        "mixer.tracks['Bass'].volume_db = -12.5\n"
        "mixer.wait_for(mixer.resolve('Bass'), 'volume_db', -12.5)\n",
    )
    args = ["--daw", "ardour", "--port", daw.port, "take", "--port-x", "--", "--port", "9"]
    code, out, err = cli(capsys, "run", path, *args)
    assert code == 0, err
    assert out == "__main__ ['take', '--port-x', '--port', '9'] bridge\n"
    state = wait_dump(daw, lambda s: s["routes"]["Bass"]["gain_db"] < -1)
    assert state["routes"]["Bass"]["gain_db"] == pytest.approx(-12.5, abs=0.01)
    assert state["routes"]["Lead Vox"]["gain_db"] == pytest.approx(0.0, abs=1e-3)
    assert sys.argv[0] != str(path)  # restored


def test_options_before_the_script_work_too(
    daw: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(tmp_path, "mixer.tracks[3].mute = True\n")
    code, _, err = cli(capsys, "run", "--daw", "ardour", "--port", daw.port, path)
    assert code == 0, err
    assert wait_dump(daw, lambda s: s["routes"]["Room Mic"]["mute"])["routes"]["Room Mic"]["mute"]


def test_a_raising_script_prints_its_traceback_and_exits_1(
    daw: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(tmp_path, "def go():\n    raise ValueError('bad mix')\n\ngo()\n")
    code, out, err = cli(capsys, "run", path, "--daw", "ardour", "--port", daw.port)
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == f'  File "{path}", line 4, in <module>'  # the runner's frames are cut
    assert "bridge/cli/run.py" not in err
    assert "runpy" not in err
    assert lines[-1] == "ValueError: bad mix"


def test_a_bridge_error_in_the_script_is_still_the_scripts_traceback(
    daw: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(tmp_path, "mixer.tracks['Nope'].mute = True\n")
    code, _, err = cli(capsys, "run", path, "--daw", "ardour", "--port", daw.port)
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "bridge.errors.UnknownTrackError: no track named 'Nope' in Ardour"
        " ('Lead Vox', 'Bass', 'Room Mic')"
    )


@pytest.mark.parametrize(
    ("body", "code"), [("import sys\nsys.exit(3)\n", 3), ("raise SystemExit\n", 0)]
)
def test_sys_exit_is_the_exit_status(
    daw: HeadlessArdour, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, code: int
) -> None:
    path = script(tmp_path, body)
    assert cli(capsys, "run", path, "--daw", "ardour", "--port", daw.port)[0] == code


def test_no_daw_is_one_line_and_the_script_never_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    path = script(tmp_path, f"open({str(marker)!r}, 'w').close()\n")
    port = free_udp_port()
    code, out, err = cli(capsys, "run", path, "--daw", "ardour", "--port", port, "--timeout", "0.3")
    assert (code, out) == (2, "")
    assert f"no answer from Ardour at 127.0.0.1:{port}" in one_line(err)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--daw", "ardour"], "no such script: missing.py"),
        ([], "which DAW? add --daw"),
    ],
)
def test_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = "missing.py" if args else script(tmp_path, "pass\n")
    code, _, err = cli(capsys, "run", path, *args)
    assert code == 2
    assert message in one_line(err)


def test_bad_option_after_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = script(tmp_path, "pass\n")
    code, _, err = cli(capsys, "run", path, "--daw", "ardour", "--timeout", "soon")
    assert code == 2
    assert "argument --timeout: invalid float value: 'soon'" in one_line(err)


def _example_landed(daw: HeadlessArdour) -> None:
    state = wait_dump(daw, lambda s: s["routes"]["Room Mic"]["pan_azimuth"] != 0.5)
    vox, bass, room = (state["routes"][n] for n in TRACKS)
    assert vox["gain_db"] == pytest.approx(-3.0, abs=0.01)
    assert vox["pan_azimuth"] == pytest.approx(0.5, abs=1e-6)
    assert bass["gain_db"] == pytest.approx(-6.0, abs=0.01)
    assert room["gain_db"] == pytest.approx(-8.0, abs=0.01)  # the guitar move, by number
    assert room["pan_azimuth"] == pytest.approx(0.325, abs=1e-6)  # 35L
    assert not any(r["mute"] for r in (vox, bass, room))


EXAMPLE_LINES = [
    "Rough mix: vocal up front, guitar and keys apart, bass and drums centred, click muted.",
    "vocal   track 1 'Lead Vox' (by name): volume -3.0 dB, pan C, mute off",
    "guitar  track 3 'Room Mic' (by number): volume -8.0 dB, pan 35L, mute off",
    "keys    skipped: no track named like keys/piano/synth/pad, none left to take by number",
    "bass    track 2 'Bass' (by name): volume -6.0 dB, pan C, mute off",
    "drums   skipped: no track named like drum/kit/perc, none left to take by number",
    "click   skipped: no track named like click/guide/metronome",
]


def test_example_under_mixdesk_run(daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", EXAMPLE, "--daw", "ardour", "--port", daw.port)
    assert code == 0, err
    assert out.splitlines() == EXAMPLE_LINES
    _example_landed(daw)


def test_example_standalone(daw: HeadlessArdour) -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--daw", "ardour", "--port", str(daw.port)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == EXAMPLE_LINES
    _example_landed(daw)


def test_example_standalone_without_a_daw() -> None:
    port = free_udp_port()
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--daw", "ardour", "--port", str(port)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"mix_moves: no answer from Ardour at 127.0.0.1:{port}")
