"""Sends and return tracks, solo in place, master balance and renamed tracks, rendered.

Every test renders real 24-bit WAV takes through :func:`bridge.virtual.render`
and reads them back with soundfile. References are written here from the
formulas (pan laws in their textbook cos/sin form; the delay return with
feedback 0 is a pure delay of ``round(Time · rate / 1000)`` frames; echo ``k``
of a feedback delay at ``k · D`` with amplitude ``g ** (k - 1)``), never from
the engine. Tolerance: 1 LSB of 24-bit (2**-23); rounding alone is 0.5 LSB.
"""

from __future__ import annotations

import math
import re
import tracemalloc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from bridge.automation.lane import Lane, Point
from bridge.virtual import MixState, Stem, TrackState, VirtualDawError, load_stems, render
from bridge.virtual.automation import by_track

Floats = npt.NDArray[np.float64]
RATE = 8000
LSB24 = 2.0**-23
FRAMES = 6000


def cp_gains(p: float) -> tuple[float, float]:
    """Constant-power pan law, textbook form."""
    theta = (p + 1.0) * math.pi / 4.0
    return math.cos(theta), math.sin(theta)


def gain(db: float) -> float:
    return 0.0 if db == -math.inf else 10.0 ** (db / 20.0)


def delayed(x: Floats, d: int) -> Floats:
    """``x`` delayed by ``d`` frames, same length (the render cuts the tail)."""
    out = np.zeros_like(x)
    out[d:] = x[: len(x) - d]
    return out


def mono_placed(x: Floats, volume_db: float, pan: float) -> Floats:
    """A mono track after pan and volume: shape (n, 2)."""
    gl, gr = cp_gains(pan)
    return np.stack([x * gl, x * gr], axis=1) * gain(volume_db)


def stereo_placed(x: Floats, volume_db: float, pan: float) -> Floats:
    """A stereo track (width 1) balanced by the pan law, then volume: shape (n, 2)."""
    gl, gr = cp_gains(pan)
    return x * np.array([gl, gr]) * gain(volume_db)


@pytest.fixture
def project(tmp_path: Path) -> tuple[list[Stem], dict[str, Floats], Path]:
    """Stems a (mono noise), b (stereo noise), c (mono noise); an empty render folder."""
    rng = np.random.default_rng(11)
    folder = tmp_path / "stems"
    folder.mkdir()
    for name, ch in (("a", 1), ("b", 2), ("c", 1)):
        sf.write(folder / f"{name}.wav", rng.uniform(-0.25, 0.25, (FRAMES, ch)), RATE, "PCM_24")
    out = tmp_path / "renders"
    out.mkdir()
    stems = load_stems(folder, RATE)
    audio = {s.name: sf.read(s.path, always_2d=True)[0] for s in stems}
    return stems, audio, out


def rendered(stems: list[Stem], state: MixState, out: Path, **kw: object) -> Floats:
    result = render(stems, state, out, rate=RATE, **kw)  # type: ignore[arg-type]
    x, rate = sf.read(result.path, always_2d=True)
    assert rate == RATE
    return np.asarray(x)


def assert_close(got: Floats, want: Floats, tol: float = LSB24) -> None:
    assert got.shape == want.shape
    err = float(np.max(np.abs(got - want)))
    assert err <= tol, f"max error {err / LSB24:.2f} LSB"


def set_delay(state: MixState, time_ms: float, feedback: float) -> None:
    state.tracks["Delay"].plugins[0].values = [time_ms, feedback]


def silent_strip(state: MixState) -> None:
    """Every track at -inf except what a test turns up: isolates the paths under test."""
    for name in ("a", "b", "c"):
        state.tracks[name].volume_db = -math.inf


# ---------------------------------------------------------------- sends


