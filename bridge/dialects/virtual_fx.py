"""The virtual DAW's plugins: names, parameters, units, ranges, and their 0..1 mapping.

One home for these facts. The virtual DAW (:mod:`bridge.virtual`) builds its
channel strips from this table and serves it over REAPER's OSC addresses; the
REAPER dialect (:mod:`bridge.dialects.reaper`) reads it to show and set these
plugins' parameters in their own units (REAPER's OSC carries plugin parameters
as normalised 0..1 values, ``FX_PARAM_VALUE n/track/@/fx/@/fxparam/@/value``).
Pure: no numpy.

Every track and the master carry ``EQ`` (slot 1) and ``Compressor`` (slot 2);
the two return tracks carry ``Reverb`` and ``Delay`` (slot 1 each).

**Normalised mapping.** A linear parameter maps ``v`` in 0..1 to
``min + v · (max - min)``; a logarithmic one (frequencies, times, bandwidths,
ratio) to ``min · (max / min) ** v``. Both are exact inverses of
:meth:`FxParam.to_norm` up to float rounding.

**EQ bands** (REAPER's ``FX_EQ_*`` names in brackets): high-pass
(``hipass``), low shelf (``loshelf``), four peaking bands (``band/1`` …
``band/4``), notch (``notch``), high shelf (``hishelf``). Each band has a
frequency (Hz) and a bandwidth (octaves); the shelves and peaking bands also a
gain (dB). The high-pass and the notch have no gain (the RBJ cookbook's HPF and
notch have none); REAPER's ``/fxeq/hipass|notch/gain`` addresses are refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "COMPRESSOR",
    "DELAY",
    "EQ",
    "EQ_BANDS",
    "PLUGINS",
    "RETURN_PLUGINS",
    "REVERB",
    "STRIP_PLUGINS",
    "EqBand",
    "FxParam",
    "FxPlugin",
    "eq_band",
]


@dataclass(frozen=True)
class FxParam:
    """One parameter of a virtual plugin, in its own units.

    Attributes:
        name: Its name, as the FX-slot view shows it (e.g. ``"Band 1 gain"``).
        unit: ``"Hz"``, ``"dB"``, ``"oct"``, ``"ms"``, ``"s"``, ``"%"``, ``":1"``
            (a ratio) or ``""``.
        min: Lowest value, in ``unit``.
        max: Highest value, in ``unit``.
        default: Value before anything is set.
        log: Normalised values map logarithmically (else linearly).
        digits: Decimals of the display text.
    """

    name: str
    unit: str
    min: float
    max: float
    default: float
    log: bool = False
    digits: int = 2

    def to_norm(self, value: float) -> float:
        """The normalised 0..1 value of ``value`` (clamped into range)."""
        v = min(max(value, self.min), self.max)
        if self.log:
            return math.log(v / self.min) / math.log(self.max / self.min)
        return (v - self.min) / (self.max - self.min)

    def from_norm(self, norm: float) -> float:
        """The value, in units, of the normalised ``norm`` (clamped to 0..1)."""
        n = min(max(norm, 0.0), 1.0)
        if self.log:
            return min(max(self.min * float((self.max / self.min) ** n), self.min), self.max)
        return min(max(self.min + n * (self.max - self.min), self.min), self.max)

    def text(self, value: float) -> str:
        """Display text, e.g. ``"3.00 dB"``, ``"1000.0 Hz"``, ``"4.00:1"``."""
        if self.unit == ":1":
            return f"{value:.{self.digits}f}:1"
        unit = f" {self.unit}" if self.unit else ""
        return f"{value:.{self.digits}f}{unit}"

    def parse_text(self, text: str) -> float | None:
        """Parse :meth:`text` back to a value, or None if it is not this parameter's text."""
        m = _TEXT.match(text)
        if m is None or m.group(2).strip() != self.unit:
            return None
        return float(m.group(1))

    def in_range(self, value: float) -> bool:
        """True if ``value`` is finite and within ``min..max``."""
        return math.isfinite(value) and self.min <= value <= self.max


_TEXT: Final = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([A-Za-z%:1]*)\s*$")


@dataclass(frozen=True)
class FxPlugin:
    """A virtual plugin: its name and parameters (numbered from 1 in this order)."""

    name: str
    params: tuple[FxParam, ...]

    def number(self, name: str) -> int | None:
        """The 1-based number of the parameter called ``name`` (case-insensitive), or None."""
        folded = name.casefold()
        for i, p in enumerate(self.params, start=1):
            if p.name.casefold() == folded:
                return i
        return None

    def param(self, number: int) -> FxParam | None:
        """Parameter ``number`` (1-based), or None."""
        return self.params[number - 1] if 1 <= number <= len(self.params) else None

    def defaults(self) -> list[float]:
        """Every parameter's default, in order."""
        return [p.default for p in self.params]


