"""Synthesis of the EBU Tech 3341 / 3342 cases from tests/data/ebu_cases.json.

Signals follow the conventions stated in the JSON: levels are per-channel sine
peaks in dBFS, every 1 kHz segment restarts at phase 0 (each is a whole number
of cycles), the true-peak cases get 10 ms raised-cosine fades, and the burst
cases 20-23 are built at 4x the rate, low-passed and decimated at an offset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "ebu_cases.json").read_text()
)["cases"]


def _segment(seg: dict[str, Any], rate: int, channels: list[str]) -> np.ndarray:
    frames = round(seg["dur_s"] * rate)
    out = np.zeros((frames, len(channels)))
    if seg["type"] == "tone":
        wave = np.sin(2 * np.pi * seg["freq_hz"] * np.arange(frames) / rate)
        level = seg["level_dbfs"]
        for c, name in enumerate(channels):
            db = level[name] if isinstance(level, dict) else level
            out[:, c] = 10 ** (db / 20) * wave
    return out


def _segments(
    segs: list[dict[str, Any]], rate: int, channels: list[str], repeat: int = 1
) -> np.ndarray:
    parts = [_segment(s, rate, channels) for s in segs] * repeat
    return np.concatenate(parts) if parts else np.zeros((0, len(channels)))


def _fade(x: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    n = round(seconds * rate)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
    x[:n] *= ramp[:, None]
    x[-n:] *= ramp[::-1, None]
    return x


def _sine(sig: dict[str, Any], rate: int, nch: int) -> np.ndarray:
    n = np.arange(round(sig["dur_s"] * rate))
    wave = sig["amplitude_ffs"] * np.sin(
        2 * np.pi * sig["freq_ratio_of_fs"] * n + np.deg2rad(sig["phase_deg"])
    )
    return _fade(np.repeat(wave[:, None], nch, axis=1), rate, sig["fade_in_out_s"])


def _burst(sig: dict[str, Any], rate: int, nch: int) -> np.ndarray:
    over = sig["oversample"]
    hi = rate * over
    car, bur = sig["carrier"], sig["burst"]
    f_car = car["freq_ratio_of_fs"] * rate
    f_bur = bur["freq_ratio_of_fs"] * rate
    half = round(sig["dur_s"] * hi / 2)
    per_car = hi / f_car  # samples per carrier period at 4 fs
    start = round(np.ceil(half / per_car) * per_car)  # an upward zero crossing
    t1 = np.arange(start) / hi
    first = car["amplitude_ffs"] * np.sin(2 * np.pi * f_car * t1)
    nb = round(bur["periods"] * hi / f_bur)
    burst = bur["amplitude_ffs"] * np.sin(2 * np.pi * f_bur * np.arange(nb) / hi)
    t2 = np.arange(round(sig["dur_s"] * hi) - start - nb) / hi
    second = car["amplitude_ffs"] * np.sin(2 * np.pi * f_car * t2)
    x = np.concatenate([first, burst, second])
    taps = 257
    m = np.arange(taps) - (taps - 1) / 2
    h = 0.45 * 2 / over * np.sinc(0.45 * 2 / over * m) * np.kaiser(taps, 10.0)
    y = np.convolve(x, h, mode="same")
    off = sig["decimation_offset_samples_at_4fs"]
    y = y[off::over]
    return _fade(np.repeat(y[:, None], nch, axis=1), rate, 0.01)


def synthesize(case: dict[str, Any], rate: int) -> list[np.ndarray]:
    """Return the signal(s) of one case at a sample rate, shape ``(frames, channels)``.

    Cases of kind ``variants`` return one array per variant.
    """
    sig = case["signal"]
    chans = case["channels"]
    kind = sig["kind"]
    if kind == "segments":
        return [_segments(sig["segments"], rate, chans, sig.get("repeat", 1))]
    if kind == "variants":
        return [_segments(v["segments"], rate, chans) for v in sig["variants"]]
    if kind == "sine":
        return [_sine(sig, rate, len(chans))]
    if kind == "tp_burst":
        return [_burst(sig, rate, len(chans))]
    raise ValueError(f"case {case['id']}: kind {kind} is not synthesizable")


def synthesizable() -> list[dict[str, Any]]:
    """Every case that can be generated from its description."""
    return [c for c in CASES if c["synthesizable"]]
