"""Lane files: TOML and JSON round trips, bars and beats, and every way a file can be bad."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.automation import (
    LANES_SCHEMA,
    AutomationError,
    Lane,
    Point,
    Tempo,
    fade_in,
    load_lanes,
    save_lanes,
)

INF = math.inf
DOCS = Path(__file__).parents[3] / "docs" / "automation.md"

LANES = [
    fade_in("Vocals", 0.5, 2.25),
    Lane(2, "pan", (Point(0.0, -0.3, "exponential"), Point(1.0 / 3.0, 0.7, "hold"))),
    Lane("master", "volume_db", (Point(0.0, 0.0), Point(10.0, -INF, "linear_amp"))),
    Lane("Bass", "mute", (Point(0.0, 0.0, "hold"), Point(4.0, 1.0, "hold"))),
    Lane("Keys", "fx/1/param/12", (Point(0.1, 0.125, "s_curve"), Point(0.2, 1.0))),
    Lane("Keys", "send/3/level_db", (Point(1e-5, 24.0),)),
    Lane('Gtr "L" \\ tab\t ünï 🎸', "width", (Point(2.0, -1.0),)),
]


@pytest.mark.parametrize("suffix", [".toml", ".json", ".TOML"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"song{suffix}"
    save_lanes(LANES, path)
    assert load_lanes(path) == LANES  # exact: floats are written with repr


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_round_trip_with_a_tempo(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"song{suffix}"
    save_lanes(LANES[:2], path, tempo=Tempo(96, 3))
    assert load_lanes(path) == LANES[:2]
    assert load_lanes(path, tempo=Tempo(96, 3)) == LANES[:2]
    with pytest.raises(AutomationError, match=r"the file's tempo .* differs from the given"):
        load_lanes(path, tempo=Tempo(120))


def test_json_writes_strict_json(tmp_path: Path) -> None:
    path = tmp_path / "song.json"
    save_lanes(LANES, path)
    text = path.read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))
    assert '"-inf"' in text


BARS_TOML = """\
schema = "mixdesk.lanes/1"

[tempo]
bpm = 120
beats_per_bar = 3

