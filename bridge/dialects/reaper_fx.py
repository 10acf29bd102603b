"""Plugin parameters in their units, for the REAPER dialect, where the plugin is known.

REAPER's OSC carries plugin parameters as normalised 0..1 values
(``FX_PARAM_VALUE n/track/@/fx/@/fxparam/@/value``) with no published mapping.
For the virtual DAW's plugins (:mod:`bridge.dialects.virtual_fx`: ``EQ``,
``Compressor``, ``Reverb``, ``Delay``) the mapping is known, so the dialect
recognises a plugin by the name the DAW reported for its slot (``fx/N/name``)
and presents its parameters in their units: a normalised value is mapped with
:meth:`~bridge.dialects.virtual_fx.FxParam.from_norm`, a text (``"3.00 dB"``)
parsed with :meth:`~bridge.dialects.virtual_fx.FxParam.parse_text`, and a value
to set is checked against the range in units and sent as
:meth:`~bridge.dialects.virtual_fx.FxParam.to_norm`. Any other plugin keeps
the normalised 0..1 values.
"""

from __future__ import annotations

import math
from typing import Final

from bridge.dialects.base import TrackId, Update
from bridge.dialects.plugins import ParamSpec
from bridge.dialects.reaper_addresses import ReaperAddress, build
from bridge.dialects.virtual_fx import EQ, EQ_BANDS, PLUGINS, FxParam, FxPlugin

__all__ = [
    "FLOAT32_EPS",
    "SlotNames",
    "eq_address",
    "norm_tolerance",
    "param_spec",
    "text_tolerance",
]

FLOAT32_EPS: Final = 2.0**-23
"""Relative precision of a float32, the wire type of REAPER's ``n`` values."""


class SlotNames:
    """The plugin names a REAPER-dialect DAW reported, per track and FX slot."""

    def __init__(self) -> None:
        self._names: dict[tuple[TrackId, int], str] = {}

    def learn(self, target: TrackId, fx: int, name: str) -> None:
        """Remember that slot ``fx`` of ``target`` holds the plugin called ``name``."""
        self._names[(target, fx)] = name

    def plugin(self, target: TrackId, fx: int) -> FxPlugin | None:
        """The virtual plugin in slot ``fx`` of ``target``, or None (unknown or another)."""
        name = self._names.get((target, fx))
        return None if name is None else PLUGINS.get(name)

    def param(self, target: TrackId, fx: int, number: int) -> FxParam | None:
        """Parameter ``number`` of the virtual plugin in that slot, or None."""
        plugin = self.plugin(target, fx)
        return None if plugin is None else plugin.param(number)

    def decode(
        self, target: TrackId, a: ReaperAddress, arg: object, *, selected: bool = False
    ) -> list[Update]:
        """Decode a plugin word of track ``target`` (``fx/@/name``, ``fx/@/fxparam/@/value``…).

        A slot's name is learnt from ``fx/@/name``; a virtual plugin's values
        come in units (also from ``/value/str`` texts) and its ``/bypass`` as
        ``fx/N/active``; any other plugin's values stay normalised 0..1.
        Parameter names come only for the device-selected track (``selected``),
        as REAPER sends them.
        """
        if not a.word.startswith("fx/@/") or len(a.numbers) != a.word.count("@"):
            return []
        fx = a.number(0)
        text = arg if isinstance(arg, str) else None
        if a.word == "fx/@/name" and text is not None:
            self.learn(target, fx, text)
            return [Update(target, f"fx/{fx}/name", text)]
        if a.word == "fx/@/fxparam/@/name" and text is not None and selected:
            return [Update(target, f"fx/{fx}/param/{a.number(1)}/name", text)]
        if a.word == "fx/@/bypass" and self.plugin(target, fx) is not None:
            u = _unit(arg)
            return [] if u is None else [Update(target, f"fx/{fx}/active", u < 0.5)]
        if a.word not in ("fx/@/fxparam/@/value", "fx/@/fxparam/@/value/str"):
            return []
        key = f"fx/{fx}/param/{a.number(1)}"
        spec = self.param(target, fx, a.number(1))
        if a.word.endswith("/str"):  # the virtual DAW's texts, for its plugins only
            v = None if spec is None or text is None else spec.parse_text(text)
            if spec is None or v is None or not spec.in_range(v):
                return []
            return [
                Update(target, f"{key}/text", text),
                Update(target, key, v, text_tolerance(spec)),
            ]
        u = _unit(arg)
        if u is None:
            return []
        if spec is None:
            return [Update(target, key, u, 1e-6)]
        # A float32 carries about 7 significant digits: 99.9999967 Hz is the 100 Hz sent.
        v = float(f"{spec.from_norm(u):.7g}")
        return [Update(target, key, v, norm_tolerance(spec, v))]


def _unit(arg: object) -> float | None:
    """A normalised argument in 0..1 (not a bool, NaN or huge int), else None."""
    if isinstance(arg, bool) or not isinstance(arg, int | float):
        return None
    try:
        f = float(arg)
    except OverflowError:
        return None
    return f if 0.0 <= f <= 1.0 else None


_EQ_WORDS: Final = {"freq": "freq/hz", "gain": "gain/db", "BW": "q/oct"}


def eq_address(track: int, plugin: FxPlugin | None, fx: int, name: str) -> str | None:
    """The ``FX_EQ_*`` address (``f``, in units) of EQ parameter ``name``, or None.

    Only for the virtual EQ in slot 1 (REAPER's track-EQ addresses address the
    track's first EQ): ``Band 1 gain`` → ``/track/N/fxeq/band/1/gain/db``,
    ``Output gain`` → ``/track/N/fxeq/gain/db``. A float32 in units keeps
    values such as 3.0 dB or 1000 Hz exact, where a normalised value would not.
    """
    if plugin is not EQ or fx != 1:
        return None
    if name == "Output gain":
        return build(track, "fxeq/gain/db")
    for band in EQ_BANDS:
        label, _, field = name.rpartition(" ")
        if label == band.label and field in _EQ_WORDS:
            return build(track, f"fxeq/BAND/{_EQ_WORDS[field]}", band=band.key)
    return None


def norm_tolerance(spec: FxParam, value: float) -> float:
    """How far a value decoded from a float32 normalised value may be from the exact one.

    A linear parameter moves ``(max - min)`` per unit of the normalised value;
    a logarithmic one ``value · ln(max / min)``. Four float32 steps of margin.
    """
    slope = value * math.log(spec.max / spec.min) if spec.log else spec.max - spec.min
    return 4.0 * FLOAT32_EPS * max(abs(slope), 1.0)


def text_tolerance(spec: FxParam) -> float:
    """Half the last digit of the parameter's display text, plus a float32 step."""
    return 0.5 * 10.0**-spec.digits + FLOAT32_EPS * max(abs(spec.min), abs(spec.max))


def param_spec(spec: FxParam, number: int, value: object = None, text: object = None) -> ParamSpec:
    """A virtual plugin's parameter as the mixer describes it, in its units.

    Args:
        spec: The parameter.
        number: Its 1-based number.
        value: The value in units the DAW reported (or None).
        text: The display text the DAW reported (or None).
    """
    return ParamSpec(
        number=number,
        name=spec.name,
        min=spec.min,
        max=spec.max,
        unit=spec.unit,
        value=float(value) if isinstance(value, int | float) else None,
        default=spec.default,
        logarithmic=spec.log,
        text=text if isinstance(text, str) else None,
    )
