"""Deterministic, download-free generator of a music-like stereo master.

The recipe follows the QC reference notes (``speed.md`` §1): 120 BPM kick, snare,
hi-hats, bass with a chord change every 2 s, a detuned pad with a 0.1 Hz LFO,
a pink-ish noise bed and bright 3.5/7 kHz stabs in the choruses, arranged as
intro, verse, chorus, break, verse, chorus with a squared fade at the end.

The loud master goes through ``tanh``, +3 dB into a hard clip at 0.98 FS and a
fixed gain of ``10**(-0.2/20) / 0.98``, so its sample peak is -0.20 dBFS with
flat tops and inter-sample overs. Audio is produced in chunks and written
progressively, so memory does not grow with duration. Every sample depends
only on ``(seed, absolute sample index)``: the output is bit-identical for any
``chunk_s``.

Example:
    >>> write_master("bounce.wav", seconds=20.0)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import soundfile as sf

__all__ = ["master_chunks", "write_master"]

Floats = npt.NDArray[np.float64]
_Render = Callable[[int, int], Floats | None]  # (event index, samples) -> (samples, 2)

BEAT_S = 0.5  # 120 BPM
CHORD_S = 2.0
# Song form as (start fraction of the duration, section gain, stabs on).
_FORM: tuple[tuple[float, float, bool], ...] = (
    (0.00, 0.35, False),  # intro
    (0.10, 0.60, False),  # verse
    (0.30, 1.00, True),  # chorus
    (0.50, 0.30, False),  # break
    (0.60, 0.65, False),  # verse
    (0.80, 1.00, True),  # chorus
)
_FADE_FRACTION = 20.0 / 300.0  # 20 s fade for a 300 s song
_RAMP_S = 0.5  # section-gain cross-ramp
# Am, F, C, G: (bass root Hz, pad triad Hz).
_CHORDS: tuple[tuple[float, tuple[float, float, float]], ...] = (
    (55.00, (220.00, 261.63, 329.63)),
    (43.65, (174.61, 220.00, 261.63)),
    (65.41, (261.63, 329.63, 392.00)),
    (49.00, (196.00, 246.94, 293.66)),
)
_NOISE_HOP = 1 << 15  # noise-bed block hop in samples (blocks are 2 hops long)
# Stream ids for seeding, so layers never share random numbers.
_SNARE, _HATS, _BED = 1, 2, 3
_LOUD_DRIVE, _GENTLE_DRIVE, _GENTLE_CEIL = 1.2, 1.0, 10 ** (-3.0 / 20)


def _rng(seed: int, stream: int, index: int) -> np.random.Generator:
    """Return a generator seeded from ``(seed, stream, index)``; all ints >= 0."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream, index]))


