"""What a lane's parameter path means on one track of the virtual DAW.

A lane's ``param`` is a fader field (``volume_db``, ``pan``…), a send level
(``send/N/level_db``) or a plugin parameter (``fx/N/param/M``, with N and M
numbers from 1 or the names of :mod:`bridge.dialects.virtual_fx`, matched
case-insensitively). :func:`resolve` turns it into numbers and the
parameter's spec (its units and range), or says in one line why the track
cannot automate it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bridge.dialects.path import PathError, parse
from bridge.dialects.virtual_fx import FxParam, FxPlugin
from bridge.virtual.errors import VirtualDawError

__all__ = ["number", "resolve"]


def resolve(
    name: str, key: str, plugins: Sequence[FxPlugin], sends: int, fader: set[str]
) -> tuple[str, int, int, FxParam | None]:
    """Resolve a lane's parameter on one track to ``(kind, slot or send, param, spec)``.

    Args:
        name: The track's name, for messages.
        key: The lane's parameter path.
        plugins: The track's plugins, slot 1 first.
        sends: How many sends the track has.
        fader: The fader fields the track can automate.

    Returns:
        ``kind`` is ``"fader"`` (``key`` is the field), ``"send"`` or ``"fx"``;
        then the send or slot number, the parameter number, and its spec (the
        last three 0, 0, None for a fader field).

    Raises:
        VirtualDawError: The track cannot automate ``key``.
    """
    if key in fader:
        return "fader", 0, 0, None
    try:
        path = parse(key)
    except PathError:
        path = None
    if path is not None and path.kind == "send" and path.send is not None and sends:
        if 1 <= path.send <= sends and path.field == "level_db":
            return "send", path.send, 0, None
        raise VirtualDawError(f"automation of {name!r}: no send {path.send} ({sends} sends)")
    if path is not None and path.is_plugin_value:
        slot = number(path.fx, [p.name for p in plugins])
        if slot is None:
            there = ", ".join(f"{i} {p.name!r}" for i, p in enumerate(plugins, start=1))
            raise VirtualDawError(
                f"automation of {name!r}: no plugin {path.fx!r} (there are {there})"
            )
        plugin = plugins[slot - 1]
        param = number(path.param, [p.name for p in plugin.params])
        if param is None:
            raise VirtualDawError(
                f"automation of {name!r}: {plugin.name} has no parameter {path.param!r}"
            )
        return "fx", slot, param, plugin.params[param - 1]
    raise VirtualDawError(f"automation of {name!r}: cannot automate {key!r}")


def number(ref: str | int | None, names: Sequence[str]) -> int | None:
    """The 1-based number ``ref`` gives (a number, or a name, case-insensitively), or None."""
    if isinstance(ref, int):
        return ref if 1 <= ref <= len(names) else None
    if isinstance(ref, str):
        folded = [n.casefold() for n in names]
        return folded.index(ref.casefold()) + 1 if ref.casefold() in folded else None
    return None
