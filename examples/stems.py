"""Deterministic, download-free generator of a multitrack song as stems.

Usage::

    python examples/stems.py OUTDIR [--seconds 60] [--rate 48000] [--seed 1770] [--stems 4]

It writes 24-bit WAV stems of one 120 BPM song in A minor (Am, F, C, G, one
chord per bar), arranged as intro, verse, chorus, break, verse, chorus, with
0.5 s of digital silence before it, a fade-out and 1 s of silence after it:

* ``drums`` (stereo): kick, snare slightly left, hi-hats right, open hats;
* ``bass`` (mono): eighth notes on the chord roots, fifths and octaves, ducked
  by the kick;
* ``keys`` (stereo): electric-piano chords, close voicings with common tones,
  the voices spread from left to right;
* ``lead`` (mono): a vocal-like line, a band-limited pulse train through vowel
  formants, with scooped attacks, delayed vibrato and phrases separated by rests;
* with ``--stems 5..8`` also ``pad`` (stereo), ``perc`` (stereo shaker and
  claps), ``arp`` (mono plucks) and ``fx`` (stereo risers into the choruses).

Each stem is saturated (a tanh-like curve standing in for bus compression)
and normalised to its own sample peak, -7.5 to -12 dBFS. The four main stems
at unity faders and the default constant-power pan law mix to about -13.6 LUFS
with a sample peak near -1.5 dBFS (60 s; see ``docs/virtual-daw.md``).
Every sample depends only on the arguments: the same arguments give the same
bytes, and the first stems do not depend on how many are asked for. The song
is synthesised in memory, one stem at a time (about 50 MB per stereo minute
at 48 kHz).

Example:
    >>> paths = generate("stems", seconds=30.0)  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import soundfile as sf

__all__ = ["STEM_NAMES", "generate", "main"]

Floats = npt.NDArray[np.float64]
Complex = npt.NDArray[np.complex128]

BAR_S: Final = 2.0  # 4/4 at 120 BPM
BEAT_S: Final = BAR_S / 4
LEAD_IN_S: Final = 0.5
TAIL_S: Final = 1.0
# Timing feel in s: the bass sits behind the kick, keys strum, the singer lags.
BASS_LAG_S: Final = 0.012
STRUM_S: Final = 0.012
LEAD_LAG_S: Final = 0.02
DUCK_DEPTH: Final = 0.6  # bass gain reduction under each kick, linear
STEM_NAMES: Final = ("drums", "bass", "keys", "lead", "pad", "perc", "arp", "fx")
# Chords as MIDI notes: bass root, then a close keys voicing (common tones kept).
_CHORDS: Final = ((33, (57, 60, 64)), (29, (57, 60, 65)), (36, (55, 60, 64)), (31, (55, 59, 62)))
_SCALE: Final = (57, 60, 62, 64, 67, 69, 72, 74, 76)  # A minor pentatonic, A3-E5
# Section start (fraction of the song) and level per stem; 0 = tacet.
_FORM: Final = (
    (0.0, {"drums": 0.0, "bass": 0.0, "keys": 0.6, "lead": 0.0, "pad": 1.0, "arp": 0.0}),
    (0.1, {"drums": 0.8, "bass": 0.85, "keys": 0.6, "lead": 0.85, "pad": 0.5, "arp": 0.0}),
    (0.3, {"drums": 1.0, "bass": 1.0, "keys": 0.8, "lead": 1.0, "pad": 0.8, "arp": 1.0}),
    (0.5, {"drums": 0.0, "bass": 0.5, "keys": 1.0, "lead": 0.6, "pad": 1.0, "arp": 0.5}),
    (0.6, {"drums": 0.8, "bass": 0.85, "keys": 0.6, "lead": 0.85, "pad": 0.5, "arp": 0.0}),
    (0.8, {"drums": 1.0, "bass": 1.0, "keys": 0.8, "lead": 1.0, "pad": 0.8, "arp": 1.0}),
)
_VOWELS: Final = (  # formant frequencies in Hz: a, e, o, u, i
    (800.0, 1150.0, 2900.0),
    (400.0, 1700.0, 2600.0),
    (450.0, 800.0, 2830.0),
    (350.0, 700.0, 2500.0),
    (300.0, 2200.0, 3000.0),
)


def _hz(midi: float | Floats) -> Floats:
    """Return the frequency in Hz of MIDI note number(s) (A4 = 69 = 440 Hz)."""
    return np.asarray(440.0 * 2.0 ** ((np.asarray(midi) - 69.0) / 12.0), dtype=np.float64)


class _Song:
    """The arrangement: bar grid, sections, kick times and the song envelope."""

    def __init__(self, seconds: float, rate: int, seed: int) -> None:
        self.rate, self.seed, self.frames = rate, seed, round(seconds * rate)
        self.start = min(LEAD_IN_S, 0.05 * seconds)
        self.end = max(self.start, seconds - min(TAIL_S, 0.05 * seconds))
        self.bars = max(1, int(np.ceil((self.end - self.start) / BAR_S)))

    def section(self, bar: int) -> dict[str, float]:
        """Return the stem levels of the section holding ``bar``."""
        levels = _FORM[0][1]
        for frac, lv in _FORM:
            if bar >= round(frac * self.bars):
                levels = lv
        return levels

    def time(self, bar: int, beat: float = 0.0) -> float:
        """Return the time in s of a beat of a bar."""
        return self.start + bar * BAR_S + beat * BEAT_S

    def kicks(self) -> list[tuple[float, float]]:
        """Return ``(time in s, level)`` of every kick drum hit."""
        hits = []
        for bar in range(self.bars):
            level = self.section(bar)["drums"]
            for step in (0, 4, 5) if bar % 2 else (0, 4):
                if level:
                    hits.append((self.time(bar, step / 2), level))
        return hits

    def rng(self, stream: int) -> np.random.Generator:
        """Return a generator for one stem, independent of the others."""
        return np.random.default_rng([self.seed, stream])

    def shape(self, audio: Floats) -> None:
        """Silence ``audio`` outside the music, fade it in (20 ms) and out (squared), in place."""
        span = self.end - self.start
        a, b = round(self.start * self.rate), round(self.end * self.rate)
        fade_in, fade_out = (
            round(min(0.02, span / 4) * self.rate),
            round(min(max(0.08 * span, 2.0), span / 3) * self.rate),
        )
        audio[:a] = 0.0
        audio[b:] = 0.0
        up = np.arange(1, fade_in + 1) / (fade_in + 1)
        down = (np.arange(fade_out, 0, -1) / (fade_out + 1)) ** 2
        for ramp, lo in ((up, a), (down, b - fade_out)):
            seg = audio[lo : lo + len(ramp)]
            seg *= ramp[: len(seg)] if seg.ndim == 1 else ramp[: len(seg), None]


def _add(buf: Floats, at_s: float, wave: Floats, rate: int) -> None:
    """Add ``wave`` (shape ``(n,)`` or ``(n, 2)``) into ``buf`` from ``at_s`` s on."""
    s = round(at_s * rate)
    a, b = max(s, 0), min(s + len(wave), len(buf))
    if a < b:
        buf[a:b] += wave[a - s : b - s]


def _noise(rng: np.random.Generator, n: int, rate: int, lo: float, hi: float) -> Floats:
    """Return unit-peak noise of ``n`` samples band-passed to ``[lo, hi]`` Hz (FFT mask)."""
    f = np.fft.rfftfreq(n, 1.0 / rate)
    mask = 1.0 / (1.0 + (lo / np.maximum(f, 1.0)) ** 4) / (1.0 + (f / hi) ** 4)
    x: Floats = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * mask, n)
    return x / max(float(np.max(np.abs(x))), 1e-12)


def _decay(n: int, rate: int, tau_s: float, attack_s: float = 0.002) -> Floats:
    """Return an envelope of ``n`` samples: linear attack, exponential decay (time constant s)."""
    t = np.arange(n) / rate
    env: Floats = np.minimum(1.0, t / attack_s) * np.exp(-t / tau_s)
    return env


def _drums(song: _Song) -> Floats:
    rate, rng = song.rate, song.rng(1)
    out = np.zeros((song.frames, 2))
    t = np.arange(round(0.35 * rate)) / rate
    kick = np.sin(2 * np.pi * (45.0 * t + 75.0 * 0.03 * (1 - np.exp(-t / 0.03))))
    kick *= _decay(len(t), rate, 0.12, 0.001)
    for bar in range(song.bars):
        level = song.section(bar)["drums"]
        for step in range(8):  # eighths
            at = song.time(bar, step / 2)
            hat = level or (0.4 if bar % 2 else 0.0)
            if hat:
                n = round((0.25 if step == 7 else 0.05) * rate)
                h = _noise(rng, n, rate, 7000.0, 16000.0) * _decay(n, rate, n / rate / 4)
                accent = (0.16 if step % 2 else 0.22) * hat
                _add(out, at, np.stack([0.6 * h, h], axis=1) * accent, rate)
            if level and step in (2, 6):
                n = round(0.25 * rate)
                body = 0.45 * np.sin(2 * np.pi * 185.0 * np.arange(n) / rate)
                body *= _decay(n, rate, 0.04)
                snare = (0.6 * _noise(rng, n, rate, 900.0, 8000.0) + body) * _decay(n, rate, 0.07)
                _add(out, at, np.stack([snare, 0.75 * snare], axis=1) * level, rate)
    for at, level in song.kicks():
        _add(out, at, (0.9 * level * kick)[:, None] * (1.0, 1.0), rate)
    return out


def _bass(song: _Song) -> Floats:
    rate = song.rate
    out = np.zeros(song.frames)
    pattern = (0, 0, 12, 0, 7, 0, 12, 10)  # semitones above the root, per eighth
    cache: dict[tuple[int, int], Floats] = {}
    for bar in range(song.bars):
        level = song.section(bar)["bass"]
        held = level <= 0.6  # the break holds half notes
        for step in ((0, 4) if held else range(8)) if level else ():
            note, dur = _CHORDS[bar % 4][0] + pattern[step], BEAT_S * (1.9 if held else 0.45)
            n = round(dur * rate)
            if (note, n) not in cache:
                t = np.arange(n) / rate
                phase = 2 * np.pi * _hz(note) * t
                wave = sum(np.sin(k * phase) / k**1.3 for k in range(1, 6))
                env = np.minimum(1.0, t / 0.004) * np.exp(-t / 0.6)
                cache[note, n] = wave * env * np.minimum(1.0, (dur - t) / 0.01)
            vel = 1.0 if step % 2 == 0 else 0.8
            at = song.time(bar, step / 2) + BASS_LAG_S
            _add(out, at, cache[note, n] * (level * vel), rate)
    duck = 1.0 - DUCK_DEPTH * np.exp(-np.arange(round(0.3 * rate)) / rate / 0.08)
    for at, _ in song.kicks():  # sidechain: the kick ducks the bass
        seg = out[round(at * rate) : round(at * rate) + len(duck)]
        seg *= duck[: len(seg)]
    return out


def _chord(notes: tuple[int, ...], n: int, rate: int) -> Floats:
    """Return one electric-piano chord of ``n`` samples, shape ``(n, 2)``, voices spread L to R."""
    t = np.arange(n) / rate
    env = _decay(n, rate, 1.5, 0.003) * np.minimum(1.0, (n / rate - t) / 0.02)
    out = np.zeros((n, 2))
    for i, note in enumerate(notes):
        f, lag = float(_hz(note)), round(i * STRUM_S * rate)  # voices strummed upwards
        tone = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
        tone += 0.08 * np.sin(2 * np.pi * 7.0 * f * t) * np.exp(-t / 0.03)  # tine
        theta = ((i - 1) * 0.5 + 1) * np.pi / 4  # pan -0.5, 0, +0.5, constant power
        out[lag:] += (tone * env)[: n - lag, None] * (np.cos(theta), np.sin(theta))
    return out


def _keys(song: _Song) -> Floats:
    rate = song.rate
    out = np.zeros((song.frames, 2))
    comp = ((0.0, 1.0), (1.5, 0.7), (3.0, 0.85))  # beat, velocity
    cache: dict[tuple[int, float], Floats] = {}
    for bar in range(song.bars):
        level = song.section(bar)["keys"]
        for beat, vel in comp if level else ():
            key = (bar % 4, beat)
            if key not in cache:
                cache[key] = _chord(_CHORDS[bar % 4][1], round((4.0 - beat) * BEAT_S * rate), rate)
            _add(out, song.time(bar, beat), cache[key] * (vel * level), rate)
    return out


def _formants(f: Floats, vowel: tuple[float, float, float]) -> Complex:
    """Return a vowel's complex frequency response at ``f`` Hz: three resonances, -6 dB/oct."""
    env: Complex = np.zeros(len(f), dtype=np.complex128)
    for fc, bw, a in zip(vowel, (60.0, 70.0, 100.0), (1.0, 0.6, 0.3), strict=True):
        env += a / (1.0 + 1j * (f - fc) / bw)  # one resonance, half-bandwidth bw Hz
    env *= (f > 70.0) / (1.0 + f / 400.0)
    return env


