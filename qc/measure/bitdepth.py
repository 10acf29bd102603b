"""Effective bit depth: is a 24-bit (or wider) file really 16-bit audio?

Two measurements on the sample values at 24-bit resolution (reference/detect/dither.md §4):

* **Used bits.** OR-ing every sample code shows how many low bits are never set.
  Plain zero padding of 16-bit audio leaves the low 8 bits empty.
* **Code occupancy** among the quiet codes, |x| < 2^14 at 24-bit (below about
  -54 dBFS). Genuine 24-bit audio visits almost every code it comes near;
  16-bit audio put through a gain change after padding (so the low bits are no
  longer zero) still sits on a sparse lattice of about one code in 256 x gain.
  Occupancy is the number of distinct quiet codes over the number of quiet
  samples (capped at the number of codes): about 1 for genuine 24-bit, 0.004
  for 16-bit data (0.0039-0.0044 in the prototype). Low occupancy alone is not
  proof (periodic test tones and exact loops revisit the same codes), and
  neither is a lattice (evenly spaced quiet codes): the quiet samples of a pure
  tone form one too. So the verdict is "padded" only for empty low bits;
  evenly spaced quiet codes without them (16-bit audio turned up or down after
  padding) are reported as inconclusive, with the lattice's effective bits.

Memory is a fixed 32,768-entry table whatever the file length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats

__all__ = ["BitDepthMeter", "BitDepthResult"]

_SCALE = 2.0**23  # analyse at 24-bit resolution
_QUIET = 2**14  # codes with |x| < 2^14 (about -54 dBFS)
MIN_QUIET_SAMPLES = 2000
"""Fewer quiet samples than this and the occupancy test is inconclusive."""
MIN_LATTICE_GAP = 32
"""Quiet codes evenly spaced at least this far apart (at 24-bit) mean at most 19 bits of
real resolution; 16-bit data sits 256 x gain apart."""


@dataclass(frozen=True)
class BitDepthResult:
    """Effective bit depth of the samples.

    Attributes:
        container_bits: Bits per sample of the file (None for float).
        used_bits: Highest bit position used, counted from the top, at 24-bit
            resolution (16 for zero-padded 16-bit audio); None for silence.
        quiet_samples: Samples below about -54 dBFS that were looked at.
        quiet_codes: Distinct codes among them.
        occupancy: ``quiet_codes / min(quiet_samples, 32768)``; None when
            there are too few quiet samples to tell.
        effective_bits: Estimated bits of real resolution: 24 minus log2 of the
            lattice spacing (16 for padded 16-bit data), else the container's
            (None when inconclusive).
        padded: True when the file holds audio of lower resolution than its
            container; False when it does not; None when it cannot be told
            (not enough quiet material, or a 16-bit or narrower container).
    """

    container_bits: int | None
    used_bits: int | None
    quiet_samples: int
    quiet_codes: int
    occupancy: float | None
    effective_bits: int | None
    padded: bool | None


class BitDepthMeter:
    """Streaming effective-bit-depth meter.

    Args:
        container_bits: Bits per sample of the file; None for float files.
    """

    def __init__(self, container_bits: int | None) -> None:
        self._bits = container_bits
        self._seen = np.zeros(2 * _QUIET, dtype=bool)
        self._quiet = 0
        self._or = 0

    def feed(self, block: Floats) -> None:
        """Add one block of samples, shape ``(frames, channels)``."""
        if self._bits is not None and self._bits <= 16:
            return
        codes = np.rint(block * _SCALE).astype(np.int32).ravel()  # |code| <= 2^24: fits
        mags = np.abs(codes)
        self._or |= int(np.bitwise_or.reduce(mags))
        quiet = codes[(mags < _QUIET) & (mags > 0)]
        self._quiet += quiet.size
        self._seen[quiet + _QUIET] = True

    def _lattice_spacing(self) -> float | None:
        """Median gap between the distinct quiet codes if they are evenly spaced, else None.

        Evenly spaced means the smallest gap is at least 80 % of the median:
        true of a lattice (gaps alternate between floor and ceil of 256 x gain),
        false for genuine audio, whose distinct codes fall anywhere.
        """
        codes = np.flatnonzero(self._seen)
        if codes.size < 16:
            return None
        gaps = np.diff(codes)
        median = float(np.median(gaps))
        return median if gaps.min() >= 0.8 * median else None

    def result(self) -> BitDepthResult:
        """Return the verdict for everything fed so far."""
        used = None
        if self._or:
            trailing = (self._or & -self._or).bit_length() - 1
            used = 24 - trailing
        codes = int(self._seen.sum())
        occupancy = None
        if self._quiet >= MIN_QUIET_SAMPLES:
            occupancy = codes / min(self._quiet, self._seen.size)
        padded: bool | None = None
        spacing: float | None = None
        lattice = False
        if self._bits is None or self._bits > 16:
            # Both tests need quiet material: a test tone at exactly -6 dBFS
            # also leaves its low bits empty.
            spacing = self._lattice_spacing()
            lattice = spacing is not None and spacing >= MIN_LATTICE_GAP
            zeros = used is not None and used <= 16
            # A lattice alone is not proof: the quiet samples of a pure test tone
            # are evenly spaced too. Until the loud samples are checked against
            # the lattice, a lattice without zero low bits stays inconclusive.
            if occupancy is not None and zeros:
                padded = True
            elif occupancy is not None and not lattice:
                padded = False
        effective = None
        if padded:
            effective = used
        elif padded is False:
            effective = self._bits
        elif occupancy is not None and lattice and spacing is not None:
            effective = round(24 - float(np.log2(spacing)))
        return BitDepthResult(
            container_bits=self._bits,
            used_bits=used,
            quiet_samples=self._quiet,
            quiet_codes=codes,
            occupancy=occupancy,
            effective_bits=effective,
            padded=padded,
        )
