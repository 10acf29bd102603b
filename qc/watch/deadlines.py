"""Look-again times by path: a min-heap with lazy deletion.

The tracker arms a path's time whenever its settle timer is re-armed. Only an
earlier time is pushed: a later one (the usual case, each write event moving
the timer on) leaves the heap alone, and when the earlier time comes up the
tracker arms the path again at its real deadline. So a flood of write events
to one bounce costs one heap entry, not one per event. A time superseded or
disarmed stays in the heap until it comes up, and is then skipped.
"""

from __future__ import annotations

import heapq

__all__ = ["Deadlines"]


class Deadlines:
    """The next time (monotonic s) each path should be looked at again."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, str]] = []
        self._armed: dict[str, float] = {}

    def arm(self, path: str, when: float) -> None:
        """Look at ``path`` at ``when``, unless it is already due earlier."""
        armed = self._armed.get(path)
        if armed is None or when < armed:
            self._armed[path] = when
            heapq.heappush(self._heap, (when, path))

    def disarm(self, path: str) -> None:
        """Forget ``path``'s pending time."""
        self._armed.pop(path, None)

    def due(self, now: float) -> list[str]:
        """Paths whose armed time is at or before ``now``, earliest first; they are disarmed."""
        out: list[str] = []
        while self._heap and self._heap[0][0] <= now:
            when, path = heapq.heappop(self._heap)
            if self._armed.get(path) == when:
                del self._armed[path]
                out.append(path)
        return out

    def next(self) -> float | None:
        """The earliest time in the heap (perhaps superseded: an early wake), or ``None``."""
        return self._heap[0][0] if self._heap else None

    def heap_entries(self) -> int:
        """Entries in the heap, superseded ones included (what it costs in memory)."""
        return len(self._heap)

    def __len__(self) -> int:
        return len(self._armed)
