"""The detection corpus: one music-like source rendered every way a bounce can be made.

Used by ``benchmarks/bench_detect.py`` (the confusion table in ``docs/detection.md``)
and by the detector tests. Nothing is downloaded: the source is
``examples/music.py``'s gentle master followed by a final chord whose reverb
tail decays into digital silence, the way an in-the-box production ends. Every
render is made by the tool that does it in real life:

* 16-bit word-length reductions: numpy rounding, floor and toward-zero
  truncation, RPDF and TPDF; sox with no dither (``-D``), its automatic TPDF,
  ``dither``, ``dither -S``, ``dither -s`` and every ``dither -f`` filter; ffmpeg's
  plain ``pcm_s16le`` (rounding) and every ``aresample`` ``dither_method``;
* 24-bit: genuine renders, and 16-bit audio padded to 24 bits, also after a
  gain change;
* lossless but band-limited: a steep 15 kHz low-pass and SRC to 44.1 kHz;
* lossy round trips decoded to 24-bit WAV, some re-dithered to 16-bit.

Renders are cached by name in the output folder; ``sox -R`` and ffmpeg's fixed
dither seed make them repeatable.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from examples.music import master_chunks
from qc.engine import measure_file
from qc.measure import Measurements, MeasureOptions

__all__ = [
    "FFMPEG_DITHERS",
    "SOX_FILTERS",
    "Case",
    "bitdepth_cases",
    "dither_cases",
    "lossy_cases",
    "measure",
    "names",
    "source",
]

Floats = npt.NDArray[np.float64]

SOX_FILTERS = (
    "lipshitz",
    "f-weighted",
    "modified-e-weighted",
    "improved-e-weighted",
    "gesemann",
    "shibata",
    "low-shibata",
    "high-shibata",
)
FFMPEG_DITHERS = (
    "rectangular",
    "triangular",
    "triangular_hp",
    "lipshitz",
    "shibata",
    "low_shibata",
    "high_shibata",
    "f_weighted",
    "modified_e_weighted",
    "improved_e_weighted",
)
_LOSSY = (
    # name, ffmpeg encoder args, extension, codec, kbps (None for VBR quality)
    ("mp3_128k", ["-c:a", "libmp3lame", "-b:a", "128k"], "mp3", "mp3", 128),
    ("mp3_192k", ["-c:a", "libmp3lame", "-b:a", "192k"], "mp3", "mp3", 192),
    ("mp3_320k", ["-c:a", "libmp3lame", "-b:a", "320k"], "mp3", "mp3", 320),
    ("mp3_V0", ["-c:a", "libmp3lame", "-q:a", "0"], "mp3", "mp3", None),
    ("aac_128k", ["-c:a", "aac", "-b:a", "128k"], "m4a", "aac", 128),
    ("aac_256k", ["-c:a", "aac", "-b:a", "256k"], "m4a", "aac", 256),
    ("vorbis_q5", ["-c:a", "libvorbis", "-q:a", "5"], "ogg", "vorbis", 160),
    ("opus_128k", ["-c:a", "libopus", "-b:a", "128k"], "opus", "opus", 128),
)


@dataclass(frozen=True)
class Case:
    """One render of the source with its known provenance.

    Attributes:
        name: Unique name, also the file stem.
        path: The rendered file.
        group: ``"dither16"``, ``"bits24"``, ``"lossless"`` or ``"lossy"``.
        dithered: For word-length reductions: True if dither was added, False
            for plain rounding or truncation; None when not applicable.
        kind: What was done, e.g. ``"tpdf"``, ``"noise-shaped"``, ``"round"``.
        padded: True for 16-bit audio in a 24-bit container, False for genuine
            24-bit audio, None when not applicable.
        lossy: True if the audio went through a lossy codec.
        kbps: Nominal bit rate of the lossy codec (None for VBR or lossless).
    """

    name: str
    path: Path
    group: str
    dithered: bool | None = None
    kind: str = ""
    padded: bool | None = None
    lossy: bool = False
    kbps: int | None = None


def _tail(rate: int, seconds: float, seed: int) -> Floats:
    """A struck chord with a reverb tail decaying at 24 dB/s (RT60 2.5 s), shape (n, 2)."""
    n = round(seconds * rate)
    t = np.arange(n) / rate
    rng = np.random.default_rng([seed, 9])
    out = np.zeros((n, 2))
    for k, f in enumerate((110.0, 164.8, 220.0, 277.2, 329.6, 440.0, 659.3, 880.0)):
        decay = 10 ** (-(18.0 + 4.0 * k) * t / 20)  # higher partials die sooner
        phase = rng.uniform(0, 2 * np.pi, 2)
        out += (0.05 / (1 + k)) * decay[:, None] * np.sin(2 * np.pi * f * t[:, None] + phase)
    noise = np.fft.rfft(rng.standard_normal((n, 2)), axis=0)
    bins = np.fft.rfftfreq(n, 1.0 / rate)
    smooth = np.fft.irfft(
        noise / np.sqrt(1 + (bins / 3000.0) ** 2)[:, None], n, axis=0
    )  # dark tail
    out += 0.08 * smooth * 10 ** (-24.0 * t / 20)[:, None]
    return out


def source(
    *, seconds: float = 20.0, rate: int = 44100, seed: int = 1770, floor_dbfs: float | None = None
) -> Floats:
    """The corpus source: a gentle master, then a final chord decaying into silence.

    Args:
        seconds: Total duration, s; the last 6.5 s are the tail and 1 s of silence.
        rate: Sample rate, Hz.
        seed: Seed of every random layer.
        floor_dbfs: If set, a white noise floor at this rms level, dBFS, over the
            whole file (an analogue chain or room tone; makes dither undetectable).

    Returns:
        Float64 samples, shape ``(n, 2)``, full scale 1.0.
    """
    body_s = max(1.0, seconds - 6.5)
    body = np.concatenate(list(master_chunks(seconds=body_s, rate=rate, seed=seed, loud=False)))
    tail = _tail(rate, 5.5, seed)
    out = np.concatenate([body, tail, np.zeros((rate, 2))])
    if floor_dbfs is not None:
        rng = np.random.default_rng([seed, 11])
        out += 10 ** (floor_dbfs / 20) * rng.standard_normal(out.shape)
    return out


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, capture_output=True)


def _quantise(x: Floats, bits: int, how: str, rng: np.random.Generator) -> npt.NDArray[np.int32]:
    scale = 2.0 ** (bits - 1)
    y = x * scale
    if how == "round":
        q = np.rint(y)
    elif how == "floor":
        q = np.floor(y)
    elif how == "trunc0":
        q = np.trunc(y)
    elif how == "rpdf":
        q = np.rint(y + rng.uniform(-0.5, 0.5, y.shape))
    elif how == "tpdf":
        q = np.rint(y + rng.uniform(-0.5, 0.5, y.shape) + rng.uniform(-0.5, 0.5, y.shape))
    else:
        raise ValueError(how)
    return np.clip(q, -scale, scale - 1).astype(np.int32)


def _write_int(path: Path, codes: npt.NDArray[np.int32], bits: int, rate: int) -> None:
    sf.write(path, codes.astype(np.float64) / 2.0 ** (bits - 1), rate, subtype=f"PCM_{bits}")


_OUT = "{out}"  # placeholder for the output path in a render command


def _render(path: Path, cmd: list[str]) -> Path:
    """Run ``cmd`` (with ``_OUT`` standing for the output) unless ``path`` exists."""
    return _cached(path, lambda p: _run([str(p) if a == _OUT else a for a in cmd]))


def _cached(path: Path, make: Callable[[Path], None]) -> Path:
    if not path.exists():
        tmp = path.with_name(path.name + ".part.wav")
        make(tmp)
        tmp.replace(path)
    return path


def dither_cases(
    folder: Path,
    *,
    seconds: float = 20.0,
    rate: int = 44100,
    seed: int = 1770,
    tag: str = "",
    floor_dbfs: float | None = None,
) -> list[Case]:
    """16-bit word-length reductions of the source, every way sox, ffmpeg and numpy make them.

    Args:
        folder: Output folder (created); renders already there are reused.
        seconds: Source duration, s.
        rate: Sample rate, Hz.
        seed: Source seed.
        tag: Appended to every name (e.g. ``"-48k"``) so corpora can share a folder.
        floor_dbfs: Noise floor of the source (see :func:`source`), dBFS.

    Returns:
        The cases, ``dithered`` set to the truth.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sox, ffmpeg = shutil.which("sox"), shutil.which("ffmpeg")
    x = source(seconds=seconds, rate=rate, seed=seed, floor_dbfs=floor_dbfs)
    master = folder / f"source{tag}.wav"
    if not master.exists():
        sf.write(master, x, rate, subtype="FLOAT")
    cases: list[Case] = []

    def numpy_case(how: str, dithered: bool) -> None:
        rng = np.random.default_rng([seed, 5])
        path = folder / f"np_{how}{tag}.wav"
        _cached(path, lambda p: _write_int(p, _quantise(x, 16, how, rng), 16, rate))
        cases.append(Case(f"np_{how}{tag}", path, "dither16", dithered, how))

    for how in ("round", "floor", "trunc0"):
        numpy_case(how, False)
    for how in ("rpdf", "tpdf"):
        numpy_case(how, True)
    if sox:
        variants: list[tuple[str, list[str], list[str], bool, str]] = [
            ("sox_D", ["-D"], [], False, "round"),
            ("sox_auto", [], [], True, "tpdf"),
            ("sox_tpdf", [], ["dither"], True, "tpdf"),
            ("sox_S", [], ["dither", "-S"], True, "hp-tpdf"),
            ("sox_s", [], ["dither", "-s"], True, "noise-shaped"),
        ]
        variants += [
            (f"sox_{f}", [], ["dither", "-f", f], True, "noise-shaped") for f in SOX_FILTERS
        ]
        for name, opts, effect, dithered, kind in variants:
            path = folder / f"{name}{tag}.wav"
            _render(path, [sox, "-R", *opts, str(master), "-b", "16", _OUT, *effect])
            cases.append(Case(f"{name}{tag}", path, "dither16", dithered, kind))
    if ffmpeg:
        base = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(master)]
        path = folder / f"ff_default{tag}.wav"
        _render(path, [*base, "-c:a", "pcm_s16le", _OUT])
        cases.append(Case(f"ff_default{tag}", path, "dither16", False, "round"))
        for method in FFMPEG_DITHERS:
            path = folder / f"ff_{method}{tag}.wav"
            af = f"aresample=osf=s16:dither_method={method}"
            _render(path, [*base, "-af", af, "-c:a", "pcm_s16le", _OUT])
            flat = {"rectangular": "rpdf", "triangular": "tpdf", "triangular_hp": "hp-tpdf"}
            kind = flat.get(method, "noise-shaped")
            cases.append(Case(f"ff_{method}{tag}", path, "dither16", True, kind))
    return cases


