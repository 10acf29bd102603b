"""The virtual DAW's transport: play state and a play position driven by a clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Playhead"]


class Playhead:
    """Play, stop and locate; the position advances with the clock while playing.

    Args:
        clock: Monotonic clock in s (injected for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._playing = False
        self._recording = False
        self._position = 0.0
        self._rolled_at = 0.0

    @property
    def playing(self) -> bool:
        """True while the transport rolls."""
        return self._playing

    @property
    def recording(self) -> bool:
        """True while the transport records."""
        return self._recording

    @property
    def position(self) -> float:
        """The play position in s."""
        with self._lock:
            return self._now()

    def _now(self) -> float:
        if self._playing:
            return self._position + (self._clock() - self._rolled_at)
        return self._position

    def roll(self, play: bool, record: bool = False) -> tuple[bool, float]:
        """Play (``record`` too) or stop.

        Returns:
            ``(was_playing, position in s)`` at the moment of the change.
        """
        with self._lock:
            was = self._playing
            self._position = self._now()
            self._rolled_at = self._clock()
            self._playing = play
            self._recording = record and play
            return was, self._position

    def locate(self, seconds: float) -> float:
        """Move to ``seconds`` (negative counts as 0); returns the position before, in s."""
        with self._lock:
            before = self._now()
            self._position = max(0.0, seconds)
            self._rolled_at = self._clock()
            return before
