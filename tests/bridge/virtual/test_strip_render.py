"""Channel strips in real renders: track and master EQ and compressor, their lanes.

Every test renders a 24-bit take through :func:`bridge.virtual.render` and
reads it back with soundfile. References:

* EQ: the RBJ Audio EQ Cookbook biquads (Bristow-Johnson), written again here
  from the cookbook text with ``alpha = sin(w0)·sinh(ln2/2 · BW · w0/sin(w0))``,
  run by ``scipy.signal.sosfilt``; tolerance 2 LSB of 24-bit;
* compressor: at ratio 1 the Giannoulis-Massberg-Reiss (JAES 2012) gain is
  exactly the makeup (``y_G = x`` so ``x_L = y_L = 0``), so a makeup lane is a
  per-frame gain computed here; other settings are checked against the
  :class:`~bridge.virtual.dsp.compressor.Compressor` run by hand on the stem
  (the class is checked against the paper's curves in ``tests/bridge/virtual/dsp``:
  this checks the engine's wiring: order, channels, units, master);
* pan: the textbook constant-power law.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from scipy.signal import sosfilt

from bridge.automation.lane import Lane, Point
from bridge.dialects.virtual_fx import COMPRESSOR, EQ, EQ_BANDS
from bridge.virtual import MixState, Stem, load_stems, render
from bridge.virtual.automation import by_track
from bridge.virtual.state import PluginState

Floats = npt.NDArray[np.float64]
RATE = 44100
LSB24 = 2.0**-23
FRAMES = 20000


def cookbook(kind: str, f0: float, bw: float, gain_db: float = 0.0, fs: float = RATE) -> Floats:
    """One RBJ cookbook biquad as an sos row ``[b0, b1, b2, 1, a1, a2]``."""
    w0 = 2.0 * math.pi * f0 / fs
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw * math.sinh(math.log(2.0) / 2.0 * bw * w0 / sw)
    a = 10.0 ** (gain_db / 40.0)
    sq = 2.0 * math.sqrt(a) * alpha
    if kind == "hpf":
        b, den = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "notch":
        b, den = [1.0, -2 * cw, 1.0], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peaking":
        b, den = [1 + alpha * a, -2 * cw, 1 - alpha * a], [1 + alpha / a, -2 * cw, 1 - alpha / a]
    elif kind == "lowshelf":
        b = [
            a * ((a + 1) - (a - 1) * cw + sq),
            2 * a * ((a - 1) - (a + 1) * cw),
            a * ((a + 1) - (a - 1) * cw - sq),
        ]
        den = [
            (a + 1) + (a - 1) * cw + sq,
            -2 * ((a - 1) + (a + 1) * cw),
            (a + 1) + (a - 1) * cw - sq,
        ]
    else:
        assert kind == "highshelf"
        b = [
            a * ((a + 1) + (a - 1) * cw + sq),
            -2 * a * ((a - 1) + (a + 1) * cw),
            a * ((a + 1) + (a - 1) * cw - sq),
        ]
        den = [
            (a + 1) - (a - 1) * cw + sq,
            2 * ((a - 1) - (a + 1) * cw),
            (a + 1) - (a - 1) * cw - sq,
        ]
    return np.array([*(v / den[0] for v in b), 1.0, den[1] / den[0], den[2] / den[0]])


def cp_gains(p: float) -> tuple[float, float]:
    theta = (p + 1.0) * math.pi / 4.0
    return math.cos(theta), math.sin(theta)


@pytest.fixture
def project(tmp_path: Path) -> tuple[list[Stem], dict[str, Floats], Path]:
    """Stems a (mono noise) and b (stereo noise), 24-bit; an empty render folder."""
    rng = np.random.default_rng(5)
    folder = tmp_path / "stems"
    folder.mkdir()
    for name, ch in (("a", 1), ("b", 2)):
        sf.write(folder / f"{name}.wav", rng.uniform(-0.2, 0.2, (FRAMES, ch)), RATE, "PCM_24")
    out = tmp_path / "renders"
    out.mkdir()
    stems = load_stems(folder, RATE)
    return stems, {s.name: sf.read(s.path, always_2d=True)[0] for s in stems}, out


def rendered(stems: list[Stem], state: MixState, out: Path, **kw: object) -> Floats:
    result = render(stems, state, out, rate=RATE, **kw)  # type: ignore[arg-type]
    return np.asarray(sf.read(result.path, always_2d=True)[0])


def assert_close(got: Floats, want: Floats, tol: float = 2 * LSB24) -> None:
    assert got.shape == want.shape
    err = float(np.max(np.abs(got - want)))
    assert err <= tol, f"max error {err / LSB24:.2f} LSB"


def set_values(plugin: PluginState, values: dict[str, float]) -> None:
    """Set parameters by name, switching their EQ bands in."""
    for name, value in values.items():
        n = plugin.plugin.number(name)
        assert n is not None, name
        plugin.values[n - 1] = value
        band = next((b for b in EQ_BANDS if name.startswith(b.label + " ")), None)
        if plugin.plugin == EQ and band is not None:
            plugin.bands_on.add(band.key)


def only(state: MixState, name: str) -> None:
    for other in state.stem_names():
        if other != name:
            state.tracks[other].mute = True


# ---------------------------------------------------------------- EQ


@pytest.mark.parametrize(
    ("settings", "sos"),
    [
        ({"High-pass freq": 150.0}, [cookbook("hpf", 150.0, 1.8995)]),
        (
            {"Low shelf freq": 200.0, "Low shelf gain": 6.0, "Low shelf BW": 2.0},
            [cookbook("lowshelf", 200.0, 2.0, 6.0)],
        ),
        (
            {"Band 3 freq": 3000.0, "Band 3 gain": -9.0, "Band 3 BW": 0.5, "Notch freq": 60.0},
            [cookbook("peaking", 3000.0, 0.5, -9.0), cookbook("notch", 60.0, 1.0)],
        ),
        (
            {"High shelf freq": 6000.0, "High shelf gain": 4.5, "High-pass freq": 40.0},
            [cookbook("hpf", 40.0, 1.8995), cookbook("highshelf", 6000.0, 1.0, 4.5)],
        ),
    ],
)
def test_track_eq_is_the_cookbook_cascade(
    project: tuple[list[Stem], dict[str, Floats], Path],
    settings: dict[str, float],
    sos: list[Floats],
) -> None:
    """Mono and stereo stems through slot 1, then the pan: against sosfilt."""
    stems, audio, out = project
    state = MixState.for_stems(stems)
    for name in ("a", "b"):
        set_values(state.tracks[name].plugins[0], settings)
    state.tracks["a"].pan = -0.3
    want = np.zeros((FRAMES, 2))
    eq_a = sosfilt(np.array(sos), audio["a"][:, 0])
    want += np.stack([eq_a * cp_gains(-0.3)[0], eq_a * cp_gains(-0.3)[1]], axis=1)
    want += sosfilt(np.array(sos), audio["b"], axis=0) * np.array(cp_gains(0.0))
    assert_close(rendered(stems, state, out, block_frames=7001), want)


def test_eq_output_gain_wet_and_bypass(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    only(state, "a")
    eq = state.tracks["a"].plugins[0]
    set_values(eq, {"Band 1 freq": 500.0, "Band 1 gain": 8.0, "Output gain": -3.0, "Wet": 40.0})
    x = audio["a"][:, 0]
    wet = sosfilt(cookbook("peaking", 500.0, 1.0, 8.0)[None, :], x) * 10 ** (-3.0 / 20.0)
    y = 0.4 * wet + 0.6 * x
    c = cp_gains(0.0)[0]
    assert_close(rendered(stems, state, out), np.stack([y * c, y * c], axis=1))
    eq.active = False  # the whole plugin bypassed
    assert_close(rendered(stems, state, out), np.stack([x * c, x * c], axis=1), LSB24)
    eq.active = True
    eq.bands_on.clear()  # every band out: only the output gain and the wet mix are left
    y = 0.4 * x * 10 ** (-3.0 / 20.0) + 0.6 * x
    assert_close(rendered(stems, state, out), np.stack([y * c, y * c], axis=1))


def test_master_eq_then_balance(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    set_values(state.master_plugins[0], {"Low shelf freq": 150.0, "Low shelf gain": -6.0})
    state.master_pan = 0.5
    mix = audio["b"] * np.array(cp_gains(0.0)) + audio["a"] * np.array(cp_gains(0.0))
    want = sosfilt(cookbook("lowshelf", 150.0, 1.0, -6.0)[None, :], mix, axis=0)
    want[:, 0] *= 0.5  # balance right: the left side attenuated to 1 - 0.5
    assert_close(rendered(stems, state, out), want)


@dataclass(frozen=True)
class Const:
    """A lane holding one value."""

    param: str
    value: float

    def values_at(self, times_s: Floats) -> Floats:
        return np.full(len(times_s), self.value)


def test_an_automated_band_is_in(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    only(state, "a")
    assert not state.tracks["a"].plugins[0].bands_on
    lane = Const("fx/1/param/7", 5.0)  # Band 1 gain (EQ: hpf 2, loshelf 3, band 1 freq 6)
    assert EQ.params[6].name == "Band 1 gain"
    got = rendered(stems, state, out, automation={"a": {lane.param: lane}})
    y = sosfilt(cookbook("peaking", 250.0, 1.0, 5.0)[None, :], audio["a"][:, 0])
    c = cp_gains(0.0)[0]
    assert_close(got, np.stack([y * c, y * c], axis=1))


# ---------------------------------------------------------------- compressor


def test_makeup_lane_step_at_ratio_1_is_a_per_frame_gain(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    only(state, "a")
    k = 12345
    t = k / RATE
    lane = Lane("a", "fx/Compressor/param/Makeup", (Point(0.0, 0.0, "hold"), Point(t, 6.0, "hold")))
    got = rendered(
        stems, state, out, automation=by_track([lane], list(state.tracks)), block_frames=4096
    )
    g = np.where(np.arange(FRAMES) < k, 1.0, 10 ** (6.0 / 20.0))
    y = audio["a"][:, 0] * g * cp_gains(0.0)[0]
    assert_close(got, np.stack([y, y], axis=1))


def compressed(x: Floats, values: list[float]) -> Floats:
    from bridge.virtual.dsp.compressor import Compressor

    return Compressor(RATE, x.shape[1]).process(x.copy(), values)


def test_track_and_master_compressor(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    """Slot 2 after slot 1 on the stem's own channels, then pan; the master's after the sum."""
    stems, audio, out = project
    state = MixState.for_stems(stems)
    comp = [-24.0, 4.0, 5.0, 80.0, 6.0, 4.0]  # threshold, ratio, attack, release, knee, makeup
    assert [p.name for p in COMPRESSOR.params][:2] == ["Threshold", "Ratio"]
    state.tracks["a"].plugins[1].values = list(comp)
    set_values(state.tracks["a"].plugins[0], {"High-pass freq": 200.0})
    state.tracks["b"].plugins[1].values = list(comp)
    master = [-12.0, 2.0, 1.0, 200.0, 0.0, 0.0]
    state.master_plugins[1].values = list(master)
    state.master_pan, state.master_volume_db = 0.4, -1.0  # after the compressor
    a = sosfilt(cookbook("hpf", 200.0, 1.8995)[None, :], audio["a"], axis=0)
    c = np.array(cp_gains(0.0))
    mix = compressed(a, comp) * c + compressed(audio["b"], comp) * c
    want = compressed(mix, master) * np.array([0.6, 1.0]) * 10 ** (-1.0 / 20.0)
    assert_close(rendered(stems, state, out, block_frames=3000), want, 4 * LSB24)


def test_ratio_1_and_inactive_are_the_identity(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    plain = rendered(stems, state, out)
    c = np.array(cp_gains(0.0))
    assert_close(plain, audio["a"] * c + audio["b"] * c, LSB24)
    state.tracks["a"].plugins[1].values = [-40.0, 1.0, 1.0, 50.0, 12.0, 0.0]  # ratio 1
    assert np.array_equal(rendered(stems, state, out), plain)
    state.tracks["a"].plugins[1].values = [-40.0, 8.0, 1.0, 50.0, 12.0, 0.0]
    assert not np.array_equal(rendered(stems, state, out), plain)
    state.tracks["a"].plugins[1].active = False
    assert np.array_equal(rendered(stems, state, out), plain)


def test_lanes_the_virtual_daw_recorded_render(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    """The recorder's lane names: master ``fx/N/param/M`` and a track's makeup, in units."""
    from bridge.virtual.recorder import RecordedLane

    stems, audio, out = project
    state = MixState.for_stems(stems)
    only(state, "a")
    makeup = RecordedLane("a", "fx/2/param/6", np.array([0.0]), np.array([6.0]))
    shelf = RecordedLane("master", "fx/1/param/4", np.array([0.0]), np.array([-5.0]))
    assert EQ.params[3].name == "Low shelf gain"
    assert COMPRESSOR.params[5].name == "Makeup"
    automation = {"a": {makeup.param: makeup}, "master": {shelf.param: shelf}}
    got = rendered(stems, state, out, automation=automation)
    y = audio["a"][:, 0] * 10 ** (6.0 / 20.0) * cp_gains(0.0)[0]
    y = sosfilt(cookbook("lowshelf", 100.0, 1.0, -5.0)[None, :], y)
    assert_close(got, np.stack([y, y], axis=1))


def test_strip_magnitude_response_from_a_rendered_impulse(tmp_path: Path) -> None:
    """Every band type in one strip: |FFT| of the rendered impulse vs the bands' product."""
    from scipy.signal import sosfreqz

    folder = tmp_path / "imp"
    folder.mkdir()
    x = np.zeros(16384)
    x[0] = 0.25  # headroom for the boosts
    sf.write(folder / "imp.wav", x, RATE, "PCM_24")
    stems = load_stems(folder, RATE)
    state = MixState.for_stems(stems)
    bands = {
        "High-pass freq": 60.0,
        "Low shelf freq": 150.0,
        "Low shelf gain": 4.0,
        "Band 1 freq": 400.0,
        "Band 1 gain": -6.0,
        "Band 2 freq": 1200.0,
        "Band 2 gain": 3.0,
        "Band 2 BW": 0.4,
        "Band 3 freq": 3000.0,
        "Band 3 gain": 5.0,
        "Band 4 freq": 7000.0,
        "Band 4 gain": -4.0,
        "Band 4 BW": 2.5,
        "Notch freq": 50.0,
        "Notch BW": 0.3,
        "High shelf freq": 10000.0,
        "High shelf gain": -3.0,
    }
    set_values(state.tracks["imp"].plugins[0], bands)
    got = rendered(stems, state, tmp_path)[:, 0] / (0.25 * cp_gains(0.0)[0])
    sos = np.array(
        [
            cookbook("hpf", 60.0, 1.8995),
            cookbook("lowshelf", 150.0, 1.0, 4.0),
            cookbook("peaking", 400.0, 1.0, -6.0),
            cookbook("peaking", 1200.0, 0.4, 3.0),
            cookbook("peaking", 3000.0, 1.0, 5.0),
            cookbook("peaking", 7000.0, 2.5, -4.0),
            cookbook("notch", 50.0, 0.3),
            cookbook("highshelf", 10000.0, 1.0, -3.0),
        ]
    )
    freqs = np.fft.rfftfreq(len(got), 1.0 / RATE)
    _, h = sosfreqz(sos, worN=freqs, fs=RATE)
    want_db = 20 * np.log10(np.abs(h) + 1e-300)  # exactly 0 at DC (the high-pass)
    got_db = 20 * np.log10(np.abs(np.fft.rfft(got)) + 1e-300)
    audible = (freqs >= 100.0) & (freqs <= 20000.0)  # away from the high-pass and notch floor
    assert np.max(np.abs(got_db[audible] - want_db[audible])) < 0.01
    assert np.max(np.abs(want_db[audible])) > 3.0  # the strip does shape the response
