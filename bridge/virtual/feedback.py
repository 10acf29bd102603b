"""What the virtual DAW reports, in REAPER's feedback addresses and wire types.

Pure: values in, :class:`~bridge.osc.Message` values out. Like REAPER, ``n``,
``b``, ``t`` and ``f`` values go out as float32, and the texts use the formats
of :mod:`bridge.dialects.reaper` (``"-6.00dB"``, ``"35%L"``), so the bridge
parses exactly what it would get from REAPER.
"""

from __future__ import annotations

from bridge.dialects.reaper import format_db, format_pan, format_width
from bridge.osc.message import Message, message
from bridge.virtual.fader import db_to_fader
from bridge.virtual.recorder import MODES
from bridge.virtual.state import TrackState

__all__ = ["automation_feedback", "master_feedback", "track_feedback", "transport_feedback"]


def _volume(base: str, db: float, with_db: bool) -> list[Message]:
    out = [message(f"{base}/volume", db_to_fader(db)), message(f"{base}/volume/str", format_db(db))]
    if with_db:
        out.append(message(f"{base}/volume/db", max(db, -150.0)))
    return out


def automation_feedback(number: int, mode: str) -> list[Message]:
    """Track ``number``'s automation mode: 1.0 on ``/track/N/auto<mode>``, 0.0 on the other four."""
    return [message(f"/track/{number}/auto{m}", float(m == mode)) for m in MODES]


def track_feedback(number: int, name: str, t: TrackState, mode: str = "trim") -> list[Message]:
    """Every value of track ``number`` (1-based), as REAPER sends it after a refresh.

    Args:
        number: Track number, 1-based.
        name: Track name.
        t: The track's state.
        mode: The track's automation mode (``trim``, ``read``, ``touch``,
            ``latch`` or ``write``).

    Returns:
        The messages, in REAPER's addresses and wire types.
    """
    base = f"/track/{number}"
    return [
        message(f"{base}/name", name),
        *_volume(base, t.volume_db, with_db=True),
        message(f"{base}/pan", (t.pan + 1.0) / 2.0),
        message(f"{base}/pan/str", format_pan(t.pan)),
        message(f"{base}/pan2", (t.width + 1.0) / 2.0),
        message(f"{base}/pan2/str", format_width(t.width)),
        message(f"{base}/mute", float(t.mute)),
        message(f"{base}/solo", float(t.solo)),
        message(f"{base}/recarm", 0.0),
        *automation_feedback(number, mode),
    ]


def master_feedback(volume_db: float) -> list[Message]:
    """The master's values (REAPER reports them only on ``/master/...``)."""
    return [
        *_volume("/master", volume_db, with_db=False),
        message("/master/pan", 0.5),
        message("/master/pan/str", format_pan(0.0)),
    ]


def transport_feedback(playing: bool, recording: bool, position_s: float) -> list[Message]:
    """Play state and position."""
    return [
        message("/play", float(playing)),
        message("/stop", float(not playing)),
        message("/record", float(recording)),
        message("/time", float(position_s)),
    ]