@dataclass(frozen=True)
class EqBand:
    """One EQ band.

    Attributes:
        key: REAPER's ``FX_EQ`` word: ``hipass``, ``loshelf``, ``band/1`` …
            ``band/4``, ``notch``, ``hishelf``.
        label: The parameter-name prefix (``"High-pass"``, ``"Band 1"`` …).
        kind: The RBJ cookbook filter: ``hpf``, ``lowshelf``, ``peaking``,
            ``notch`` or ``highshelf``.
        freq: Default frequency in Hz.
        has_gain: Whether the band has a gain parameter.
    """

    key: str
    label: str
    kind: str
    freq: float
    has_gain: bool


EQ_BANDS: Final = (
    EqBand("hipass", "High-pass", "hpf", 40.0, has_gain=False),
    EqBand("loshelf", "Low shelf", "lowshelf", 100.0, has_gain=True),
    EqBand("band/1", "Band 1", "peaking", 250.0, has_gain=True),
    EqBand("band/2", "Band 2", "peaking", 800.0, has_gain=True),
    EqBand("band/3", "Band 3", "peaking", 2500.0, has_gain=True),
    EqBand("band/4", "Band 4", "peaking", 6000.0, has_gain=True),
    EqBand("notch", "Notch", "notch", 1000.0, has_gain=False),
    EqBand("hishelf", "High shelf", "highshelf", 8000.0, has_gain=True),
)
"""The EQ's bands in cascade order."""

EQ_FREQ: Final = (20.0, 20000.0)
EQ_GAIN: Final = (-24.0, 24.0)
EQ_BW: Final = (0.05, 4.0)
_HPF_BW: Final = 1.8995  # Q = 1/sqrt(2) (Butterworth) as a bandwidth in octaves


def _eq_params() -> tuple[FxParam, ...]:
    out: list[FxParam] = []
    for b in EQ_BANDS:
        out.append(FxParam(f"{b.label} freq", "Hz", *EQ_FREQ, b.freq, log=True, digits=1))
        if b.has_gain:
            out.append(FxParam(f"{b.label} gain", "dB", *EQ_GAIN, 0.0))
        bw = _HPF_BW if b.kind == "hpf" else 1.0
        out.append(FxParam(f"{b.label} BW", "oct", *EQ_BW, bw, log=True, digits=3))
    out.append(FxParam("Output gain", "dB", *EQ_GAIN, 0.0))
    out.append(FxParam("Wet", "%", 0.0, 100.0, 100.0, digits=1))
    return tuple(out)


def eq_band(key: str) -> EqBand | None:
    """The band REAPER's ``FX_EQ`` word ``key`` names (``"band/2"``, ``"hishelf"``), or None."""
    return next((b for b in EQ_BANDS if b.key == key), None)


EQ: Final = FxPlugin("EQ", _eq_params())
"""Track and master EQ (slot 1): RBJ cookbook biquads, see ``bridge.virtual.dsp.eq``."""

COMPRESSOR: Final = FxPlugin(
    "Compressor",
    (
        FxParam("Threshold", "dB", -60.0, 0.0, 0.0),
        FxParam("Ratio", ":1", 1.0, 20.0, 1.0, log=True),
        FxParam("Attack", "ms", 0.1, 200.0, 10.0, log=True),
        FxParam("Release", "ms", 5.0, 3000.0, 100.0, log=True, digits=1),
        FxParam("Knee", "dB", 0.0, 24.0, 0.0),
        FxParam("Makeup", "dB", 0.0, 24.0, 0.0),
    ),
)
"""Track and master compressor (slot 2): Giannoulis, Massberg and Reiss (2012)."""

REVERB: Final = FxPlugin(
    "Reverb",
    (
        FxParam("Decay", "s", 0.2, 10.0, 2.0, log=True),
        FxParam("Pre-delay", "ms", 0.0, 200.0, 0.0, digits=1),
        FxParam("Damping", "", 0.0, 1.0, 0.3, digits=3),
        FxParam("Width", "%", 0.0, 100.0, 100.0, digits=1),
    ),
)
"""The reverb return's effect (slot 1), 100 % wet."""

DELAY: Final = FxPlugin(
    "Delay",
    (
        FxParam("Time", "ms", 1.0, 2000.0, 375.0, log=True, digits=1),
        FxParam("Feedback", "%", 0.0, 95.0, 30.0, digits=1),
    ),
)
"""The delay return's effect (slot 1), 100 % wet."""

STRIP_PLUGINS: Final = (EQ, COMPRESSOR)
"""The plugins of every stem track and the master, slot 1 first."""

RETURN_PLUGINS: Final = (REVERB, DELAY)
"""The return tracks' effects, in track order (send 1 feeds the first)."""

PLUGINS: Final = {p.name: p for p in (*STRIP_PLUGINS, *RETURN_PLUGINS)}
"""Every virtual plugin by name."""
