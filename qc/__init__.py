"""mixdesk QC: measure every bounce and judge it against delivery profiles.

Layers, each importing only the ones above it:

* :mod:`qc.measure`: pure streaming DSP (no I/O).
* :mod:`qc.audio`: container sniffing and block reading.
* :mod:`qc.engine`: joins reader and meters, file by file.
* :mod:`qc.report`: renderers.
* :mod:`qc.cli`: the ``mixdesk`` command.
"""

from qc._version import __version__
from qc.engine import FileResult, measure_file
from qc.errors import AudioReadError, ProfileError, QCError, UsageError
from qc.measure import Measurements, MeasureOptions

__all__ = [
    "AudioReadError",
    "FileResult",
    "MeasureOptions",
    "Measurements",
    "ProfileError",
    "QCError",
    "UsageError",
    "__version__",
    "measure_file",
]
