"""Scenes: values, diff and files as pure data; capture and recall on the real virtual DAW.

Capture and recall go through real UDP to a running virtual DAW (REAPER dialect),
and what the DAW holds is read from its own state (``mixer.daw.state``), not
from the mixer's mirror. Tolerances: levels travel as float32, so 1e-4 dB; pan
and width travel as float32 in 0..1, so 1e-6.
"""

from __future__ import annotations

import math
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.automation import (
    SCENE_SCHEMA,
    AutomationError,
    Change,
    Scene,
    capture,
    diff,
    format_diff,
    load_scene,
    recall,
    save_scene,
)
from bridge.osc.message import message
from bridge.virtual.session import VirtualMixer, start_virtual
from tests.bridge import eventually

INF = math.inf
RATE = 48000
DB_TOL = 1e-4
VALUE_TOL = 1e-6
DOCS = Path(__file__).parents[3] / "docs" / "automation.md"

VERSE = Scene(
    "verse",
    {
        "Vocals": {"volume_db": -6.0, "pan": 0.0, "width": 1.0, "mute": False, "solo": False},
        "Keys": {"volume_db": -10.0, "pan": -0.3, "send/1/level_db": -INF},
        "master": {"volume_db": 0.0},
    },
)


# ---- pure: values, diff, files ----


def test_scene_values_are_checked_and_frozen() -> None:
    scene = Scene("s", {"Bass": {"mute": 1, "volume_db": -3}})
    assert scene.tracks["Bass"]["mute"] is True
    assert isinstance(scene.tracks["Bass"]["volume_db"], float)
    with pytest.raises(TypeError):
        scene.tracks["Bass"]["mute"] = False  # type: ignore[index]
    with pytest.raises(TypeError):
        scene.tracks["Drums"] = {}  # type: ignore[index]


@pytest.mark.parametrize(
    ("tracks", "message"),
    [
        ({"Bass": {"gain": 1.0}}, r"scene 's' track 'Bass': 'gain' is not an automatable"),
        ({"Bass": {"pan": 2.0}}, r"track 'Bass' pan: value 2 is outside \[-1, 1\]"),
        ({"Bass": {"volume_db": 25.0}}, r"volume_db: value 25 dB is not a level"),
        ({"Bass": {"volume_db": True}}, r"volume_db: is not a number"),
        ({"Bass": {"volume_db": "-inf"}}, r"volume_db: value '-inf' is not a number"),
        ({"Bass": {"mute": 0.5}}, r"track 'Bass' mute: value 0.5 is not on/off"),
        ({"": {"mute": 0}}, r"track '': a track is named by a non-empty string"),
        ({"Bass": [1.0]}, r"track 'Bass': values must map parameters to values"),
        ([("Bass", {})], r"scene 's': tracks must map names to values"),
    ],
)
def test_bad_scenes(tracks: object, message: str) -> None:
    with pytest.raises(AutomationError, match=message):
        Scene("s", tracks)  # type: ignore[arg-type]


def _scene(**values: float | bool) -> Scene:
    return Scene("x", {"Vox": dict(values)})


@pytest.mark.parametrize(
    ("param", "before", "after", "changed"),
    [
        ("volume_db", -6.0, -6.009, False),
        ("volume_db", -6.0, -6.011, True),
        ("volume_db", -6.0, -5.98, True),
        ("send/2/level_db", -INF, -INF, False),
        ("volume_db", -INF, -100.0, True),
        ("pan", 0.25, 0.2509, False),
        ("pan", 0.25, 0.2511, True),
        ("width", 1.0, 0.9985, True),
        ("fx/1/param/1", 0.5, 0.5005, False),
        ("mute", False, True, True),
        ("solo", True, True, False),
    ],
)
def test_diff_thresholds(param: str, before: float, after: float, changed: bool) -> None:
    got = diff(_scene(**{param: before}), _scene(**{param: after}))
    assert got == ([Change("Vox", param, before, after)] if changed else [])


