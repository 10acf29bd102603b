"""Automation lanes render sample-accurately into the bounce (issue 8).

"The numpy-reference render test covers every curve type": for each curve,
lanes on volume (two tracks, through -inf dB), pan, width, mute and the master
volume are rendered with ``bridge.automation.lane.Lane`` and compared with a
reference that evaluates the curves itself, from the formulas documented in
``bridge/automation/curves.py`` (never calling it), at ``t = frame / rate``:

* ``s(x) = 0.5 - 0.5 cos(πx)``, ``e(x) = (e^(4x) - 1) / (e^4 - 1)``;
* dB lanes: ``linear_db`` and ``s_curve`` in dB (``a + (b - a)·x`` and
  ``a + (b - a)·s(x)``), but in amplitude when an end is ``-inf``;
  ``linear_amp`` and ``exponential`` in amplitude (``ga + (gb - ga)·x`` and
  ``ga + (gb - ga)·e(x)``); ``hold`` is ``a`` until the next point;
* pan and width: ``a + (b - a)·shape(x)``; mute always holds;
* before the first point the first value, after the last the last.

The mix itself follows ``docs/virtual-daw.md`` (constant-power pan, width as
mid/side, a muted sample has gain 0). Tolerance: 1 LSB of 24-bit (rounding
alone is 0.5 LSB).
"""

from __future__ import annotations

import itertools
import math
import tracemalloc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from bridge.automation.curves import Curve
from bridge.automation.lane import Lane, Point
from bridge.virtual import MixState, Stem, VirtualDawError, load_stems, render
from bridge.virtual.automation import LaneSource, by_track

RATE = 48000
FRAMES = 24000  # 0.5 s
LSB = 2.0**-23
CURVES = ("linear_db", "linear_amp", "exponential", "s_curve", "hold")
F64 = npt.NDArray[np.float64]
RefPoints = list[tuple[float, float]]


# ---------------------------------------------------------------- reference


def ref_lane(points: RefPoints, curve: str, param: str, t: F64) -> F64:
    """The lane's values at ``t``; every segment uses ``curve``."""
    out = np.full_like(t, points[0][1])
    out[t >= points[-1][0]] = points[-1][1]
    for (ta, a), (tb, b) in itertools.pairwise(points):
        inside = (t >= ta) & (t < tb)
        x = (t[inside] - ta) / (tb - ta)
        if param == "mute" or curve == "hold":
            out[inside] = a
            continue
        shape = {
            "s_curve": 0.5 - 0.5 * np.cos(np.pi * x),
            "exponential": (np.exp(4.0 * x) - 1.0) / (math.exp(4.0) - 1.0),
        }.get(curve, x)
        amplitude = curve in ("linear_amp", "exponential") or -math.inf in (a, b)
        if param == "volume_db" and amplitude:
            ga = 0.0 if a == -math.inf else 10.0 ** (a / 20.0)
            gb = 0.0 if b == -math.inf else 10.0 ** (b / 20.0)
            g = ga + (gb - ga) * shape
            with np.errstate(divide="ignore"):
                out[inside] = np.where(g > 0.0, 20.0 * np.log10(np.maximum(g, 1e-300)), -np.inf)
        else:
            out[inside] = a + (b - a) * shape
    return out


def gain(db: F64) -> F64:
    return np.where(db == -np.inf, 0.0, 10.0 ** (np.maximum(db, -400.0) / 20.0))


@dataclass
class Track:
    """A reference track: per-sample volume (dB), pan, width and mute."""

    volume_db: F64 | float = 0.0
    pan: F64 | float = 0.0
    width: F64 | float = 1.0
    mute: F64 | float = 0.0


def ref_mix(audio: Mapping[str, F64], tracks: Mapping[str, Track], master_db: F64 | float) -> F64:
    out = np.zeros((FRAMES, 2))
    for name, x in audio.items():
        tr = tracks.get(name, Track())
        theta = (np.asarray(tr.pan) + 1.0) * np.pi / 4.0
        g = gain(np.asarray(tr.volume_db, dtype=np.float64)) * (np.asarray(tr.mute) < 0.5)
        if x.shape[1] == 1:
            left = right = x[:, 0]
        else:
            w = np.asarray(tr.width)
            mid, side = (x[:, 0] + x[:, 1]) / 2.0, (x[:, 0] - x[:, 1]) / 2.0 * w
            left, right = mid + side, mid - side
        out[:, 0] += g * np.cos(theta) * left
        out[:, 1] += g * np.sin(theta) * right
    return out * gain(np.asarray(master_db, dtype=np.float64))[..., None]


