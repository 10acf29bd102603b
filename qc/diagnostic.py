"""Findings are values: a frozen :class:`Diagnostic` per problem, never an exception."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Diagnostic", "Severity"]


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``max()`` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name used in every output format (``error``, ``warning``, ``info``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse ``"error"``, ``"warning"`` or ``"info"`` (case-insensitive).

        Raises:
            ValueError: For any other text.
        """
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


@dataclass(frozen=True)
class Diagnostic:
    """One finding about one file.

    Findings sort worst first, then by time (whole-file findings first), code
    and profile: :meth:`sort_key` is that order and ``<`` compares by it.

    Attributes:
        code: Stable rule code, family prefix plus three digits (``TP001``).
        name: Kebab-case rule name (``true-peak-ceiling``).
        severity: How bad it is.
        message: One line for a human, saying what and, where it matters, why.
        measured: The measured value, in the rule's unit (``None`` if none).
        limit: The limit it was compared with, same unit (``None`` if none).
        unit: Unit of ``measured`` and ``limit`` (``dBTP``, ``LUFS``, ``LU``, ``s``, ...).
        start_s: Where the problem starts, s from the file start (``None``: whole file).
        end_s: Where it ends, s.
        channel: Zero-based channel, or ``None`` for all channels.
        profile: The delivery profile that produced it.
    """

    code: str
    name: str
    severity: Severity
    message: str
    measured: float | None = None
    limit: float | None = None
    unit: str = ""
    start_s: float | None = None
    end_s: float | None = None
    channel: int | None = None
    profile: str = ""

    def sort_key(self) -> tuple[int, float, str, str]:
        """The report order: worst first, then by start time, code and profile."""
        start = self.start_s if self.start_s is not None else -1.0
        return (-int(self.severity), start, self.code, self.profile)

    def __lt__(self, other: Diagnostic) -> bool:
        """Whether ``self`` is reported before ``other`` (see :meth:`sort_key`)."""
        return self.sort_key() < other.sort_key()
