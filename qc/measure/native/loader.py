"""Loading the compiled kernels: where the library is, whether it may be used, and why not.

``_kernels.so`` (built from ``kernels.c`` by ``hatch_build.py`` when mixdesk is
installed) is loaded once per process with ctypes. It is not used when
``MIXDESK_NATIVE=0`` is set, when it is missing (no C compiler at install), or
when it was built from another ``kernels.c`` than the one beside it (its
SHA-256 stamp differs: a stale build); :func:`status` says which.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LIBRARY",
    "SOURCE",
    "Bools",
    "available",
    "library",
    "need",
    "open_library",
    "source_hash",
    "status",
]

SOURCE = Path(__file__).with_name("kernels.c")
LIBRARY = Path(__file__).with_name("_kernels.dll" if sys.platform == "win32" else "_kernels.so")

Bools = NDArray[np.bool_]
_P = ctypes.c_void_p
_I = ctypes.c_int64


def source_hash(path: Path = SOURCE) -> str:
    """SHA-256 of ``kernels.c``, the stamp a build of it carries."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_library(library: Path, source: Path | None) -> tuple[Any, str]:
    """Load a build of the kernels, refusing one built from another ``kernels.c``.

    Args:
        library: The shared library.
        source: The ``kernels.c`` it must have been built from (None: not checked).

    Returns:
        The library with its functions typed, or None, and a one-line status.
    """
    if not library.exists():
        return None, f"not built ({library.name} missing; reinstall mixdesk with a C compiler)"
    try:
        lib = ctypes.CDLL(str(library))
        lib.mixdesk_kernels_hash.restype = ctypes.c_char_p
        built = lib.mixdesk_kernels_hash().decode()
    except (OSError, AttributeError) as exc:
        return None, f"unusable ({library.name}: {exc})"
    if source is not None and source.exists() and built != source_hash(source):
        return None, f"stale ({library.name} was built from another kernels.c; reinstall mixdesk)"
    lib.mixdesk_truepeak_crests.argtypes = [_P, _I, _P, _I, _P, ctypes.c_double, _P, _P, _P, _P]
    lib.mixdesk_truepeak_crests.restype = _I
    lib.mixdesk_biquad2.argtypes = [_P, _P, _I, _I, _P, _P]
    lib.mixdesk_biquad2.restype = None
    lib.mixdesk_loudness_pieces.argtypes = [_P, _I, _I, _P, _P, _I, _P, _P, ctypes.c_double]
    lib.mixdesk_loudness_pieces.restype = None
    lib.mixdesk_window_maxima.argtypes = [_P, _I, _I, _I, _P, _I, _P, _P]
    lib.mixdesk_window_maxima.restype = _I
    lib.mixdesk_mdct_fold.argtypes = [_P, _P, _I, _P, _P, _P, _I, _P]
    lib.mixdesk_mdct_fold.restype = None
    lib.mixdesk_mdct_small.argtypes = [_P, _I, _I, _I, _P, _P, _P, ctypes.c_double, _P]
    lib.mixdesk_mdct_small.restype = None
    return lib, f"on ({library.name})"


@cache
def _load() -> tuple[Any, str]:
    """The library in use (or None) and a one-line status."""
    if os.environ.get("MIXDESK_NATIVE", "1") == "0":
        return None, "off (MIXDESK_NATIVE=0): numpy kernels"
    return open_library(LIBRARY, SOURCE)


def need(array: NDArray[Any], dtype: type[np.generic], ndim: int) -> None:
    """Refuse what the C code would read wrongly or out of bounds (a caller's mistake)."""
    if array.dtype != dtype or array.ndim != ndim or not array.flags.c_contiguous:
        raise ValueError(
            f"compiled kernel needs a contiguous {ndim}-d {np.dtype(dtype).name} array, "
            f"not {array.ndim}-d {array.dtype} (contiguous: {array.flags.c_contiguous})"
        )


def library() -> Any:
    """The loaded library (call only when :func:`available`)."""
    return _load()[0]


def available() -> bool:
    """Whether the compiled kernels are in use."""
    return _load()[0] is not None


def status() -> str:
    """One line: whether the compiled kernels are in use, and why not."""
    return _load()[1]
