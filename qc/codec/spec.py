"""Codec preview specs: ``aac-256`` → which encoder, rate, format and bit rate.

A spec is ``<codec>-<kbit/s>``. The codecs are the ones streaming platforms
transcode to (see ``docs/codecs.md`` for who uses which, with sources): AAC
(Apple Music, YouTube Music, Deezer, Tidal, Amazon), Opus (YouTube, SoundCloud),
Vorbis (Spotify's Ogg streams), MP3 (downloads, podcasts). Pure: no PyAV import.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qc.errors import UsageError

__all__ = [
    "CODECS",
    "PLATFORM",
    "CodecSpec",
    "Encoding",
    "cli_specs",
    "parse_spec",
    "parse_specs",
    "preview_words",
]

_SPEC = re.compile(r"^([a-z0-9]+)-(\d{1,4})(?::([a-z]+))?$")


@dataclass(frozen=True)
class Encoding:
    """How one codec is encoded and decoded with FFmpeg's libraries.

    Attributes:
        encoders: FFmpeg encoder names, best first (the first one the PyAV build
            has is used: ``aac_at`` is Apple's own AAC encoder, macOS only).
        decoder: FFmpeg decoder name (float output).
        sample_format: Sample format the encoders take (``fltp`` planar float).
        rates: Sample rates the codec carries, Hz; another rate is resampled to
            the last one (48 kHz: what a platform's transcoder does).
        kbps: Lowest and highest bit rate accepted, kbit/s.
        decoder_skips: The decoder drops the encoder's priming itself (Opus
            pre-skip in the extradata, LAME's delay in side data); else the
            decoded samples before time 0 are dropped here (AAC's 1024).
        options: FFmpeg encoder options of the native encoder (the last of
            ``encoders``), as ``(name, value)`` pairs.
        variants: Spec suffixes (``aac-256:fast``) and the options they add.
    """

    encoders: tuple[str, ...]
    decoder: str
    sample_format: str
    rates: tuple[int, ...]
    kbps: tuple[int, int]
    decoder_skips: bool
    options: tuple[tuple[str, str], ...] = ()
    variants: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


_AAC_PNS = (("aac_pns", "0"),)
"""No perceptual noise substitution: its noise, and so the decoded peaks, are each decoder's
own (docs/codecs.md, "Why no PNS")."""
_AAC_FAST = (("aac_coder", "fast"),)
"""FFmpeg's fast AAC coder: a third of the default twoloop coder's CPU, decoded peaks up to
0.9 dB apart from it (docs/codecs.md, "What the preview costs")."""

CODECS: dict[str, Encoding] = {
    "aac": Encoding(("aac_at", "libfdk_aac", "aac"), "aac", "fltp", (44100, 48000),
                    (32, 512), False, _AAC_PNS, (("fast", _AAC_FAST),)),
    "opus": Encoding(("libopus",), "opus", "flt", (48000,), (6, 510), True),
    "vorbis": Encoding(("libvorbis", "vorbis"), "vorbis", "fltp", (44100, 48000),
                       (32, 500), True, (("strict", "experimental"),)),
    "mp3": Encoding(("libmp3lame",), "mp3float", "fltp", (32000, 44100, 48000),
                    (32, 320), True),
}  # fmt: skip
"""The codecs a preview can run, by the name used in a spec."""


@dataclass(frozen=True)
class CodecSpec:
    """One codec at one bit rate, as ``aac-256``.

    Attributes:
        codec: Key of `CODECS`.
        kbps: Target bit rate, kbit/s.
        variant: A suffix of `Encoding.variants` (``fast`` in ``aac-256:fast``), or ``""``.
    """

    codec: str
    kbps: int
    variant: str = ""

    @property
    def text(self) -> str:
        """The spec as written: ``aac-256``, ``aac-256:fast``."""
        return f"{self.codec}-{self.kbps}" + (f":{self.variant}" if self.variant else "")

    @property
    def options(self) -> dict[str, str]:
        """FFmpeg options of the native encoder: the codec's, then the variant's."""
        enc = self.encoding
        return dict(enc.options) | dict(dict(enc.variants).get(self.variant, ()))

    @property
    def encoding(self) -> Encoding:
        """How this codec is encoded and decoded."""
        return CODECS[self.codec]


def parse_spec(text: str) -> CodecSpec:
    """Parse ``aac-256`` into a `CodecSpec`.

    Args:
        text: ``<codec>-<kbit/s>[:<variant>]``, codec one of ``aac``, ``opus``,
            ``vorbis``, ``mp3``; variant ``fast`` for ``aac`` only.

    Raises:
        UsageError: Not of that form, an unknown codec or variant, or a bit rate
            out of range; the message names the spec.
    """
    spec = text.strip().lower()
    found = _SPEC.match(spec)
    shown = text if len(text) <= 40 else text[:40] + "..."
    if found is None:
        raise UsageError(f"codec preview {shown!r}: expected codec-kbps, e.g. aac-256")
    codec, kbps, variant = found.group(1), int(found.group(2)), found.group(3) or ""
    if codec not in CODECS:
        known = ", ".join(CODECS)
        raise UsageError(f"codec preview {shown!r}: unknown codec {codec!r} (one of {known})")
    variants = dict(CODECS[codec].variants)
    if variant and variant not in variants:
        known = ", ".join(f"{codec}-{kbps}:{v}" for v in variants) or "none"
        raise UsageError(
            f"codec preview {shown!r}: {codec} has no variant {variant!r} (known: {known})"
        )
    low, high = CODECS[codec].kbps
    if not low <= kbps <= high:
        raise UsageError(
            f"codec preview {shown!r}: {kbps} kbit/s is outside {low} to {high} for {codec}"
        )
    return CodecSpec(codec, kbps, variant)


def parse_specs(texts: str | tuple[str, ...] | list[str]) -> tuple[CodecSpec, ...]:
    """Parse ``"aac-256,opus-160"`` (or a list of specs), duplicates dropped, order kept.

    Raises:
        UsageError: See `parse_spec`.
    """
    items = texts.split(",") if isinstance(texts, str) else list(texts)
    specs = [parse_spec(t) for t in items if t.strip()]
    return tuple(dict.fromkeys(specs))


PLATFORM = "platform"
"""The ``--codec-preview`` word for the profiles' ``platform_codecs``."""


def preview_words(texts: str | Sequence[str]) -> tuple[str, ...]:
    """``"aac-256,platform"`` (or a list of words) checked: specs as written, and ``platform``.

    Raises:
        UsageError: See `parse_spec`.
    """
    items = texts.split(",") if isinstance(texts, str) else list(texts)
    words = [w.strip().lower() for w in items if w.strip()]
    return tuple(dict.fromkeys(w if w == PLATFORM else parse_spec(w).text for w in words))


def cli_specs(text: str) -> tuple[str, ...]:
    """``--codec-preview`` value: specs (and the word ``platform``), checked.

    Raises:
        argparse.ArgumentTypeError: See `parse_spec` (argparse prints it, exit 2).
    """
    try:
        return preview_words(text)
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
