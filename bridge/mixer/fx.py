"""A track's plugins and their parameters, by number or by name, in the parameter's own units.

>>> eq = mixer.tracks["Vocals"].fx["ACE EQ"]                 # doctest: +SKIP
>>> eq.params["Gain 1"].value = -6.0                          # dB, confirmed by the DAW
>>> eq.params["Frequency 1"].value = 2500.0                   # Hz
>>> [(p.name, p.value, p.unit) for p in eq.params][:2]
[('Enable', 1.0, ''), ('Gain L', 0.0, 'dB')]

Names match case-insensitively; an unknown or ambiguous name raises
:class:`~bridge.errors.UnknownPluginError` listing the names there are. Every
read asks the DAW again where it describes plugins (Ardour), so a value is what
the engine holds now. See :mod:`bridge.mixer.plugins` for what is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bridge.dialects.path import ParamPath, Ref
from bridge.dialects.plugins import ParamSpec

if TYPE_CHECKING:
    from bridge.mixer.model import Track

__all__ = ["Fx", "FxChain", "Param", "Params"]


def _ref(ref: Ref, what: str) -> Ref:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TypeError(f"a {what} is a number from 1 or a name, not {ref!r}")
    if isinstance(ref, int) and ref < 1:
        raise IndexError(f"{what}s are numbered from 1, not {ref!r}")
    return ref


class Param:
    """One plugin parameter, in its own units (dB, Hz, ms, ratio…)."""

    def __init__(self, fx: Fx, ref: Ref) -> None:
        self._fx = fx
        self._ref = _ref(ref, "parameter")

    def _path(self) -> ParamPath:
        return ParamPath("param", "value", fx=self._fx.ref, param=self._ref)

    @property
    def spec(self) -> ParamSpec:
        """The parameter as the DAW describes it now (name, range, unit, value)."""
        desk = self._fx.track.mixer.plugins
        key = self._fx.track.key
        path, spec = desk.resolve(key, self._path())
        if spec is None:  # pragma: no cover - a param path always has a spec
            raise AssertionError(path)
        return spec

    @property
    def number(self) -> int:
        """The parameter's 1-based number."""
        return self.spec.number

    @property
    def name(self) -> str:
        """The parameter's name."""
        return self.spec.name

    @property
    def value(self) -> float:
        """The value the DAW holds now, in the parameter's units (nan if unreported)."""
        v = self.spec.value
        return float("nan") if v is None else v

    @value.setter
    def value(self, value: float) -> None:
        self._fx.track.mixer.plugins.set(self._fx.track.key, self._path(), value)

    @property
    def min(self) -> float:
        """The lowest value the DAW accepts."""
        return self.spec.min

    @property
    def max(self) -> float:
        """The highest value the DAW accepts."""
        return self.spec.max

    @property
    def unit(self) -> str:
        """``"dB"``, ``"Hz"``, ``"ms"``…, ``""``, or ``"normalized"`` (0..1, REAPER)."""
        return self.spec.unit

    @property
    def default(self) -> float | None:
        """The default value, where the DAW reports it."""
        return self.spec.default

    def __repr__(self) -> str:
        return f"Param({self._fx!r}, {self._ref!r})"


class Params:
    """A plugin's parameters: ``params[4]``, ``params["Gain 1"]``, iteration, ``len``."""

    def __init__(self, fx: Fx) -> None:
        self._fx = fx

    def __getitem__(self, ref: Ref) -> Param:
        return Param(self._fx, ref)

    def __setitem__(self, ref: Ref, value: float) -> None:
        self[ref].value = value

    def specs(self) -> tuple[ParamSpec, ...]:
        """Every parameter as the DAW describes it now."""
        desk = self._fx.track.mixer.plugins
        return desk.describe(self._fx.track.key, self._fx.number).params

    def __iter__(self) -> Iterator[Param]:
        for spec in self.specs():
            yield Param(self._fx, spec.number)

    def __len__(self) -> int:
        return len(self.specs())


class Fx:
    """One plugin on a track (EQ, compressor, reverb, delay…)."""

    def __init__(self, track: Track, ref: Ref) -> None:
        self.track = track
        self.ref = _ref(ref, "plugin")

    @property
    def number(self) -> int:
        """The plugin's 1-based number (resolved now, if it was named)."""
        if isinstance(self.ref, int) and not self.track.mixer.dialect.describes_plugins:
            return self.ref
        named = ParamPath("fx", "name", fx=self.ref)
        path, _ = self.track.mixer.plugins.resolve(self.track.key, named)
        return path.fx_number

    def _entry(self) -> tuple[int, str, bool | None]:
        number = self.number
        listing = self.track.mixer.plugins.plugins(self.track.key)
        return next(e for e in listing.plugins if e[0] == number)

    @property
    def name(self) -> str:
        """The plugin's name, as the DAW reports it."""
        return self._entry()[1]

    @property
    def active(self) -> bool | None:
        """Whether the plugin is processing (None where the DAW does not say)."""
        return self._entry()[2]

    @active.setter
    def active(self, on: bool) -> None:
        self.track.mixer.plugins.set(self.track.key, ParamPath("fx", "active", fx=self.ref), on)

    @property
    def bypass(self) -> bool | None:
        """The opposite of :attr:`active`."""
        on = self.active
        return None if on is None else not on

    @bypass.setter
    def bypass(self, value: bool) -> None:
        self.active = not value

    @property
    def params(self) -> Params:
        """The plugin's parameters: ``params[1]`` or ``params["Gain 1"]``."""
        return Params(self)

    def __repr__(self) -> str:
        return f"Fx({self.track!r}, {self.ref!r})"


class FxChain:
    """A track's plugins: ``fx[1]``, ``fx["ACE EQ"]``, iteration, ``len``."""

    def __init__(self, track: Track) -> None:
        self._track = track

    def __getitem__(self, ref: Ref) -> Fx:
        return Fx(self._track, ref)

    def __iter__(self) -> Iterator[Fx]:
        for number, _, _ in self._track.mixer.plugins.plugins(self._track.key).plugins:
            yield Fx(self._track, number)

    def __len__(self) -> int:
        return len(self._track.mixer.plugins.plugins(self._track.key).plugins)
