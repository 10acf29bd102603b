"""The virtual DAW's plugin, EQ and send addresses: what each does to a track's state.

Pure: a parsed address (:func:`bridge.dialects.reaper_addresses.parse_address`)
and its argument in, a :class:`Change` (or the one-line reason it was refused)
out. Values are kept in units (:mod:`bridge.dialects.virtual_fx`).

* FX slots (``Default.ReaperOSC`` ``FX_*``): ``/track/N/fx/F/fxparam/P/value``
  (``n``: the parameter's normalised 0..1, mapped with
  :meth:`~bridge.dialects.virtual_fx.FxParam.from_norm`), ``/fx/F/bypass``
  (``b``: 1 bypasses the whole plugin).
* The track EQ (``FX_EQ_*``, slot 1 of every stem track and the master):
  ``/fxeq/BAND/freq/hz``, ``/gain/db``, ``/q/oct`` (``f``, in Hz, dB and
  octaves of bandwidth), their normalised forms ``/freq``, ``/gain``, ``/q``
  (``n``), ``/fxeq/BAND/bypass`` (``b``), ``/fxeq/bypass`` (``b``, the whole
  EQ), ``/fxeq/gain/db`` (``f``, output gain), ``/fxeq/gain`` and
  ``/fxeq/wetdry`` (``n``). Setting any value of a band turns the band on.
* Sends (stem tracks; send 1 feeds ``Reverb``, send 2 ``Delay``):
  ``/track/N/send/S/volume`` (``n``, the volume fader law) and
  ``/send/S/volume/db`` (``f``, dB; REAPER users add this pattern).

Values out of range, normalised values outside 0..1, and a gain on the
high-pass or the notch are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bridge.dialects.base import as_float
from bridge.dialects.reaper_addresses import ReaperAddress
from bridge.dialects.virtual_fx import EQ, EQ_BANDS, eq_band
from bridge.virtual.state import PluginState, TrackState
from bridge.virtual.tracks import volume_db

__all__ = ["Change", "apply_plugin", "band_of", "is_plugin_word"]

_EQ_FIELDS = {"freq": ("freq", False), "freq/hz": ("freq", True), "gain": ("gain", False)}
_EQ_FIELDS |= {"gain/db": ("gain", True), "q": ("BW", False), "q/oct": ("BW", True)}


@dataclass(frozen=True, slots=True)
class Change:
    """What a plugin or send address changed.

    Attributes:
        slot: The plugin's FX slot (1-based), or 0 for a send.
        param: The automation lane's parameter (``fx/N/param/M``,
            ``send/N/level_db``), or None for an on/off change.
        before: The value before, in units (dB for a send).
        value: The value now.
    """

    slot: int
    param: str | None = None
    before: float = math.nan
    value: float = math.nan


def is_plugin_word(word: str) -> bool:
    """Whether ``word`` is a plugin, EQ or send word of this module."""
    return word.startswith(("fx/", "fxeq/", "send/"))


def band_of(param_name: str) -> str | None:
    """The key of the EQ band a parameter belongs to (``"Band 1 gain"`` → ``"band/1"``)."""
    return next((b.key for b in EQ_BANDS if param_name.startswith(f"{b.label} ")), None)


def _f(arg: object) -> float | None:
    try:
        f = as_float(arg)
    except OverflowError:
        return None
    return f if f is not None and math.isfinite(f) else None


def _set(p: PluginState, slot: int, number: int, value: float) -> Change:
    spec = p.plugin.params[number - 1]
    before = p.values[number - 1]
    p.values[number - 1] = value
    if p.plugin is EQ:
        band = band_of(spec.name)
        if band is not None:
            p.bands_on.add(band)
    return Change(slot, f"fx/{slot}/param/{number}", before, value)


def _value(p: PluginState, slot: int, number: int, arg: object, units: bool) -> Change | str:
    spec = p.plugin.param(number)
    if spec is None:
        return f"{p.plugin.name} has no parameter {number} (it has {len(p.plugin.params)})"
    f = _f(arg)
    if f is None:
        return f"{p.plugin.name} {spec.name} needs a number"
    if units:
        if not spec.in_range(f):
            return f"{p.plugin.name} {spec.name} {f:g} is outside {spec.min:g}..{spec.max:g}"
        return _set(p, slot, number, f)
    if not 0.0 <= f <= 1.0:
        return f"{p.plugin.name} {spec.name} takes a normalised 0..1 value, not {f:g}"
    return _set(p, slot, number, spec.from_norm(f))


def _eq(a: ReaperAddress, p: PluginState, arg: object) -> Change | str:
    rest = a.word[len("fxeq/") :]
    if rest == "bypass":
        return _bypass(p, 1, arg)
    if rest in ("gain", "gain/db", "wetdry"):
        number = EQ.number("Wet" if rest == "wetdry" else "Output gain")
        assert number is not None
        return _value(p, 1, number, arg, units=rest == "gain/db")
    band = eq_band(a.band or "")
    if band is None:
        return f"the EQ has no band {a.band!r}"
    field = rest[len("BAND/") :]
    if field == "bypass":
        f = _f(arg)
        if f not in (0.0, 1.0):
            return "a band's bypass is 0 or 1"
        if f == 1.0:
            p.bands_on.discard(band.key)
        else:
            p.bands_on.add(band.key)
        return Change(1)
    if field not in _EQ_FIELDS:
        return f"{a.word} is feedback only"
    suffix, units = _EQ_FIELDS[field]
    number = EQ.number(f"{band.label} {suffix}")
    if number is None:
        return f"the EQ's {band.label.lower()} has no gain"
    return _value(p, 1, number, arg, units)


def _bypass(p: PluginState, slot: int, arg: object) -> Change | str:
    f = _f(arg)
    if f not in (0.0, 1.0):
        return "bypass is 0 or 1"
    p.active = f == 0.0
    return Change(slot)


def _send(a: ReaperAddress, t: TrackState, arg: object) -> Change | str:
    s = a.number(0)
    if not 1 <= s <= len(t.sends_db):
        return f"no send {s} (the track has {len(t.sends_db)})"
    if a.word not in ("send/@/volume", "send/@/volume/db"):
        return f"{a.word} is feedback only"
    db = volume_db(a.word, arg)
    if db is None:
        return "a send level needs a number (dB, or a fader value 0..1)"
    before = t.sends_db[s - 1]
    t.sends_db[s - 1] = db
    return Change(0, f"send/{s}/level_db", before, db)


def apply_plugin(
    a: ReaperAddress, plugins: list[PluginState], t: TrackState | None, arg: object
) -> Change | str:
    """Apply a plugin, EQ or send address to a track's plugins (or sends).

    Args:
        a: The parsed address (track scope, :func:`is_plugin_word`).
        plugins: The track's (or master's) plugins, slot 1 first.
        t: The track, for its sends; None for the master (it has none).
        arg: The message's first argument.

    Returns:
        What changed, or the one-line reason it was refused.
    """
    if a.word.startswith("send/"):
        return "the master has no sends here" if t is None else _send(a, t, arg)
    if a.word.startswith("fxeq/"):
        if not plugins or plugins[0].plugin is not EQ:
            return "this track has no EQ (a return track's slot 1 is its effect)"
        return _eq(a, plugins[0], arg)
    slot = a.number(0)
    if not 1 <= slot <= len(plugins):
        return f"no FX {slot} (the track has {len(plugins)})"
    p = plugins[slot - 1]
    if a.word == "fx/@/bypass":
        return _bypass(p, slot, arg)
    if a.word == "fx/@/fxparam/@/value":
        return _value(p, slot, a.number(1), arg, units=False)
    return f"{a.word} is feedback only"