def _band_noise(rng: np.random.Generator, n: int, rate: int, lo: float, hi: float) -> Floats:
    """Return unit-RMS noise of ``n`` samples band-limited to ``[lo, hi]`` Hz (FFT mask)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / rate)
    spec *= 1.0 / (1.0 + (lo / np.maximum(f, 1e-9)) ** 4) / (1.0 + (f / hi) ** 4)
    x: Floats = np.fft.irfft(spec, n)
    return x / max(float(np.sqrt(np.mean(x * x))), 1e-12)


def _section_gain(t: Floats, seconds: float) -> tuple[Floats, Floats]:
    """Return (section gain, chorus indicator) at times ``t`` s; squared fade at the end."""
    xs: list[float] = []
    gs: list[float] = []
    cs: list[float] = []
    ramp = min(_RAMP_S, 0.02 * seconds)  # keeps the breakpoints increasing for short songs
    for i, (frac, gain, chorus) in enumerate(_FORM):
        start = frac * seconds
        if i:
            xs.append(start - ramp / 2)
            gs.append(gs[-1])
            cs.append(cs[-1])
        xs.append(start + (ramp / 2 if i else 0.0))
        gs.append(gain)
        cs.append(1.0 if chorus else 0.0)
    g = np.interp(t, xs, gs)
    fade_s = max(_FADE_FRACTION * seconds, 1e-3)
    g *= np.clip((seconds - t) / fade_s, 0.0, 1.0) ** 2
    return g, np.interp(t, xs, cs)


def _events(
    out: Floats,
    start: int,
    render: _Render,
    *,
    rate: int,
    period_s: float,
    offset_s: float,
    length_s: float,
) -> None:
    """Add every event ``k`` at ``offset_s + k * period_s`` s overlapping ``out``.

    Args:
        out: Chunk buffer, shape ``(n, 2)``, starting at absolute sample ``start``.
        start: Absolute index of the chunk's first sample.
        render: Callback ``(k, n_samples) -> (n_samples, 2)`` array, or None to skip.
        rate: Sample rate in Hz.
        period_s: Event spacing in seconds.
        offset_s: Time of event 0 in seconds.
        length_s: Event length in seconds (events are rendered whole, then sliced).
    """
    n = out.shape[0]
    length = round(length_s * rate)
    k0 = max(0, math.floor(((start - length) / rate - offset_s) / period_s))
    k = k0
    while True:
        s = round((offset_s + k * period_s) * rate)
        if s >= start + n:
            break
        if s + length > start:
            ev = render(k, length)
            if ev is not None:
                a, b = max(s, start), min(s + length, start + n)
                out[a - start : b - start] += ev[a - s : b - s]
        k += 1


class _Kick:
    def __init__(self, rate: int) -> None:
        t = np.arange(round(0.4 * rate)) / rate
        phase = 2 * np.pi * (45.0 * t + 15.0 * 0.05 * (1 - np.exp(-t / 0.05)))
        y = 0.9 * np.sin(phase) * np.exp(-t / 0.16) * np.minimum(1.0, t * rate / 24)
        self.wave: Floats = np.stack([y, y], axis=1)

    def __call__(self, k: int, n: int) -> Floats:
        return self.wave[:n]


class _Noisy:
    """Band-passed noise hits with an exponential decay and per-channel levels."""

    def __init__(
        self,
        seed: int,
        stream: int,
        *,
        rate: int,
        band: tuple[float, float],
        decay_s: float,
        levels: tuple[float, float],
        keep: tuple[int, ...] = (),
    ) -> None:
        self.seed, self.stream, self.rate, self.band = seed, stream, rate, band
        self.decay_s, self.levels, self.keep = decay_s, np.asarray(levels), keep

    def __call__(self, k: int, n: int) -> Floats | None:
        if self.keep and k % 4 not in self.keep:
            return None
        t = np.arange(n) / self.rate
        y = _band_noise(_rng(self.seed, self.stream, k), n, self.rate, *self.band)
        y *= np.exp(-t / self.decay_s) * np.minimum(1.0, t * self.rate / 8)
        out: Floats = y[:, None] * self.levels[None, :]
        return out


class _Stab:
    """3.5 kHz + 7 kHz stab, weighted by the chorus indicator at its onset."""

    def __init__(self, rate: int, seconds: float) -> None:
        t = np.arange(round(0.15 * rate)) / rate
        y = (np.sin(2 * np.pi * 3500 * t) + 0.6 * np.sin(2 * np.pi * 7000 * t)) * np.exp(-t / 0.04)
        self.wave = 0.22 * np.stack([y, 0.8 * y], axis=1)
        self.seconds, self.rate = seconds, rate

    def __call__(self, k: int, n: int) -> Floats | None:
        onset = np.array([BEAT_S / 2 + k * BEAT_S])
        chorus = float(_section_gain(onset, self.seconds)[1][0])
        return self.wave[:n] * chorus if chorus > 0 else None


def _tonal(t: Floats) -> Floats:
    """Return bass plus pad, shape ``(len(t), 2)``, at absolute times ``t`` s."""
    idx = np.floor(t / CHORD_S).astype(np.int64) % len(_CHORDS)
    tseg = np.mod(t, CHORD_S)
    env = np.clip(np.minimum(tseg, CHORD_S - tseg) / 0.02, 0.0, 1.0)
    roots = np.array([c[0] for c in _CHORDS])[idx]
    triads = np.array([c[1] for c in _CHORDS])[idx]
    bass = 0.32 * np.sin(2 * np.pi * roots * t) + 0.16 * np.sin(4 * np.pi * roots * t)
    bass *= env * (0.75 + 0.25 * np.cos(2 * np.pi * t / BEAT_S))
    lfo = 0.7 + 0.3 * np.sin(2 * np.pi * 0.1 * t)
    out = np.empty((t.size, 2))
    for ch, cents in enumerate((-7.0, 7.0)):
        det = 2 ** (cents / 1200)
        pad = sum(np.sin(2 * np.pi * triads[:, j] * det * t) for j in range(3))
        out[:, ch] = bass + 0.07 * lfo * env * pad
    return out


def _noise_bed(seed: int, rate: int, start: int, n: int, shape: Floats) -> Floats:
    """Pink-ish stereo noise for samples ``[start, start + n)``; unit-RMS blocks, OLA."""
    hop = _NOISE_HOP
    win = np.sin(np.pi * (np.arange(2 * hop) + 0.5) / (2 * hop))[:, None]
    out = np.zeros((n, 2))
    for k in range(start // hop - 1, (start + n - 1) // hop + 1):
        s = k * hop
        spec = np.fft.rfft(_rng(seed, _BED, k + 1).standard_normal((2 * hop, 2)), axis=0)
        block = np.fft.irfft(spec * shape[:, None], 2 * hop, axis=0) * win
        a, b = max(s, start), min(s + 2 * hop, start + n)
        if a < b:
            out[a - start : b - start] += block[a - s : b - s]
    return out


def master_chunks(
    *, seconds: float, rate: int, seed: int, loud: bool, chunk_s: float = 10.0
) -> Iterator[Floats]:
    """Generate the mastered song chunk by chunk.

    Args:
        seconds: Duration in seconds; the song form scales with it.
        rate: Sample rate in Hz.
        seed: Seed of every random layer (non-negative).
        loud: True for the loud, hard-clipped master (-0.20 dBFS sample peak,
            about -9 LUFS); False for a gentle one (about -3 dBFS, -16 LUFS).
        chunk_s: Chunk length in seconds; does not change the samples.

    Yields:
        Float64 arrays of shape ``(n, 2)``, full scale = 1.0, in order.
    """
    total = round(seconds * rate)
    step = max(1, round(chunk_s * rate))
    kick = _Kick(rate)
    snare = _Noisy(
        seed, _SNARE, rate=rate, band=(1e3, 6e3), decay_s=0.06, levels=(0.42, 0.38), keep=(1, 3)
    )
    hats = _Noisy(seed, _HATS, rate=rate, band=(7e3, 2e4), decay_s=0.025, levels=(0.16, 0.09))
    stab = _Stab(rate, seconds)
    f = np.fft.rfftfreq(2 * _NOISE_HOP, 1.0 / rate)
    shape = 1.0 / np.sqrt(np.maximum(f, 20.0)) / (1 + (40 / np.maximum(f, 1e-9)) ** 4)
    shape /= 1 + (f / 12000.0) ** 4
    shape *= 0.03 / np.sqrt(2 * np.sum(shape**2) / (2 * _NOISE_HOP))
    for start in range(0, total, step):
        n = min(step, total - start)
        t = (start + np.arange(n)) / rate
        mix = _tonal(t) + _noise_bed(seed, rate, start, n, shape)
        for render, period_s, offset_s, length_s in (
            (kick, BEAT_S, 0.0, 0.4),  # every beat
            (snare, BEAT_S, 0.0, 0.25),  # beats 2 and 4 (``keep``)
            (hats, BEAT_S / 2, 0.0, 0.12),  # 8ths
            (stab, BEAT_S, BEAT_S / 2, 0.15),  # off-beats, choruses only
        ):
            _events(
                mix,
                start,
                render,
                rate=rate,
                period_s=period_s,
                offset_s=offset_s,
                length_s=length_s,
            )
        mix *= _section_gain(t, seconds)[0][:, None]
        if loud:
            y = np.clip(np.tanh(_LOUD_DRIVE * mix) * 10 ** (3 / 20), -0.98, 0.98)
            y *= 10 ** (-0.2 / 20) / 0.98
        else:
            y = _GENTLE_CEIL * np.tanh(_GENTLE_DRIVE * mix)
        yield y


def write_master(
    path: str | os.PathLike[str],
    *,
    seconds: float = 300.0,
    rate: int = 48000,
    subtype: str = "PCM_24",
    seed: int = 1770,
    loud: bool = True,
) -> None:
    """Write the stereo master to ``path``, streaming 10 s chunks.

    Memory stays flat in ``seconds`` (a 60-minute file needs well under 200 MB).

    Args:
        path: Output file; the format follows the extension (e.g. ``.wav``, ``.flac``).
        seconds: Duration in seconds. Defaults to 300.0.
        rate: Sample rate in Hz. Defaults to 48000.
        subtype: libsndfile subtype, e.g. ``"PCM_24"``. Defaults to ``"PCM_24"``.
        seed: Random seed. Defaults to 1770.
        loud: Loud clipped master (-0.20 dBFS sample peak, true peak above 0
            dBTP) if True, a gentle one (about -3 dBFS, -16 LUFS) if False.
            Defaults to True.
    """
    with sf.SoundFile(os.fspath(path), "w", samplerate=rate, channels=2, subtype=subtype) as out:
        for chunk in master_chunks(seconds=seconds, rate=rate, seed=seed, loud=loud):
            out.write(chunk)
