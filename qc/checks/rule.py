"""The rule base class, its options and the context a rule sees.

A rule is a class with a stable ``code`` (family prefix plus three digits), a
kebab-case ``name``, a default severity and declared options. Its docstring is
its documentation: what it checks, when it fails and passes, its options with
units, and an example. ``check`` is pure: it reads measurements and options,
and yields :class:`~qc.diagnostic.Diagnostic` values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qc.audio import StreamInfo
from qc.diagnostic import Diagnostic, Severity
from qc.measure import Measurements

__all__ = ["CODE_PATTERN", "Context", "Option", "Rule"]

CODE_PATTERN = re.compile(r"^(FMT|CLP|TP|LUF|SIL|CH|HDR|DTH|LSY)\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """One option of a rule.

    Attributes:
        name: Key in the profile's ``[rules.<rule-name>]`` table.
        kind: ``float``, ``int``, ``bool`` or ``str``.
        default: Value when no profile sets it.
        unit: Unit of the value (``dBTP``, ``LUFS``, ``LU``, ``s``, ``Hz``...).
        help: One line for ``mixdesk explain``.
    """

    name: str
    kind: type
    default: Any
    unit: str = ""
    help: str = ""

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to the option's kind.

        Raises:
            TypeError: The value has the wrong type.
        """
        if self.kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if self.kind is list and isinstance(value, list):
            return tuple(value)
        if isinstance(value, self.kind) and not (self.kind is int and isinstance(value, bool)):
            return value
        raise TypeError(f"expected {self.kind.__name__}, got {value!r}")


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at for one file.

    Attributes:
        path: The file as the user named it.
        info: Stream facts (container, codec, rate, depth, channels).
        measurements: The one-pass measurements.
        profile: Name of the profile being applied.
    """

    path: str
    info: StreamInfo
    measurements: Measurements
    profile: str


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

    def check(self, ctx: Context, opts: Mapping[str, Any]) -> Iterator[Diagnostic]:
        """Yield the findings for one file (pure: no I/O, no printing)."""
        raise NotImplementedError  # pragma: no cover

    def finding(self, ctx: Context, severity: Severity, message: str, **where: Any) -> Diagnostic:
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
