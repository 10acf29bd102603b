"""Reading OSC arguments and reported values as numbers, and checking values to set."""

from __future__ import annotations

import math

from bridge.dialects.vocabulary import Value
from bridge.errors import BridgeError

__all__ = ["as_float", "as_int", "check_bool", "check_value", "float_or_nan"]


def as_float(value: object) -> float | None:
    """A numeric OSC argument as float, or None for anything else."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return None


def as_int(value: object) -> int | None:
    """A whole-number OSC argument (int or integral float) as int, else None."""
    f = as_float(value)
    if f is None or not math.isfinite(f) or f != int(f):  # int() raises on NaN and Inf
        return None
    return int(f)


def check_value(title: str, param: str, value: Value, lo: float, hi: float) -> float:
    """Return ``value`` as a float in ``[lo, hi]``, or raise naming it.

    Raises:
        BridgeError: The value is not a number or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BridgeError(f"{title}: {param} needs a number, not {value!r}")
    v = float(value)
    if not lo <= v <= hi:
        raise BridgeError(f"{title}: {param} {v:g} is out of range [{lo:g}, {hi:g}]")
    return v


def check_bool(title: str, param: str, value: Value) -> int:
    """Return an on/off value as 1 or 0.

    Raises:
        BridgeError: The value is not a bool or 0/1.
    """
    if isinstance(value, bool) or value in (0, 1):
        return int(bool(value))
    raise BridgeError(f"{title}: {param} must be on/off, not {value!r}")


def float_or_nan(value: Value) -> float:
    """A reported parameter value as a float: bools and numbers as such, anything else NaN."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return float("nan")