def test_delay_send_is_post_fader_post_pan(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    state.tracks["b"].volume_db = state.tracks["c"].volume_db = -math.inf
    a = state.tracks["a"]
    a.volume_db, a.pan, a.sends_db = -6.0, 0.4, [-math.inf, -12.0]
    set_delay(state, 100.0, 0.0)  # 800 frames at 8 kHz, one echo
    dry = mono_placed(audio["a"][:, 0], -6.0, 0.4)
    ret = np.array(cp_gains(0.0))  # the return: a centred stereo track at 0 dB
    want = dry + delayed(dry * gain(-12.0), 800) * ret
    assert_close(rendered(stems, state, out), want)
    # the send follows the fader: 6 dB down on the track, 6 dB down in the return
    a.volume_db = -12.0
    dry = mono_placed(audio["a"][:, 0], -12.0, 0.4)
    assert_close(rendered(stems, state, out), dry + delayed(dry * gain(-12.0), 800) * ret)


def test_delay_echoes_at_multiples_of_time(
    project: tuple[list[Stem], dict[str, Floats], Path], tmp_path: Path
) -> None:
    """An impulse through the delay: echo k at k·D frames, amplitude fb**(k-1)."""
    stems, _, out = project
    folder = tmp_path / "impulse"
    folder.mkdir()
    x = np.zeros(FRAMES)
    x[10] = 0.5
    sf.write(folder / "imp.wav", x, RATE, "PCM_24")
    stems = load_stems(folder, RATE)
    state = MixState.for_stems(stems)
    state.tracks["imp"].volume_db = -math.inf  # only the return: send is post-fader...
    state.tracks["imp"].sends_db = [-math.inf, 0.0]
    got = rendered(stems, state, out)
    assert np.all(got == 0.0)  # ...so a silent fader silences the send
    state.tracks["imp"].volume_db = 0.0
    state.tracks["Delay"].volume_db = 0.0
    set_delay(state, 123.4, 60.0)  # 987.2 frames: 987
    got = rendered(stems, state, out)
    d, c = 987, cp_gains(0.0)[0]
    for k in range(1, 6):
        n = 10 + k * d
        want = 0.5 * c * c * 0.6 ** (k - 1)  # track pan then return pan, both centred
        assert got[n, 0] == pytest.approx(want, abs=LSB24)
        assert 20 * math.log10(abs(got[n, 0]) / want) == pytest.approx(0.0, abs=0.01)
        assert np.all(got[n - d + 1 : n, 0] == 0.0)  # nothing between the echoes


def test_return_volume_pan_and_mute(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["b"].volume_db = -3.0
    state.tracks["b"].sends_db = [-math.inf, -6.0]
    set_delay(state, 50.0, 0.0)  # 400 frames
    ret = state.tracks["Delay"]
    ret.volume_db, ret.pan = -4.0, -0.5
    dry = stereo_placed(audio["b"], -3.0, 0.0)
    wet = stereo_placed(delayed(dry * gain(-6.0), 400), -4.0, -0.5)
    assert_close(rendered(stems, state, out), dry + wet)
    ret.mute = True
    assert_close(rendered(stems, state, out), dry)


def test_solo_in_place_keeps_the_soloed_tracks_returns(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    state.tracks["a"].sends_db = [-math.inf, -6.0]  # the lead feeds the delay
    state.tracks["b"].sends_db = [0.0, 0.0]  # b feeds both
    state.tracks["c"].sends_db = [0.0, -math.inf]  # c feeds the reverb
    state.tracks["a"].solo = True
    set_delay(state, 25.0, 0.0)  # 200 frames
    dry = mono_placed(audio["a"][:, 0], 0.0, 0.0)
    want = dry + delayed(dry * gain(-6.0), 200) * np.array(cp_gains(0.0))
    # b, c, their sends and the reverb (fed by them only) are silent
    assert_close(rendered(stems, state, out), want)
    # a muted return stays silent under solo
    state.tracks["Delay"].mute = True
    assert_close(rendered(stems, state, out), dry)


def test_muted_track_sends_nothing(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["a"].mute = True
    state.tracks["a"].volume_db = 0.0
    state.tracks["a"].sends_db = [0.0, 0.0]
    assert np.all(rendered(stems, state, out) == 0.0)


# ---------------------------------------------------------------- master


@pytest.mark.parametrize(("pan", "left", "right"), [(0.5, 0.5, 1.0), (-0.25, 1.0, 0.75)])
def test_master_balance(
    project: tuple[list[Stem], dict[str, Floats], Path], pan: float, left: float, right: float
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["b"].volume_db = 0.0
    state.master_pan, state.master_volume_db = pan, -2.0
    want = stereo_placed(audio["b"], 0.0, 0.0) * np.array([left, right]) * gain(-2.0)
    assert_close(rendered(stems, state, out), want)


# ---------------------------------------------------------------- renames, lanes


def renamed(state: MixState, old: str, new: str) -> None:
    """Rename a track in place, keeping its position (as the OSC server does)."""
    state.tracks = {new if k == old else k: v for k, v in state.tracks.items()}


def test_renamed_track_renders_with_its_lanes_and_sends(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["a"].volume_db = -1.0
    state.tracks["a"].sends_db = [-math.inf, 0.0]
    set_delay(state, 10.0, 0.0)  # 80 frames
    renamed(state, "a", "Bass DI")
    lanes = [Lane("Bass DI", "pan", (Point(0.0, -1.0, "hold"), Point(0.3, 1.0, "hold")))]
    automation = by_track(lanes, list(state.tracks))
    got = rendered(stems, state, out, automation=automation)
    x = audio["a"][:, 0] * gain(-1.0)
    k = int(0.3 * RATE)
    dry = np.zeros((FRAMES, 2))
    dry[:k, 0], dry[k:, 1] = x[:k], x[k:]
    assert_close(got, dry + delayed(dry, 80) * np.array(cp_gains(0.0)))
    # a state naming more stem tracks than there are stems is refused
    state.tracks["ghost"] = TrackState()
    with pytest.raises(VirtualDawError, match=r"tracks without a stem: \['ghost'\]"):
        render(stems, state, out, rate=RATE)


@dataclass(frozen=True)
class Step:
    """A lane from ``before`` to ``after`` at frame ``at`` (exactly, at RATE)."""

    param: str
    before: float
    after: float
    at: int

    def values_at(self, times_s: Floats) -> Floats:
        return np.where(times_s * RATE < self.at - 0.5, self.before, self.after)


@pytest.mark.parametrize(("block", "solo"), [(65536, False), (777, False), (4096, True)])
def test_send_lane_step_lands_on_its_frame(
    project: tuple[list[Stem], dict[str, Floats], Path], block: int, solo: bool
) -> None:
    """Also under solo: a send lane feeds its return as a send level above -inf does."""
    stems, audio, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["c"].volume_db = 0.0
    state.tracks["c"].solo = solo
    state.tracks["Delay"].pan = 1.0  # the return hard right: its channels apart
    set_delay(state, 5.0, 0.0)  # 40 frames
    lane = Step("send/2/level_db", -math.inf, -6.0, 2345)
    automation: Mapping[str, Mapping[str, Step]] = {"c": {lane.param: lane}}
    got = rendered(stems, state, out, automation=automation, block_frames=block)
    dry = mono_placed(audio["c"][:, 0], 0.0, 0.0)
    send = dry * np.where(np.arange(FRAMES) < 2345, 0.0, gain(-6.0))[:, None]
    want = dry + delayed(send, 40) * np.array([0.0, 1.0])
    assert_close(got, want)
    assert np.all(got[: 2345 + 40, 1] == got[: 2345 + 40, 0])  # nothing before frame 2385
    assert got[2345 + 40, 1] != got[2345 + 40, 0]


def test_delay_lane_in_units_from_a_lane_file_lane(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    """A ``bridge.automation`` lane naming the return's plugin parameter, in ms."""
    stems, audio, out = project
    state = MixState.for_stems(stems)
    silent_strip(state)
    state.tracks["a"].volume_db = 0.0
    state.tracks["a"].sends_db = [-math.inf, 0.0]
    set_delay(state, 375.0, 0.0)  # the lane moves Time to 30 ms (240 frames)
    lane = Lane("Delay", "fx/Delay/param/Time", (Point(0.0, 30.0, "hold"),))
    got = rendered(stems, state, out, automation=by_track([lane], list(state.tracks)))
    dry = mono_placed(audio["a"][:, 0], 0.0, 0.0)
    assert_close(got, dry + delayed(dry, 240) * np.array(cp_gains(0.0)))
    bad = Lane("Delay", "fx/1/param/1", (Point(0.0, 3000.0, "hold"),))
    with pytest.raises(VirtualDawError, match=r"Time is 3000\.0 at 0\.000000 s"):
        render(stems, state, out, rate=RATE, automation=by_track([bad], list(state.tracks)))
    wrong = Lane("a", "fx/Delay/param/Time", (Point(0.0, 30.0, "hold"),))
    with pytest.raises(VirtualDawError, match="no plugin 'Delay'"):
        render(stems, state, out, rate=RATE, automation=by_track([wrong], list(state.tracks)))


# ---------------------------------------------------------------- determinism, memory


def test_renders_with_both_returns_are_bit_identical(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    for name in ("a", "b", "c"):
        state.tracks[name].sends_db = [-6.0, -10.0]
    state.tracks["Reverb"].plugins[0].values = [3.0, 20.0, 0.5, 80.0]
    state.tracks["a"].plugins[0].bands_on.add("band/2")  # a strip to run on the threads
    state.tracks["a"].plugins[0].values[9] = 6.0  # Band 2 gain
    first = rendered(stems, state, out, block_frames=1000, workers=3)
    second = rendered(stems, state, out, block_frames=1000, workers=3)
    assert np.array_equal(first, second)
    assert np.array_equal(first, rendered(stems, state, out, block_frames=1000, workers=1))
    dry = MixState.for_stems(stems)
    assert not np.array_equal(first, rendered(stems, dry, out))  # the returns sound


def _render_peak_bytes(tmp_path: Path, seconds: int) -> int:
    folder = tmp_path / f"long{seconds}"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for name, channels in (("m", 1), ("s", 2)):
        with sf.SoundFile(folder / f"{name}.wav", "w", RATE, channels, "PCM_24") as f:
            for _ in range(seconds):
                f.write(rng.uniform(-0.2, 0.2, (RATE, channels)))
    stems = load_stems(folder, RATE)
    state = MixState.for_stems(stems)
    for name in ("m", "s"):  # both returns, and EQ and compressor on every track and the master
        state.tracks[name].sends_db = [-6.0, -6.0]
    for strip in [state.tracks["m"].plugins, state.tracks["s"].plugins, state.master_plugins]:
        strip[0].bands_on |= {"hipass", "band/1", "hishelf"}
        strip[1].values = [-20.0, 4.0, 5.0, 50.0, 6.0, 2.0]
    tracemalloc.start()
    try:
        render(stems, state, tmp_path, rate=RATE, block_frames=4096)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_with_returns_does_not_grow_with_length(tmp_path: Path) -> None:
    short, long = _render_peak_bytes(tmp_path, 10), _render_peak_bytes(tmp_path, 100)
    song_bytes = 100 * RATE * 2 * 8  # the 100 s master as float64 (2.3 MB peak measured)
    assert long < 2.0 * short  # growth with length would be ~10x
    assert long < song_bytes / 4


def test_a_lane_error_on_a_worker_thread_fails_the_render_and_leaves_no_file(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    for name in ("a", "b", "c"):  # strips on the threads
        state.tracks[name].plugins[0].bands_on.add("hishelf")
        state.tracks[name].plugins[0].values[-4] = 3.0  # High shelf gain
    lane = Step("send/1/level_db", 0.0, 30.0, 5000)  # +30 dB: out of range from frame 5000
    with pytest.raises(VirtualDawError, match=r"send/1/level_db is 30\.0 at 0\.625000 s"):
        render(
            stems,
            state,
            out,
            rate=RATE,
            block_frames=1000,
            automation={"b": {"send/1/level_db": lane}},
        )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("track", "param", "message"),
    [
        ("a", "send/3/level_db", "'a': no send 3 (2 sends)"),
        ("a", "fx/EQ/param/Band 9 gain", "'a': EQ has no parameter 'Band 9 gain'"),
        ("a", "fx/3/param/1", "'a': no plugin 3 (there are 1 'EQ', 2 'Compressor')"),
        ("Reverb", "send/1/level_db", "'Reverb': cannot automate 'send/1/level_db'"),
        ("Reverb", "width", "'Reverb': cannot automate 'width'"),
        ("master", "mute", "'master': cannot automate 'mute'"),
    ],
)
def test_lanes_a_track_cannot_take_are_refused(
    project: tuple[list[Stem], dict[str, Floats], Path], track: str, param: str, message: str
) -> None:
    stems, _, out = project
    lane = Step(param, 0.0, 0.0, 0)
    with pytest.raises(VirtualDawError, match=re.escape(message)):
        render(stems, MixState.for_stems(stems), out, rate=RATE, automation={track: {param: lane}})
    assert list(out.iterdir()) == []


def test_two_lanes_for_one_plugin_parameter_are_refused(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, _, out = project
    by_name, by_number = Step("fx/Compressor/param/makeup", 0, 1, 0), Step("fx/2/param/6", 0, 1, 0)
    automation = {"a": {by_name.param: by_name, by_number.param: by_number}}
    with pytest.raises(VirtualDawError, match="two lanes for 'fx/2/param/6'"):
        render(stems, MixState.for_stems(stems), out, rate=RATE, automation=automation)


class Broken:
    """A lane whose evaluation fails with an exception that is not the virtual DAW's."""

    param = "pan"

    def values_at(self, times_s: Floats) -> Floats:
        raise ValueError("no curve\nhere")


def test_a_bounce_that_fails_in_any_way_is_reported(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    from bridge.virtual.bounces import Bouncer

    stems, _, out = project
    seen: list[str] = []
    bouncer = Bouncer(
        stems, rate=RATE, render_dir=out, project="song", bits=24, on_error=seen.append
    )
    state = MixState.for_stems(stems).snapshot()
    bouncer.start(state, {"b": {"pan": Broken()}})
    assert bouncer.wait(30.0)
    assert seen == bouncer.errors == ["render failed (ValueError: no curve here)"]
    assert bouncer.renders == []
    assert list(out.iterdir()) == []
    bouncer.start(state, {})  # the next one works
    assert bouncer.wait(30.0)
    assert [r.path.name for r in bouncer.renders] == ["song-take01.wav"]
