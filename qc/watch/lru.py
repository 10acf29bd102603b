"""A table of at most ``capacity`` paths, the least recently set dropped first.

The watch daemon's memories of paths (the content last checked at each, the
paths reported gone, the sizes reported incomplete) are bounded by it, so a
daemon that runs for months holds what the folder holds, not every render ever
made.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Lru"]

V = TypeVar("V")


class Lru(Generic[V]):
    """A bounded mapping from path to value; setting a path makes it the newest.

    Args:
        capacity: Paths kept; setting one more drops the oldest.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"need a capacity of at least 1, got {capacity}")
        self.capacity = capacity
        self._table: OrderedDict[str, V] = OrderedDict()

    def set(self, path: str, value: V) -> None:
        """Set ``path``'s value and make it the newest; drop the oldest beyond capacity."""
        self._table[path] = value
        self._table.move_to_end(path)
        while len(self._table) > self.capacity:
            self._table.popitem(last=False)

    def get(self, path: str) -> V | None:
        """The value of ``path``, or ``None``; does not make it newer."""
        return self._table.get(path)

    def pop(self, path: str) -> V | None:
        """Forget ``path``; its value, or ``None`` if it was not there."""
        return self._table.pop(path, None)

    def __contains__(self, path: object) -> bool:
        return path in self._table

    def __len__(self) -> int:
        return len(self._table)
