"""Live's devices through AbletonOSC: lists, parameter descriptions and values, as Live has them.

Facts (AbletonOSC ``abletonosc/device.py`` and ``track.py``; ``docs/daw/ableton.md``):

- ``/live/track/get/devices/name t`` answers ``[t, name, name, ...]`` (device 0 first).
- ``/live/device/get/parameters/name|value|min|max|is_quantized t d`` each answer
  ``[t, d, v0, v1, ...]``: one list per property, over all of the device's parameters.
- ``/live/device/set/parameter/value t d p value`` takes the value in the
  parameter's own range (``DeviceParameter.min`` … ``max``), which is what Live
  shows its automation in; a listener (``start_listen/parameter/value``) reports
  the value at once and then every change, as ``[t, d, p, value]``.

So plugin values here are Live's own, in ``min..max`` as AbletonOSC reports them,
not 0..1; a quantized parameter takes whole steps. A description is complete when
all five lists asked for by :meth:`Devices.describe` have come back.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from bridge.dialects.base import Decoded, Update, as_float, as_int
from bridge.dialects.plugins import ParamSpec, PluginList, PluginSpecs
from bridge.osc.message import Message, message

__all__ = ["PROPERTIES", "Devices"]

PROPERTIES: Final = ("name", "value", "min", "max", "is_quantized")
"""The per-parameter lists AbletonOSC gives of a device, all asked for by a description."""


@dataclass
class _Device:
    """What AbletonOSC said of one device's parameters since it was last asked."""

    lists: dict[str, tuple[object, ...]] = field(default_factory=dict)
    describing: bool = False
    listening: set[int] = field(default_factory=set)


class Devices:
    """Every device's parameter lists, per (track index, device index), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._devices: dict[tuple[int, int], _Device] = {}
        self._names: dict[int, tuple[str, ...]] = {}

    def clear(self) -> None:
        """Forget everything (a new track list: indices may have shifted)."""
        with self._lock:
            self._devices.clear()
            self._names.clear()

    def device_list(self, t: int, names: tuple[str, ...]) -> list[Decoded]:
        """``devices/name``: the track's plugins; a replaced device's state is dropped."""
        with self._lock:
            old = self._names.get(t, ())
            for d in range(max(len(old), len(names))):
                if old[d : d + 1] != names[d : d + 1]:
                    self._devices.pop((t, d), None)
            self._names[t] = names
        out: list[Decoded] = [PluginList(t, tuple((d + 1, n, None) for d, n in enumerate(names)))]
        return out + [Update(t, f"fx/{d + 1}/name", n) for d, n in enumerate(names)]

    def describe(self, t: int, d: int) -> list[Message]:
        """The five list queries of a description (see :data:`PROPERTIES`)."""
        with self._lock:
            dev = self._devices.setdefault((t, d), _Device())
            dev.lists.clear()
            dev.describing = True
        return [message(f"/live/device/get/parameters/{p}", t, d) for p in PROPERTIES]

    def part(self, t: int, d: int, prop: str, values: Sequence[object]) -> list[Decoded]:
        """One ``parameters/<prop>`` list; the description when it is complete."""
        out: list[Decoded] = []
        if prop == "name":
            out = [
                Update(t, f"fx/{d + 1}/param/{p + 1}/name", str(n)) for p, n in enumerate(values)
            ]
        elif any(as_float(v) is None for v in values):
            return []
        with self._lock:
            dev = self._devices.setdefault((t, d), _Device())
            dev.lists[prop] = tuple(values)
            if dev.describing and all(p in dev.lists for p in PROPERTIES):
                dev.describing = False
                specs = _specs(dev.lists)
                if specs is not None:
                    out.append(PluginSpecs(t, d + 1, specs))
                    out += [
                        Update(t, f"fx/{d + 1}/param/{s.number}", s.value, 1e-6)
                        for s in specs
                        if s.value is not None
                    ]
        return out

    def value(self, t: int, d: int, p: int, native: float) -> list[Decoded]:
        """A listener's report: the parameter's value in its own range."""
        if p < 0 or math.isnan(native):
            return []
        return [Update(t, f"fx/{d + 1}/param/{p + 1}", native, 1e-6)]

    def reply(self, t: int, d: int, prop: str, rest: Sequence[object]) -> list[Decoded]:
        """A ``/live/device/get/<prop> t d ...`` reply of device ``d`` on track index ``t``."""
        if prop.startswith("parameters/"):
            return self.part(t, d, prop[len("parameters/") :], rest)
        if prop == "parameter/value" and len(rest) >= 2:
            p, native = as_int(rest[0]), as_float(rest[1])
            if p is None or native is None:
                return []
            return self.value(t, d, p, native)
        return []

    def listen(self, t: int, d: int, p: int) -> list[Message]:
        """Start the parameter's value listener once (it reports the value at once)."""
        with self._lock:
            dev = self._devices.setdefault((t, d), _Device())
            if p in dev.listening:
                return []
            dev.listening.add(p)
        return [message("/live/device/start_listen/parameter/value", t, d, p)]


def _specs(lists: dict[str, tuple[object, ...]]) -> tuple[ParamSpec, ...] | None:
    names, values = lists["name"], lists["value"]
    lo, hi, quantized = lists["min"], lists["max"], lists["is_quantized"]
    if not len(names) == len(values) == len(lo) == len(hi) == len(quantized):
        return None  # the device changed between the replies: ask again
    specs = []
    for p, name in enumerate(names):
        low, high, v = as_float(lo[p]), as_float(hi[p]), as_float(values[p])
        q = as_float(quantized[p])
        if low is None or high is None or v is None or q is None:
            return None
        step = q >= 0.5
        specs.append(
            ParamSpec(
                number=p + 1,
                name=str(name),
                min=low,
                max=high,
                value=v,
                integer=step,
                toggle=step and (low, high) == (0.0, 1.0),
            )
        )
    return tuple(specs)