def quantise(x: F64) -> F64:
    return np.clip(np.round(x / LSB), -(2**23), 2**23 - 1) * LSB


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Stem], dict[str, F64]]:
    """Two mono and two stereo stems of 0.5 s, 24-bit."""
    folder = tmp_path_factory.mktemp("stems")
    rng = np.random.default_rng(8)
    t = np.arange(FRAMES) / RATE
    audio = {
        "a_bass": 0.4 * np.sin(2 * np.pi * 55 * t),
        "b_lead": 0.3 * np.sin(2 * np.pi * 440 * t),
        "c_keys": np.stack(
            [0.25 * rng.uniform(-1, 1, FRAMES), 0.2 * np.sin(2 * np.pi * 330 * t)], 1
        ),
        "d_pad": np.stack(
            [0.2 * np.sin(2 * np.pi * 220 * t), 0.15 * rng.uniform(-1, 1, FRAMES)], 1
        ),
    }
    for name, x in audio.items():
        sf.write(folder / f"{name}.wav", x, RATE, subtype="PCM_24")
    stems = load_stems(folder, RATE)
    return stems, {s.name: sf.read(s.path, always_2d=True)[0] for s in stems}


def read_take(path: Path) -> F64:
    data, rate = sf.read(path, dtype="int32", always_2d=True)
    assert rate == RATE
    out: F64 = data.astype(np.float64) / 2**31
    return out


# Point lists (time in s, value). The times fall between samples and across blocks.
VOLUME_A: RefPoints = [(0.0213, -12.0), (0.1507, 0.0), (0.2601, -math.inf), (0.3702, -3.0)]
VOLUME_D: RefPoints = [(0.0, 6.0), (0.2222, -20.0), (0.4444, -1.5)]
PAN_B: RefPoints = [(0.05, -1.0), (0.2, 1.0), (0.41, -0.3)]
WIDTH_C: RefPoints = [(0.0, 1.0), (0.17, -1.0), (0.39, 0.25)]
MUTE_C: RefPoints = [(0.0, 0.0), (0.12345, 1.0), (0.2001, 0.0), (0.33333, 1.0), (0.44, 0.0)]
MASTER: RefPoints = [(0.1, 0.0), (0.45, -9.0)]


def lane(track: str | int, param: str, points: RefPoints, curve: str) -> Lane:
    return Lane(track, param, tuple(Point(t, v, cast(Curve, curve)) for t, v in points))


@pytest.mark.parametrize("block_frames", [65536, 4999])
@pytest.mark.parametrize("curve", CURVES)
def test_every_curve_on_every_parameter(
    project: tuple[list[Stem], dict[str, F64]], tmp_path: Path, curve: str, block_frames: int
) -> None:
    stems, audio = project
    state = MixState.for_stems(stems)
    state.tracks["c_keys"].mute = True  # the mute lane, not the button, decides
    state.tracks["b_lead"].volume_db = -4.0  # no volume lane: the state's value
    lanes = [
        lane("a_bass", "volume_db", VOLUME_A, curve),
        lane("d_pad", "volume_db", VOLUME_D, curve),
        lane("b_lead", "pan", PAN_B, curve),
        lane("c_keys", "width", WIDTH_C, curve),
        lane("c_keys", "mute", MUTE_C, curve),
        lane("master", "volume_db", MASTER, curve),
    ]
    automation = by_track(lanes, [s.name for s in stems])
    result = render(
        stems, state, tmp_path, rate=RATE, block_frames=block_frames, automation=automation
    )
    got = read_take(result.path)

    t = np.arange(FRAMES) / RATE
    tracks = {
        "a_bass": Track(volume_db=ref_lane(VOLUME_A, curve, "volume_db", t)),
        "b_lead": Track(volume_db=-4.0, pan=ref_lane(PAN_B, curve, "pan", t)),
        "c_keys": Track(
            width=ref_lane(WIDTH_C, curve, "width", t), mute=ref_lane(MUTE_C, curve, "mute", t)
        ),
        "d_pad": Track(volume_db=ref_lane(VOLUME_D, curve, "volume_db", t)),
    }
    want = quantise(ref_mix(audio, tracks, ref_lane(MASTER, curve, "volume_db", t)))
    assert got.shape == want.shape
    err = float(np.max(np.abs(got - want))) / LSB
    assert err <= 1.0, f"{curve}: {err:.2f} LSB off"
    # The lanes matter: the static mix (button mute on c_keys) is far away.
    static = quantise(ref_mix(audio, {"b_lead": Track(volume_db=-4.0), "c_keys": Track(mute=1)}, 0))
    assert np.max(np.abs(got - static)) > 1000 * LSB


def test_curves_differ_from_each_other(project: tuple[list[Stem], dict[str, F64]]) -> None:
    """The reference tells the curves apart (so a wrong curve fails the test above)."""
    t = np.arange(FRAMES) / RATE
    values = [ref_lane(VOLUME_D, c, "volume_db", t) for c in CURVES]
    for i in range(len(CURVES)):
        for j in range(i + 1, len(CURVES)):
            assert np.max(np.abs(values[i] - values[j])) > 1.0, (CURVES[i], CURVES[j])