def test_diff_order_and_missing_values() -> None:
    chorus = Scene(
        "chorus",
        {
            "Bass": {"mute": True},
            "Keys": {"volume_db": -10.0, "pan": 0.25},
            "Vocals": {"volume_db": -4.5, "pan": 0.0, "width": 1.0, "mute": False, "solo": False},
        },
    )
    assert diff(VERSE, chorus) == [
        Change("Vocals", "volume_db", -6.0, -4.5),
        Change("Keys", "pan", -0.3, 0.25),
        Change("Keys", "send/1/level_db", -INF, None),
        Change("master", "volume_db", 0.0, None),
        Change("Bass", "mute", None, True),
    ]
    assert diff(VERSE, VERSE) == []


def test_format_diff() -> None:
    changes = [
        Change("Vocals", "volume_db", -6.0, -4.5),
        Change("Keys", "pan", -0.3, 0.25),
        Change("Keys", "pan", 0.0004, -1.0),
        Change("Keys", "width", 1.0, 0.6),
        Change("master", "volume_db", 0.0, -INF),
        Change("Bass", "send/2/level_db", -12.25, -14.0),
        Change("Bass", "fx/1/param/3", 0.25, 0.4),
        Change("Bass", "mute", None, True),
        Change("Bass", "solo", True, False),
    ]
    assert format_diff(changes) == [
        "Vocals volume -6.0 dB → -4.5 dB (+1.5 dB)",
        "Keys pan L30 → R25",
        "Keys pan C → L100",
        "Keys width 100 % → 60 %",
        "master volume 0.0 dB → -inf dB",
        "Bass send 2 -12.25 dB → -14.0 dB (-1.75 dB)",
        "Bass fx 1 param 3 0.25 → 0.4 (+0.15)",
        "Bass mute (none) → on",
        "Bass solo on → off",
    ]


def test_scene_file_round_trip(tmp_path: Path) -> None:
    odd = Scene('mix "B"', {'Lead "Gtr" \\ 🎸': {"pan": 1 / 3, "send/4/level_db": -INF}})
    for scene in (VERSE, odd, Scene("empty", {})):
        path = tmp_path / "scene.toml"
        save_scene(scene, path, force=True)  # the same file each time
        assert load_scene(path) == scene
    assert path.read_text(encoding="utf-8").startswith(f'schema = "{SCENE_SCHEMA}"\n')


