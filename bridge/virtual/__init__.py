"""The virtual DAW's offline side: stems, mix engine and render writer.

Public names:

* :func:`load_stems`, :class:`Stem`, :class:`StemReader`: a checked stems folder;
* :class:`MixState`, :class:`TrackState` (live, mutable) and their frozen
  :class:`MixSnapshot`, :class:`TrackSnapshot`;
* :class:`Mixer`, :class:`ParamSource`, :class:`Constant`,
  :class:`TrackParams`: the block mixer (channel strips with ``EQ`` and
  ``Compressor`` on every track and the master, sends into the ``Reverb`` and
  ``Delay`` returns; :mod:`bridge.virtual.engine` draws the signal flow) and
  its parameter seam;
* :data:`PAN_LAWS`, :data:`DEFAULT_PAN_LAW`, :func:`pan_gains`: pan laws;
* :func:`render`, :class:`RenderResult`, :func:`next_take`: bounces as takes;
* :class:`LaneLike`, :class:`LaneSource`, :data:`Automation`, :func:`by_track`:
  automation lanes (fader, sends, plugin parameters in their units) rendered
  sample-accurately (``render(..., automation=...)``);
* :class:`Recorder`, :class:`RecordedLane`: automation written live over OSC;
* :class:`VirtualDawError`.

Importing this package starts nothing (no server, no threads, no files).

Example:
    >>> stems = load_stems("stems", rate=48000)  # doctest: +SKIP
    >>> state = MixState.for_stems(stems)  # doctest: +SKIP
    >>> state.tracks["bass"].volume_db = -3.0  # doctest: +SKIP
    >>> render(stems, state, "renders", rate=48000, project="song").path  # doctest: +SKIP
    PosixPath('renders/song-take01.wav')
"""

from bridge.virtual.automation import Automation, LaneLike, LaneSource, by_track
from bridge.virtual.engine import (
    BLOCK_FRAMES,
    Constant,
    Mixer,
    ParamSource,
    TrackParams,
    db_to_gain,
)
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.panlaw import DEFAULT_PAN_LAW, PAN_LAWS, PanLaw, centre_gain_db, pan_gains
from bridge.virtual.recorder import RecordedLane, Recorder
from bridge.virtual.render import RenderResult, next_take, render
from bridge.virtual.state import MixSnapshot, MixState, TrackSnapshot, TrackState
from bridge.virtual.stems import Stem, StemReader, load_stems

__all__ = [
    "BLOCK_FRAMES",
    "DEFAULT_PAN_LAW",
    "PAN_LAWS",
    "Automation",
    "Constant",
    "LaneLike",
    "LaneSource",
    "MixSnapshot",
    "MixState",
    "Mixer",
    "PanLaw",
    "ParamSource",
    "RecordedLane",
    "Recorder",
    "RenderResult",
    "Stem",
    "StemReader",
    "TrackParams",
    "TrackSnapshot",
    "TrackState",
    "VirtualDawError",
    "by_track",
    "centre_gain_db",
    "db_to_gain",
    "load_stems",
    "next_take",
    "pan_gains",
    "render",
]