def test_mute_lane_still_obeys_solo(
    project: tuple[list[Stem], dict[str, F64]], tmp_path: Path
) -> None:
    stems, audio = project
    state = MixState.for_stems(stems)
    state.tracks["a_bass"].solo = True
    automation = {"c_keys": {"mute": lane("c_keys", "mute", [(0.0, 0.0)], "hold")}}
    got = read_take(render(stems, state, tmp_path, rate=RATE, automation=automation).path)
    silent = Track(mute=1.0)
    want = quantise(ref_mix(audio, {"b_lead": silent, "c_keys": silent, "d_pad": silent}, 0.0))
    assert np.max(np.abs(got - want)) <= LSB


@dataclass(frozen=True)
class BadLane:
    """A lane that leaves the parameter's range after 0.25 s."""

    param: str
    value: float

    def values_at(self, times_s: F64) -> F64:
        return np.where(times_s < 0.25, 0.0, self.value)


@pytest.mark.parametrize(
    ("automation", "message"),
    [
        ({"nope": {"pan": BadLane("pan", 0.0)}}, "'nope': no such track"),
        ({"a_bass": {"solo": BadLane("solo", 0.0)}}, "cannot automate 'solo'"),
        ({"a_bass": {"pan": BadLane("width", 0.0)}}, "'width' lane as 'pan'"),
        ({"master": {"width": BadLane("width", 0.0)}}, "'master': cannot automate 'width'"),
        ({"b_lead": {"pan": BadLane("pan", 1.5)}}, "track 'b_lead' pan is 1.5 at 0.250000 s"),
        ({"b_lead": {"volume_db": BadLane("volume_db", 30.0)}}, "volume_db is 30.0 at 0.25"),
        ({"b_lead": {"mute": BadLane("mute", math.nan)}}, "mute is nan at 0.25"),
    ],
)
def test_bad_automation_is_refused_and_leaves_no_file(
    project: tuple[list[Stem], dict[str, F64]],
    tmp_path: Path,
    automation: dict[str, dict[str, BadLane]],
    message: str,
) -> None:
    stems, _ = project
    with pytest.raises(VirtualDawError, match=message.replace("(", r"\(").replace(".", r"\.")):
        render(stems, MixState.for_stems(stems), tmp_path, rate=RATE, automation=automation)
    assert list(tmp_path.iterdir()) == []


def test_by_track_names_numbers_and_master() -> None:
    names = ["a", "b"]
    second = lane(2, "pan", [(0.0, 0.0)], "hold")
    first = lane("a", "pan", [(0.0, 0.0)], "hold")
    master = lane("master", "volume_db", [(0.0, 0.0)], "hold")
    assert by_track([second, first, master], names) == {
        "b": {"pan": second},
        "a": {"pan": first},
        "master": {"volume_db": master},
    }
    with pytest.raises(VirtualDawError, match="names no track: 3"):
        by_track([lane(3, "pan", [(0.0, 0.0)], "hold")], names)
    with pytest.raises(VirtualDawError, match="two pan lanes for track 'a'"):
        by_track([first, lane(1, "pan", [(0.0, 0.0)], "hold")], names)


def test_lane_source_evaluates_at_frame_times() -> None:
    seen: list[F64] = []

    @dataclass(frozen=True)
    class Probe:
        param: str = "pan"

        def values_at(self, times_s: F64) -> F64:
            seen.append(times_s.copy())
            return np.zeros_like(times_s)

    LaneSource(Probe(), 48000).values(96000, 3)
    np.testing.assert_array_equal(seen[0], [2.0, 2.0 + 1 / 48000, 2.0 + 2 / 48000])


def _peak_bytes(tmp_path: Path, seconds: int) -> int:
    rate = 8000
    folder = tmp_path / f"s{seconds}"
    folder.mkdir()
    sf.write(folder / "x.wav", np.full((seconds * rate, 1), 0.1), rate, subtype="PCM_16")
    stems = load_stems(folder, rate)
    points = [(float(s), -6.0 * (s % 2)) for s in range(seconds + 1)]
    automation = {"x": {"volume_db": lane("x", "volume_db", points, "s_curve")}}
    tracemalloc.start()
    try:
        render(stems, MixState.for_stems(stems), tmp_path, rate=rate, block_frames=4096,
               automation=automation, project=f"m{seconds}")  # fmt: skip
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_with_lanes_does_not_grow_with_length(tmp_path: Path) -> None:
    short, long = _peak_bytes(tmp_path, 10), _peak_bytes(tmp_path, 100)
    # 10x the song; growth with length would be ~10x (the lane's 101 points are
    # a few KB). The 100 s master alone would be 12.8 MB.
    assert long < 2.0 * short
    assert long < 100 * 8000 * 2 * 8 / 4
