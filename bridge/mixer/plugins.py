"""Plugins and their parameters on a connected mixer: by number or name, checked, confirmed.

Where the DAW describes its plugins (:attr:`Dialect.describes_plugins`: Ardour, in
each parameter's units; Live, in each parameter's own ``min..max``), every read asks
it again, so a value is what the engine holds now, and every set is checked
against the parameter's range *before* anything is sent, then confirmed by a
fresh description. Elsewhere (REAPER) the parameters are the 0..1 values and
names the DAW pushes, except for plugins the dialect knows
(:meth:`~bridge.dialects.base.Dialect.pushed_spec`: the virtual DAW's EQ,
compressor, reverb and delay), which are in their units and confirmed by the
values the DAW pushes back.

Nothing here fails silently: an unknown or ambiguous name lists the names there
are; a value the DAW would not take is a :class:`~bridge.errors.ValueRangeError`
naming the track, plugin, parameter, value and range, and nothing is sent; a set
the DAW does not confirm in time is a :class:`~bridge.errors.BridgeTimeoutError`.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import TYPE_CHECKING, Final

from bridge.dialects.base import TrackId, Value
from bridge.dialects.path import ParamPath, Ref, parse
from bridge.dialects.plugins import ParamSpec, PluginList, PluginSpecs, describe_range
from bridge.errors import BridgeTimeoutError, UnknownPluginError, ValueRangeError

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer

__all__ = ["PluginDesk"]

_NORMALIZED: Final = "normalized"
_PROBE_FX: Final = 8  # how many plugin names to look for on a DAW that only answers by path


def _pick(
    ref: Ref, items: list[tuple[int, str]], what: str, where: str, *, part: bool = False
) -> int:
    """The number of the item ``ref`` names (a number, or a case-insensitive name)."""
    names = ", ".join(f"{n} {name!r}" for n, name in items) or "none"
    if isinstance(ref, int):
        if any(n == ref for n, _ in items):
            return ref
        raise UnknownPluginError(f"no {what} {ref} on {where} (there are: {names})")
    folded = ref.strip().casefold()
    found = [n for n, name in items if name == ref]
    found = found or [n for n, name in items if name.casefold() == folded]
    if part and not found:
        # For a plugin, a unique word or words of its name will do ("ReaEQ" for
        # REAPER's "ReaEQ (Cockos)"); never for a parameter ("on" is no "Gain Reduction").
        pattern = re.compile(rf"(?<![\w]){re.escape(folded)}(?![\w])")
        found = [n for n, name in items if pattern.search(name.casefold())]
    if len(found) == 1:
        return found[0]
    if found:
        numbers = ", ".join(str(n) for n in found)
        raise UnknownPluginError(
            f"{what} name {ref!r} on {where} is ambiguous (numbers {numbers}); use a number"
        )
    raise UnknownPluginError(f"no {what} named {ref!r} on {where} (there are: {names})")


class PluginDesk:
    """A mixer's plugins: lists, descriptions, checked and confirmed sets.

    Args:
        mixer: The connected mixer.
    """

    def __init__(self, mixer: Mixer) -> None:
        self._mixer = mixer

    @property
    def _title(self) -> str:
        return self._mixer.dialect.title

    def _where(self, target: TrackId) -> str:
        return self._mixer.label(target)

    # ---- lists and descriptions ----
    def plugins(self, target: TrackId) -> PluginList:
        """The track's plugins, as the DAW reports them now.

        Raises:
            BridgeTimeoutError: The DAW did not answer in time.
        """
        m = self._mixer
        if m.dialect.describes_plugins:
            since = m.mirror.generation
            m.send_raw(m.dialect.list_plugins(target))
            box: list[PluginList] = []

            def arrived(_: object) -> bool:
                listing = m.mirror.plugins_since(target, since)
                if listing is not None:
                    box.append(listing)
                return listing is not None

            if not m.mirror.wait_for(arrived, m.timeout):
                raise BridgeTimeoutError(
                    f"{self._title} did not list the plugins of {self._where(target)}"
                    f" within {m.timeout:g} s"
                )
            return box[-1]
        return self._pushed_plugins(target)

    def _pushed_plugins(self, target: TrackId) -> PluginList:
        m = self._mixer
        values = m.mirror.params(target)
        asks = bool(m.dialect.query(target, "fx/1/name"))  # REAPER pushes names
        if asks and not any(k.startswith("fx/") and k.endswith("/name") for k in values):
            with contextlib.suppress(BridgeTimeoutError):
                m.get(target, "fx/1/name")
            values = m.mirror.params(target)
        found = []
        for n in range(1, 1024):
            name = values.get(f"fx/{n}/name")
            if name is None:
                if n > _PROBE_FX:
                    break
                continue
            if isinstance(name, str) and name:
                active = values.get(f"fx/{n}/active")
                found.append((n, name, None if active is None else bool(active)))
        return PluginList(target, tuple(found))

    def describe(self, target: TrackId, fx: int) -> PluginSpecs:
        """Every parameter of plugin ``fx``, with its current value.

        Raises:
            BridgeTimeoutError: The DAW did not answer in time.
        """
        m = self._mixer
        if not m.dialect.describes_plugins:
            return self._pushed_specs(target, fx)
        since = m.mirror.generation
        m.send_raw(m.dialect.describe_plugin(target, fx))
        got = self._wait_specs(target, fx, since)
        if got is None:
            raise BridgeTimeoutError(
                f"{self._title} did not describe plugin {fx} of {self._where(target)}"
                f" within {m.timeout:g} s"
            )
        return got

    def _wait_specs(self, target: TrackId, fx: int, since: int) -> PluginSpecs | None:
        m = self._mixer
        box: list[PluginSpecs] = []

        def arrived(_: object) -> bool:
            specs = m.mirror.specs_since(target, fx, since)
            if specs is not None:
                box.append(specs)
            return specs is not None

        return box[-1] if m.mirror.wait_for(arrived, m.timeout) else None

    def _pushed_specs(self, target: TrackId, fx: int) -> PluginSpecs:
        m = self._mixer
        values = m.mirror.params(target)
        prefix = f"fx/{fx}/param/"
        if not any(k.startswith(prefix) and k.endswith("/name") for k in values):
            with contextlib.suppress(BridgeTimeoutError):  # asks where the DAW answers by path
                m.get(target, f"{prefix}1/name")
            self._wait_all_names(target, fx)
            values = m.mirror.params(target)
        specs = []
        for key, name in values.items():
            rest = key[len(prefix) :].split("/") if key.startswith(prefix) else []
            if len(rest) == 2 and rest[1] == "name" and rest[0].isdigit():
                number = int(rest[0])
                value = values.get(f"{prefix}{number}")
                text = values.get(f"{prefix}{number}/text")
                known = m.dialect.pushed_spec(target, fx, number, value, text)
                if known is not None:  # a plugin the dialect knows: in its units
                    specs.append(known)
                    continue
                specs.append(
                    ParamSpec(
                        number=number,
                        name=str(name),
                        min=0.0,
                        max=1.0,
                        unit=_NORMALIZED,
                        value=float(value) if isinstance(value, int | float) else None,
                        text=text if isinstance(text, str) else None,
                    )
                )
        return PluginSpecs(target, fx, tuple(sorted(specs, key=lambda s: s.number)))

    def _wait_all_names(self, target: TrackId, fx: int) -> None:
        """Wait until every parameter name of plugin ``fx`` has arrived.

        The names come in several packets after the first: with a known count,
        until all are there; otherwise until none has come for 0.1 s (at most
        the mixer's timeout either way).
        """
        m = self._mixer
        prefix = f"fx/{fx}/param/"

        def names() -> int:
            return sum(
                1 for k in m.mirror.params(target) if k.startswith(prefix) and k.endswith("/name")
            )

        count = m.dialect.pushed_param_count(target, fx)
        if count is not None:
            m.mirror.wait_for(lambda _: names() >= count, m.timeout)
            return
        deadline = time.monotonic() + m.timeout
        seen = names()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = names()
            if now == seen:
                return
            seen = now

    # ---- names to numbers ----
    def resolve(self, target: TrackId, path: str | ParamPath) -> tuple[ParamPath, ParamSpec | None]:
        """The path with its plugin and parameter as numbers, and the parameter's spec.

        Raises:
            UnknownPluginError: No such plugin or parameter, or an ambiguous name.
            BridgeTimeoutError: The DAW did not answer in time.
        """
        p = parse(path)
        if p.kind not in ("fx", "param"):
            return p, None
        assert p.fx is not None
        where = self._where(target)
        if isinstance(p.fx, int) and p.kind == "fx" and not self._mixer.dialect.describes_plugins:
            return p, None
        listing = self.plugins(target)
        plugins = [(n, name) for n, name, _ in listing.plugins]
        fx = _pick(p.fx, plugins, "plugin", where, part=True)
        if p.kind == "fx":
            return p.with_numbers(fx), None
        assert p.param is not None
        specs = self.describe(target, fx)
        name = next(nm for n, nm, _ in listing.plugins if n == fx)
        items = [(s.number, s.name) for s in specs.params]
        number = _pick(p.param, items, "parameter", f"plugin {fx} {name!r} of {where}")
        return p.with_numbers(fx, number), next(s for s in specs.params if s.number == number)

    # ---- sets ----
    def set(self, target: TrackId, path: str | ParamPath, value: Value) -> float | bool:
        """Set a plugin parameter (in its units) or a plugin's active flag, and confirm it.

        Returns:
            The value the DAW reports after the set.

        Raises:
            ValueRangeError: The value is out of range, not on/off, or read only;
                nothing was sent.
            UnknownPluginError: No such plugin or parameter.
            BridgeTimeoutError: The DAW did not confirm the value in time.
        """
        return self.send_checked(target, *self.check(target, path, value))

    def send_checked(
        self, target: TrackId, p: ParamPath, spec: ParamSpec | None, checked: float | bool
    ) -> float | bool:
        """Send a value :meth:`check` returned, and confirm it (no second resolve).

        Returns:
            The value the DAW reports after the set.

        Raises:
            BridgeTimeoutError: The DAW did not confirm the value in time.
        """
        m = self._mixer
        if spec is None:
            return self._set_active(target, p, bool(checked))
        v = float(checked)
        key = str(p)
        if not m.dialect.describes_plugins:
            m.set(target, key, v)
            if m.dialect.confirms(target, key):  # in units: float32 on the wire, relative
                m.wait_for(target, key, v, tolerance=max(1e-4, 1e-5 * abs(v)))
            return v
        since = m.mirror.generation
        m.set(target, key, v)
        m.send_raw(m.dialect.describe_plugin(target, p.fx_number))
        got = self._wait_specs(target, p.fx_number, since)
        now = (
            None
            if got is None
            else next((s.value for s in got.params if s.number == spec.number), None)
        )
        tolerance = 1e-5 * max(1.0, abs(v))
        if now is None or abs(now - v) > tolerance:
            shown = "no answer" if now is None else f"it reports {now:g}"
            raise BridgeTimeoutError(
                f"{m.dialect.title} did not confirm {self._label(target, p, spec)} = {v:g}"
                f" within {m.timeout:g} s ({shown})"
            )
        return now

    def check(
        self, target: TrackId, path: str | ParamPath, value: Value
    ) -> tuple[ParamPath, ParamSpec | None, float | bool]:
        """Resolve a plugin path and check a value for it, sending nothing.

        Returns:
            The path with numbers, the parameter's spec (None for ``fx/N/active``),
            and the value to send (clamped onto a range end it matches to float32).

        Raises:
            ValueRangeError: The value is out of range, not on/off, or read only.
            UnknownPluginError: No such plugin or parameter.
            BridgeTimeoutError: The DAW did not answer in time.
        """
        return self.check_resolved(target, *self.resolve(target, path), value)

    def check_resolved(
        self, target: TrackId, p: ParamPath, spec: ParamSpec | None, value: Value
    ) -> tuple[ParamPath, ParamSpec | None, float | bool]:
        """:meth:`check` for a path :meth:`resolve` already gave (no second round trip)."""
        if spec is not None:
            return p, spec, self._checked(target, p, spec, value)
        if not isinstance(value, bool) and value not in (0, 1):
            raise ValueRangeError(
                f"{self._where(target)}: plugin {p.fx} active must be on/off, not {value!r}"
            )
        return p, None, bool(value)

    def _set_active(self, target: TrackId, p: ParamPath, value: bool) -> bool:
        m = self._mixer
        key = str(p)
        m.mirror.forget(target, key)
        m.set(target, key, bool(value))
        m.wait_for(target, key, bool(value))
        return bool(value)

    def _label(self, target: TrackId, p: ParamPath, spec: ParamSpec) -> str:
        return f"{self._where(target)} plugin {p.fx} parameter {spec.number} {spec.name!r}"

    def _checked(self, target: TrackId, p: ParamPath, spec: ParamSpec, value: Value) -> float:
        if isinstance(value, bool):
            value = float(value)
        if not isinstance(value, int | float):
            raise ValueRangeError(f"{self._label(target, p, spec)} needs a number, not {value!r}")
        v = float(value)
        problem = spec.check(v)
        if problem is not None:
            if "out of range" not in problem:
                problem += f" (range {describe_range(spec)})"
            if spec.unit == _NORMALIZED:
                problem += f"; mixdesk sets {self._title}'s plugin parameters normalized 0..1"
            raise ValueRangeError(f"{self._label(target, p, spec)}: {problem}; nothing was sent")
        return min(max(v, spec.min), spec.max)  # onto a range end it matched to float32
