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
  tone form one too. So a lattice counts only when it is regular and densely
  populated (at least 32 evenly spaced points with none missing), as the quiet
  samples of music on a coarser grid are; a steady tone visits a few points of
  a lattice, never all of them. Codes within 4 of each other are merged first,
  so 16-bit audio re-dithered at 24 bits after a gain change still shows its
  lattice.

Memory is a fixed 32,768-entry table whatever the file length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats
from qc.measure.robust import median_of

__all__ = ["BitDepthMeter", "BitDepthResult"]

_SCALE = 2.0**23  # analyse at 24-bit resolution
_QUIET = 2**14  # codes with |x| < 2^14 (about -54 dBFS)
_MID = 2**16  # codes 2^14 <= |x| < 2^16 (-54 to -42 dBFS) verify a lattice found below
MIN_QUIET_SAMPLES = 2000
"""Fewer quiet samples than this and the occupancy test is inconclusive."""
_MIN_LATTICE_POINTS = 32
_CLUSTER_GAP = 4
_LATTICE_TOL = 1.5  # codes: rounding to 24 bits, plus a cluster centre's offset
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
            container (low bits always zero, or quiet codes on a coarse
            lattice); False when it does not; None when it cannot be told
            (not enough quiet material, or a 16-bit or narrower container).
        lattice_spacing: Spacing of that lattice in 24-bit codes (256 for
            16-bit audio, 256 x gain after a gain change), else None.
    """

    container_bits: int | None
    used_bits: int | None
    quiet_samples: int
    quiet_codes: int
    occupancy: float | None
    effective_bits: int | None
    padded: bool | None
    lattice_spacing: float | None = None


class BitDepthMeter:
    """Streaming effective-bit-depth meter.

    Args:
        container_bits: Bits per sample of the file; None for float files.
    """

    def __init__(self, container_bits: int | None) -> None:
        self._bits = container_bits
        self._seen = np.zeros(2 * _QUIET, dtype=bool)
        self._seen_mid = np.zeros(2 * _MID, dtype=bool)
        self._quiet = 0
        self._or = 0

    def feed(self, block: Floats, mag: Floats | None = None) -> None:
        """Add one block of samples, shape ``(frames, channels)``.

        Args:
            block: Samples, full scale 1.0.
            mag: ``abs(block)`` if the caller already has it.
        """
        if self._bits is not None and self._bits <= 16:
            return
        if not self._or & 1:  # the lowest bit not seen yet: every code counts
            every = np.abs(np.rint(block * _SCALE).astype(np.int32))  # |code| <= 2^24: fits
            self._or |= int(np.bitwise_or.reduce(every, axis=None))
        # The quiet codes only: below 2^16 codes (-42 dBFS), a few per cent of music.
        if mag is None:
            mag = np.abs(block)
        near = block[mag < _MID / _SCALE]
        codes = np.rint(near * _SCALE).astype(np.int32)
        mags = np.abs(codes)
        quiet = codes[(mags < _QUIET) & (mags > 0)]
        self._quiet += quiet.size
        self._seen[quiet + _QUIET] = True
        self._seen_mid[codes[(mags < _MID) & (mags >= _QUIET)] + _MID] = True

    def _lattice_spacing(self) -> float | None:
        """Spacing of the lattice the distinct quiet codes sit on, or None if they don't.

        Codes closer than 4 apart are merged into one cluster (16-bit audio
        re-dithered at 24 bits after a gain change spreads each lattice point
        over a few codes). The cluster centres form a lattice when there are at
        least 32 of them and every gap is within 0.8-1.25 x the median gap: evenly
        spaced and densely populated, as the quiet samples of music on a coarser
        grid are. Genuine 24-bit audio makes one dense cluster; a steady test
        tone visits a few codes, not every point of a lattice.
        """
        codes = np.flatnonzero(self._seen)
        if codes.size < _MIN_LATTICE_POINTS:
            return None
        if not self._seen[_QUIET]:  # code 0 is never counted, yet on every lattice
            codes = np.sort(np.append(codes, _QUIET))
        breaks = np.flatnonzero(np.diff(codes) > _CLUSTER_GAP) + 1
        if breaks.size + 1 < _MIN_LATTICE_POINTS:
            return None
        centres = np.array([c.mean() for c in np.split(codes, breaks)]) - _QUIET
        gaps = np.diff(centres)
        median = float(median_of(gaps))
        if gaps.min() < 0.8 * median or gaps.max() > 1.25 * median:
            return None
        return self._verified(centres, median)

    def _verified(self, centres: Floats, spacing: float) -> float | None:
        """Refit the lattice on the quiet centres and check the louder codes sit on it too.

        The quiet samples of a steady tone whose period divides the sample rate
        form a regular lattice as well (the linear part of the sine near its
        zero crossings); its louder samples bend away from any lattice. Audio
        of lower resolution puts every code, loud or quiet, within a code or
        two of ``spacing x n``.
        """
        n = np.round(centres / spacing)
        step = float(np.dot(n, centres) / np.dot(n, n))
        if np.max(np.abs(centres - step * n)) > _LATTICE_TOL:
            return None
        louder = np.flatnonzero(self._seen_mid) - _MID
        if louder.size < _MIN_LATTICE_POINTS:
            return None
        m = np.round(louder / step)
        step = float(
            np.dot(np.concatenate([n, m]), np.concatenate([centres, louder]))
            / (np.dot(n, n) + np.dot(m, m))
        )
        on = np.abs(louder - step * np.round(louder / step)) <= _LATTICE_TOL + 1
        return step if float(np.mean(on)) >= 0.95 else None

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
        lattice = zeros = False
        if self._bits is None or self._bits > 16:
            # Both tests need quiet material: a test tone at exactly -6 dBFS
            # also leaves its low bits empty.
            spacing = self._lattice_spacing()
            lattice = spacing is not None and spacing >= MIN_LATTICE_GAP
            zeros = used is not None and used <= 16
            if occupancy is not None and (zeros or lattice):
                padded = True
            elif occupancy is not None:
                padded = False
        effective = None
        if padded and zeros:
            effective = used
        elif padded and spacing is not None:
            effective = round(24 - float(np.log2(spacing)))
        elif padded is False:
            effective = self._bits
        return BitDepthResult(
            container_bits=self._bits,
            used_bits=used,
            quiet_samples=self._quiet,
            quiet_codes=codes,
            occupancy=occupancy,
            effective_bits=effective,
            padded=padded,
            lattice_spacing=spacing if lattice else None,
        )
