"""MP3 history in PCM audio from the MP3 codec's frame grid (the "inverse decoder").

An MP3 encoder quantises the 576 lines of each granule of its hybrid filterbank:
the 32-band polyphase analysis filterbank of ISO/IEC 11172-3, an 18-line MDCT per
subband over 36 subband samples (long blocks, sine window, 50 % overlap) and the
alias-reduction butterflies between neighbouring subbands. Many lines are quantised
to zero. Analysing the decoded PCM with the same filterbank at the encoder's exact
granule alignment brings those zeros back, up to the PCM rounding noise; at any other
alignment they are smeared. So the fraction of near-zero lines in a mid band, as a
function of the grid offset (0..575 samples), peaks sharply at the true alignment
(Herre & Schug, AES 2000; Moehrs, Herre & Geiger, AES 2002; Yang, Qu & Huang 2008;
reference/detect/lossy.md §4 item 3 and §6). The peak is reported as a robust
z-score over the 576 offsets.

Plain MDCT grids (AAC, Vorbis) see nothing on MP3: this must be the real hybrid
filterbank. Only long blocks are modelled; short blocks (transients) add noise.

Cost (about 60 ms for 24 granules per offset on one core): the polyphase outputs at
all 32 sub-sample phases come from one folded 512-tap window and a small matrix
product per sample; an MDCT starting at every subband sample then covers the 18
granule phases, so the 576 offsets (32 x 18) cost one float32 product over six short
chunks. The products are kept small enough for BLAS to stay single-threaded, so
parallel jobs do not oversubscribe the cores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from qc.measure._types import Floats
from qc.measure.robust import median_of

__all__ = ["C_WINDOW", "MDCT_BASIS", "Mp3GridResult", "hybrid_analysis", "mp3_grid"]

# ISO/IEC 11172-3 Table 3-C.1 analysis window C[0..256] in units of 2**-21 (the table's
# printed values are exact multiples of it: C[1] = -0.000000477, C[256] = 0.035780907;
# the same integers as ffmpeg's ff_mpa_enwindow). C[512 - i] = -C[i], except C[512 - i]
# = C[i] when i is a multiple of 64.
_C_HALF = """
0 -1 -1 -1 -1 -1 -1 -2 -2 -2 -2 -3 -3 -4 -4 -5 -5 -6 -7 -7 -8 -9 -10 -11 -13 -14 -16 -17 -19
-21 -24 -26 -29 -31 -35 -38 -41 -45 -49 -53 -58 -63 -68 -73 -79 -85 -91 -97 -104 -111 -117
-125 -132 -139 -147 -154 -161 -169 -176 -183 -190 -196 -202 -208 213 218 222 225 227 228
228 227 224 221 215 208 200 189 177 163 146 127 106 83 57 29 -2 -36 -72 -111 -153 -197 -244
-294 -347 -401 -459 -519 -581 -645 -711 -779 -848 -919 -991 -1064 -1137 -1210 -1283 -1356
-1428 -1498 -1567 -1634 -1698 -1759 -1817 -1870 -1919 -1962 -2001 -2032 -2057 -2075 -2085
-2087 -2080 -2063 2037 2000 1952 1893 1822 1739 1644 1535 1414 1280 1131 970 794 605 402 185
-45 -288 -545 -814 -1095 -1388 -1692 -2006 -2330 -2663 -3004 -3351 -3705 -4063 -4425 -4788
-5153 -5517 -5879 -6237 -6589 -6935 -7271 -7597 -7910 -8209 -8491 -8755 -8998 -9219 -9416
-9585 -9727 -9838 -9916 -9959 -9966 -9935 -9863 -9750 -9592 -9389 -9139 -8840 -8492 -8092
-7640 -7134 6574 5959 5288 4561 3776 2935 2037 1082 70 -998 -2122 -3300 -4533 -5818 -7154
-8540 -9975 -11455 -12980 -14548 -16155 -17799 -19478 -21189 -22929 -24694 -26482 -28289
-30112 -31947 -33791 -35640 -37489 -39336 -41176 -43006 -44821 -46617 -48390 -50137 -51853
-53534 -55178 -56778 -58333 -59838 -61289 -62684 -64019 -65290 -66494 -67629 -68692 -69679
-70590 -71420 -72169 -72835 -73415 -73908 -74313 -74630 -74856 -74992 75038
"""
# Alias-reduction coefficients c_i of the standard (Layer III, Annex B).
_CI = np.array([-0.6, -0.535, -0.33, -0.185, -0.095, -0.041, -0.0142, -0.0037])
_CS = 1.0 / np.sqrt(1.0 + _CI**2)
_CA = _CI * _CS

GRANULE = 576
"""Samples per granule (and lines per granule) of MP3 long blocks."""
CHUNKS = 6
"""Analysed chunks, spread evenly over the excerpt."""
CHUNK_GRANULES = 4
"""Granules per offset in each chunk (``CHUNKS * CHUNK_GRANULES`` in all)."""
BAND_HZ = (1500.0, 15000.0)
"""Whole subbands nearest this band (Hz) are counted."""
NEAR_ZERO = 1.0
"""A line is near zero below this many ``lsb`` (orthonormal transform units)."""
_BLAS_SINGLE = 2**18  # OpenBLAS runs a GEMM single-threaded below m*n*k = 4 * 65536


@dataclass(frozen=True)
class Mp3GridResult:
    """Evidence of an MP3 granule grid in PCM.

    Attributes:
        z: Robust z-score of the best offset, ``(max - median) / (1.4826 MAD)`` of the
            near-zero count over the 576 offsets (the spread is floored at Poisson
            counting noise, the square root of the median count); nan if the excerpt
            is too short or most lines of the band are near zero everywhere (silence).
        offset: Best grid offset in samples, 0..575, relative to the excerpt start:
            the decoder's granules start at samples ``offset + 576 k`` (the output of
            an ISO decoder without delay compensation has offset 0).
        zero_fraction: Fraction of the counted lines that are near zero at the best
            offset (0..1).
        granules: Granules analysed per offset.
    """

    z: float
    offset: int
    zero_fraction: float
    granules: int


def _window() -> Floats:
    """Return the analysis window C[0..511] of ISO/IEC 11172-3, shape (512,)."""
    half = np.array(_C_HALF.split(), dtype=np.float64) * 2.0**-21
    mirror = -half[1:256][::-1]
    mirror[np.arange(255, 0, -1) % 64 == 0] *= -1.0
    return np.concatenate([half, mirror])


C_WINDOW = _window()
"""ISO/IEC 11172-3 analysis window C[i], shape (512,)."""
_MATRIX = np.cos(np.outer(2 * np.arange(32) + 1, np.arange(64) - 16) * np.pi / 64)
# Scale making each analysis filter C[n] M[k][n mod 64] unit-energy, so the hybrid
# filterbank is close to orthonormal and white noise keeps its RMS.
_SCALE = 1.0 / math.sqrt(
    float(np.mean(np.sum((C_WINDOW * _MATRIX[:, np.arange(512) % 64]) ** 2, 1)))
)
_N = np.arange(36)[:, None]
MDCT_BASIS: Floats = (
    math.sqrt(2.0 / 18.0)
    * np.sin(np.pi / 36.0 * (_N + 0.5))
    * np.cos(np.pi / 72.0 * (2 * _N + 19) * (2 * np.arange(18)[None, :] + 1))
)
"""Orthonormal sine-window MDCT of MP3 long blocks, shape (36 samples, 18 lines)."""


def _extended_basis(sign: float) -> NDArray[np.float32]:
    """Return the MDCT with the alias reduction folded in, shape (36, 34).

    Columns 0..17 are a band's own butterfly terms; columns 18..25 its term in lines
    10..17 of the band below, 26..33 in lines 0..7 of the band above. ``sign`` is -1 for
    windows that start on an odd subband sample (odd bands come out negated there).
    """
    own = MDCT_BASIS.copy()
    own[:, :8] *= _CS
    own[:, 10:] *= _CS[::-1]
    to_lower = sign * MDCT_BASIS[:, 7::-1] * _CA[::-1]
    to_upper = -sign * MDCT_BASIS[:, 17:9:-1] * _CA
    return np.concatenate([own, to_lower, to_upper], axis=1).astype(np.float32)


_EXTENDED = (_extended_basis(1.0), _extended_basis(-1.0))


def _polyphase(x: Floats, start: int, count: int, bands: tuple[int, int]) -> Floats:
    """Polyphase analysis filterbank evaluated at every sample (all 32 phases).

    Args:
        x: Signal, shape (n,).
        start: First output time; needs ``start >= 511``.
        count: Output times ``start .. start + count - 1`` (a multiple of 64); needs
            ``start + count <= n``.
        bands: Subbands ``lo .. hi - 1`` to compute.

    Returns:
        Subband samples, shape (count, hi - lo): row ``j`` analyses the 32-sample block
        whose newest sample is ``x[start + j]``, orthonormal scale.
    """
    frames = sliding_window_view(x, 64)
    folded = np.zeros((count, 64))
    for j in range(8):  # Y[i] = sum_j C[i + 64 j] x[t - i - 64 j], in column 63 - i
        s = start - 63 - 64 * j
        folded += frames[s : s + count] * C_WINDOW[64 * j : 64 * j + 64][::-1]
    matrix = _SCALE * _MATRIX[bands[0] : bands[1], ::-1].T
    out: Floats = (folded.reshape(-1, 64, 64) @ matrix).reshape(count, -1)  # small GEMMs
    return out


def hybrid_analysis(x: Floats, start: int, granules: int) -> Floats:
    """Long-block MP3 analysis at one alignment (plain reference implementation).

    Args:
        x: Signal, shape (n,), in any unit.
        start: Newest input sample of the first subband sample; needs ``start >= 511``
            and ``start + 576 * (granules + 1) <= n``. ``start = offset + 512`` (mod 576)
            analyses the granules of a grid at ``offset`` (see ``Mp3GridResult``).
        granules: Granules to analyse.

    Returns:
        Lines, shape (granules, 576), ordered by frequency (line ``i`` centred at
        ``(i + 0.5) * rate / 1152`` Hz), orthonormal scale, after alias reduction.
    """
    count = GRANULE * (granules + 1)
    sub = _polyphase(np.asarray(x, dtype=np.float64), start, count, (0, 32))[::32].copy()
    sub[1::2, 1::2] *= -1.0  # frequency inversion: odd samples of odd subbands
    lines = np.stack([sub[18 * g : 18 * g + 36].T @ MDCT_BASIS for g in range(granules)])
    for i in range(8):  # encoder side of the butterflies between subbands k-1 and k
        upper, lower = lines[:, :-1, 17 - i].copy(), lines[:, 1:, i].copy()
        lines[:, :-1, 17 - i] = upper * _CS[i] + lower * _CA[i]
        lines[:, 1:, i] = lower * _CS[i] - upper * _CA[i]
    out: Floats = lines.reshape(granules, GRANULE)
    return out


def mp3_grid(excerpt: Floats, rate: int, *, lsb: float = 2.0**-15) -> Mp3GridResult:
    """Search the 576 granule offsets of the MP3 hybrid filterbank for quantised zeros.

    Args:
        excerpt: Mono samples, shape (n,), float64, full scale 1.0: a few seconds of
            loud, bright music (at least 3967 samples; the mid mix for stereo).
        rate: Sample rate in Hz (MP3 grids exist at 32, 44.1 and 48 kHz; the MPEG-2
            rates share the 576-sample granule).
        lsb: Step of the PCM rounding in full-scale units; a line is near zero below
            ``NEAR_ZERO * lsb``.

    Returns:
        The best offset, its near-zero fraction and the robust z-score.
    """
    x = np.asarray(excerpt, dtype=np.float64) / lsb
    span = GRANULE * (CHUNK_GRANULES + 2)  # output times per chunk
    room = (x.size - 511 - span) // GRANULE  # granule steps left for later chunks
    width = rate / 64.0  # subband width in Hz
    k0 = max(round(BAND_HZ[0] / width), 1)
    k1 = min(round(min(BAND_HZ[1], 0.47 * rate) / width), 31)
    if room < 0 or k1 <= k0:
        return Mp3GridResult(math.nan, 0, math.nan, 0)
    n_chunk = min(CHUNKS, 1 + room // (CHUNK_GRANULES + 2))  # chunks do not overlap
    starts = 511 + GRANULE * np.round(np.linspace(0, room, n_chunk)).astype(int)
    kb0, n_band, n_sub = k0 - 1, k1 - k0 + 2, 18 * (CHUNK_GRANULES + 2)
    sub = np.stack([_polyphase(x, int(s), span, (kb0, k1 + 1)) for s in starts])
    # Frequency inversion: odd subbands flip every other subband sample. Windows that
    # start on an odd sample see the whole odd band negated; their basis makes up for it.
    flip = np.where(
        (np.arange(kb0, k1 + 1) % 2 == 1), 1.0 - 2.0 * (np.arange(n_sub)[:, None] % 2), 1.0
    )
    sub = sub.reshape(n_chunk, n_sub, 32, n_band) * flip[:, None, :]
    group = 32  # phases per GEMM, kept small enough to stay single-threaded
    while group > 1 and group * n_band * 36 * 34 >= _BLAS_SINGLE:
        group //= 2
    sub32 = sub.astype(np.float32).reshape(n_chunk, n_sub, 32 // group, group * n_band)
    n_win = 18 * CHUNK_GRANULES  # windows start at every subband sample: 18 granule phases
    near = np.zeros((n_chunk, n_win, 32), dtype=np.int64)
    out = np.empty((n_win, 32 // group, group * n_band, 34), np.float32)
    for c in range(n_chunk):  # one chunk at a time: the products take ~8 MB, not ~50
        win = sliding_window_view(sub32[c], 36, axis=0)  # (window start, group, rows, 36)
        np.matmul(win[0:n_win:2], _EXTENDED[0], out=out[0::2])
        np.matmul(win[1:n_win:2], _EXTENDED[1], out=out[1::2])
        lines = out.reshape(n_win, 32, n_band, 34)
        for part in (
            lines[..., 1:-1, 10:18] + lines[..., 2:, 18:26],  # lines 10..17 of bands k0..k1-1
            lines[..., 1:-1, 0:8] + lines[..., :-2, 26:34],  # lines 0..7
            lines[..., 1:-1, 8:10],  # lines 8 and 9 have no butterfly
        ):
            near[c] += np.count_nonzero(np.abs(part) < NEAR_ZERO, axis=(-2, -1))
    counts = near.reshape(n_chunk, CHUNK_GRANULES, 18, 32).sum(axis=(0, 1))  # (q, phase)
    curve = np.empty(GRANULE)
    phase, q = np.meshgrid(np.arange(32), np.arange(18))
    curve[(phase + 32 * q - 1) % GRANULE] = counts  # window start 511 + p + 32 q, less 512
    granules = n_chunk * CHUNK_GRANULES
    total = granules * (k1 - k0) * 18
    med = float(median_of(curve))
    sigma = max(1.4826 * float(median_of(np.abs(curve - med))), math.sqrt(max(med, 1.0)))
    best = int(np.argmax(curve))
    z = (float(curve[best]) - med) / sigma if med <= 0.5 * total else math.nan
    return Mp3GridResult(z, best, float(curve[best]) / total, granules)
