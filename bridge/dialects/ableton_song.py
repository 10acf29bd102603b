"""Live's song through AbletonOSC: tempo, play position in beats, cue points and the transport.

Positions are in beats. Locate and ``position_s`` convert with the tempo Live
reports (:data:`DEFAULT_TEMPO_BPM` until it does); with tempo changes in the
arrangement the seconds are only right up to the first change. Cue points are
Live's markers, numbered from 1 in the order Live lists them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from bridge.dialects.base import Decoded, Update, as_float
from bridge.errors import BridgeError
from bridge.osc.message import Message, message

__all__ = ["DEFAULT_TEMPO_BPM", "Song"]

DEFAULT_TEMPO_BPM: Final = 120.0
"""The tempo in BPM used to convert beats and seconds until Live reports its own."""


class Song:
    """What Live last reported of its song: tempo, play position and cue points."""

    def __init__(self) -> None:
        self.tempo = DEFAULT_TEMPO_BPM
        """The song tempo in BPM, as Live last reported it."""
        self._beats: float | None = None
        self._cues: tuple[tuple[str, float], ...] = ()

    def commands(self, title: str, op: str, value: float | str | None) -> list[Message]:
        """The messages of a checked transport operation (``play`` … ``goto_marker``).

        Raises:
            BridgeError: ``goto_marker`` with a number below 1.
        """
        if op == "play":
            return [message("/live/song/start_playing")]
        if op == "stop":
            return [message("/live/song/stop_playing"), message("/live/song/set/record_mode", 0)]
        if op == "record":
            return [message("/live/song/set/record_mode", 1), message("/live/song/start_playing")]
        if op == "locate":
            seconds = float(value or 0.0)
            return [message("/live/song/set/current_song_time", float(seconds * self.tempo / 60))]
        number = int(float(value or 0))
        if number < 1:
            raise BridgeError(f"{title}: markers are numbered from 1, not {number}")
        return [message("/live/song/cue_point/jump", int(number - 1))]

    def decode(self, prop: str, args: Sequence[object]) -> list[Decoded]:
        """A ``/live/song/get/<prop>`` reply (or listener report)."""
        if prop == "cue_points":
            return self._cue_points(args)
        f = as_float(args[0]) if args else None
        if f is None or math.isnan(f):
            return []
        if prop == "is_playing":
            return [Update(None, "playing", f >= 0.5)]
        if prop == "record_mode":
            return [Update(None, "recording", f >= 0.5)]
        if prop == "current_song_time":
            self._beats = f
            return [Update(None, "position_s", self._seconds(f))]
        if prop == "beat":
            if self._beats is not None and math.floor(self._beats) == f:
                return []  # current_song_time already said it, more precisely
            self._beats = f
            return [Update(None, "position_s", self._seconds(f))]
        if prop == "tempo" and f > 0:
            self.tempo = f
            out: list[Decoded] = []
            if self._beats is not None:
                out.append(Update(None, "position_s", self._seconds(self._beats)))
            out += self._marker_times()
            return out
        return []

    def _cue_points(self, args: Sequence[object]) -> list[Decoded]:
        cues: list[tuple[str, float]] = []
        for name, beats in zip(args[::2], args[1::2], strict=False):
            b = as_float(beats)
            if b is not None:
                cues.append((str(name), b))
        self._cues = tuple(cues)
        names: list[Decoded] = [
            Update(None, f"marker/{i + 1}/name", n) for i, (n, _) in enumerate(self._cues)
        ]
        return names + self._marker_times()

    def _marker_times(self) -> list[Decoded]:
        return [
            Update(None, f"marker/{i + 1}/time_s", self._seconds(b))
            for i, (_, b) in enumerate(self._cues)
        ]

    def _seconds(self, beats: float) -> float:
        return beats * 60.0 / self.tempo