def bitdepth_cases(
    folder: Path, *, seconds: float = 20.0, rate: int = 44100, seed: int = 1770
) -> list[Case]:
    """Genuine 24-bit renders and 16-bit audio in a 24-bit container (padded, gain-changed).

    Args:
        folder: Output folder (created).
        seconds: Source duration, s.
        rate: Sample rate, Hz.
        seed: Source seed.

    Returns:
        The cases, ``padded`` set to the truth.
    """
    folder.mkdir(parents=True, exist_ok=True)
    x = source(seconds=seconds, rate=rate, seed=seed)
    rng = np.random.default_rng([seed, 6])
    tpdf16 = _quantise(x, 16, "tpdf", rng).astype(np.float64) / 2**15
    made: list[tuple[str, Callable[[], npt.NDArray[np.int32]], bool]] = [
        ("b24_round", lambda: _quantise(x, 24, "round", rng), False),
        ("b24_tpdf", lambda: _quantise(x, 24, "tpdf", rng), False),
        ("b24_pad16", lambda: _quantise(tpdf16, 24, "round", rng), True),
        ("b24_pad16_gain-1dB", lambda: _quantise(tpdf16 * 10 ** (-1 / 20), 24, "round", rng), True),
        (
            "b24_pad16_gain+0.5dB",
            lambda: _quantise(tpdf16 * 10 ** (0.5 / 20), 24, "round", rng),
            True,
        ),
        ("b24_pad16_gain-6dB_tpdf", lambda: _quantise(tpdf16 * 0.5, 24, "tpdf", rng), True),
    ]
    cases = []
    for name, make, padded in made:
        path = folder / f"{name}.wav"
        _cached(path, lambda p, m=make: _write_int(p, m(), 24, rate))  # type: ignore[misc]
        cases.append(Case(name, path, "bits24", padded=padded, kind=name.split("_", 1)[1]))
    return cases


