"""Command-line values: typed like a mixing engineer types them, printed like a console shows them.

Volume is in dB (``-6``, ``-inf``), pan ``-1..1`` or ``30L``/``C``/``25R``,
switches on/off. :func:`parse_value` turns them into the bridge API's units
(see :mod:`bridge.dialects.base`) before any socket is opened, so a typo costs
nothing; :func:`format_value` and :func:`plain_value` print them back.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Final

from bridge.cli._common import UsageError

if TYPE_CHECKING:
    from bridge.dialects.base import TrackId, Value
    from bridge.mixer.mixer import Mixer

__all__ = [
    "PARAMS",
    "format_value",
    "json_value",
    "param_label",
    "parse_param",
    "parse_track",
    "parse_value",
    "plain_value",
    "resolve_label",
]

PARAMS: Final = {
    "volume": "volume_db",
    "volume_db": "volume_db",
    "pan": "pan",
    "width": "width",
    "mute": "mute",
    "solo": "solo",
    "rec": "rec_arm",
    "rec_arm": "rec_arm",
}
"""Command-line parameter names → the bridge's parameter paths (plus ``send:N``, ``fx:N:M``)."""

_SEND = re.compile(r"^send:(\d+)$")
_FX = re.compile(r"^fx:([^:/]+):([^:/]+)$", re.IGNORECASE)
_DB = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+|inf))\s*(?:db)?\s*$", re.IGNORECASE)
_PAN = re.compile(r"^\s*(?:(\d+(?:\.\d*)?)\s*%?\s*([LR])|([LR])\s*(\d+(?:\.\d*)?)\s*%?)\s*$", re.I)
_ON: Final = frozenset({"on", "1", "true", "yes"})
_OFF: Final = frozenset({"off", "0", "false", "no"})


def parse_track(text: str) -> int | str:
    """A track reference: a 1-based number, a name, or ``"master"`` (any case)."""
    t = text.strip()
    if t.isdigit():
        return int(t)
    return "master" if t.lower() == "master" else t


def parse_param(text: str) -> str:
    """The bridge parameter path of a command-line parameter name.

    Raises:
        UsageError: Not a known parameter.
    """
    key = text.strip().lower()
    if key in PARAMS:
        return PARAMS[key]
    if m := _SEND.match(key):
        return f"send/{int(m.group(1))}/level_db"
    if m := _FX.match(text.strip()):
        fx, par = (g.strip() for g in m.groups())
        fx = str(int(fx)) if fx.isdigit() else fx
        if par.lower() == "active":
            return f"fx/{fx}/active"
        return f"fx/{fx}/param/{int(par) if par.isdigit() else par}"
    known = "volume, pan, width, mute, solo, rec, send:N, fx:PLUGIN:PARAM, fx:PLUGIN:active"
    raise UsageError(f"unknown parameter {text!r} (use {known})")


def param_label(param: str) -> str:
    """The command-line name of a parameter path (``send/2/level_db`` → ``send:2``)."""
    parts = param.split("/")
    if parts[0] == "send":
        return f"send:{parts[1]}"
    if parts[0] == "fx":
        return f"fx:{parts[1]}:{parts[3] if len(parts) > 3 else parts[2]}"
    return {"volume_db": "volume", "rec_arm": "rec"}.get(param, param)


def _kind(param: str) -> str:
    if param.endswith("level_db") or param == "volume_db":
        return "db"
    if param in ("mute", "solo", "rec_arm"):
        return "switch"
    if param.startswith("fx/"):
        return "fx"
    return param  # pan, width


def parse_value(param: str, text: str) -> float | bool:
    """Parse a command-line value for ``param`` into the bridge's units.

    Raises:
        UsageError: The text is not a value of that parameter; the message names both.
    """
    kind, t = _kind(param), text.strip()
    bad = f"bad value {text!r} for {param_label(param)}"
    if kind == "switch":
        if t.lower() in _ON | _OFF:
            return t.lower() in _ON
        raise UsageError(f"{bad}: use on/off, 1/0 or true/false")
    if kind == "db":
        m = _DB.match(t)
        if m is None or m.group(1).lower().lstrip("+") == "inf":
            raise UsageError(f"{bad}: use dB, e.g. -6, +1.5 or -inf")
        return float(m.group(1))
    if kind == "fx":
        from bridge.cli.fx import fx_value

        return fx_value(t)  # checked against the parameter's range once connected
    if kind == "pan" and (p := _pan_text(t)) is not None:
        return p
    percent = kind == "width" and t.endswith("%")
    try:
        v = float(t[:-1]) / 100 if percent else float(t)
    except ValueError:
        v = math.nan
    lo = 0.0 if kind == "unit" else -1.0
    if not lo <= v <= 1.0:
        hint = {"pan": " or 30L, C, 25R", "width": " or -100%..100%"}.get(kind, "")
        raise UsageError(f"{bad}: use {lo:g}..1{hint}")
    return v


def _pan_text(t: str) -> float | None:
    if t.lower() in ("c", "center", "centre"):
        return 0.0
    m = _PAN.match(t)
    if m is None:
        return None
    amount = float(m.group(1) or m.group(4))
    side = (m.group(2) or m.group(3)).upper()
    if amount > 100:
        return None
    return -amount / 100 if side == "L" else amount / 100


def format_value(param: str, value: Value) -> str:
    """A value as a mixer shows it: ``-6.0 dB``, ``30L``, ``C``, ``on``; ``-`` if unreported."""
    if value is None:
        return "-"
    kind = _kind(param)
    if kind == "switch" or isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return value
    if kind == "db":
        if math.isinf(value) and value < 0:
            return "-inf dB"
        text = f"{value:.1f}"
        return f"{'0.0' if text == '-0.0' else text} dB"
    if kind == "pan":
        pct = round(abs(value) * 100)
        return "C" if pct == 0 else f"{pct}{'L' if value < 0 else 'R'}"
    if kind == "width":
        return f"{round(value * 100)}%"
    return f"{value:.3f}"


def plain_value(param: str, value: Value) -> str:
    """A value for scripts: dB or -1..1 as a bare number (``-6``, ``-0.3``, ``-inf``), on/off."""
    if isinstance(value, bool) or _kind(param) == "switch":
        return "on" if value else "off"
    if isinstance(value, float | int):
        if math.isinf(value):
            return "-inf" if value < 0 else "inf"
        digits = 2 if _kind(param) == "db" else 3
        return f"{round(value, digits) + 0.0:g}"
    return "" if value is None else str(value)


def json_value(value: Value) -> float | bool | str | None:
    """A value for JSON: infinities (a silent fader) become ``null``, as NaN would."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def resolve_label(mixer: Mixer, target: TrackId) -> str:
    """``Vocals (track 1)``, ``track 3`` or ``master``, for messages."""
    if target == "master":
        return "master"
    number = mixer.dialect.track_number(int(target))
    name = mixer.mirror.get(target, "name")
    return f"{name} (track {number})" if name else f"track {number}"
