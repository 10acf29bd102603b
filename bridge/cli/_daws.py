"""The ``--daw`` names and what the CLI says of them, read from the dialect registry.

Which DAWs this installation has (a dialect whose module does not import is
left out), which are embedded (started inside mixdesk, ``--stems``) and which
are reached over OSC, and their default ports for the options' help.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from bridge.dialects import DIALECTS, dialect_class

if TYPE_CHECKING:
    from bridge.dialects.base import Dialect

__all__ = ["DAWS", "daw_names", "either", "port_defaults"]

DAWS: Final = tuple(DIALECTS)
"""The ``--daw`` names, from the dialect registry."""


@functools.cache
def _dialects() -> tuple[tuple[str, type[Dialect]], ...]:
    """Each ``--daw`` name with its dialect class (those this installation has)."""
    found = []
    for name in DIALECTS:
        with contextlib.suppress(ImportError):
            found.append((name, dialect_class(name)))
    return tuple(found)


def daw_names(*, embedded: bool) -> list[str]:
    """The DAWs started inside mixdesk (``embedded``), or those reached over OSC."""
    return [name for name, cls in _dialects() if (cls.embedded is not None) is embedded]


def either(names: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join(filter(None, (", ".join(names[:-1]), *names[-1:])))


def port_defaults(attr: str, zero: str) -> str:
    """``reaper 8000, ardour 3819, ...``: a port attribute of each DAW reached over OSC."""
    ports = ((name, getattr(cls, attr)) for name, cls in _dialects() if cls.embedded is None)
    return ", ".join(f"{name} {port or zero}" for name, port in ports)
