"""Render through OSC and compare the bounce with an independent numpy mix (issue 7).

The mix is set with the public bridge API over real UDP, in the REAPER dialect,
and rendered by action 42230. The reference below is written from the documented
signal flow (``docs/virtual-daw.md``), not from the engine's code: constant-power
pan ``gL = cos θ, gR = sin θ, θ = (p + 1)π/4``; stereo width as mid/side then
balance; volume ``10^(dB/20)``; solo and mute; master gain; 24-bit rounding.
Values travel as float32, so the reference uses the float32 values the server
received. Tolerance: 1 LSB of 24-bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from bridge.virtual.session import VirtualMixer, start_virtual

RATE = 48000
LSB = 2.0**-23
F64 = npt.NDArray[np.float64]
Settings = dict[str, dict[str, float]]


def _f32(x: float) -> float:
    return float(np.float32(x))


out_folder: list[Path] = [Path()]


@pytest.fixture(scope="module")
def stems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, F64]:
    """Three stems: two mono, one stereo, 0.4 s of deterministic material each."""
    folder = tmp_path_factory.mktemp("stems")
    rng = np.random.default_rng(7)
    n = int(0.4 * RATE)
    t = np.arange(n) / RATE
    audio = {
        "a_bass": 0.4 * np.sin(2 * np.pi * 55 * t),
        "b_lead": 0.3 * np.sin(2 * np.pi * 440 * t) * np.exp(-t),
        "c_keys": np.stack([0.25 * rng.standard_normal(n), 0.2 * np.sin(2 * np.pi * 330 * t)], 1),
    }
    out: dict[str, F64] = {}
    for name, x in audio.items():
        sf.write(folder / f"{name}.wav", np.clip(x, -1, 1), RATE, subtype="PCM_24")
        out[name], _ = sf.read(folder / f"{name}.wav", dtype="float64", always_2d=True)
    out_folder[0] = folder
    return out


@pytest.fixture
def mixer(stems: dict[str, F64], tmp_path: Path) -> Iterator[VirtualMixer]:
    with start_virtual(out_folder[0], render_dir=tmp_path, rate=RATE) as m:
        yield m


def _reference(stems: dict[str, F64], settings: Settings, master_db: float) -> F64:
    soloing = any(s.get("solo", 0) for s in settings.values())
    total = np.zeros((stems["a_bass"].shape[0], 2))
    for name in ("a_bass", "b_lead", "c_keys"):
        s = settings.get(name, {})
        if s.get("mute", 0) or (soloing and not s.get("solo", 0)):
            continue
        x = stems[name]
        pan = 2 * _f32((s.get("pan", 0.0) + 1) / 2) - 1
        theta = (pan + 1) * math.pi / 4
        g_l, g_r = math.cos(theta), math.sin(theta)
        if x.shape[1] == 1:
            left, right = g_l * x[:, 0], g_r * x[:, 0]
        else:
            w = 2 * _f32((s.get("width", 1.0) + 1) / 2) - 1
            mid, side = (x[:, 0] + x[:, 1]) / 2, (x[:, 0] - x[:, 1]) / 2 * w
            left, right = g_l * (mid + side), g_r * (mid - side)
        gain = 10 ** (_f32(s.get("volume_db", 0.0)) / 20)
        total += gain * np.stack([left, right], 1)
    return total * 10 ** (_f32(master_db) / 20)


def _render(mixer: VirtualMixer, settings: Settings, master_db: float) -> F64:
    for name, values in settings.items():
        track = mixer.tracks[name]
        for param, v in values.items():
            track.set(param, bool(v) if param in ("mute", "solo") else v)
    mixer.master.volume_db = master_db
    # The server applies messages in order; a round trip through it (the refresh
    # action's feedback) proves every set above has been applied.
    mixer.reconnect()
    result = mixer.render_and_wait(timeout=30)
    assert result.bits == 24
    data, rate = sf.read(result.path, dtype="int32", always_2d=True)
    assert rate == RATE
    scaled: F64 = data.astype(np.float64) / 2**31  # int32 from a 24-bit file: full scale 2^31
    return scaled


def _check(
    mixer: VirtualMixer,
    stems: dict[str, F64],
    settings: Settings,
    master_db: float = 0.0,
) -> None:
    got = _render(mixer, settings, master_db)
    want = (
        np.clip(np.round(_reference(stems, settings, master_db) / LSB), -(2**23), 2**23 - 1) * LSB
    )
    assert got.shape == want.shape
    err = np.max(np.abs(got - want)) / LSB
    assert err <= 1.0, f"{err:.2f} LSB off for {settings}"


def test_static_levels(mixer: VirtualMixer, stems: dict[str, F64]) -> None:
    settings = {
        "a_bass": {"volume_db": -6.0},
        "b_lead": {"volume_db": 2.5},
        "c_keys": {"volume_db": -11.25},
    }
    _check(mixer, stems, settings, master_db=-1.5)


@pytest.mark.parametrize("pan", [-1.0, -0.5, -0.1, 0.0, 0.3, 0.75, 1.0])
def test_each_pan_position(mixer: VirtualMixer, stems: dict[str, F64], pan: float) -> None:
    _check(mixer, stems, {"a_bass": {"pan": pan}, "c_keys": {"pan": -pan}})


@pytest.mark.parametrize("width", [1.0, 0.5, 0.0, -1.0])
def test_stereo_width(mixer: VirtualMixer, stems: dict[str, F64], width: float) -> None:
    _check(mixer, stems, {"c_keys": {"width": width, "pan": 0.2}})


@pytest.mark.parametrize(
    "settings",
    [
        {"a_bass": {"mute": 1}},
        {"b_lead": {"solo": 1}},
        {"b_lead": {"solo": 1}, "c_keys": {"solo": 1}},
        {"b_lead": {"solo": 1, "mute": 1}, "c_keys": {"solo": 1}},
        {"a_bass": {"mute": 1}, "b_lead": {"mute": 1}, "c_keys": {"mute": 1}},
    ],
)
def test_mute_and_solo(mixer: VirtualMixer, stems: dict[str, F64], settings: Settings) -> None:
    _check(mixer, stems, settings)


def test_takes_are_numbered_and_reference_differs_when_mix_differs(
    mixer: VirtualMixer, stems: dict[str, F64]
) -> None:
    first = _render(mixer, {"a_bass": {"volume_db": -3.0}}, 0.0)
    second = _render(mixer, {"a_bass": {"volume_db": -4.0}}, 0.0)
    names = sorted(p.name for p in mixer.daw.render_dir.iterdir())
    assert names == ["mix-take01.wav", "mix-take02.wav"]
    assert np.max(np.abs(first - second)) > 100 * LSB  # the comparison can fail
