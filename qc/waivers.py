"""Waivers: documented exceptions that demote a file's findings to info.

A ``[[waivers]]`` entry of ``mixdesk.toml`` names files (a glob), rule
selectors (codes, prefixes or names, resolved to code prefixes when the config
loads: :mod:`qc.selection`) and a reason. The engine applies them
(:func:`apply_waivers`), so ``check``, ``watch`` and the Python API agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from qc.diagnostic import Diagnostic, Severity

__all__ = ["Waiver", "apply_waivers"]


@dataclass(frozen=True)
class Waiver:
    """A documented exception: findings with these codes are demoted to info.

    Attributes:
        glob: Files it applies to (see :mod:`qc.config` for the syntax).
        codes: Code prefixes it waives, upper-case (``TP001``, ``CLP``).
        reason: Why; shown in every waived finding.
    """

    glob: str
    codes: tuple[str, ...]
    reason: str


def _waiver_match(code: str, waiver: Waiver) -> int:
    """Length of the longest of the waiver's prefixes that ``code`` starts with, else -1."""
    return max((len(p) for p in waiver.codes if code.upper().startswith(p)), default=-1)


def apply_waivers(
    diagnostics: Sequence[Diagnostic], waivers: Sequence[Waiver]
) -> tuple[tuple[Diagnostic, ...], tuple[Waiver, ...]]:
    """Demote waived findings to info and find the waivers that waived nothing.

    A finding is waived when its code starts with one of a waiver's code
    prefixes. It becomes :attr:`Severity.INFO` and its message gains
    `` (waived: <reason>)``, with the reason of the most specific matching
    waiver (longest prefix; the first on a tie). Every waiver that matches
    it counts as used.

    Args:
        diagnostics: One file's findings.
        waivers: The waivers that apply to that file.

    Returns:
        ``(diagnostics, unused)``: the findings, re-sorted worst first, and the
        waivers, in the given order, that matched no finding. A waiver that
        covers several files is unused only if it is unused for every one of
        them; callers aggregate.
    """
    used: set[int] = set()
    out: list[Diagnostic] = []
    for d in diagnostics:
        best, best_len = None, -1
        for i, waiver in enumerate(waivers):
            length = _waiver_match(d.code, waiver)
            if length < 0:
                continue
            used.add(i)
            if length > best_len:
                best, best_len = waiver, length
        if best is None:
            out.append(d)
        else:
            message = f"{d.message} (waived: {best.reason})"
            out.append(dataclasses.replace(d, severity=Severity.INFO, message=message))
    unused = tuple(w for i, w in enumerate(waivers) if i not in used)
    return tuple(sorted(out)), unused
