"""The delivery format: sample rate, word length, container, and whether to dither.

Rules:

* the rate stays unless the profiles' ``delivery-format`` (FMT002) excludes it;
  then the lowest allowed rate at or above it of the same family (44.1 or 48
  kHz), else the lowest at or above it, else the highest allowed;
* the word length stays unless FMT002 excludes it; then the longest allowed
  that is shorter (16-bit from a 24-bit or float master). A longer one is never
  made: padding a 16-bit file with zeros adds nothing, the 24-bit master is
  needed;
* dither is added once, last, and only when the word length is reduced (from
  float, a lossy decode, more bits, or a resampled file); a file already at the target depth is
  rounded, which leaves it bit-exact when no gain was applied.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.errors import UsageError
from qc.fix.dither import DitherKind
from qc.fix.gain import _options
from qc.safe_io import UnsafeTargetError

if TYPE_CHECKING:
    from qc.audio import StreamInfo
    from qc.profiles import Profile

__all__ = ["CONTAINERS", "OutputFormat", "check_target", "choose_format"]

CONTAINERS = {".wav": "WAV", ".flac": "FLAC", ".aif": "AIFF", ".aiff": "AIFF"}
"""Output containers by file suffix."""

_FLOATS = {"FLOAT": 32, "DOUBLE": 64}
_PCM = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32}
_BITS_SUBTYPE = {16: "PCM_16", 24: "PCM_24"}


@dataclass(frozen=True)
class OutputFormat:
    """How the delivery file is written.

    Attributes:
        rate: Sample rate, Hz.
        subtype: libsndfile subtype (``PCM_16``, ``PCM_24``, ``PCM_32``, ``FLOAT``, ``DOUBLE``).
        container: libsndfile format (``WAV``, ``FLAC``, ``AIFF``).
        bits: Word length of a PCM subtype, else None (float).
        dither: Dither added before rounding to ``bits``.
        unmet: What the profiles ask of the format that cannot be made, with why.
    """

    rate: int
    subtype: str
    container: str
    bits: int | None
    dither: DitherKind
    unmet: tuple[str, ...] = ()

    @property
    def bit_depth(self) -> int | None:
        """Bits per sample as :class:`qc.audio.StreamInfo` reports them (32 for float)."""
        return _PCM.get(self.subtype) or _FLOATS.get(self.subtype)


def _allowed(profiles: Sequence[Profile], key: str) -> set[int] | None:
    """Intersection of the profiles' FMT002 lists (None: any value)."""
    out: set[int] | None = None
    for p in profiles:
        opts = _options(p, "delivery-format")
        if opts is not None and opts[key]:
            values = {int(v) for v in opts[key]}
            out = values if out is None else out & values
    return out


def _rate(rate: int, allowed: set[int] | None) -> int:
    if not allowed or rate in allowed:
        return rate
    above = sorted(r for r in allowed if r >= rate)
    family = [r for r in above if r % 44100 == 0] if rate % 44100 == 0 else []
    family = family or [r for r in above if r % 48000 == 0 and rate % 48000 == 0]
    return (family or above or [max(allowed)])[0]


def choose_format(
    info: StreamInfo,
    profiles: Sequence[Profile],
    out_path: str,
    *,
    dither: DitherKind = "tpdf",
    rate: int | None = None,
) -> OutputFormat:
    """Choose the output format of one file.

    Args:
        info: The input's stream facts.
        profiles: The delivery profiles.
        out_path: The output file (its suffix names the container).
        dither: Dither to use when the word length is reduced (``none``: round).
        rate: Sample rate to deliver (None: as the profiles require), Hz.

    Returns:
        The format.

    Raises:
        UsageError: The output suffix is not a container ``fix`` writes, or
            FLAC is asked to hold float samples.
    """
    suffix = os.path.splitext(out_path)[1].lower()
    if suffix not in CONTAINERS:
        raise UsageError(
            f"{out_path}: fix writes .wav, .flac or .aiff, not {suffix or 'no suffix'}"
        )
    container = CONTAINERS[suffix]
    unmet: list[str] = []
    out_rate = (
        rate if rate is not None else _rate(info.sample_rate, _allowed(profiles, "sample_rates"))
    )
    src_bits = _PCM.get(info.subtype) or _FLOATS.get(info.subtype)
    is_float = info.subtype in _FLOATS or src_bits is None  # lossy decodes are float
    allowed_bits = _allowed(profiles, "bit_depths")
    subtype = info.subtype if info.subtype in _PCM or info.subtype in _FLOATS else "PCM_24"
    if allowed_bits and (src_bits not in allowed_bits or src_bits is None):
        shorter = [b for b in allowed_bits if src_bits is None or b < src_bits]
        if shorter:
            bits = max(shorter)
            subtype = _BITS_SUBTYPE.get(bits, "FLOAT" if bits == 32 else f"PCM_{bits}")
        else:
            wanted = " or ".join(f"{b}-bit" for b in sorted(allowed_bits))
            unmet.append(
                f"{src_bits}-bit source; {wanted} would only pad it with zeros: "
                "deliver from the higher-resolution master"
            )
    if container == "FLAC" and subtype not in ("PCM_16", "PCM_24"):
        subtype = "PCM_24"
    out_bits = _PCM.get(subtype)
    resampled = out_rate != info.sample_rate
    reduces = out_bits is not None and (is_float or resampled or (src_bits or 0) > out_bits)
    return OutputFormat(
        rate=out_rate,
        subtype=subtype,
        container=container,
        bits=out_bits,
        dither=dither if reduces else "none",
        unmet=tuple(unmet),
    )


def check_target(path: str, out: str, *, force: bool) -> None:
    """Refuse an output that is the input, a link, a folder, or exists (without ``force``).

    Raises:
        UsageError: The suffix is not a container ``fix`` writes.
        UnsafeTargetError: One line naming the output and why.
    """
    suffix = os.path.splitext(out)[1].lower()
    if suffix not in CONTAINERS:
        raise UsageError(f"{out}: fix writes .wav, .flac or .aiff, not {suffix or 'no suffix'}")
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        st = None
    if st is None:
        folder = os.path.dirname(out) or "."
        if not os.path.isdir(folder):
            raise UnsafeTargetError(f"{out}: cannot write there: no folder {folder}")
        return
    if os.path.islink(out) or not os.path.isfile(out):
        raise UnsafeTargetError(f"{out}: refusing to write there: not a regular file")
    with contextlib.suppress(OSError):
        if os.path.samefile(path, out):
            raise UnsafeTargetError(f"{out}: refusing to overwrite the input")
    if not force:
        raise UnsafeTargetError(f"{out}: already exists (--force replaces it)")
