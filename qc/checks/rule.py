"""The rule base class, its options and the context a rule sees.

A rule is a class with a stable ``code`` (family prefix plus three digits), a
kebab-case ``name``, a default severity and declared options (kind, unit,
allowed values, item kind, bounds: a profile is validated against them when it
loads). Its docstring is its documentation: what it checks, when it fails and
passes, its options with units, and an example. ``check(ctx, opts, severity)``
is pure: it reads measurements and options, and yields
:class:`~qc.diagnostic.Diagnostic` values at the severity the profile gives it.
A file that could not be measured goes to ``check_unreadable`` instead
(FMT001 and FMT003 judge it), through the same runner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qc.audio import StreamInfo
from qc.codec.result import PreviewRun
from qc.diagnostic import Diagnostic, Severity
from qc.measure import Measurements

__all__ = ["CODE_PATTERN", "NAME_PATTERN", "Context", "Option", "Rule", "Unreadable"]

CODE_PATTERN = re.compile(r"^(FMT|CLP|TP|LUF|SIL|CH|HDR|DTH|LSY|ALB)\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """One option of a rule, declared with everything a profile may set it to.

    Attributes:
        name: Key in the profile's ``[rules.<rule-name>]`` table.
        kind: ``float``, ``int``, ``bool``, ``str`` or ``list``.
        default: Value when no profile sets it.
        unit: Unit of the value (``dBTP``, ``LUFS``, ``LU``, ``s``, ``Hz``...).
        help: One line for ``mixdesk explain``.
        choices: Allowed values (of each item, for a list); empty: any of its kind.
        item: Kind of each item of a ``list`` option (``int``, ``float``, ``str``).
        minimum: Lowest allowed number (of each item, for a list), in ``unit``.
        maximum: Highest allowed number (of each item, for a list), in ``unit``.
    """

    name: str
    kind: type
    default: Any
    unit: str = ""
    help: str = ""
    choices: tuple[Any, ...] = ()
    item: type | None = None
    minimum: float | None = None
    maximum: float | None = None

    def allowed(self) -> str:
        """The allowed values in words (``a number from -1 to 1``, ``one of 'never', ...``)."""
        if self.choices:
            listed = ", ".join(repr(c) for c in self.choices)
            return f"a list of {listed}" if self.kind is list else f"one of {listed}"
        if self.kind is list:
            plural = {int: "integers", float: "numbers", str: "strings"}
            return f"a list of {plural.get(self.item or object, 'values')}{self._range()}"
        return _kind_name(self.kind) + self._range()

    def _range(self) -> str:
        low, high = self.minimum, self.maximum
        unit = f" {self.unit}" if self.unit else ""
        if low is not None and high is not None:
            return f" from {low:g} to {high:g}{unit}"
        if low is not None:
            return f" of at least {low:g}{unit}"
        if high is not None:
            return f" of at most {high:g}{unit}"
        return ""

    def _in_range(self, value: Any) -> bool:
        if not isinstance(value, int | float):
            return True
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to the option's kind (a list becomes a tuple).

        Raises:
            ValueError: The value, or an item of a list, has the wrong type or
                is not an allowed value; the message reads after the key
                (``is 'sometimes'; expected one of never, headroom, always``).
        """
        if self.kind is list:
            if not isinstance(value, list):
                raise ValueError(f"is {value!r}; expected {self.allowed()}")
            for i, item in enumerate(value):
                bad_kind = self.item is not None and _convert(self.item, item) is None
                bad_choice = bool(self.choices) and item not in self.choices
                if bad_kind or bad_choice or not self._in_range(item):
                    raise ValueError(f"item {i} is {item!r}; expected {self.allowed()}")
            return tuple(_convert(self.item, v) if self.item else v for v in value)
        converted = _convert(self.kind, value)
        bad_choice = bool(self.choices) and converted not in self.choices
        if converted is None or bad_choice or not self._in_range(converted):
            raise ValueError(f"is {value!r}; expected {self.allowed()}")
        return converted


def _convert(kind: type, value: Any) -> Any:
    """``value`` as ``kind`` (an int is a float too), or ``None`` if it is not one."""
    if isinstance(value, bool) and kind is not bool:
        return None
    if kind is float and isinstance(value, int | float):
        return float(value)
    return value if isinstance(value, kind) else None


def _kind_name(kind: type) -> str:
    names = {float: "a number", int: "an integer", bool: "true or false", str: "a string"}
    return names.get(kind, kind.__name__)


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at for one file.

    Attributes:
        path: The file as the user named it.
        info: Stream facts (container, codec, rate, depth, channels).
        measurements: The one-pass measurements.
        profile: Name of the profile being applied.
        codec_preview: The codec preview's results (TP002), or None.
    """

    path: str
    info: StreamInfo
    measurements: Measurements
    profile: str
    codec_preview: PreviewRun | None = None


@dataclass(frozen=True)
class Unreadable:
    """What a rule may look at for a file that could not be measured.

    Attributes:
        path: The file as the user named it.
        reason: One line: why it could not be read.
        profile: Name of the profile being applied.
        codec: The lossy codec its first bytes show (``mp3``), else ``None``.
        container: The container those bytes show (``wav``), else ``None``.
    """

    path: str
    reason: str
    profile: str
    codec: str | None = None
    container: str | None = None


class Rule:
    """Base class of every rule; subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    enabled: ClassVar[bool] = True
    options: ClassVar[tuple[Option, ...]] = ()

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring: the rule in one sentence."""
        return (cls.__doc__ or cls.name).strip().splitlines()[0]

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Option values when no profile sets them."""
        return {o.name: o.default for o in cls.options}

    def check(
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        """Yield the findings for one file (pure: no I/O, no printing).

        Args:
            ctx: The file and its measurements.
            opts: The rule's options, validated, with the profile's values.
            severity: The severity the profile gives this rule.
        """
        raise NotImplementedError  # pragma: no cover

    def check_unreadable(
        self, ctx: Unreadable, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        """Yield the findings for a file that could not be measured (default: none)."""
        del ctx, opts, severity
        return iter(())

    def finding(
        self, ctx: Context | Unreadable, severity: Severity, message: str, **where: Any
    ) -> Diagnostic:
        """Build a diagnostic of this rule for a file.

        Args:
            ctx: The file's context.
            severity: The severity the profile assigned.
            message: One line for a human.
            **where: ``measured``, ``limit``, ``unit``, ``start_s``, ``end_s``, ``channel``.
        """
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=severity,
            message=message,
            profile=ctx.profile,
            **where,
        )
