"""What the tracker concludes about a file: its phase and the decision values.

Values, not exceptions: :class:`~qc.watch.tracker.Tracker` returns them and the
scheduler acts on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from qc.watch.record import Trigger

__all__ = ["Decision", "Gone", "Incomplete", "Phase", "Ready", "Taken", "Wait"]


class Phase(Enum):
    """Where a tracked file is."""

    WAITING = "waiting"
    READY = "ready"
    RUNNING = "running"


@dataclass(frozen=True)
class Wait:
    """Not finished yet; look again at ``until`` (monotonic s)."""

    until: float


@dataclass(frozen=True)
class Ready:
    """Finished: queue it for a worker."""

    trigger: Trigger


@dataclass(frozen=True)
class Incomplete:
    """Still and still inconsistent: an aborted or truncated render."""

    trigger: Trigger
    reason: str
    size_bytes: int


@dataclass(frozen=True)
class Gone:
    """The file disappeared before it was checked.

    ``trigger`` is what had made it finished if it was queued, else ``None``.
    """

    trigger: Trigger | None


Decision = Wait | Ready | Incomplete | Gone
"""What :meth:`Tracker.judge` concluded."""


@dataclass(frozen=True)
class Taken:
    """A file handed to a worker.

    Attributes:
        path: The file.
        trigger: What made it finished.
        ready_at: When it was judged finished (monotonic s).
        known_blake2b: Hash of the content last checked at this path, if any.
    """

    path: str
    trigger: Trigger
    ready_at: float
    known_blake2b: str | None
