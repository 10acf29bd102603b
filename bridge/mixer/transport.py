"""The mixer's transport: play, stop, record, locate, the play position and markers.

Like the other handles of :mod:`bridge.mixer.model`, it holds no values: reads
come from the mixer's state mirror (as the DAW last reported them), and every
operation goes to the DAW through the dialect's ``transport``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridge.dialects.values import float_or_nan

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer

__all__ = ["Transport"]


class Transport:
    """Play, stop, record, locate, position and markers."""

    def __init__(self, mixer: Mixer) -> None:
        self._mixer = mixer

    def play(self) -> None:
        """Start playback."""
        self._mixer.transport_op("play")

    def stop(self) -> None:
        """Stop playback or recording."""
        self._mixer.transport_op("stop")

    def record(self) -> None:
        """Start recording."""
        self._mixer.transport_op("record")

    def locate(self, seconds: float) -> None:
        """Move the play position to ``seconds`` from the session start."""
        if seconds < 0:
            raise ValueError(f"cannot locate to {seconds} s: before the start")
        self._mixer.transport_op("locate", float(seconds))

    @property
    def position(self) -> float:
        """The play position in s, as the DAW last reported it."""
        return float_or_nan(self._mixer.mirror.get(None, "position_s", 0.0))

    @property
    def playing(self) -> bool:
        """True while the DAW reports it is playing."""
        return bool(self._mixer.mirror.get(None, "playing", False))

    def add_marker(self, name: str) -> None:
        """Add a marker at the play position."""
        self._mixer.transport_op("add_marker", name)

    def goto_marker(self, number: int) -> None:
        """Move the play position to marker ``number`` (1-based)."""
        self._mixer.transport_op("goto_marker", float(number))

    @property
    def markers(self) -> list[tuple[int, str, float]]:
        """``(number, name, time in s)`` of every marker the DAW reported."""
        values = self._mixer.mirror.params(None)
        out = []
        for key, name in values.items():
            parts = key.split("/")
            if parts[0] == "marker" and parts[-1] == "name":
                t = values.get(f"marker/{parts[1]}/time_s")
                out.append((int(parts[1]), str(name), float_or_nan(t)))
        return sorted(out)
