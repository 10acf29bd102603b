"""Automation modes around one pass: checked before it, set for it, left playing after it.

A pass that writes automation changes modes three times:

1. **Before anything is sent**, :meth:`ModePlan.check` asks the dialect for the
   messages of every mode the pass will set (the pass's mode and ``read``).
   A lane the DAW cannot set a mode for over OSC (REAPER's master: the stock
   ``Default.ReaperOSC`` has no master automation pattern; Ardour's master:
   its OSC sets modes only of ``/strip/`` ids and of the GUI-selected strip)
   is refused with one :class:`ModeUnavailableError` naming every such lane
   and the ways out. Nothing has been sent and the transport has not moved.
2. **At the start**, the modes the DAW reported are remembered and the pass's
   mode is set.
3. **At the end** (also after Ctrl-C or an error), the written lanes are left
   in ``read``, the mode the DAW plays them in (REAPER's Read, Ardour's Play),
   or, with ``restore=True``, the remembered modes are put back. A pass that
   stopped before its first value was sent wrote nothing, so its modes are put
   back either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from bridge.automation.errors import AutomationError
from bridge.dialects.base import Dialect, TrackId
from bridge.errors import UnsupportedError
from bridge.mixer.mirror import Mirror
from bridge.osc.message import Message

__all__ = ["PLAY_MODE", "ModePlan", "ModeUnavailableError", "ModesAfter"]

PLAY_MODE: Final = "read"
"""The mode written lanes are left in: REAPER's Read, Ardour's Play."""

ModesAfter = Literal["read", "restored", "unchanged"]
"""What a pass did to the modes at its end (``unchanged``: the pass set none)."""

_WAYS_OUT: Final = (
    "ways out: --mode none (mode=None) just streams the values (the DAW records them only in"
    " a write mode you set there yourself), the virtual DAW renders lanes offline, the"
    " master's too (render(..., automation=...), docs/virtual-daw.md), or leave the lane out"
)


class ModeUnavailableError(AutomationError):
    """The DAW cannot set an automation mode a pass needs; raised before anything is sent."""


@dataclass
class ModePlan:
    """The automation modes of one pass's controls.

    Use :meth:`check` to make one.

    Attributes:
        dialect: The DAW's dialect.
        controls: ``(track id, parameter)`` of every lane, in lane order.
        mode: The pass's mode, or None to leave modes alone.
        restore: Put the remembered modes back at the end instead of ``read``.
        previous: The modes remembered by :meth:`remember`.
    """

    dialect: Dialect
    controls: list[tuple[TrackId, str]]
    mode: str | None
    restore: bool = False
    previous: dict[tuple[TrackId, str], str] = field(default_factory=dict)

    @classmethod
    def check(
        cls,
        dialect: Dialect,
        controls: Sequence[tuple[TrackId, str, str]],
        mode: str | None,
        *,
        restore: bool = False,
    ) -> ModePlan:
        """Check that every mode the pass sets can be set; nothing is sent.

        Args:
            dialect: The DAW's dialect.
            controls: ``(track id, parameter, label)`` per lane; the label names
                the lane in the error (e.g. ``"'master' volume_db"``).
            mode: The pass's mode (``touch``, ``latch``, ``write``) or None.
            restore: Put the remembered modes back at the end instead of ``read``.

        Raises:
            ModeUnavailableError: One line naming every lane whose mode the DAW
                cannot set, the reason the DAW gives and the ways out.
        """
        plan = cls(dialect, [(key, param) for key, param, _ in controls], mode, restore)
        if mode is None:
            return plan
        refused: list[str] = []
        reasons: list[str] = []
        for key, param, label in controls:
            try:
                for m in (mode, PLAY_MODE):
                    dialect.automation_mode(key, param, m)
            except UnsupportedError as err:
                refused.append(label)
                if str(err) not in reasons:
                    reasons.append(str(err))
        if refused:
            lanes = f"lane {refused[0]}" if len(refused) == 1 else f"lanes {', '.join(refused)}"
            raise ModeUnavailableError(
                f"{lanes}: a {mode} pass cannot write {'it' if len(refused) == 1 else 'them'},"
                f" {'; '.join(reasons)}; nothing was sent; {_WAYS_OUT}"
            )
        return plan

    def remember(self, mirror: Mirror) -> None:
        """Remember each control's mode as the DAW last reported it (``off`` if it did not)."""
        self.previous = {}
        if self.mode is None:
            return
        for key, param in self.controls:
            got = mirror.get(key, f"automation/{self.dialect.mode_param(param)}")
            self.previous[(key, param)] = got if isinstance(got, str) else "off"

    def start(self) -> list[Message]:
        """The messages that set the pass's mode (none when it leaves modes alone)."""
        if self.mode is None:
            return []
        return [m for key, param in self.controls for m in self._set(key, param, self.mode)]

    def end(self, written: bool) -> tuple[list[Message], ModesAfter]:
        """The messages that end the pass's modes, and what they do.

        Args:
            written: Whether any value of the pass was sent while it ran.

        Returns:
            The messages, and ``"read"`` (written lanes left playing),
            ``"restored"`` (remembered modes put back) or ``"unchanged"``.
        """
        if self.mode is None:
            return [], "unchanged"
        if written and not self.restore:
            msgs = [m for key, param in self.controls for m in self._set(key, param, PLAY_MODE)]
            return msgs, "read"
        msgs = [m for (k, param), mode in self.previous.items() for m in self._set(k, param, mode)]
        return msgs, "restored"

    def _set(self, key: TrackId, param: str, mode: str) -> list[Message]:
        return self.dialect.automation_mode(key, param, mode)
