"""Bounces are never lost: render folders, announced takes, waited-for renders, failures seen.

Every command runs as a user runs it (``python -m qc`` in a subprocess) against
the embedded virtual DAW, on real UDP over 127.0.0.1. The takes are read back
and compared with the stems' own length; failures are provoked for real (the
render folder replaced by a file, a stem deleted after the DAW started).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation import Lane, Point, save_lanes
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.session import start_virtual

RATE = 48000
SECONDS = 1.5


@pytest.fixture(scope="module")
def stems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stems")
    t = np.arange(int(SECONDS * RATE)) / RATE
    sf.write(folder / "lead.wav", 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_24")
    sf.write(folder / "bass.wav", 0.3 * np.sin(2 * np.pi * 55 * t), RATE, subtype="PCM_24")
    return folder


def mixdesk(
    *args: object, cwd: Path, tmpdir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m qc ARGS`` in ``cwd``, with ``TMPDIR`` pointing at ``tmpdir`` when given."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def complete_take(path: Path) -> None:
    """The take is a finished 24-bit stereo WAV as long as the longest stem."""
    info = sf.info(path)
    assert (info.subtype, info.samplerate, info.channels) == ("PCM_24", RATE, 2)
    assert info.frames == int(SECONDS * RATE)


RENDER_SCRIPT = "mixer.tracks['bass'].volume_db = -6.0\nprint('script got', mixer.render())\n"


def test_no_command_leaves_a_temp_folder_and_the_current_folder_gets_only_takes(
    stems: Path, tmp_path: Path
) -> None:
    tmp, work, elsewhere = tmp_path / "tmp", tmp_path / "work", tmp_path / "files"
    for d in (tmp, work, elsewhere):
        d.mkdir()
    script = elsewhere / "render.py"
    script.write_text(RENDER_SCRIPT)
    lanes = elsewhere / "fade.toml"
    save_lanes([Lane("master", "volume_db", (Point(0.5, 0.0), Point(1.4, -60.0)))], lanes)
    virtual = ["--daw", "virtual", "--stems", stems]
    commands = [
        ["mix", *virtual, "status"],
        ["mix", *virtual, "set", "lead", "volume", "-3"],
        ["scene", "save", *virtual, elsewhere / "a.toml"],
        ["scene", "recall", *virtual, elsewhere / "a.toml"],
        ["run", script, *virtual],
        ["automate", *virtual, lanes],
    ]
    for argv in commands:
        proc = mixdesk(*argv, cwd=work, tmpdir=tmp)
        assert proc.returncode == 0, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert list(tmp.iterdir()) == [], argv  # no mixdesk-XXXX left behind
    # Only the two commands that render left something in the current folder: their takes.
    assert sorted(p.name for p in work.iterdir()) == ["mix-take01.wav", "mix-take02.wav"]
    for take in work.iterdir():
        complete_take(take)


def test_run_writes_announces_and_waits_for_every_take_three_runs_in_a_row(
    stems: Path, tmp_path: Path
) -> None:
    script = tmp_path / "render.py"
    script.write_text(RENDER_SCRIPT)
    out = tmp_path / "out"
    for n in (1, 2, 3):
        proc = mixdesk("run", script, "--daw", "virtual", "--stems", stems, "--render-dir", "out",
                       cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        take = out / f"mix-take{n:02d}.wav"
        lines = proc.stdout.splitlines()
        # The take is announced (relative to the current folder) and render() returned it.
        assert lines[0].startswith(f"rendered out/mix-take{n:02d}.wav ({SECONDS:.1f} s, 24-bit")
        assert lines[1] == f"script got {take}"
        complete_take(take)  # written before the process exited
    assert sorted(p.name for p in out.iterdir()) == [f"mix-take0{n}.wav" for n in (1, 2, 3)]


def test_a_render_asked_for_just_before_exit_is_still_written(stems: Path, tmp_path: Path) -> None:
    script = tmp_path / "fire.py"
    script.write_text("mixer.render(wait=False)\n")  # no waiting in the script at all
    proc = mixdesk("run", script, "--daw", "virtual", "--stems", stems, "--render-dir", "o",
                   cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rendered o/mix-take01.wav")
    complete_take(tmp_path / "o" / "mix-take01.wav")


def test_render_folders_are_created_and_bad_ones_are_one_line_errors(
    stems: Path, tmp_path: Path
) -> None:
    proc = mixdesk("mix", "--daw", "virtual", "--stems", stems, "--render-dir", "a/b/c",
                   "status", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a" / "b" / "c").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for where, why in ((blocker, "is not a folder"), (blocker / "sub", "cannot create")):
        proc = mixdesk("mix", "status", "--daw", "virtual", "--stems", stems,
                       "--render-dir", where, cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith(f"mixdesk: {where}: ")
        assert why in proc.stderr
    proc = mixdesk("mix", "status", "--daw", "reaper", "--port", "1", "--render-dir", "x",
                   cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 2
    assert (
        proc.stderr == "mixdesk: --render-dir is only for --daw virtual (a DAW renders where"
        " it is set to)\n"
    )


def test_a_failed_render_raises_with_the_servers_reason(stems: Path, tmp_path: Path) -> None:
    folder = tmp_path / "renders"
    with start_virtual(stems, render_dir=folder) as mixer:
        assert mixer.render() == folder / "mix-take01.wav"
        shutil.rmtree(folder)
        folder.write_text("the folder is gone")  # replaced by a file after the start
        with pytest.raises(VirtualDawError, match=r"^render failed: .*render folder"):
            mixer.render()
        folder.unlink()
        folder.mkdir()
        assert mixer.render() == folder / "mix-take01.wav"  # the DAW lives on


def test_a_stem_deleted_mid_session_fails_the_render_in_run(stems: Path, tmp_path: Path) -> None:
    mine = tmp_path / "stems"
    shutil.copytree(stems, mine)
    script = tmp_path / "delete.py"
    script.write_text(f"import os\nos.remove({str(mine / 'bass.wav')!r})\nmixer.render()\n")
    proc = mixdesk("run", script, "--daw", "virtual", "--stems", mine, cwd=tmp_path)
    assert proc.returncode == 1  # the script's exception: its traceback, exit 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("bridge.virtual.errors.VirtualDawError: render failed: ")
    assert "bass.wav" in last
    assert not list(tmp_path.glob("*.wav"))  # no partial take left


def test_a_render_failed_without_waiting_is_an_error_when_the_command_ends(
    stems: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "stems"
    shutil.copytree(stems, mine)
    script = tmp_path / "delete.py"
    script.write_text(f"import os\nos.remove({str(mine / 'lead.wav')!r})\n"
                      "mixer.render(wait=False)\n")  # fmt: skip
    proc = mixdesk("run", script, "--daw", "virtual", "--stems", mine, cwd=tmp_path)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("mixdesk: render failed: ")
    assert "lead.wav" in last


def test_a_reaper_client_sees_the_render_replies(stems: Path, tmp_path: Path) -> None:
    from bridge.dialects.reaper import ReaperDialect
    from bridge.errors import BridgeError
    from bridge.mixer.mixer import Mixer
    from bridge.virtual.server import VirtualDaw
    from bridge.virtual.stems import load_stems

    folder = tmp_path / "renders"
    daw = VirtualDaw(load_stems(stems, RATE), rate=RATE, render_dir=folder, port=0, feedback=None)
    with daw, Mixer(ReaperDialect(), port=daw.address[1], listen_port=0, timeout=5.0) as mixer:
        assert mixer.render(wait=True, timeout=60) == folder / "mix-take01.wav"
        complete_take(folder / "mix-take01.wav")
        shutil.rmtree(folder)
        folder.write_text("not a folder")
        with pytest.raises(
            BridgeError, match=r"^REAPER: render failed: .*renders: the render folder"
        ):
            mixer.render(wait=True, timeout=60)


def test_bridge_connect_takes_the_render_folder_for_the_virtual_daw_only(
    stems: Path, tmp_path: Path
) -> None:
    import bridge
    from bridge.errors import BridgeError

    folder = tmp_path / "takes"
    with bridge.connect("virtual", stems=stems, render_dir=folder) as mixer:
        assert mixer.render() == folder / "mix-take01.wav"
    complete_take(folder / "mix-take01.wav")
    with pytest.raises(BridgeError, match=r"^render_dir is only for the virtual DAW; REAPER"):
        bridge.connect("reaper", port=1, render_dir=folder)
