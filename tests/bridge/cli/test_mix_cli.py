"""``mixdesk mix`` against a real headless Ardour, checked through Ardour's own state.

One Ardour serves the module; every test starts from a reset mixer. Values
are verified with ``HeadlessArdour.dump()`` (Lua inside Ardour), not only with
the OSC feedback the CLI itself reads. The CLI runs in-process through
``qc.cli.main.main`` and, once, as ``python -m qc`` to prove that the
``mixdesk.commands`` entry points are installed.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import re
import socket
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.cli._common import UsageError
from bridge.cli._values import format_value, parse_param, parse_value, plain_value
from bridge.hosts import HeadlessArdour
from tests.bridge.cli import (
    cli,
    free_udp_port,
    mixdesk,
    one_line,
    wait_dump,
)

TRACKS = ("Vocals", "Guitar", "Bass")


def mix(daw: HeadlessArdour, *args: object) -> list[object]:
    return ["mix", "--daw", "ardour", "--port", daw.port, *args]


# ---- status ----
def test_status_json_lists_every_track_and_the_master(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *mix(daw, "status", "--format", "json"))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "mixdesk.mix/1"
    assert (doc["daw"], doc["port"]) == ("ardour", daw.port)
    assert [(t["number"], t["name"]) for t in doc["tracks"]] == [
        (1, "Vocals"),
        (2, "Guitar"),
        (3, "Bass"),
    ]
    for row in [*doc["tracks"], doc["master"]]:
        assert row["volume_db"] == pytest.approx(0.0, abs=1e-3)
        assert (row["volume_text"], row["pan"], row["pan_text"], row["mute"]) == (
            "0.0 dB",
            0.0,
            "C",
            False,
        )
    assert doc["master"]["number"] is None
    assert doc["master"]["solo"] is None  # Ardour has no master solo
    assert set(doc["tracks"][0]) == set(doc["master"])


def test_status_shows_what_ardour_holds(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(capsys, *mix(daw, "set", "Guitar", "volume", "-inf", "pan", "25R", "mute", "on"))[0]
        == 0
    )
    code, out, _ = cli(capsys, *mix(daw, "status", "--format", "json"))
    guitar = json.loads(out)["tracks"][1]
    assert guitar["volume_db"] is None  # -inf has no JSON number
    assert (guitar["volume_text"], guitar["pan"], guitar["pan_text"]) == ("-inf dB", 0.25, "25R")
    assert guitar["mute"] is True

    code, out, _ = cli(capsys, *mix(daw, "status"))  # not a terminal: plain text
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["#", "TRACK", "VOLUME", "PAN", "MUTE", "SOLO"]
    assert lines[2].split() == ["2", "Guitar", "-inf", "dB", "25R", "on", "off"]
    assert lines[-1].split() == ["Master", "0.0", "dB", "C", "off", "-"]


def test_status_rich_table(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = cli(capsys, *mix(daw, "status", "--format", "rich"))
    assert code == 0
    assert f"Ardour at 127.0.0.1:{daw.port}" in out
    assert "\x1b[" not in out
    assert any("Vocals" in line and "0.0 dB" in line for line in out.splitlines())


# ---- set ----
def test_set_volume_is_confirmed_and_lands_in_ardour(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *mix(daw, "set", "Vocals", "volume", "-6"))
    assert code == 0, err
    assert out == "Vocals (track 1): volume -6.0 dB\n"
    state = wait_dump(daw, lambda s: s["routes"]["Vocals"]["gain_db"] < -1)
    assert state["routes"]["Vocals"]["gain_db"] == pytest.approx(-6.0, abs=0.01)
    assert state["routes"]["Guitar"]["gain_db"] == pytest.approx(0.0, abs=1e-3)


def test_set_pan_30l_is_azimuth_035(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *mix(daw, "set", "vocals", "pan", "30L"))  # names match any case
    assert code == 0, err
    assert out == "Vocals (track 1): pan 30L\n"
    state = wait_dump(daw, lambda s: s["routes"]["Vocals"]["pan_azimuth"] != 0.5)
    assert state["routes"]["Vocals"]["pan_azimuth"] == pytest.approx(0.35, abs=1e-6)  # 0 = left


def test_set_several_params_by_number(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        capsys, *mix(daw, "set", "3", "mute", "on", "volume", "-12.5", "pan", "-1")
    )
    assert code == 0, err
    assert out.splitlines() == [
        "Bass (track 3): mute on",
        "Bass (track 3): volume -12.5 dB",
        "Bass (track 3): pan 100L",
    ]
    state = wait_dump(daw, lambda s: s["routes"]["Bass"]["mute"])
    bass = state["routes"]["Bass"]
    assert bass["mute"] is True
    assert bass["gain_db"] == pytest.approx(-12.5, abs=0.01)
    assert bass["pan_azimuth"] == pytest.approx(0.0, abs=1e-6)
    assert state["routes"]["Vocals"]["mute"] is False


def test_set_master_volume(daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, *mix(daw, "set", "master", "volume", "-1.5"))
    try:
        assert code == 0, err
        assert out == "master: volume -1.5 dB\n"
        state = wait_dump(daw, lambda s: s["routes"]["Master"]["gain_db"] < -1)
        assert state["routes"]["Master"]["gain_db"] == pytest.approx(-1.5, abs=0.01)
    finally:
        cli(capsys, *mix(daw, "set", "master", "volume", "0"))


def test_value_ardour_clamps_is_not_confirmed(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *mix(daw, "--timeout", "0.5", "set", "Vocals", "volume", "+10"))
    assert out == ""
    assert code == 2
    line = one_line(err)
    assert "did not confirm volume 10.0 dB for Vocals (track 1)" in line
    assert "it reports 6.0 dB" in line  # Ardour's fader stops at +6.02 dB
    assert wait_dump(daw, lambda s: s["routes"]["Vocals"]["gain_db"] > 6)["routes"]["Vocals"][
        "gain_db"
    ] == pytest.approx(6.02, abs=0.01)


# ---- get ----
def test_get_prints_plain_values_and_json(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(capsys, *mix(daw, "set", "Guitar", "volume", "-4.5", "pan", "30L", "solo", "on"))[0]
        == 0
    )
    assert cli(capsys, *mix(daw, "get", "Guitar", "volume"))[1:] == ("-4.5\n", "")
    assert cli(capsys, *mix(daw, "get", "2", "pan"))[1] == "-0.3\n"
    assert cli(capsys, *mix(daw, "get", "Guitar", "solo"))[1] == "on\n"
    assert cli(capsys, *mix(daw, "get", "Vocals", "mute"))[1] == "off\n"
    code, out, _ = cli(capsys, *mix(daw, "get", "Guitar", "pan", "--format", "json"))
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "mixdesk.mix.get/1"
    assert doc["track"] == {"number": 2, "name": "Guitar"}
    assert (doc["param"], doc["text"]) == ("pan", "30L")
    assert doc["value"] == pytest.approx(-0.3, abs=1e-6)
    assert daw.dump()["routes"]["Guitar"]["solo"] is True


# ---- errors: one line, exit 2 ----
def test_unknown_track_names_the_track_and_the_known_ones(
    daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *mix(daw, "set", "Nope", "volume", "-3"))
    assert (code, out) == (2, "")
    assert one_line(err) == "mixdesk: no track named 'Nope' in Ardour ('Vocals', 'Guitar', 'Bass')"
    code, _, err = cli(capsys, *mix(daw, "get", "7", "volume"))
    assert code == 2
    assert "no track 7 in Ardour (it has 3 tracks)" in one_line(err)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["volume", "loud"], "bad value 'loud' for volume: use dB"),
        (["volume", "inf"], "bad value 'inf' for volume"),
        (["pan", "2"], "bad value '2' for pan: use -1..1 or 30L, C, 25R"),
        (["pan", "120L"], "bad value '120L' for pan"),
        (["mute", "maybe"], "bad value 'maybe' for mute: use on/off"),
        (["fx:1:2", "loud"], "bad value 'loud' for a plugin parameter: use a number"),
        (["volume"], "set needs PARAM VALUE pairs"),
        (["loudness", "3"], "unknown parameter 'loudness'"),
    ],
)
def test_bad_values_exit_2_before_connecting(
    capsys: pytest.CaptureFixture[str], words: list[str], message: str
) -> None:
    port = free_udp_port()  # nothing there: a connection attempt would say "no answer"
    code, out, err = cli(capsys, "mix", "--daw", "ardour", "--port", port, "set", "Vocals", *words)
    assert (code, out) == (2, "")
    assert message in one_line(err)


def test_no_daw_listening_is_no_answer(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_udp_port()
    code, out, err = cli(
        capsys, "mix", "--daw", "ardour", "--port", port, "--timeout", "0.3", "status"
    )
    assert (code, out) == (2, "")
    line = one_line(err)
    assert f"no answer from Ardour at 127.0.0.1:{port} within 0.3 s" in line
    assert "mixdesk doctor --daw ardour" in line


def test_busy_listen_port(daw: HeadlessArdour, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    try:
        busy = blocker.getsockname()[1]
        code, out, err = cli(capsys, *mix(daw, "--listen-port", busy, "status"))
    finally:
        blocker.close()
    assert (code, out) == (2, "")
    assert f"cannot listen on 127.0.0.1:{busy}: the port is busy" in one_line(err)


def test_unknown_daw_and_missing_parts_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "mix", "--daw", "cubase", "status")
    assert code == 2
    assert "unknown DAW 'cubase' (known: reaper, ardour, ableton, virtual)" in one_line(err)
    code, _, err = cli(capsys, "mix", "status")
    assert code == 2
    assert "add --daw" in one_line(err)
    code, _, err = cli(capsys, "mix", "--daw", "ardour")
    assert code == 2
    assert "mix needs a subcommand" in one_line(err)
    code, _, err = cli(capsys, "mix", "--daw", "ardour", "--stems", "x", "status")
    assert code == 2
    assert "--stems is only for --daw virtual" in one_line(err)


def test_virtual_daw_missing_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "bridge.virtual.session", None)  # as before issue 7
    code, out, err = cli(capsys, "mix", "--daw", "virtual", "--stems", tmp_path, "status")
    assert (code, out) == (2, "")
    assert "virtual" in one_line(err)


def test_virtual_daw_status_and_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("bridge.virtual.session", reason="the virtual DAW (issue 7) is not here")
    for name in ("bass", "lead"):
        sf.write(tmp_path / f"{name}.wav", np.zeros((4800, 2)), 48000, subtype="PCM_24")
    code, out, err = cli(
        capsys, "mix", "--daw", "virtual", "--stems", tmp_path, "status", "--format", "json"
    )
    assert code == 0, err
    # The stems, then the two return tracks.
    assert [t["name"] for t in json.loads(out)["tracks"]] == ["bass", "lead", "Reverb", "Delay"]
    code, out, err = cli(
        capsys, "mix", "--daw", "virtual", "--stems", tmp_path, "set", "lead", "pan", "20R"
    )
    assert code == 0, err
    assert out.startswith("lead (track 2): pan 20R")


# ---- the entry point ----
def test_entry_points_are_installed() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="mixdesk.commands")}
    ours = {
        "mix": "bridge.cli.mix:add_parser",
        "run": "bridge.cli.run:add_parser",
        "doctor": "bridge.cli.doctor:add_parser",
    }
    assert found.items() >= ours.items()  # other packages may add commands too


def test_subprocess_python_m_qc_sets_and_reads(daw: HeadlessArdour) -> None:
    proc = mixdesk("mix", "--daw", "ardour", "--port", daw.port, "set", "Bass", "volume", "-3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Bass (track 3): volume -3.0 dB\n"
    assert proc.stderr == ""  # every plugin loaded
    assert wait_dump(daw, lambda s: s["routes"]["Bass"]["gain_db"] < -1)["routes"]["Bass"][
        "gain_db"
    ] == pytest.approx(-3.0, abs=0.01)
    proc = mixdesk("mix", "--daw", "ardour", "--port", daw.port, "status", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [t["name"] for t in json.loads(proc.stdout)["tracks"]] == list(TRACKS)


def test_a_broken_plugin_costs_one_line_and_the_rest_works(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = list(entry_points(group="mixdesk.commands"))
    broken = EntryPoint("broken", "no_such_module_xyz:add_parser", "mixdesk.commands")
    # qc.cli.main imports entry_points from importlib.metadata when it loads the plugins
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [*real, broken])
    code, out, err = cli(capsys, "rules")
    assert code == 0
    assert "TP001" in out
    assert err.splitlines() == [
        "mixdesk: command 'broken' (no_such_module_xyz:add_parser) is unavailable: "
        "ModuleNotFoundError: No module named 'no_such_module_xyz'"
    ]
    code, _, err = cli(capsys, "mix", "--daw", "ardour", "set", "X", "pan", "9")
    assert code == 2
    assert "bad value '9' for pan" in err


# ---- value parsing and formatting ----
@pytest.mark.parametrize(
    ("param", "text", "value"),
    [
        ("volume", "-6", -6.0),
        ("volume", "+1.5 dB", 1.5),
        ("volume", "-inf", -math.inf),
        ("volume", "-INF dB", -math.inf),
        ("pan", "30L", -0.3),
        ("pan", "L30", -0.3),
        ("pan", "25R", 0.25),
        ("pan", "100%R", 1.0),
        ("pan", "C", 0.0),
        ("pan", "-0.5", -0.5),
        ("width", "50%", 0.5),
        ("width", "-1", -1.0),
        ("mute", "on", True),
        ("mute", "0", False),
        ("solo", "TRUE", True),
        ("solo", "no", False),
        ("send:2", "-10", -10.0),
        ("fx:1:3", "0.25", 0.25),
    ],
)
def test_parse_value(param: str, text: str, value: float | bool) -> None:
    assert parse_value(parse_param(param), text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("param", "text"),
    [("volume", "nan"), ("volume", "+inf"), ("pan", "1.01"), ("pan", "30X"), ("width", "150%"),
     ("mute", "2"), ("fx:1:1", "loud"), ("send:1", "x")],
)  # fmt: skip
def test_parse_value_rejects(param: str, text: str) -> None:
    with pytest.raises(UsageError, match=re.escape(f"bad value '{text}'")):
        parse_value(parse_param(param), text)


def test_parse_param_paths() -> None:
    assert [parse_param(p) for p in ("volume", "PAN", "rec", "send:2", "fx:1:3")] == [
        "volume_db", "pan", "rec_arm", "send/2/level_db", "fx/1/param/3"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("param", "value", "shown", "plain"),
    [
        ("volume_db", -6.0000004, "-6.0 dB", "-6"),
        ("volume_db", -0.0001, "0.0 dB", "0"),
        ("volume_db", -math.inf, "-inf dB", "-inf"),
        ("pan", -0.29999995, "30L", "-0.3"),
        ("pan", 0.004, "C", "0.004"),
        ("pan", 1.0, "100R", "1"),
        ("mute", True, "on", "on"),
        ("volume_db", None, "-", ""),
    ],
)
def test_format_value(param: str, value: float | bool | None, shown: str, plain: str) -> None:
    assert format_value(param, value) == shown
    assert plain_value(param, value) == plain


# ---- connection options before or after the subcommand ----
def test_connection_options_go_before_or_after_the_subcommand(tmp_path: Path) -> None:
    """Real ``python -m qc`` runs on the virtual DAW: the same options in both places."""
    stems = tmp_path / "stems"
    stems.mkdir()
    for name in ("bass", "lead"):
        sf.write(stems / f"{name}.wav", np.zeros((4800, 2)), 48000, subtype="PCM_24")
    virtual = ["--daw", "virtual", "--stems", stems]

    def ok(*args: object, quiet: bool = True) -> str:
        proc = mixdesk(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stderr == "" or not quiet, (args, proc.stderr)
        return proc.stdout

    def usage(*args: object) -> str:
        proc = mixdesk(*args)
        assert (proc.returncode, proc.stdout) == (2, ""), (args, proc.stdout)
        return one_line(proc.stderr)

    before = json.loads(ok("mix", *virtual, "status", "--format", "json"))
    after = json.loads(ok("mix", "status", "--format", "json", *virtual))
    assert [t["name"] for t in before["tracks"]] == [t["name"] for t in after["tracks"]]
    assert (before["daw"], after["daw"]) == ("virtual", "virtual")
    for args in (
        ["mix", *virtual, "set", "lead", "pan", "20R"],
        ["mix", "set", *virtual, "lead", "pan", "20R"],
        ["mix", "set", "lead", "pan", "20R", *virtual],  # after the pairs, too
    ):
        assert ok(*args) == "lead (track 2): pan 20R\n"
    inf = ok("mix", "set", "lead", "volume", "-inf", *virtual)  # -inf is a value, not an option
    assert inf == "lead (track 2): volume -inf dB\n"
    assert ok("mix", *virtual, "get", "lead", "pan") == ok("mix", "get", "lead", "pan", *virtual)
    # A value after the subcommand wins over one before it; a default never overrides.
    assert ok("mix", "--daw", "reaper", "--port", 1, "get", "bass", "volume", *virtual) == "0\n"
    assert ok("mix", "--timeout", "5", "get", "bass", "volume", *virtual) == "0\n"

    verse, chorus = tmp_path / "verse.toml", tmp_path / "chorus.toml"
    # bass, lead, the returns Reverb and Delay, and the master
    assert ok("scene", "save", verse, *virtual) == f"saved 5 tracks to {verse}\n"
    assert ok("scene", *virtual, "save", chorus) == f"saved 5 tracks to {chorus}\n"
    # (the virtual DAW logs that its master has no pan)
    assert ok("scene", "recall", verse, *virtual, quiet=False).endswith(f"recalled {verse}\n")
    assert ok("scene", *virtual, "recall", chorus, quiet=False).endswith(f"recalled {chorus}\n")
    assert ok("scene", "diff", verse, chorus) == "no differences\n"

    script = tmp_path / "names.py"
    script.write_text("print(', '.join(t.name for t in mixer.tracks))\n", encoding="utf-8")
    names = "bass, lead, Reverb, Delay\n"
    assert ok("run", *virtual, script) == ok("run", script, *virtual) == names
    # --render-dir goes before or after the subcommand too (created, even with no render).
    ok("mix", "--render-dir", tmp_path / "r1", *virtual, "status")
    ok("mix", *virtual, "status", "--render-dir", tmp_path / "r2")
    assert (tmp_path / "r1").is_dir()
    assert (tmp_path / "r2").is_dir()

    # Without --stems the virtual DAW says so in the CLI's words, wherever --daw stood.
    lanes = tmp_path / "ride.json"
    lanes.write_text(
        '{"schema": "mixdesk.lanes/1", "lane": [{"track": "lead", "param": "volume_db",'
        ' "points": [[0.0, -6.0], [0.5, -3.0]]}]}',
        encoding="utf-8",
    )
    needs = "mixdesk: --daw virtual needs --stems DIR (the folder of stems to mix)"
    for args in (
        ["mix", "--daw", "virtual", "status"],
        ["mix", "status", "--daw", "virtual"],
        ["scene", "save", verse.with_name("new.toml"), "--daw", "virtual"],
        ["automate", "--daw", "virtual", lanes],
        ["automate", lanes, "--daw", "virtual"],
        ["run", script, "--daw", "virtual"],
    ):
        assert usage(*args) == needs, args
    assert usage("mix", "status", "--daw", "ardour", "--stems", stems) == (
        "mixdesk: --stems is only for --daw virtual"
    )
