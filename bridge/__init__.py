"""mixdesk bridge: drive a DAW's mixer from Python over OSC.

>>> import bridge
>>> with bridge.connect("reaper") as mixer:          # doctest: +SKIP
...     mixer.tracks["Vocals"].volume_db = -3.0
...     mixer.tracks[2].pan = -0.25
...     mixer.transport.play()

Layers, lowest first: :mod:`bridge.osc` (socket, typed messages, bundles, rate
limiting), :mod:`bridge.dialects` (one DAW each: addresses, scaling,
capabilities, feedback parsing), :mod:`bridge.mixer` (the typed model and the
state mirror).
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from bridge.connect import connect
from bridge.errors import (
    BridgeError,
    BridgeTimeoutError,
    OscError,
    UnknownTrackError,
    UnsupportedError,
)
from bridge.mixer import Mixer, Track

try:
    __version__ = _dist_version("mixdesk")
    """The installed ``mixdesk`` distribution's version (one source: ``qc/_version.py``)."""
except PackageNotFoundError:  # a bare source tree, not installed
    __version__ = "0+unknown"

__all__ = [
    "BridgeError",
    "BridgeTimeoutError",
    "Mixer",
    "OscError",
    "Track",
    "UnknownTrackError",
    "UnsupportedError",
    "__version__",
    "connect",
]