def _lead(song: _Song) -> Floats:
    rate, rng = song.rate, song.rng(4)
    out = np.zeros(song.frames)
    rhythms = ((1.0, 0.5, 0.5, 1.0, 1.0, 2.0), (0.5, 0.5, 1.0, 1.5, 0.5, 2.0), (2.0, 1.0, 1.0, 2.0))
    for bar in range(0, song.bars - 1, 4):  # a six-beat phrase every four bars, then rest
        level = song.section(bar)["lead"]
        if not level:
            continue
        beat, note = 0.0, int(rng.integers(2, 6))
        for dur in rhythms[int(rng.integers(len(rhythms)))]:
            note = int(np.clip(note + rng.integers(-2, 3), 0, len(_SCALE) - 1))
            n = round(dur * BEAT_S * rate)
            t = np.arange(n) / rate
            cents = -60.0 * np.exp(-t / 0.04)  # scoop into the note
            cents += 25.0 * np.sin(2 * np.pi * 5.5 * t) * np.clip((t - 0.25) / 0.2, 0.0, 1.0)
            f0 = _hz(_SCALE[note]) * 2.0 ** (cents / 1200.0)
            phi = 2 * np.pi * np.cumsum(f0) / rate
            k = int(7000.0 / float(np.max(f0)))  # harmonics below 7 kHz: no aliasing
            den = 2.0 * np.sin(phi / 2.0)
            safe = np.abs(den) > 1e-9
            pulse = np.where(safe, np.sin((k + 0.5) * phi) / np.where(safe, den, 1.0) - 0.5, k)
            vowel = _VOWELS[int(rng.integers(len(_VOWELS)))]
            freqs = np.fft.rfftfreq(n, 1.0 / rate).astype(np.float64)
            spec = np.fft.rfft(pulse / k) * _formants(freqs, vowel)
            voice = np.fft.irfft(spec, n)
            env = np.minimum(1.0, t / 0.04) * np.clip((n / rate - t) / 0.08, 0.0, 1.0)
            at = song.time(bar, beat) + LEAD_LAG_S * rng.uniform(0.5, 1.5)
            _add(out, at, voice * env * level, rate)
            beat += dur
    return out