def test_the_documented_scene_loads(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    (text,) = [b for b in blocks if SCENE_SCHEMA in b]
    path = tmp_path / "chorus.scene.toml"
    path.write_text(text, encoding="utf-8")
    scene = load_scene(path)
    assert scene.name == "chorus"
    assert scene.tracks["Lead Gtr"]["send/1/level_db"] == -12.0
    assert scene.tracks["master"]["volume_db"] == -INF


HEAD = f'schema = "{SCENE_SCHEMA}"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = [\n", r"not valid TOML"),
        ('schema = "mixdesk.lanes/1"\n', r"schema is 'mixdesk.lanes/1', not 'mixdesk.scene/1'"),
        (HEAD + "tempo = 120\n", r"unknown key 'tempo' \(expected schema, name, tracks\)"),
        (HEAD + "name = 3\n", r"name 3 is not a string"),
        (HEAD + "tracks = 3\n", r"'tracks' must hold one table per track"),
        (HEAD + "[tracks]\nVox = 3\n", r"'tracks' must hold one table per track"),
        (HEAD + "[tracks.Vox]\ngain = 3\n", r"track 'Vox': 'gain' is not an automatable"),
        (HEAD + "[tracks.Vox]\npan = -3\n", r"track 'Vox' pan: value -3 is outside"),
        (HEAD + '[tracks.Vox]\nmute = "yes"\n', r"track 'Vox' mute: value 'yes' is not on/off"),
        (HEAD + "[tracks.Vox]\nvolume_db = -1e308\n", r"volume_db: value -1e\+308 dB is below"),
        (HEAD + f"[tracks.Vox]\nvolume_db = 1{'0' * 400}\n", r"volume_db: value 1000.*401 digits"),
    ],
)
def test_bad_scene_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AutomationError, match=message) as info:
        load_scene(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_scene_file_errors(tmp_path: Path) -> None:
    with pytest.raises(AutomationError, match=r"a scene file ends in .toml, not '.json'"):
        load_scene(tmp_path / "scene.json")
    with pytest.raises(AutomationError, match=r"cannot read the scene file"):
        load_scene(tmp_path / "nope.toml")
    with pytest.raises(AutomationError, match=r"cannot write the scene"):
        save_scene(VERSE, tmp_path / "missing" / "scene.toml")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("master.wav", "it is an audio file"),
        ("mixdesk.toml", "it is a mixdesk config"),
        ("pyproject.toml", "it is a mixdesk config"),
        ("verse.toml", r"it already exists \(--force replaces it\)"),
    ],
)
def test_save_scene_never_replaces_audio_a_config_or_an_existing_file(
    tmp_path: Path, name: str, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVE" if name.endswith(".wav") else b"[tool.x]\n")
    before = path.read_bytes()
    with pytest.raises(
        AutomationError, match=rf"{name}: refusing to write the scene there: {reason}"
    ):
        save_scene(VERSE, path)
    assert path.read_bytes() == before


def test_save_scene_with_force_replaces_a_file_but_never_follows_a_link(tmp_path: Path) -> None:
    path = tmp_path / "verse.toml"
    path.write_text("old = 1\n")
    save_scene(VERSE, path, force=True)
    assert load_scene(path) == VERSE
    victim = tmp_path / "victim.toml"
    victim.write_text("precious = 1\n")
    link = tmp_path / "chorus.toml"
    link.symlink_to(victim)
    with pytest.raises(AutomationError, match=r"chorus.toml: .*symbolic link"):
        save_scene(VERSE, link, force=True)
    assert victim.read_text() == "precious = 1\n"


# ---- capture and recall on the virtual DAW ----


@pytest.fixture
def mixer(tmp_path: Path) -> Iterator[VirtualMixer]:
    stems = tmp_path / "stems"
    stems.mkdir()
    t = np.arange(int(0.2 * RATE)) / RATE
    sf.write(stems / "bass.wav", 0.3 * np.sin(2 * np.pi * 55 * t), RATE)
    sf.write(stems / "keys.wav", 0.2 * np.stack([np.sin(2 * np.pi * 330 * t)] * 2, 1), RATE)
    sf.write(stems / "vox.wav", 0.25 * np.sin(2 * np.pi * 440 * t), RATE)
    with start_virtual(stems, render_dir=tmp_path / "renders", rate=RATE) as m:
        yield m


def _close(a: float, b: float, tol: float) -> bool:
    return a == b if math.isinf(a) or math.isinf(b) else abs(a - b) <= tol


def _daw_matches(mixer: VirtualMixer, scene: Scene) -> bool:
    """Whether the virtual DAW's own state holds every value of ``scene``."""
    state = mixer.daw.state
    for name, values in scene.tracks.items():
        for param, want in values.items():
            if name == "master":
                got = state.master_volume_db if param == "volume_db" else want
            else:
                got = getattr(state.tracks[name], param)
            tol = DB_TOL if param == "volume_db" else VALUE_TOL
            if isinstance(want, bool) or isinstance(got, bool):
                if got != want:
                    return False
            elif not _close(float(got), float(want), tol):
                return False
    return True


def _set(mixer: VirtualMixer, scene: Scene) -> None:
    """Set a scene by hand, through the mixer API, and wait for the DAW to hold it."""
    for name, values in scene.tracks.items():
        track = mixer.master if name == "master" else mixer.tracks[name]
        for param, value in values.items():
            track.set(param, value)
    assert eventually(lambda: _daw_matches(mixer, scene))
    _refresh(mixer)


def _refresh(mixer: VirtualMixer) -> None:
    """Have the DAW report every value again, so the mixer's mirror holds what the DAW holds.

    The DAW reports a track's other values after each set; a report sent before a
    later set was applied can reach the mirror after that set was recorded there.
    """
    mixer.reconnect()


MIX_A = Scene(
    "a",
    {
        "bass": {"volume_db": -INF, "pan": 0.0, "width": 1.0, "mute": True, "solo": False},
        "keys": {"volume_db": -3.5, "pan": -0.3, "width": 0.5, "mute": False, "solo": False},
        "vox": {"volume_db": 2.25, "pan": 0.15, "width": 1.0, "mute": False, "solo": True},
        "master": {"volume_db": -1.5},
    },
)
MIX_B = Scene(
    "b",
    {
        "bass": {"volume_db": -12.0, "pan": 0.5, "width": -1.0, "mute": False, "solo": True},
        "keys": {"volume_db": 0.0, "pan": 1.0, "width": 0.0, "mute": True, "solo": False},
        "vox": {"volume_db": -20.0, "pan": -1.0, "width": 0.25, "mute": False, "solo": False},
        "master": {"volume_db": -6.0},
    },
)


def test_capture_reads_what_the_daw_holds(mixer: VirtualMixer) -> None:
    _set(mixer, MIX_A)
    scene = capture(mixer, name="take 1")
    assert scene.name == "take 1"
    assert list(scene.tracks) == ["bass", "keys", "vox", "Reverb", "Delay", "master"]
    assert set(scene.tracks["master"]) == {"volume_db", "pan"}  # no master width/mute/solo
    for name in ("bass", "keys", "vox"):
        assert set(scene.tracks[name]) == set(MIX_A.tracks[name])
    returns = [c for c in diff(MIX_A, scene) if c.track in ("Reverb", "Delay")]
    assert {(c.track, c.before) for c in returns} == {("Reverb", None), ("Delay", None)}
    assert [c for c in diff(MIX_A, scene) if c not in returns] == [
        Change("master", "pan", None, 0.0)
    ]


def test_recall_sets_every_value(mixer: VirtualMixer) -> None:
    _set(mixer, MIX_A)
    a = capture(mixer, name="a")
    _set(mixer, MIX_B)
    assert recall(mixer, a) == []
    assert eventually(lambda: _daw_matches(mixer, MIX_A))
    _refresh(mixer)
    assert diff(a, capture(mixer)) == []


def test_recall_reports_missing_tracks_and_sets_the_rest(mixer: VirtualMixer) -> None:
    _set(mixer, MIX_B)
    scene = Scene("s", {"choir": {"volume_db": -3.0}, **MIX_A.tracks})
    assert recall(mixer, scene) == ["choir: no such track in the session"]
    assert eventually(lambda: _daw_matches(mixer, MIX_A))


def test_recall_reports_what_the_daw_cannot_set(mixer: VirtualMixer) -> None:
    scene = Scene("s", {"master": {"width": 0.5, "volume_db": -2.0}})
    assert recall(mixer, scene) == [
        "master width: the virtual DAW cannot do 'master width' over OSC"
    ]
    assert eventually(lambda: mixer.daw.state.master_volume_db == -2.0)


def test_recall_only_some_parameters_or_tracks(mixer: VirtualMixer) -> None:
    _set(mixer, MIX_B)
    assert recall(mixer, MIX_A, only=("volume_db",), tracks=("keys", "vox")) == []
    want = Scene(
        "want",
        {
            name: {**MIX_B.tracks[name], "volume_db": MIX_A.tracks[name]["volume_db"]}
            for name in ("keys", "vox")
        },
    )
    assert eventually(lambda: _daw_matches(mixer, want))
    assert _daw_matches(mixer, Scene("rest", {"bass": MIX_B.tracks["bass"]}))
    assert mixer.daw.state.master_volume_db == MIX_B.tracks["master"]["volume_db"]


def test_capture_skips_what_the_daw_does_not_report(mixer: VirtualMixer) -> None:
    mixer.timeout = 0.2  # no track has a third plugin, so none reports its parameters
    scene = capture(mixer, params=("volume_db", "fx/3/param/1"))
    assert all(set(values) == {"volume_db"} for values in scene.tracks.values())


def test_capture_refuses_tracks_it_cannot_name(mixer: VirtualMixer) -> None:
    # REAPER lets two tracks share a name; the virtual DAW refuses a rename to a taken
    # name, so the duplicate arrives as REAPER would report it, on the feedback port.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.sendto(message("/track/2/name", "bass").encode(), ("127.0.0.1", mixer.local_port))
    names = ["bass", "bass", "vox", "Reverb", "Delay"]
    assert eventually(lambda: [t.name for t in mixer.tracks] == names)
    with pytest.raises(AutomationError, match=r"track 2 has the name 'bass' of another track"):
        capture(mixer)
    with pytest.raises(AutomationError, match=r"'gain' is not an automatable parameter"):
        capture(mixer, params=("gain",))
