"""One module per DAW dialect, and the registry ``--daw`` names resolve through.

Everything mixdesk knows about a DAW lives on its :class:`~bridge.dialects.base.Dialect`
subclass: its ``--daw`` name, title, default ports, setup hint, the ports it
sends stray replies to, whether it moves to another port, its process names,
the doctor's checks for it (``doctor_probe``) and, for the virtual DAW, how to
start it (``embedded``). A new DAW is one new module with such a subclass, plus
one line in :data:`DIALECTS`; the CLI's ``--daw`` choices, its help and the
doctor read the rest from the class.
"""

from __future__ import annotations

import importlib

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
    "dialect_class",
    "get_dialect",
    "import_spec",
]

DIALECTS: dict[str, str] = {
    "reaper": "bridge.dialects.reaper:ReaperDialect",
    "ardour": "bridge.dialects.ardour:ArdourDialect",
    "ableton": "bridge.dialects.ableton:AbletonDialect",
    "virtual": "bridge.dialects.virtual:VirtualDialect",
}
"""``--daw`` name → ``module:class``, in the order help and errors list them (imported
on first use)."""


def import_spec(spec: str) -> object:
    """Import ``module:name`` and return the name's object.

    Raises:
        ImportError: The module is not in this installation, or has no such name.
    """
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError as err:
        raise ImportError(f"{spec}: {err}") from err


def dialect_class(name: str) -> type[Dialect]:
    """The dialect class of a ``--daw`` name (any case), with all the DAW's facts.

    Raises:
        BridgeError: Unknown name; the message lists the known ones.
        ImportError: The DAW's module is not in this installation.
    """
    spec = DIALECTS.get(name.lower())
    if spec is None:
        raise BridgeError(f"unknown DAW {name!r} (known: {', '.join(DIALECTS)})")
    cls = import_spec(spec)
    if not (isinstance(cls, type) and issubclass(cls, Dialect)):
        raise ImportError(f"{spec} is not a Dialect subclass")
    return cls


def get_dialect(name: str) -> Dialect:
    """Return a new dialect for ``name`` (``reaper``, ``ardour``, ``ableton``, ``virtual``).

    Raises:
        BridgeError: Unknown name; the message lists the known ones.
        ImportError: The DAW's module is not in this installation.
    """
    return dialect_class(name)()
