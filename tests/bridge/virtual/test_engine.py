"""The virtual DAW's stems, mix engine and render writer against independent references.

The reference mix below is written from the formulas in ``docs/virtual-daw.md``
(pan laws in their textbook cos/sin form, width as a 2x2 matrix) and never calls
the engine. Tolerances:

* 24-bit renders: max |render - reference| <= 1 LSB = 2**-23 (rounding alone is
  0.5 LSB);
* 16-bit TPDF renders: |error| <= 1.5 LSB, |mean| < 0.02 LSB, variance
  0.25 ± 0.015 LSB² (TPDF dither 1/6 plus rounding 1/12: signal-independent);
* memory: the tracemalloc peak of a 100 s render is under 1.3x that of a 10 s
  render and under a quarter of the whole song's float64 size.
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from bridge.errors import BridgeError
from bridge.virtual import (
    PAN_LAWS,
    Mixer,
    MixState,
    RenderResult,
    Stem,
    TrackParams,
    TrackState,
    VirtualDawError,
    centre_gain_db,
    load_stems,
    next_take,
    pan_gains,
    render,
)
from bridge.virtual.engine import Constant

Floats = npt.NDArray[np.float64]
RATE = 8000
LSB24 = 2.0**-23
LSB16 = 2.0**-15


# ---------------------------------------------------------------- reference


def ref_gains(law: str, p: float) -> tuple[float, float]:
    """Pan law gains from the textbook formulas."""
    theta = (p + 1.0) * math.pi / 4.0
    cp = (math.cos(theta), math.sin(theta))
    lin = ((1.0 - p) / 2.0, (1.0 + p) / 2.0)
    if law == "constant-power":
        return cp
    if law == "-6":
        return lin
    if law == "-4.5":
        return math.sqrt(cp[0] * lin[0]), math.sqrt(cp[1] * lin[1])
    assert law == "0"
    return min(1.0, 1.0 - p), min(1.0, 1.0 + p)


@dataclass
class Ref:
    volume_db: float = 0.0
    pan: float = 0.0
    width: float = 1.0
    audible: bool = True


def ref_mix(
    audio: Mapping[str, Floats], tracks: Mapping[str, Ref], law: str, master_db: float = 0.0
) -> Floats:
    """The expected float master, shape (frames, 2)."""
    out = np.zeros((max(len(x) for x in audio.values()), 2))
    for name, x in audio.items():
        t = tracks.get(name, Ref())
        if not t.audible:
            continue
        g = 0.0 if t.volume_db == -math.inf else 10.0 ** (t.volume_db / 20.0)
        gl, gr = ref_gains(law, t.pan)
        if x.shape[1] == 1:
            left = right = x[:, 0]
        else:
            a, b = (1.0 + t.width) / 2.0, (1.0 - t.width) / 2.0
            left, right = a * x[:, 0] + b * x[:, 1], b * x[:, 0] + a * x[:, 1]
        out[: len(x), 0] += g * gl * left
        out[: len(x), 1] += g * gr * right
    return out * (0.0 if master_db == -math.inf else 10.0 ** (master_db / 20.0))


# ---------------------------------------------------------------- fixtures


def write_stem(path: Path, x: Floats, rate: int = RATE, subtype: str = "PCM_24") -> None:
    sf.write(path, x, rate, subtype=subtype)


@pytest.fixture
def project(tmp_path: Path) -> tuple[list[Stem], dict[str, Floats], Path]:
    """Three stems of different lengths (mono a, stereo b, mono c) and an empty render folder."""
    rng = np.random.default_rng(7)
    folder = tmp_path / "stems"
    folder.mkdir()
    shapes = {"a": (4000, 1), "b": (2400, 2), "c": (1000, 1)}
    for name, shape in shapes.items():
        x = rng.uniform(-0.3, 0.3, shape)
        x[:, -1] *= 0.5 if shape[1] == 2 else 1.0  # stereo: different L and R levels
        write_stem(folder / f"{name}.wav", x)
    out = tmp_path / "renders"
    out.mkdir()
    stems = load_stems(folder, RATE)
    audio = {s.name: sf.read(s.path, always_2d=True)[0] for s in stems}
    return stems, audio, out


def read(result: RenderResult) -> Floats:
    x, rate = sf.read(result.path, always_2d=True)
    assert rate == result.rate
    assert x.shape == (result.frames, 2)
    return np.asarray(x, dtype=np.float64)


def assert_24bit_equal(result: RenderResult, expected: Floats) -> None:
    assert sf.info(str(result.path)).subtype == "PCM_24"
    got = read(result)
    assert got.shape == expected.shape
    assert float(np.max(np.abs(got - expected))) <= LSB24


# ---------------------------------------------------------------- pan laws


@pytest.mark.parametrize(
    ("law", "centre_db"),
    [("constant-power", -3.0103), ("-4.5", -4.5154), ("-6", -6.0206), ("0", 0.0)],
)
def test_centre_gain(law: str, centre_db: float) -> None:
    assert centre_gain_db(law) == pytest.approx(centre_db, abs=1e-4)  # type: ignore[arg-type]


@pytest.mark.parametrize("law", PAN_LAWS)
def test_pan_law_shape(law: str) -> None:
    p = np.linspace(-1.0, 1.0, 201)
    gl, gr = pan_gains(p, law)  # type: ignore[arg-type]
    np.testing.assert_allclose(gl, gr[::-1], atol=1e-15)  # mirror image
    assert (float(gl[0]), float(gr[0]), float(gl[-1]), float(gr[-1])) == (1.0, 0.0, 0.0, 1.0)
    expected = np.array([ref_gains(law, float(v)) for v in p])
    np.testing.assert_allclose(np.stack([gl, gr], 1), expected, atol=1e-12)
    if law == "constant-power":
        np.testing.assert_allclose(gl**2 + gr**2, 1.0, atol=1e-12)


def test_unknown_pan_law() -> None:
    with pytest.raises(VirtualDawError, match="unknown pan law '-3'"):
        pan_gains(0.0, "-3")  # type: ignore[arg-type]


# ---------------------------------------------------------------- static mixes


@pytest.mark.parametrize("law", PAN_LAWS)
@pytest.mark.parametrize("pan", [-1.0, -0.5, 0.0, 0.3, 1.0])
def test_pan_positions(
    project: tuple[list[Stem], dict[str, Floats], Path], law: str, pan: float
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems, pan_law=law)  # type: ignore[arg-type]
    refs = {"a": Ref(-3.0, pan), "b": Ref(0.0, -pan), "c": Ref(-6.0, pan / 2)}
    for name, r in refs.items():
        state.tracks[name] = TrackState(volume_db=r.volume_db, pan=r.pan)
    result = render(stems, state, out, rate=RATE)
    assert result.frames == 4000  # the longest stem
    assert_24bit_equal(result, ref_mix(audio, refs, law))


@pytest.mark.parametrize("law", ["constant-power", "0"])
@pytest.mark.parametrize("width", [-1.0, -0.5, 0.0, 0.5, 1.0])
def test_width(project: tuple[list[Stem], dict[str, Floats], Path], law: str, width: float) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems, pan_law=law)  # type: ignore[arg-type]
    state.tracks["b"] = TrackState(pan=0.3, width=width)
    state.tracks["a"].width = 0.0  # ignored: mono
    refs = {"b": Ref(pan=0.3, width=width)}
    assert_24bit_equal(render(stems, state, out, rate=RATE), ref_mix(audio, refs, law))


def test_width_minus_one_swaps(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems([s for s in stems if s.name == "b"], pan_law="0")
    state.tracks["b"].width = -1.0
    got = read(render([s for s in stems if s.name == "b"], state, out, rate=RATE))
    assert np.array_equal(got, audio["b"][:, ::-1])  # exact: unity gains on a 24-bit grid


@pytest.mark.parametrize(
    ("mute", "solo", "audible"),
    [
        ("", "", "abc"),
        ("a", "", "bc"),
        ("", "b", "b"),
        ("", "ac", "ac"),
        ("a", "ab", "b"),  # mute wins over solo
        ("a", "a", ""),  # a solo is active, but the soloed track is muted
        ("abc", "", ""),
    ],
)
def test_mute_solo(
    project: tuple[list[Stem], dict[str, Floats], Path], mute: str, solo: str, audible: str
) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems)
    for name, track in state.tracks.items():
        track.mute, track.solo, track.pan = name in mute, name in solo, 0.5
    assert state.snapshot().audible() - {"Reverb", "Delay"} == frozenset(audible)
    refs = {n: Ref(pan=0.5, audible=n in audible) for n in "abc"}
    result = render(stems, state, out, rate=RATE)
    assert_24bit_equal(result, ref_mix(audio, refs, "constant-power"))
    assert result.frames == 4000  # muted stems still count for the length
    if not audible:
        assert result.peak_dbfs == -math.inf


def test_minus_inf_and_master(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems, pan_law="-6")
    state.tracks["a"].volume_db = -math.inf
    state.master_volume_db = -6.0
    refs = {"a": Ref(-math.inf), "b": Ref(), "c": Ref()}
    result = render(stems, state, out, rate=RATE)
    expected = ref_mix(audio, refs, "-6", master_db=-6.0)
    assert_24bit_equal(result, expected)
    assert result.peak_dbfs == pytest.approx(20 * math.log10(np.max(np.abs(expected))), abs=1e-9)
    state.master_volume_db = -math.inf
    assert not np.any(read(render(stems, state, out, rate=RATE)))


def test_clipping_saturates(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, out = project
    state = MixState.for_stems(stems, pan_law="0")
    state.tracks["a"].volume_db = 12.0
    expected = ref_mix(audio, {"a": Ref(12.0)}, "0")
    result = render(stems, state, out, rate=RATE)
    got = read(result)
    over = np.abs(expected) >= 1.0
    assert result.peak_dbfs > 0.0
    assert result.clipped_samples == int(np.count_nonzero(over))
    assert np.all(got[expected >= 1.0] == 1.0 - LSB24)  # saturated, no wrap-around
    assert np.all(got[expected <= -1.0] == -1.0)
    assert float(np.max(np.abs(got[~over] - expected[~over]))) <= LSB24


# ---------------------------------------------------------------- parameter seam


@dataclass(frozen=True)
class Ramp:
    """A per-sample parameter: ``a + b * frame``."""

    a: float
    b: float

    def values(self, start: int, n: int) -> Floats:
        return self.a + self.b * np.arange(start, start + n, dtype=np.float64)


def test_per_sample_parameters(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, audio, _ = project
    snap = MixState.for_stems(stems, pan_law="-6").snapshot()
    params = {
        "a": TrackParams(Ramp(0.0, -0.01), Ramp(-1.0, 2.0 / 4000), Constant(1.0)),
        "b": TrackParams(Constant(0.0), Constant(0.0), Ramp(1.0, -2.0 / 2400)),
    }
    mixer = Mixer(stems, snap, block_frames=999, params=params, master_volume_db=Ramp(0.0, -0.001))
    got = np.concatenate(list(mixer.blocks()))
    n = np.arange(4000.0)
    expected = np.zeros((4000, 2))
    a = audio["a"][:, 0] * 10 ** (-0.01 * n / 20)
    pa = -1.0 + 2.0 * n / 4000
    expected[:, 0] += a * (1 - pa) / 2
    expected[:, 1] += a * (1 + pa) / 2
    w = 1.0 - 2.0 * n[:2400] / 2400
    bl, br = audio["b"][:, 0], audio["b"][:, 1]
    expected[:2400, 0] += ((1 + w) / 2 * bl + (1 - w) / 2 * br) / 2
    expected[:2400, 1] += ((1 - w) / 2 * bl + (1 + w) / 2 * br) / 2
    expected[:1000] += audio["c"] / 2
    expected *= (10 ** (-0.001 * n / 20))[:, None]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- 16-bit dither


@pytest.fixture
def long_mono(tmp_path: Path) -> tuple[list[Stem], Floats, Path]:
    """2 s of noise at 8 kHz whose values are far from the 16-bit grid, plus a quiet half."""
    x = np.random.default_rng(3).uniform(-0.5, 0.5, (16000, 1))
    x[8000:] *= 1e-3
    folder = tmp_path / "stems"
    folder.mkdir()
    write_stem(folder / "noise.wav", x, subtype="FLOAT")
    stems = load_stems(folder, RATE)
    return stems, sf.read(stems[0].path)[0], tmp_path  # float32 in the file


def test_16bit_tpdf(long_mono: tuple[list[Stem], Floats, Path]) -> None:
    stems, x, out = long_mono
    state = MixState.for_stems(stems, pan_law="0")
    result = render(stems, state, out, rate=RATE, bits=16, seed=11)
    assert sf.info(str(result.path)).subtype == "PCM_16"
    q = sf.read(result.path, dtype="int16")[0].astype(np.float64)
    err = q - x[:, None] / LSB16  # in LSB
    assert float(np.max(np.abs(err))) <= 1.5
    assert abs(float(np.mean(err))) < 0.02
    assert float(np.var(err)) == pytest.approx(0.25, abs=0.015)  # 1/6 (TPDF) + 1/12 (rounding)
    loud, quiet = err[:8000], err[8000:]  # the error does not depend on the signal
    assert float(np.var(loud)) == pytest.approx(float(np.var(quiet)), abs=0.03)
    assert abs(float(np.corrcoef(err[:, 0], x)[0, 1])) < 0.03
    again = render(stems, state, out, rate=RATE, bits=16, seed=11, block_frames=777)
    assert again.path.read_bytes() == result.path.read_bytes()  # seeded, block-size independent
    other = render(stems, state, out, rate=RATE, bits=16, seed=12)
    assert other.path.read_bytes() != result.path.read_bytes()


def test_16bit_without_dither_rounds(long_mono: tuple[list[Stem], Floats, Path]) -> None:
    stems, x, out = long_mono
    result = render(
        stems, MixState.for_stems(stems, pan_law="0"), out, rate=RATE, bits=16, dither=False
    )
    q = sf.read(result.path, dtype="int16")[0].astype(np.float64)
    assert float(np.max(np.abs(q - x[:, None] / LSB16))) <= 0.5 + 1e-9


def test_24bit_is_not_dithered(long_mono: tuple[list[Stem], Floats, Path]) -> None:
    stems, x, out = long_mono
    result = render(stems, MixState.for_stems(stems, pan_law="0"), out, rate=RATE, dither=True)
    q = sf.read(result.path, dtype="int32")[0].astype(np.float64) / 256
    assert float(np.max(np.abs(q - x[:, None] / LSB24))) <= 0.5 + 1e-6


# ---------------------------------------------------------------- the file


def test_progressive_write(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, out = project
    final = out / "song-take01.wav"
    seen: list[tuple[int, int, bool, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total, final.exists(), final.stat().st_size if final.exists() else -1))

    result = render(
        stems,
        MixState.for_stems(stems),
        out,
        rate=RATE,
        project="song",
        block_frames=500,
        progress=progress,
    )
    assert result.path == final
    assert [d for d, *_ in seen] == list(range(500, 4001, 500))
    assert all(total == 4000 and exists for _, total, exists, _ in seen)
    sizes = [size for *_, size in seen]
    assert sizes == sorted(sizes)
    assert sizes[-1] > sizes[0]  # grows while rendering
    assert sorted(p.name for p in out.iterdir()) == ["song-take01.wav"]  # no temp file


def test_take_numbering(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    assert render(stems, state, out, rate=RATE).path.name == "mix-take01.wav"
    (out / "mix-take07.wav").write_bytes(b"keep me")
    (out / "other-take09.wav").write_bytes(b"")
    (out / "mix-take08.wav.reapeaks").write_bytes(b"")
    assert next_take(out, "mix").name == "mix-take08.wav"
    assert render(stems, state, out, rate=RATE).path.name == "mix-take08.wav"
    assert render(stems, state, out, rate=RATE).path.name == "mix-take09.wav"
    assert (out / "mix-take07.wav").read_bytes() == b"keep me"
    (out / "mix-take99.wav").write_bytes(b"")
    assert render(stems, state, out, rate=RATE).path.name == "mix-take100.wav"
    assert render(stems, state, out, rate=RATE, project="a.b").path.name == "a.b-take01.wav"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bits": 20}, "bits must be 16 or 24, got 20"),
        ({"project": "x/y"}, "project name 'x/y'"),
        ({"rate": 44100}, "a.wav: sample rate 8000 Hz differs from the project rate 44100 Hz"),
    ],
)
def test_render_errors(
    project: tuple[list[Stem], dict[str, Floats], Path], kwargs: dict[str, object], message: str
) -> None:
    stems, _, out = project
    args: dict[str, object] = {"rate": RATE} | kwargs
    with pytest.raises(VirtualDawError, match=message):
        render(stems, MixState.for_stems(stems), out, **args)  # type: ignore[arg-type]
    assert list(out.iterdir()) == []


def test_render_folder_missing(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, out = project
    with pytest.raises(VirtualDawError, match="the render folder does not exist"):
        render(stems, MixState.for_stems(stems), out / "nope", rate=RATE)


def test_failed_render_removes_its_file(
    project: tuple[list[Stem], dict[str, Floats], Path],
) -> None:
    stems, _, out = project

    def boom(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render(stems, MixState.for_stems(stems), out, rate=RATE, block_frames=500, progress=boom)
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------- state


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pan": 1.5}, r"track 'a' pan 1.5 is outside \[-1, \+1\]"),
        ({"width": math.nan}, "track 'a' width nan is outside"),
        ({"volume_db": math.nan}, "track 'a' volume_db nan dB is not a level"),
        ({"volume_db": math.inf}, "track 'a' volume_db inf dB is not a level"),
    ],
)
def test_bad_track_state(
    project: tuple[list[Stem], dict[str, Floats], Path], change: dict[str, float], message: str
) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    for key, value in change.items():
        setattr(state.tracks["a"], key, value)
    with pytest.raises(VirtualDawError, match=message):
        render(stems, state, out, rate=RATE)


def test_bad_mix_state(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, out = project
    state = MixState.for_stems(stems)
    state.tracks["ghost"] = TrackState()
    with pytest.raises(VirtualDawError, match=r"tracks without a stem: \['ghost'\]"):
        render(stems, state, out, rate=RATE)
    state = MixState.for_stems(stems)
    state.pan_law = "-3"  # type: ignore[assignment]
    with pytest.raises(VirtualDawError, match="unknown pan law"):
        state.snapshot()


def test_snapshot_is_frozen_copy(project: tuple[list[Stem], dict[str, Floats], Path]) -> None:
    stems, _, _ = project
    state = MixState.for_stems(stems)
    snap = state.snapshot()
    state.tracks["a"].pan = -1.0
    state.tracks["new"] = TrackState()
    assert snap.tracks["a"].pan == 0.0
    assert "new" not in snap.tracks
    with pytest.raises(TypeError):
        snap.tracks["x"] = snap.tracks["a"]  # type: ignore[index]


# ---------------------------------------------------------------- stems folders


def test_load_stems(tmp_path: Path) -> None:
    x = np.zeros((100, 2))
    write_stem(tmp_path / "b_keys.WAV", x)
    write_stem(tmp_path / "a_bass.flac", x[:50, :1], subtype="PCM_16")
    sf.write(tmp_path / "c_lead.aiff", x[:10], RATE, subtype="PCM_24", format="AIFF")
    (tmp_path / "notes.txt").write_text("not audio")
    write_stem(tmp_path / ".hidden.wav", x)
    stems = load_stems(tmp_path, RATE)
    assert [(s.name, s.channels, s.frames, s.rate) for s in stems] == [
        ("a_bass", 1, 50, RATE),
        ("b_keys", 2, 100, RATE),
        ("c_lead", 2, 10, RATE),
    ]
    assert stems[0].seconds == 50 / RATE


def _rate_mismatch(folder: Path) -> None:
    write_stem(folder / "ok.wav", np.zeros((10, 1)))
    write_stem(folder / "vox.wav", np.zeros((10, 1)), rate=44100)


def _surround(folder: Path) -> None:
    write_stem(folder / "room.wav", np.zeros((10, 6)))


def _garbage(folder: Path) -> None:
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 4)


def _duplicate(folder: Path) -> None:
    write_stem(folder / "gtr.wav", np.zeros((10, 1)))
    sf.write(folder / "gtr.flac", np.zeros((10, 1)), RATE)


def _empty(folder: Path) -> None:
    (folder / "readme.txt").write_text("no stems here")


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (_rate_mismatch, ("vox.wav", "sample rate 44100 Hz", "project rate 8000 Hz")),
        (_surround, ("room.wav", "6 channels")),
        (_garbage, ("broken.wav", "cannot read")),
        (_duplicate, ("gtr.wav", "'gtr'", "gtr.flac")),
        (_empty, ("no audio stems",)),
    ],
)
def test_bad_stems_folder(
    tmp_path: Path, make: Callable[[Path], None], names: tuple[str, ...]
) -> None:
    make(tmp_path)
    with pytest.raises(VirtualDawError) as info:
        load_stems(tmp_path, RATE)
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path) in message
    for part in names:
        assert part in message
    assert isinstance(info.value, BridgeError)


def test_missing_stems_folder(tmp_path: Path) -> None:
    with pytest.raises(VirtualDawError, match="nope: not a folder"):
        load_stems(tmp_path / "nope", RATE)


# ---------------------------------------------------------------- memory


def _render_peak_bytes(tmp_path: Path, seconds: int) -> int:
    folder = tmp_path / f"stems{seconds}"
    folder.mkdir()
    rng = np.random.default_rng(seconds)
    for name, channels in (("mono", 1), ("stereo", 2)):
        with sf.SoundFile(folder / f"{name}.wav", "w", RATE, channels, "PCM_24") as f:
            for _ in range(seconds):
                f.write(rng.uniform(-0.2, 0.2, (RATE, channels)))
    stems = load_stems(folder, RATE)
    tracemalloc.start()
    try:
        render(stems, MixState.for_stems(stems), tmp_path, rate=RATE, block_frames=4096)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_length(tmp_path: Path) -> None:
    short, long = _render_peak_bytes(tmp_path, 10), _render_peak_bytes(tmp_path, 100)
    song_bytes = 100 * RATE * 2 * 8  # the 100 s master as float64
    # 10x the song: growth with length would be ~10x; the block temporaries'
    # peak varies with thread timing under load (1.7x measured once).
    assert long < 2.0 * short
    assert long < song_bytes / 4


# ---------------------------------------------------------------- takes never follow a link


def test_a_link_planted_at_the_claimed_take_is_never_written_through(
    project: tuple[list[Stem], dict[str, Floats], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: whoever can write into the render folder swaps the claimed take for a link."""
    import importlib

    render_module = importlib.import_module("bridge.virtual.render")  # `render` is the function

    stems, _, out = project
    victim = out.parent / "victim.txt"
    victim.write_text("precious\n")
    (out / "mix-take01.wav").symlink_to(victim)  # a link at a take name is skipped, kept
    real_claim = render_module._claim_take

    def claim_then_plant(folder: Path, name: str) -> object:
        claimed = real_claim(folder, name)
        path = claimed if isinstance(claimed, Path) else claimed[0]
        path.unlink()
        path.symlink_to(victim)
        return claimed

    monkeypatch.setattr(render_module, "_claim_take", claim_then_plant)
    with pytest.raises(VirtualDawError, match=r"mix-take02.wav: replaced while it was rendered"):
        render(stems, MixState.for_stems(stems), out, rate=RATE)
    assert victim.read_text() == "precious\n"
    assert (out / "mix-take01.wav").is_symlink()
    assert (out / "mix-take02.wav").is_symlink()  # the planted link is left alone
