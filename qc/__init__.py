"""mixdesk QC: measure every bounce and judge it against delivery profiles.

Layers, each importing only the ones above it:

* :mod:`qc.measure`: pure streaming DSP (no I/O).
* :mod:`qc.audio`: container sniffing and block reading.
* :mod:`qc.engine`: joins reader and meters, file by file.
* :mod:`qc.report`: renderers.
* :mod:`qc.cli`: the ``mixdesk`` command.

The Python API (:mod:`qc.api`): :func:`check` and :func:`check_files` judge
files as ``mixdesk check`` does (nearest ``mixdesk.toml``, its waivers and
fail level) and return :class:`CheckResult` values named as the JSON report's
keys; bad input raises a :class:`QCError` subclass. :func:`fix` (``mixdesk
fix``) writes a delivery file and re-checks it (:mod:`qc.fix`).

The names below are imported lazily, so ``import qc`` alone stays cheap and the
command line can configure numpy's threads before numpy loads.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from qc._version import __version__

if TYPE_CHECKING:
    from qc.album.api import check_album
    from qc.album.results import AlbumResult
    from qc.api import check, check_files
    from qc.engine import FileResult, measure_file
    from qc.errors import AudioReadError, ProfileError, QCError, SelectorError, UsageError
    from qc.measure import Measurements, MeasureOptions
    from qc.results import CheckResult, Finding

__all__ = [
    "AlbumResult",
    "AudioReadError",
    "CheckResult",
    "FileResult",
    "Finding",
    "MeasureOptions",
    "Measurements",
    "ProfileError",
    "QCError",
    "SelectorError",
    "UsageError",
    "__version__",
    "check",
    "check_album",
    "check_files",
    "fix",
    "measure_file",
]

_WHERE = {
    "check_album": "qc.album.api",
    "AlbumResult": "qc.album.results",
    "check": "qc.api",
    "check_files": "qc.api",
    "fix": "qc.fix",
    "CheckResult": "qc.results",
    "Finding": "qc.results",
    "SelectorError": "qc.errors",
    "FileResult": "qc.engine",
    "measure_file": "qc.engine",
    "AudioReadError": "qc.errors",
    "ProfileError": "qc.errors",
    "QCError": "qc.errors",
    "UsageError": "qc.errors",
    "MeasureOptions": "qc.measure",
    "Measurements": "qc.measure",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'qc' has no attribute {name!r}")
