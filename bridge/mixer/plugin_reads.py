"""A mixer's plugins read: lists, descriptions with current values, names resolved to numbers.

Where the DAW describes its plugins (:attr:`Dialect.describes_plugins`), every
read asks it again, so a value is what the engine holds now. Elsewhere (REAPER)
the parameters are the 0..1 values and names the DAW pushes, except for plugins
the dialect knows (:meth:`~bridge.dialects.base.Dialect.pushed_spec`), which are
in their units. An unknown or ambiguous name is an
:class:`~bridge.errors.UnknownPluginError` listing the names there are. The
checked, confirmed sets are in :mod:`bridge.mixer.plugins`.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import TYPE_CHECKING, Final

from bridge.dialects.base import TrackId
from bridge.dialects.path import ParamPath, Ref, parse
from bridge.dialects.plugins import ParamSpec, PluginList, PluginSpecs
from bridge.errors import BridgeTimeoutError, UnknownPluginError

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer

__all__ = ["NORMALIZED", "PluginReads"]

NORMALIZED: Final = "normalized"
"""The unit of a parameter the DAW only gives as 0..1 (REAPER's pushed values)."""

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


class PluginReads:
    """A mixer's plugins, read: lists, descriptions, and names resolved to numbers.

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
                        unit=NORMALIZED,
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