def _pad(song: _Song) -> Floats:
    rate = song.rate
    t = np.arange(song.frames) / rate
    bar = np.clip(((t - song.start) // BAR_S).astype(np.int64), 0, song.bars - 1)
    levels = np.array([song.section(b)["pad"] for b in range(song.bars)])
    level = np.interp(t, song.start + (np.arange(song.bars) + 0.5) * BAR_S, levels)
    out = np.zeros((song.frames, 2))
    for v in range(3):
        f = _hz(np.array([c[1][v] for c in _CHORDS]) - 12.0)[bar % 4]
        for ch, det in enumerate((0.997, 1.003)):
            phase = 2 * np.pi * np.cumsum(f * det) / rate
            out[:, ch] += (np.sin(phase) + 0.3 * np.sin(2 * phase)) * level
    out *= (0.75 + 0.25 * np.sin(2 * np.pi * 0.1 * t))[:, None]
    return out


def _perc(song: _Song) -> Floats:
    rate, rng = song.rate, song.rng(6)
    out = np.zeros((song.frames, 2))
    for bar in range(song.bars):
        level = song.section(bar)["drums"]
        for step in range(16) if level else ():
            n = round(0.06 * rate)
            shaker = _noise(rng, n, rate, 4000.0, 12000.0) * _decay(n, rate, 0.015, 0.01)
            accent = 0.5 if step % 4 == 2 else 0.25
            _add(out, song.time(bar, step / 4), np.stack([shaker, 0.3 * shaker], 1) * accent, rate)
        for beat in (1, 3) if level == 1.0 else ():
            n = round(0.2 * rate)
            clap = _noise(rng, n, rate, 1000.0, 5000.0) * _decay(n, rate, 0.05)
            _add(out, song.time(bar, beat), np.stack([0.4 * clap, clap], 1), rate)
    return out


def _arp(song: _Song) -> Floats:
    rate = song.rate
    out = np.zeros(song.frames)
    n = round(BEAT_S / 4 * rate * 1.8)
    t, decay = np.arange(n) / rate, _decay(n, rate, 0.06)
    for bar in range(song.bars):
        level = song.section(bar)["arp"]
        notes = [v + 12 for v in _CHORDS[bar % 4][1]]
        for step in range(16) if level else ():
            f = float(_hz(notes[(0, 1, 2, 1)[step % 4]] + (12 if step % 8 >= 4 else 0)))
            pluck = np.sin(2 * np.pi * f * t) + 0.4 * np.sin(6 * np.pi * f * t)
            _add(out, song.time(bar, step / 4), pluck * decay * level, rate)
    return out


def _fx(song: _Song) -> Floats:
    rate, rng = song.rate, song.rng(8)
    out = np.zeros((song.frames, 2))
    for bar in range(1, song.bars):
        if song.section(bar)["arp"] == 1.0 and song.section(bar - 1)["arp"] != 1.0:
            n = round(2 * BAR_S * rate)
            rise = (np.arange(n) / n) ** 3
            noise = np.stack([_noise(rng, n, rate, 2000.0, 10000.0) for _ in range(2)], 1)
            _add(out, song.time(bar - 2), noise * rise[:, None], rate)
    return out


# name: (synthesiser, sample peak in dBFS, bus saturation drive)
_STEMS: Final[dict[str, tuple[Callable[[_Song], Floats], float, float]]] = {
    "drums": (_drums, -7.5, 3.0), "bass": (_bass, -9.5, 2.0),
    "keys": (_keys, -10.5, 2.0), "lead": (_lead, -8.5, 2.5),
    "pad": (_pad, -12.0, 1.0), "perc": (_perc, -12.0, 2.0),
    "arp": (_arp, -12.0, 1.0), "fx": (_fx, -12.0, 1.0),
}  # fmt: skip


def _glue(audio: Floats, drive: float) -> Floats:
    """Saturate ``audio`` in place, like a bus compressor: a lower crest factor.

    The curve is tanh's [3/2] Padé approximant ``x (27 + x²) / (27 + 9 x²)``, which
    reaches 1 with zero slope at ``x = 3`` (clamped beyond): as smooth as tanh and
    several times cheaper.

    Args:
        audio: Samples, any shape; scaled so that its peak maps to ``x = drive``.
        drive: Saturation drive, at most 3; 1 or less leaves ``audio`` unchanged.

    Returns:
        ``audio``, peak at most 1.0.
    """
    peak = float(np.max(np.abs(audio)))
    if peak > 0.0 and drive > 1.0:
        audio *= drive / peak
        np.clip(audio, -3.0, 3.0, out=audio)
        square = audio * audio
        audio *= square + 27.0
        square *= 9.0
        square += 27.0
        audio /= square
    return audio


def generate(
    out_dir: str | os.PathLike[str],
    seconds: float = 60.0,
    rate: int = 48000,
    seed: int = 1770,
    count: int = 4,
) -> list[Path]:
    """Write the song's stems as 24-bit WAV files.

    Args:
        out_dir: Folder for the stems; created if missing.
        seconds: Song length in s, silence included. Defaults to 60.0.
        rate: Sample rate in Hz. Defaults to 48000.
        seed: Seed of every random choice and noise. Defaults to 1770.
        count: Number of stems, 4 to 8, taken in the order of :data:`STEM_NAMES`.
            Defaults to 4.

    Returns:
        The stem files, ``<out_dir>/<name>.wav``, in :data:`STEM_NAMES` order.

    Raises:
        ValueError: ``count`` is outside 4..8, or ``seconds`` or ``rate`` is not positive.
    """
    if not 4 <= count <= len(STEM_NAMES):
        raise ValueError(f"count must be 4 to {len(STEM_NAMES)}, got {count}")
    if seconds <= 0 or rate <= 0:
        raise ValueError(f"seconds and rate must be positive, got {seconds} s and {rate} Hz")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    song = _Song(seconds, rate, seed)
    paths = []
    for name in STEM_NAMES[:count]:
        synth, peak_dbfs, drive = _STEMS[name]
        audio = _glue(synth(song), drive)
        song.shape(audio)
        peak = float(np.max(np.abs(audio)))
        if peak > 0:
            audio *= 10.0 ** (peak_dbfs / 20.0) / peak
        path = folder / f"{name}.wav"
        sf.write(os.fspath(path), audio, rate, subtype="PCM_24", format="WAV")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the stems.

    Args:
        argv: Arguments without the program name; None for ``sys.argv``.

    Returns:
        The exit code: 0, or 2 for a bad argument or an unwritable folder.
    """
    parser = argparse.ArgumentParser(description="Write a deterministic song as WAV stems.")
    parser.add_argument("out_dir", help="folder for the stems")
    parser.add_argument("--seconds", type=float, default=60.0, help="length in s (60)")
    parser.add_argument("--rate", type=int, default=48000, help="sample rate in Hz (48000)")
    parser.add_argument("--seed", type=int, default=1770, help="random seed (1770)")
    parser.add_argument("--stems", type=int, default=4, help="number of stems, 4-8 (4)")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.out_dir, args.seconds, args.rate, args.seed, args.stems)
    except (ValueError, OSError, RuntimeError) as e:
        print(f"stems.py: {e}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
