"""The compiled kernels (``kernels.c``), loaded with ctypes, and whether they are in use.

Some inner loops run faster as one pass of C than as several numpy passes over
memory (``benchmarks/profile_meters.py`` shows both paths):

* :func:`truepeak_crests`: the accurate true-peak pass's 4x interpolation and
  its crests, in one pass (:mod:`qc.measure.truepeak`);
* :func:`biquad2`: two biquads in cascade over interleaved frames, the
  K-weighting of BS.1770-4 Annex 1 (:class:`qc.measure.iir.BlockIIR`);
* :func:`loudness_pieces` and :func:`window_maxima`: the loudness meter's
  squares, 100 ms piece sums and running sums, and the maxima of its windows
  ending at every sample (:mod:`qc.measure.loudness`, :mod:`qc.measure.windowmax`);
* :func:`mdct_fold` and :func:`mdct_small`: the lossy detector's frame-grid
  search, the frames windowed, folded and twiddled in one gather, and the
  near-zero coefficients counted after the FFT (:mod:`qc.measure.mdct`).

Each has a numpy twin giving the same result, used when the library was not
built (no C compiler when mixdesk was installed) or ``MIXDESK_NATIVE=0`` is
set; ``tests/qc/measure/test_native.py`` runs both on the same signals. The
library is compiled when mixdesk is installed (``hatch_build.py``), so no
run compiles anything, the first included. A library built from another
version of ``kernels.c`` than the one beside it is not used (:func:`status`
says so).
"""

from qc.measure.native.kernels import (
    biquad2,
    loudness_pieces,
    mdct_fold,
    mdct_small,
    truepeak_crests,
    window_maxima,
)
from qc.measure.native.loader import (
    LIBRARY,
    SOURCE,
    available,
    open_library,
    source_hash,
    status,
)

__all__ = [
    "LIBRARY",
    "SOURCE",
    "available",
    "biquad2",
    "loudness_pieces",
    "mdct_fold",
    "mdct_small",
    "open_library",
    "source_hash",
    "status",
    "truepeak_crests",
    "window_maxima",
]