[[lane]]
track = "Vocals"
param = "volume_db"
points = [["1:1", -inf, "s_curve"], ["2:2.5", -6.0], [5.5, 0, "hold"]]
"""
BARS_JSON = {
    "schema": "mixdesk.lanes/1",
    "lane": [
        {
            "track": "Vocals",
            "param": "volume_db",
            "points": [["1:1", "-inf", "s_curve"], ["2:2.5", -6.0], [5.5, 0, "hold"]],
        }
    ],
}
IN_SECONDS = [
    Lane(
        "Vocals",
        "volume_db",
        (Point(0.0, -INF, "s_curve"), Point(2.25, -6.0, "linear_db"), Point(5.5, 0.0, "hold")),
    )
]


def test_bars_and_beats_with_the_files_tempo(tmp_path: Path) -> None:
    path = tmp_path / "bars.toml"
    path.write_text(BARS_TOML, encoding="utf-8")
    assert load_lanes(path) == IN_SECONDS  # "2:2.5" in 3/4 at 120 BPM: 4.5 beats = 2.25 s


def test_bars_and_beats_with_a_given_tempo(tmp_path: Path) -> None:
    path = tmp_path / "bars.json"
    path.write_text(json.dumps(BARS_JSON), encoding="utf-8")
    assert load_lanes(path, tempo=Tempo(120, 3)) == IN_SECONDS
    with pytest.raises(AutomationError, match=r"point 1: time '1:1' is in bars and beats, which"):
        load_lanes(path)


def test_the_documented_examples_load(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    examples = [b for b in blocks if LANES_SCHEMA in b]
    assert examples, "docs/automation.md has no lane file example"
    for i, text in enumerate(examples):
        path = tmp_path / f"example{i}.toml"
        path.write_text(text, encoding="utf-8")
        assert load_lanes(path)


GOOD_LANE = 'track = "Vox"\nparam = "pan"\npoints = [[0.0, 0.5]]\n'
HEAD = 'schema = "mixdesk.lanes/1"\n'


def _lane_toml(body: str) -> str:
    return f"{HEAD}[[lane]]\n{body}"


TOML_CASES = [
    ("schema = \n", r"not valid TOML \(Invalid value"),
    (b"\xff\xfe", r"not valid TOML \(.*utf-8"),
    ('schema = "mixdesk.lanes/2"\n', r"schema is 'mixdesk.lanes/2', not 'mixdesk.lanes/1'"),
    ("[[lane]]\n" + GOOD_LANE, r"schema is None"),
    (HEAD + "tracks = 3\n", r"unknown key 'tracks' \(expected schema, tempo, lane\)"),
    (HEAD + "lane = 3\n", r"'lane' must be a list of tables"),
    (HEAD + "lane = [3]\n", r"lane 1: must be a table"),
    (HEAD + "tempo = 120\n", r"\[tempo\]: must be a table"),
    (HEAD + "[tempo]\nbeats_per_bar = 3\n", r"\[tempo\]: missing key 'bpm'"),
    (HEAD + "[tempo]\nbpm = 120\nmeter = 3\n", r"\[tempo\]: unknown key 'meter'"),
    (HEAD + "[tempo]\nbpm = -1\n", r"\[tempo\]: tempo -1 BPM is not a positive"),
    (HEAD + '[tempo]\nbpm = "fast"\n', r"\[tempo\]: tempo 'fast' BPM"),
    (HEAD + "[tempo]\nbpm = 120\nbeats_per_bar = 3.5\n", r"beats_per_bar 3.5"),
    (_lane_toml(GOOD_LANE + "curve = 1\n"), r"lane 1: unknown key 'curve'"),
    (_lane_toml('param = "pan"\npoints = [[0, 0]]\n'), r"lane 1: missing key 'track'"),
    (_lane_toml('track = "Vox"\npoints = [[0, 0]]\n'), r"lane 1: missing key 'param'"),
    (_lane_toml('track = "Vox"\nparam = "pan"\n'), r"lane 1: missing key 'points'"),
    (_lane_toml('track = 1.5\nparam = "pan"\npoints = [[0, 0]]\n'), r"track 1.5 is not a name"),
    (_lane_toml('track = true\nparam = "pan"\npoints = [[0, 0]]\n'), r"track True is not"),
    (_lane_toml('track = 0\nparam = "pan"\npoints = [[0, 0]]\n'), r"tracks are numbered from 1"),
    (_lane_toml('track = "V"\nparam = 3\npoints = [[0, 0]]\n'), r"param 3 is not a parameter"),
    (_lane_toml('track = "V"\nparam = "gain"\npoints = [[0, 0]]\n'), r"'gain' is not an autom"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = []\n'), r"points must be a non-empty"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = 3\n'), r"points must be a non-empty"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [0, 1]\n'), r"point 1 0 is not \[time"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0]]\n'), r"point 1 \[0\] is not \[time"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, 0, "hold", 1]]\n'), r"point 1 \[0, 0"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[true, 0]]\n'), r"time True is not sec"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[[1], 0]]\n'), r"time \[1\] is not sec"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[1979-05-27, 0]]\n'), r"is not seconds"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [["soon", 0]]\n'), r"time 'soon' is nei"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[-1, 0]]\n'), r"time -1.0 is not a fin"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, "left"]]\n'), r"value 'left' is not"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, true]]\n'), r"value True is not a n"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, 0, "log"]]\n'), r"unknown curve 'log'"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, 0, 1]]\n'), r"unknown curve 1"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, 2]]\n'), r"value 2 is outside"),
    (_lane_toml('track = "V"\nparam = "pan"\npoints = [[0, nan]]\n'), r"value nan is outside"),
    (_lane_toml('track = "V"\nparam = "volume_db"\npoints = [[0, inf]]\n'), r"value inf dB"),
    (
        _lane_toml('track = "V"\nparam = "pan"\npoints = [[2, 0], [1, 1]]\n'),
        r"lane 1: lane 'V' pan, point 2 at 1.0 s: times must increase",
    ),
    (
        _lane_toml('track = "V"\nparam = "pan"\npoints = [["2:1", 0]]\n'),
        r"point 1: time '2:1' is in bars and beats, which needs a tempo",
    ),
    (
        HEAD
        + "[tempo]\nbpm = 60\n[[lane]]\n"
        + 'track = "V"\nparam = "pan"\npoints = [["1:5", 0]]\n',
        r"lane 1 \('V' pan\): point 1: time '1:5': a bar of 4 beats has no beat 5",
    ),
    (HEAD + "[[lane]]\n" + GOOD_LANE + "[[lane]]\ntrack = 2\n", r"lane 2: missing key 'param'"),
]


@pytest.mark.parametrize(("text", "message"), TOML_CASES)
def test_bad_toml_files(tmp_path: Path, text: str | bytes, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(AutomationError, match=message) as info:
        load_lanes(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def _lane_json(points: object) -> str:
    return json.dumps(
        {"schema": LANES_SCHEMA, "lane": [{"track": "V", "param": "volume_db", "points": points}]}
    )


JSON_CASES = [
    ('{"schema": ', r"not valid JSON \(Expecting value"),
    ("[1, 2]", r"the lane file must hold a table at the top"),
    ('"mixdesk.lanes/1"', r"must hold a table"),
    ("[" * 100_000 + "]" * 100_000, r"not valid JSON"),
    (_lane_json([[0, "-Infinity"]]), r"value '-Infinity' is not a number"),
    (_lane_json([[0, None]]), r"value None is not a number"),
    (_lane_json([[10**400, 0]]), r"point 1: int too large to convert to float"),
    (_lane_json([[0, 10**400]]), r"point 1: value 1000.* is too large"),
    (_lane_json([[0, {"v": 1}]]), r"value \{'v': 1\} is not a number"),
    (_lane_json([[0, 0, None]]), r"unknown curve None"),
    (_lane_json([[1, 0], [0.5, -3]]), r"point 2 at 0.5 s: times must increase"),
    ('{"schema": "mixdesk.lanes/1", "lane": {"track": "V"}}', r"'lane' must be a list"),
]


@pytest.mark.parametrize(("text", "message"), JSON_CASES)
def test_bad_json_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AutomationError, match=message) as info:
        load_lanes(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_missing_file_directory_and_wrong_extension(tmp_path: Path) -> None:
    with pytest.raises(AutomationError, match=r"nope.toml: cannot read the lane file \(No such"):
        load_lanes(tmp_path / "nope.toml")
    folder = tmp_path / "dir.json"
    folder.mkdir()
    with pytest.raises(AutomationError, match=r"dir.json: cannot read the lane file"):
        load_lanes(folder)
    (tmp_path / "lanes.yaml").write_text("schema: x\n", encoding="utf-8")
    with pytest.raises(AutomationError, match=r"a lane file ends in .toml or .json, not '.yaml'"):
        load_lanes(tmp_path / "lanes.yaml")


def test_save_errors(tmp_path: Path) -> None:
    with pytest.raises(AutomationError, match=r"lanes.txt: a lane file ends in .toml or .json"):
        save_lanes(LANES, tmp_path / "lanes.txt")
    with pytest.raises(AutomationError, match=r"missing/lanes.toml: cannot write the lane file"):
        save_lanes(LANES, tmp_path / "missing" / "lanes.toml")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
LANE_TABLES = st.fixed_dictionaries(
    {},
    optional={
        "track": JSON_VALUES | st.sampled_from(["Vox", 1, 0, "master"]),
        "param": JSON_VALUES | st.sampled_from(["pan", "volume_db", "mute", "fx/1/param/1"]),
        "points": st.lists(
            st.lists(
                JSON_VALUES | st.sampled_from(["1:1", "2:3.5", "-inf", "hold", "s_curve"]),
                max_size=4,
            ),
            max_size=4,
        ),
        "extra": JSON_VALUES,
    },
)
DOCUMENTS = (
    st.fixed_dictionaries(
        {},
        optional={
            "schema": st.just(LANES_SCHEMA) | JSON_VALUES,
            "tempo": st.fixed_dictionaries(
                {}, optional={"bpm": JSON_VALUES, "beats_per_bar": JSON_VALUES}
            ),
            "lane": st.lists(LANE_TABLES, max_size=3) | JSON_VALUES,
        },
    )
    | JSON_VALUES
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=DOCUMENTS)
def test_any_json_document_loads_or_raises_automation_error(tmp_path: Path, doc: object) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = _load_or_message(path)
    assert isinstance(result, list) or "\n" not in result


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_load_or_raise_automation_error(tmp_path: Path, raw: bytes) -> None:
    for suffix in (".toml", ".json"):
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(raw)
        result = _load_or_message(path)
        assert isinstance(result, list) or "\n" not in result


def _load_or_message(path: Path) -> list[Lane] | str:
    """The lanes, or the message of the AutomationError; anything else propagates."""
    try:
        return load_lanes(path)
    except AutomationError as err:
        return str(err)


def test_save_lanes_refuses_an_existing_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "song.toml"
    path.write_text("# hand-written notes\n")
    with pytest.raises(
        AutomationError,
        match=r"song.toml: refusing to write the lane file there: it already exists",
    ):
        save_lanes(LANES, path)
    assert path.read_text() == "# hand-written notes\n"
    save_lanes(LANES, path, force=True)
    assert load_lanes(path) == LANES


@pytest.mark.parametrize("name", ["mixdesk.toml", "pyproject.toml"])
def test_save_lanes_never_writes_over_a_config_or_audio(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("[tool.mixdesk]\n")
    with pytest.raises(AutomationError, match=r"refusing to write the lane file there"):
        save_lanes(LANES, path, force=True)
    assert path.read_text() == "[tool.mixdesk]\n"


def test_save_lanes_never_follows_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("{}\n")
    (tmp_path / "song.json").symlink_to(victim)
    with pytest.raises(AutomationError, match=r"symbolic link"):
        save_lanes(LANES, tmp_path / "song.json", force=True)
    assert victim.read_text() == "{}\n"
