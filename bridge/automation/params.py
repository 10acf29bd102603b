"""What each automatable parameter is: its kind, its range, and how to name it.

The parameter paths are those of :mod:`bridge.dialects.base`. Automation
knows four kinds:

- ``"db"``: ``volume_db`` and ``send/N/level_db``, a level in dB, at most
  +24 dB, or ``-inf`` (silence);
- ``"bipolar"``: ``pan`` (-1 left … +1 right) and ``width`` (-1 … +1);
- ``"unit"``: ``fx/N/param/M`` (N and M numbers or names), a plugin parameter
  in the DAW's units for it (Ardour: dB, Hz, ms…; Live: its own min..max; REAPER: 0..1). Its
  range is the DAW's, checked against the DAW before a pass
  (:mod:`bridge.mixer.plugins`); here only that it is a finite number;
- ``"switch"``: ``mute`` and ``solo``, 0 (off) or 1 (on).
"""

from __future__ import annotations

import math
import numbers
from typing import Final, Literal

from bridge.automation.errors import AutomationError
from bridge.dialects.path import PathError, parse

__all__ = [
    "MAX_DB",
    "MIN_DB",
    "ParamKind",
    "check_param_value",
    "param_kind",
    "param_label",
]

ParamKind = Literal["db", "bipolar", "unit", "switch"]
"""How a parameter's values are interpreted (see the module docstring)."""

MAX_DB: Final = 24.0
"""The highest level a dB parameter may take, in dB (a DAW fader's top)."""

MIN_DB: Final = -1000.0
"""The lowest finite level, in dB (a gain of 1e-50, far below every DAW's floor:
REAPER's -150, Ardour's -192); below it, write ``-inf`` for silence. A finite value
any lower could not even be sent (OSC floats are float32, at most 3.4e38)."""

_SIMPLE: Final[dict[str, ParamKind]] = {
    "volume_db": "db",
    "pan": "bipolar",
    "width": "bipolar",
    "mute": "switch",
    "solo": "switch",
}
_FORMS: Final = "volume_db, pan, width, mute, solo, send/N/level_db, fx/N/param/M"


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
    try:
        path = parse(param)
    except PathError:
        path = None
    if path is not None and path.kind == "send":
        return "db"
    if path is not None and path.is_plugin_value:
        return "unit"
    raise AutomationError(f"{param!r} is not an automatable parameter ({_FORMS})")


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
    try:
        v = float(value)
    except OverflowError:  # an integer beyond any float: 10**400 in a scene file
        return f"value {str(value)[:12]}… ({len(str(value))} digits) is not a level or value"
    if kind == "db":
        if math.isnan(v) or v > MAX_DB or v == math.inf:
            return f"value {v:g} dB is not a level (use -inf … +{MAX_DB:g} dB)"
        if v < MIN_DB and v != -math.inf:
            return f"value {v:g} dB is below {MIN_DB:g} dB (use -inf for silence)"
        return None
    if kind == "switch":
        return None if v in (0.0, 1.0) else f"value {v:g} is not 0 (off) or 1 (on)"
    if kind == "unit":
        return None if math.isfinite(v) else f"value {v:g} is not a finite number"
    lo = -1.0
    if not lo <= v <= 1.0:  # also rejects NaN
        return f"value {v:g} is outside [{lo:g}, 1]"
    return None


def param_label(param: str) -> str:
    """Return a short human name: ``volume``, ``send 2``, ``fx 1 param 3``, ``pan``."""
    if param == "volume_db":
        return "volume"
    try:
        path = parse(param)
    except PathError:
        return param.replace("_", " ")
    if path.kind == "send":
        return f"send {path.send}"
    if path.is_plugin_value:
        return f"fx {path.fx} param {path.param}"
    return param.replace("_", " ")
