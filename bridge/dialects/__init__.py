"""One module per DAW dialect, and the registry ``--daw`` names resolve through.

A new DAW is one new module with a :class:`~bridge.dialects.base.Dialect`
subclass, plus one line in :data:`DIALECTS`.
"""

from __future__ import annotations

from bridge.dialects.base import MASTER, Dialect, TrackId, TrackList, Update, Value
from bridge.errors import BridgeError

__all__ = [
    "DIALECTS",
    "MASTER",
    "Dialect",
    "TrackId",
    "TrackList",
    "Update",
    "Value",
    "get_dialect",
]

DIALECTS: dict[str, str] = {
    "reaper": "bridge.dialects.reaper:ReaperDialect",
    "ardour": "bridge.dialects.ardour:ArdourDialect",
    "ableton": "bridge.dialects.ableton:AbletonDialect",
}
"""``--daw`` name → ``module:class`` (imported on first use)."""


def get_dialect(name: str) -> Dialect:
    """Return a new dialect for ``name`` (``reaper``, ``ardour``, ``ableton``).

    Raises:
        BridgeError: Unknown name; the message lists the known ones.
    """
    import importlib

    spec = DIALECTS.get(name.lower())
    if spec is None:
        known = ", ".join([*DIALECTS, "virtual"])
        raise BridgeError(f"unknown DAW {name!r} (known: {known})")
    module, cls = spec.split(":")
    dialect: Dialect = getattr(importlib.import_module(module), cls)()
    return dialect
