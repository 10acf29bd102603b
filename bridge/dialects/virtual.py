"""The virtual DAW's dialect: REAPER's, for the DAW mixdesk runs inside itself.

The virtual DAW (:mod:`bridge.virtual`) is an OSC server in REAPER's dialect
over a mixer of stem files. It is not reached over the network: ``--daw
virtual --stems DIR`` starts one for the command, so it has no port to
configure, nothing to set up and nothing for ``mixdesk doctor`` to probe. This
module stays light (no numpy): the CLI reads these facts when it builds its
options.

Unlike REAPER's stock surface, the virtual DAW takes send levels in dB
(``/track/N/send/S/volume/db``, so ``send_db_pattern`` is on), reports every
value of its plugins (in units, see :mod:`bridge.dialects.reaper_fx`), takes
plugin bypass (``/fx/N/bypass``), and has the EQ and compressor on the master too.
"""

from __future__ import annotations

from typing import ClassVar

from bridge.dialects.base import MASTER, TrackId
from bridge.dialects.reaper import ReaperDialect
from bridge.osc.message import Message, message

_MORE = frozenset(
    {"fx active", "send level", "master fx param", "master fx name", "master fx param name",
     "master fx active"}
)  # fmt: skip

__all__ = ["VirtualDialect"]


class VirtualDialect(ReaperDialect):
    """REAPER's dialect, named for the virtual DAW in messages."""

    name: ClassVar[str] = "virtual"
    title: ClassVar[str] = "the virtual DAW"
    setup_hint: ClassVar[str] = "pass --stems DIR: the virtual DAW starts inside mixdesk"
    stray_ports: ClassVar[tuple[int, ...]] = ()
    processes: ClassVar[tuple[str, ...]] = ()
    doctor_probe: ClassVar[str | None] = None
    embedded: ClassVar[str | None] = "bridge.virtual.session:start_virtual"
    capabilities: ClassVar[frozenset[str]] = ReaperDialect.capabilities | _MORE

    def __init__(self, *, send_db_pattern: bool = True) -> None:
        super().__init__(send_db_pattern=send_db_pattern)

    def query(self, target: TrackId, param: str) -> list[Message]:
        """As REAPER's; the master's parameter names come after selecting track 0."""
        named = param.startswith("fx/") and param.endswith("/name") and param.count("/") == 4
        if target == MASTER and named:  # fx/N/param/M/name
            return [message("/device/track/select", 0)]
        return super().query(target, param)
