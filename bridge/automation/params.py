"""What each automatable parameter is: its kind, its range, and how to name it.

The parameter paths are those of :mod:`bridge.dialects.base`. Automation
knows four kinds:

- ``"db"``: ``volume_db`` and ``send/N/level_db``, a level in dB, at most
  +24 dB, or ``-inf`` (silence);
- ``"bipolar"``: ``pan`` (-1 left … +1 right) and ``width`` (-1 … +1);
- ``"unit"``: ``fx/N/param/M``, a plugin parameter normalised 0..1;
- ``"switch"``: ``mute`` and ``solo``, 0 (off) or 1 (on).
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Final, Literal

from bridge.automation.errors import AutomationError

__all__ = [
    "MAX_DB",
    "ParamKind",
    "check_param_value",
    "param_kind",
    "param_label",
]

ParamKind = Literal["db", "bipolar", "unit", "switch"]
"""How a parameter's values are interpreted (see the module docstring)."""

MAX_DB: Final = 24.0
"""The highest level a dB parameter may take, in dB (a DAW fader's top)."""

_SIMPLE: Final[dict[str, ParamKind]] = {
    "volume_db": "db",
    "pan": "bipolar",
    "width": "bipolar",
    "mute": "switch",
    "solo": "switch",
}
_SEND = re.compile(r"^send/([1-9]\d*)/level_db$")
_FX = re.compile(r"^fx/([1-9]\d*)/param/([1-9]\d*)$")


def param_kind(param: str) -> ParamKind:
    """Return the kind of an automatable parameter path.

    Args:
        param: A path such as ``"volume_db"``, ``"send/2/level_db"`` or
            ``"fx/1/param/3"``.

    Returns:
        ``"db"``, ``"bipolar"``, ``"unit"`` or ``"switch"``.

    Raises:
        AutomationError: The path is not an automatable parameter.
    """
    kind = _SIMPLE.get(param) if isinstance(param, str) else None
    if kind is not None:
        return kind
    if isinstance(param, str) and _SEND.match(param):
        return "db"
    if isinstance(param, str) and _FX.match(param):
        return "unit"
    raise AutomationError(
        f"{param!r} is not an automatable parameter (volume_db, pan, width, mute, solo,"
        " send/N/level_db, fx/N/param/M)"
    )


def check_param_value(param: str, value: object) -> str | None:
    """Say what is wrong with a value for a parameter, or return None if it is valid.

    Args:
        param: An automatable parameter path.
        value: The value: dB for ``"db"`` parameters, else in the parameter's range.

    Returns:
        A short phrase such as ``"value 30 dB is above +24 dB"``, or None.

    Raises:
        AutomationError: ``param`` is not an automatable parameter.
    """
    kind = param_kind(param)
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, numbers.Real):
        return f"value {value!r} is not a number"
    v = float(value)
    if kind == "db":
        if math.isnan(v) or v > MAX_DB or v == math.inf:
            return f"value {v:g} dB is not a level (use -inf … +{MAX_DB:g} dB)"
        return None
    if kind == "switch":
        return None if v in (0.0, 1.0) else f"value {v:g} is not 0 (off) or 1 (on)"
    lo = -1.0 if kind == "bipolar" else 0.0
    if not lo <= v <= 1.0:  # also rejects NaN
        return f"value {v:g} is outside [{lo:g}, 1]"
    return None


def param_label(param: str) -> str:
    """Return a short human name: ``volume``, ``send 2``, ``fx 1 param 3``, ``pan``."""
    if param == "volume_db":
        return "volume"
    send = _SEND.match(param)
    if send:
        return f"send {send.group(1)}"
    fx = _FX.match(param)
    if fx:
        return f"fx {fx.group(1)} param {fx.group(2)}"
    return param.replace("_", " ")
