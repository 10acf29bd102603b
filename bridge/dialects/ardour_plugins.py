"""Ardour's replies about plugins and sends: plugin list, parameter descriptors, send levels.

Facts (Ardour 7.3, ``libs/surfaces/osc/osc.cc``, and seen on the wire):

- ``/strip/plugin/list ssid`` answers ``[ssid, piid, name, active, piid, name,
  active, ...]`` (piid from 1, in processor order).
- ``/strip/plugin/descriptor ssid piid`` answers one message per parameter,
  ``[ssid, piid, number, name, flags, datatype, lower, upper, print_fmt,
  n_scale_points, (value, label) * n, current value]``, then
  ``/strip/plugin/descriptor_end [ssid, piid]``. ``flags`` bits: 1 enumeration,
  2 integer step, 4 logarithmic, 32 sample-rate dependent, 64 toggled, 128 an
  input control (settable); seen from 7.3: 128, 132, 194, 131 and 0 (an output).
- ``/strip/plugin/parameter ssid piid number value`` applies ``value`` in the
  parameter's own units only if ``lower <= value <= upper``; otherwise Ardour
  logs a warning and drops it, with no reply. So values are checked here before
  anything is sent, and every set is confirmed by asking for the descriptor again.
- ``/strip/sends ssid`` answers ``[ssid, (target ssid, send name, send number,
  level, active) * n]`` where ``level`` is the send fader's *interface* value
  0..1 (Ardour's fader law; :func:`position_to_db`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from bridge.dialects.base import Update, as_float, as_int
from bridge.dialects.plugins import ParamSpec, PluginList, PluginSpecs, unit_of_format

__all__ = ["DescriptorCollector", "db_to_position", "decode_list", "decode_sends", "position_to_db"]

_FLAG_ENUM: Final = 1
_FLAG_INTEGER: Final = 2
_FLAG_LOG: Final = 4
_FLAG_TOGGLED: Final = 64
_FLAG_INPUT: Final = 128
_MAX_GAIN: Final = 2.0  # Ardour's max-gain (+6.02 dB), the top of every gain fader

_ACE_UNITS: Final = {
    "ACE Compressor": {
        "Attack": "ms", "Release": "ms", "Knee": "dB", "Threshold": "dB", "Makeup": "dB",
        "Gain Reduction": "dB", "Input Level": "dB", "Output Level": "dB",
    },
    "ACE Delay": {
        "Time": "ms", "Dry/Wet": "%", "Feedback": "%", "LPF": "Hz", "Output Gain": "dB",
        "Delaytime": "ms",
    },
}  # fmt: skip
"""Units of the bundled ACE plugins' parameters whose descriptor has an empty display
format: Ardour 7.3 sends ``print_fmt`` only for a custom LV2 unit with a render
string (ACE EQ's ``"%4.1f dB"``), not for the standard ``units:ms``, ``units:db``,
``units:hz`` and ``units:pc`` these declare (``/usr/lib/lv2/a-comp.lv2/a-comp.ttl``,
``a-delay.lv2/a-delay.ttl``)."""


def position_to_db(position: float) -> float:
    """Ardour's fader position 0..1 as dB (``slider_position_to_gain_with_max``, max 2.0).

    ``gain = 2 ** ((p ** (1/8) * 198 - 192) / 6) * max / 2`` (``libs/pbd/pbd/control_math.h``).
    """
    if position <= 0.0:
        return -math.inf
    gain = 2.0 ** ((position ** (1.0 / 8.0) * 198.0 - 192.0) / 6.0) * _MAX_GAIN / 2.0
    return 20.0 * math.log10(gain)


def db_to_position(db: float) -> float:
    """The inverse of :func:`position_to_db` (``gain_to_slider_position_with_max``)."""
    if math.isinf(db) and db < 0:
        return 0.0
    gain = 10.0 ** (db / 20.0) * 2.0 / _MAX_GAIN
    return float(((6.0 * math.log2(gain) + 192.0) / 198.0) ** 8.0)


def decode_list(args: Sequence[object]) -> PluginList | None:
    """``/strip/plugin/list``: the track's plugins, or None if malformed."""
    ssid = as_int(args[0]) if args else None
    if ssid is None:
        return None
    out: list[tuple[int, str, bool | None]] = []
    i = 1
    while i + 1 < len(args):
        piid, name = as_int(args[i]), args[i + 1]
        if piid is None or not isinstance(name, str):
            return None
        active: bool | None = None
        i += 2
        if i < len(args) and not isinstance(args[i], str) and as_int(args[i]) is not None:
            nxt = as_int(args[i])
            # An active flag (0/1) unless it is the next plugin's number followed by a name.
            if not (i + 1 < len(args) and isinstance(args[i + 1], str)):
                active = bool(nxt)
                i += 1
        out.append((piid, name, active))
    return PluginList(ssid, tuple(out))


def _spec(args: Sequence[object]) -> ParamSpec | None:
    """One descriptor message's parameter, or None if malformed."""
    if len(args) < 11:
        return None
    number, name, flags = as_int(args[2]), args[3], as_int(args[4])
    lower, upper, fmt, n_scale = as_float(args[6]), as_float(args[7]), args[8], as_int(args[9])
    if (
        number is None
        or not isinstance(name, str)
        or flags is None
        or lower is None
        or upper is None
        or not isinstance(fmt, str)
        or n_scale is None
        or n_scale < 0
        or len(args) < 11 + 2 * n_scale
    ):
        return None
    choices = []
    for k in range(n_scale):
        v, label = as_float(args[10 + 2 * k]), args[11 + 2 * k]
        if v is not None and isinstance(label, str):
            choices.append((v, label))
    value = as_float(args[10 + 2 * n_scale])
    toggle = bool(flags & _FLAG_TOGGLED)
    return ParamSpec(
        number=number,
        name=name,
        min=lower,
        max=upper,
        unit="" if toggle else unit_of_format(fmt),
        value=value,
        settable=bool(flags & _FLAG_INPUT),
        toggle=toggle,
        integer=bool(flags & (_FLAG_INTEGER | _FLAG_ENUM)),
        logarithmic=bool(flags & _FLAG_LOG),
        choices=tuple(choices),
    )


class DescriptorCollector:
    """Gathers ``/strip/plugin/descriptor`` messages until ``descriptor_end``."""

    def __init__(self) -> None:
        self._open: dict[tuple[int, int], list[ParamSpec]] = {}
        self._names: dict[tuple[int, int], str] = {}

    def named(self, listing: PluginList) -> None:
        """Remember the plugins' names (a descriptor does not carry its plugin's name)."""
        if isinstance(listing.target, int):
            for piid, name, _ in listing.plugins:
                self._names[(listing.target, piid)] = name

    def part(self, args: Sequence[object]) -> None:
        """One parameter's message."""
        ssid = as_int(args[0]) if args else None
        piid = as_int(args[1]) if len(args) > 1 else None
        spec = _spec(args)
        if ssid is None or piid is None or spec is None:
            return
        specs = self._open.setdefault((ssid, piid), [])
        if len(specs) < 4096:  # a hostile flood cannot grow it without bound
            specs.append(spec)

    def end(self, args: Sequence[object]) -> list[PluginSpecs | Update]:
        """``descriptor_end``: the plugin's complete description and its values."""
        ssid = as_int(args[0]) if args else None
        piid = as_int(args[1]) if len(args) > 1 else None
        if ssid is None or piid is None:
            return []
        specs = self._open.pop((ssid, piid), [])
        units = _ACE_UNITS.get(self._names.get((ssid, piid), "").removesuffix(" (stereo)"), {})
        specs = [replace(s, unit=units.get(s.name, "")) if not s.unit else s for s in specs]
        return [PluginSpecs(ssid, piid, tuple(specs))]


def decode_sends(args: Sequence[object]) -> list[Update]:
    """``/strip/sends``: each send's level in dB and whether it is on."""
    ssid = as_int(args[0]) if args else None
    if ssid is None:
        return []
    out: list[Update] = []
    for k in range(1, len(args) - 4, 5):
        number, level, active = as_int(args[k + 2]), as_float(args[k + 3]), as_int(args[k + 4])
        target_name = args[k + 1]
        if number is None or level is None or active is None or not isinstance(target_name, str):
            continue
        out.append(Update(ssid, f"send/{number}/level_db", position_to_db(level), 1e-4))
        out.append(Update(ssid, f"send/{number}/active", bool(active)))
        out.append(Update(ssid, f"send/{number}/name", target_name))
    return out