def lossy_cases(
    folder: Path, *, seconds: float = 20.0, rate: int = 48000, seed: int = 1770
) -> list[Case]:
    """Lossless controls, band-limited lossless masters and lossy round trips.

    Every lossy file is decoded back to a 24-bit WAV; AAC 256k, MP3 192k and
    MP3 V0 are also re-dithered to 16 bits after decoding (AAC with a -1.5 dB
    gain change and shibata noise shaping). Needs ffmpeg (and sox for the SRC
    and the low-pass); cases whose tool is missing are left out.

    Args:
        folder: Output folder (created).
        seconds: Source duration, s.
        rate: Sample rate of the source, Hz.
        seed: Source seed.

    Returns:
        The cases, ``lossy`` set to the truth.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sox, ffmpeg = shutil.which("sox"), shutil.which("ffmpeg")
    x = source(seconds=seconds, rate=rate, seed=seed)
    master = folder / f"lsource_{rate}.wav"
    if not master.exists():
        sf.write(master, x, rate, subtype="FLOAT")
    cases: list[Case] = []
    rng = np.random.default_rng([seed, 7])
    path = _cached(
        folder / "ll_24.wav", lambda p: _write_int(p, _quantise(x, 24, "tpdf", rng), 24, rate)
    )
    cases.append(Case("ll_24", path, "lossless", kind="24-bit"))
    path = _cached(
        folder / "ll_tpdf16.wav", lambda p: _write_int(p, _quantise(x, 16, "tpdf", rng), 16, rate)
    )
    cases.append(Case("ll_tpdf16", path, "lossless", kind="16-bit"))
    if sox:
        path = folder / "ll_lowpass15k.wav"
        _cached(
            path, lambda p: _run([sox, "-R", str(master), "-b", "24", str(p), "sinc", "-15000"])
        )
        cases.append(Case("ll_lowpass15k", path, "lossless", kind="15 kHz low-pass"))
        path = folder / "ll_src44k1.wav"
        _cached(
            path,
            lambda p: _run([sox, "-R", str(master), "-b", "24", str(p), "rate", "-v", "44100"]),
        )
        cases.append(Case("ll_src44k1", path, "lossless", kind="SRC to 44.1 kHz"))
    if not ffmpeg:
        return cases
    for name, args, ext, codec, kbps in _LOSSY:
        enc = folder / f"{name}.{ext}"
        if not enc.exists():
            _run([ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(master), *args, str(enc)])
        path = folder / f"{name}_dec24.wav"
        ff = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(enc)]
        _render(path, [*ff, "-c:a", "pcm_s24le", _OUT])
        cases.append(Case(f"{name}_dec24", path, "lossy", lossy=True, kind=codec, kbps=kbps))
    for name, af in (
        ("aac_256k", "volume=-1.5dB,aresample=osf=s16:dither_method=shibata"),
        ("mp3_192k", "aresample=osf=s16:dither_method=triangular"),
        ("mp3_V0", "aresample=osf=s16:dither_method=triangular"),
    ):
        enc = next(folder.glob(f"{name}.*"))
        path = folder / f"{name}_redither16.wav"
        ff = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(enc)]
        _render(path, [*ff, "-af", af, "-c:a", "pcm_s16le", _OUT])
        kbps = next(k for n, _, _, _, k in _LOSSY if n == name)
        cases.append(
            Case(
                f"{name}_redither16", path, "lossy", lossy=True, kind=name.split("_")[0], kbps=kbps
            )
        )
    return cases


def names(cases: Iterable[Case]) -> list[str]:
    """The names of ``cases``, in order (for test ids)."""
    return [c.name for c in cases]


def measure(case: Case, *, detectors: bool = True) -> Measurements:
    """Measure one render with mixdesk's real one-pass engine.

    Raises:
        RuntimeError: The file could not be measured.
    """
    result = measure_file(case.path, MeasureOptions(detectors=detectors))
    if result.measurements is None:
        raise RuntimeError(f"{case.path}: {result.error}")
    return result.measurements
