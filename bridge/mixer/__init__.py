"""The typed mixer model over a dialect, with the state mirror fed by feedback."""

from bridge.mixer.fx import Fx, FxChain, Param, Params
from bridge.mixer.mirror import Mirror
from bridge.mixer.mixer import Mixer
from bridge.mixer.model import Send, Sends, Track, Tracks, Transport

__all__ = [
    "Fx",
    "FxChain",
    "Mirror",
    "Mixer",
    "Param",
    "Params",
    "Send",
    "Sends",
    "Track",
    "Tracks",
    "Transport",
]
