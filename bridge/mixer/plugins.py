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
Lists, descriptions and names-to-numbers are in :mod:`bridge.mixer.plugin_reads`.
"""

from __future__ import annotations

from bridge.dialects.base import TrackId, Value
from bridge.dialects.path import ParamPath
from bridge.dialects.plugins import ParamSpec, describe_range
from bridge.errors import BridgeTimeoutError, ValueRangeError
from bridge.mixer.plugin_reads import NORMALIZED, PluginReads

__all__ = ["PluginDesk"]


class PluginDesk(PluginReads):
    """A mixer's plugins: lists, descriptions (:class:`PluginReads`), checked and confirmed sets.

    Args:
        mixer: The connected mixer.
    """

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
            if spec.unit == NORMALIZED:
                problem += f"; mixdesk sets {self._title}'s plugin parameters normalized 0..1"
            raise ValueRangeError(f"{self._label(target, p, spec)}: {problem}; nothing was sent")
        return min(max(v, spec.min), spec.max)  # onto a range end it matched to float32
