"""Codec preview specs: ``aac-256`` → which encoder, rate, format and bit rate.

A spec is ``<codec>-<kbit/s>``. The codecs are the ones streaming platforms
transcode to (see ``docs/codecs.md`` for who uses which, with sources): AAC
(Apple Music, YouTube Music, Deezer, Tidal, Amazon), Opus (YouTube, SoundCloud),
Vorbis (Spotify's Ogg streams), MP3 (downloads, podcasts). Pure: no PyAV import.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from qc.errors import UsageError

__all__ = ["CODECS", "PLATFORM", "CodecSpec", "Encoding", "cli_specs", "parse_spec", "parse_specs"]

_SPEC = re.compile(r"^([a-z0-9]+)-(\d{1,4})$")


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
    """

    encoders: tuple[str, ...]
    decoder: str
    sample_format: str
    rates: tuple[int, ...]
    kbps: tuple[int, int]
    decoder_skips: bool


CODECS: dict[str, Encoding] = {
    "aac": Encoding(("aac_at", "libfdk_aac", "aac"), "aac", "fltp", (44100, 48000),
                    (32, 512), False),
    "opus": Encoding(("libopus",), "opus", "flt", (48000,), (6, 510), True),
    "vorbis": Encoding(("libvorbis", "vorbis"), "vorbis", "fltp", (44100, 48000),
                       (32, 500), True),
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
    """

    codec: str
    kbps: int

    @property
    def text(self) -> str:
        """The spec as written: ``aac-256``."""
        return f"{self.codec}-{self.kbps}"

    @property
    def encoding(self) -> Encoding:
        """How this codec is encoded and decoded."""
        return CODECS[self.codec]


def parse_spec(text: str) -> CodecSpec:
    """Parse ``aac-256`` into a `CodecSpec`.

    Args:
        text: ``<codec>-<kbit/s>``, codec one of ``aac``, ``opus``, ``vorbis``, ``mp3``.

    Raises:
        UsageError: Not of that form, an unknown codec, or a bit rate out of range;
            the message names the spec.
    """
    spec = text.strip().lower()
    found = _SPEC.match(spec)
    shown = text if len(text) <= 40 else text[:40] + "..."
    if found is None:
        raise UsageError(f"codec preview {shown!r}: expected codec-kbps, e.g. aac-256")
    codec, kbps = found.group(1), int(found.group(2))
    if codec not in CODECS:
        known = ", ".join(CODECS)
        raise UsageError(f"codec preview {shown!r}: unknown codec {codec!r} (one of {known})")
    low, high = CODECS[codec].kbps
    if not low <= kbps <= high:
        raise UsageError(
            f"codec preview {shown!r}: {kbps} kbit/s is outside {low} to {high} for {codec}"
        )
    return CodecSpec(codec, kbps)


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


def cli_specs(text: str) -> tuple[str, ...]:
    """``--codec-preview`` value: specs (and the word ``platform``), checked.

    Raises:
        argparse.ArgumentTypeError: See `parse_spec` (argparse prints it, exit 2).
    """
    words = [w.strip().lower() for w in text.split(",") if w.strip()]
    try:
        specs = [w if w == PLATFORM else parse_spec(w).text for w in words]
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return tuple(dict.fromkeys(specs))
