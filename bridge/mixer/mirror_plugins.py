"""The mirror's plugin lists and parameter descriptions, each numbered by the update it came with.

A reader that asked the DAW for a list or a description waits for one newer
than its request (:meth:`PluginStore.plugins_since`, :meth:`PluginStore.specs_since`).
Not locked: :class:`~bridge.mixer.mirror.Mirror` calls it under its own lock.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.dialects.base import TrackId
from bridge.dialects.plugins import PluginList, PluginSpecs

__all__ = ["PluginStore"]


class PluginStore:
    """Each track's latest plugin list and each plugin's latest descriptions."""

    def __init__(self) -> None:
        self._plugins: dict[TrackId, tuple[int, PluginList]] = {}
        self._specs: dict[tuple[TrackId, int], tuple[int, PluginSpecs]] = {}

    def store(self, generation: int, item: PluginList | PluginSpecs) -> None:
        """Keep a list or a description, numbered ``generation``."""
        if isinstance(item, PluginList):
            self._plugins[item.target] = (generation, item)
        else:
            self._specs[(item.target, item.fx)] = (generation, item)

    def plugins_since(self, target: TrackId, generation: int) -> PluginList | None:
        """The track's plugin list, if one arrived after ``generation``."""
        got = self._plugins.get(target)
        return got[1] if got is not None and got[0] > generation else None

    def specs_since(self, target: TrackId, fx: int, generation: int) -> PluginSpecs | None:
        """One plugin's parameter descriptions, if they arrived after ``generation``."""
        got = self._specs.get((target, fx))
        return got[1] if got is not None and got[0] > generation else None

    def drop_changed(self, old: Mapping[int, str], new: Mapping[int, str]) -> None:
        """Forget what was kept of every track id whose track changed in a new track list."""
        for tid in [t for t in self._plugins if isinstance(t, int)]:
            if old.get(tid) != new.get(tid):
                del self._plugins[tid]
        for spec_key in list(self._specs):
            t = spec_key[0]
            if isinstance(t, int) and old.get(t) != new.get(t):
                del self._specs[spec_key]
