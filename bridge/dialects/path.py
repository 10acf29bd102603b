"""A parameter path, parsed once into one value type.

Every layer names a mixer parameter by a short path, the same in every
dialect (see :mod:`bridge.dialects.base`)::

    volume_db  pan  width  mute  solo  rec_arm  name
    send/2/level_db
    fx/1/name  fx/1/active
    fx/1/param/4          fx/1/param/4/name
    fx/ACE EQ/param/Gain 1             (by name: resolved against the DAW)

:func:`parse` turns the text into a :class:`ParamPath`; ``str(path)`` gives the
canonical text back, which is also the state mirror's key. Plugins and their
parameters may be named instead of numbered; :meth:`ParamPath.by_name` says so,
and the mixer resolves names to numbers (:meth:`ParamPath.with_numbers`) before
any dialect sees the path, so dialects only ever handle numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

__all__ = ["TRACK_FIELDS", "ParamPath", "PathError", "Ref", "parse"]

TRACK_FIELDS: Final = ("volume_db", "pan", "width", "mute", "solo", "rec_arm", "name")
"""The plain per-track parameters."""

Ref = int | str
"""A plugin or parameter: its 1-based number, or its name."""

Kind = Literal["track", "send", "fx", "param"]


class PathError(ValueError):
    """The text is not a parameter path; the message names it and lists the forms."""


_FORMS: Final = (
    "volume_db, pan, width, mute, solo, rec_arm, name, send/N/level_db, fx/N/name,"
    " fx/N/active, fx/N/param/M, fx/N/param/M/name (N and M numbers from 1, or names)"
)


@dataclass(frozen=True, slots=True)
class ParamPath:
    """One parameter of a track.

    Attributes:
        kind: ``"track"`` (a plain track field), ``"send"``, ``"fx"`` (a
            plugin's own field) or ``"param"`` (a plugin parameter).
        field: The track field (``volume_db``…), ``level_db`` for a send,
            ``name`` or ``active`` for a plugin, ``value`` or ``name`` for a
            plugin parameter.
        send: The send's 1-based number.
        fx: The plugin's 1-based number or its name.
        param: The parameter's 1-based number or its name.
    """

    kind: Kind
    field: str
    send: int | None = None
    fx: Ref | None = None
    param: Ref | None = None

    def __str__(self) -> str:
        if self.kind == "track":
            return self.field
        if self.kind == "send":
            return f"send/{self.send}/{self.field}"
        if self.kind == "fx":
            return f"fx/{self.fx}/{self.field}"
        tail = "" if self.field == "value" else f"/{self.field}"
        return f"fx/{self.fx}/param/{self.param}{tail}"

    @property
    def by_name(self) -> bool:
        """True if the plugin or the parameter is named rather than numbered."""
        return isinstance(self.fx, str) or isinstance(self.param, str)

    @property
    def is_plugin_value(self) -> bool:
        """True for a plugin parameter's value (``fx/N/param/M``)."""
        return self.kind == "param" and self.field == "value"

    def with_numbers(self, fx: int, param: int | None = None) -> ParamPath:
        """The same path with the plugin (and parameter) given by number."""
        return replace(self, fx=fx, param=self.param if param is None else param)

    @property
    def fx_number(self) -> int:
        """The plugin's number.

        Raises:
            PathError: The path has no plugin, or names it (resolve it first).
        """
        return self._number(self.fx, "plugin")

    @property
    def param_number(self) -> int:
        """The parameter's number.

        Raises:
            PathError: The path has no parameter, or names it (resolve it first).
        """
        return self._number(self.param, "parameter")

    def _number(self, ref: Ref | None, what: str) -> int:
        if not isinstance(ref, int):
            raise PathError(f"{self}: the {what} must be resolved to a number first")
        return ref


def _ref(text: str, what: str, whole: str, *, names: bool) -> Ref:
    t = text.strip()
    if t.isdigit():
        n = int(t)
        if n < 1 or len(t) > 6:
            raise PathError(f"{whole!r}: {what} numbers start at 1, not {t}")
        return n
    if not names or not t:
        raise PathError(f"{whole!r}: {what} must be a number from 1, not {text!r}")
    return t


def parse(text: str | ParamPath) -> ParamPath:
    """Parse a parameter path (a :class:`ParamPath` is returned as it is).

    Raises:
        PathError: Not a parameter path; the message lists the forms there are.
    """
    if isinstance(text, ParamPath):
        return text
    if not isinstance(text, str):
        raise PathError(f"a parameter path is text, not {text!r}")
    if text in TRACK_FIELDS:
        return ParamPath("track", text)
    parts = text.split("/")
    if parts[0] == "send" and len(parts) == 3 and parts[2] == "level_db":
        send = _ref(parts[1], "send", text, names=False)
        assert isinstance(send, int)
        return ParamPath("send", "level_db", send=send)
    if parts[0] == "fx" and len(parts) == 3 and parts[2] in ("name", "active"):
        return ParamPath("fx", parts[2], fx=_ref(parts[1], "plugin", text, names=True))
    if parts[0] == "fx" and len(parts) in (4, 5) and parts[2] == "param":
        field = "value" if len(parts) == 4 else parts[4]
        if len(parts) == 4 or field == "name":
            fx = _ref(parts[1], "plugin", text, names=True)
            return ParamPath(
                "param", field, fx=fx, param=_ref(parts[3], "parameter", text, names=True)
            )
    raise PathError(f"unknown parameter {text!r} (use {_FORMS})")
