"""Apply a profile's rules to one measured file. A crashing rule becomes a finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qc.checks import ALL_RULES
from qc.checks.rule import Context
from qc.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["is_selected", "run_rules", "sort_key", "will_run"]


def _longest(code: str, prefixes: Sequence[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p.upper())), default=-1)


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Prefix selection as in ruff: the longest matching prefix wins.

    Args:
        code: Rule code, e.g. ``TP001``.
        select: Prefixes to run (empty: all).
        ignore: Prefixes to skip.
    """
    chosen = _longest(code, select) if select else 0
    return chosen >= 0 and chosen > _longest(code, ignore)


def sort_key(d: Diagnostic) -> tuple[int, float, str, str]:
    """Worst first, then by time, code and profile."""
    start = d.start_s if d.start_s is not None else -1.0
    return (-int(d.severity), start, d.code, d.profile)


def will_run(
    code: str, profile: Profile, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> bool:
    """True if the rule with ``code`` is enabled in ``profile`` and selected."""
    rule = next(r for r in ALL_RULES if r.code == code)
    settings = profile.rules.get(rule.name)
    enabled = rule.enabled if settings is None or settings.enabled is None else settings.enabled
    return bool(enabled) and is_selected(code, select, ignore)


def run_rules(
    ctx: Context,
    profile: Profile,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Diagnostic]:
    """Run every enabled, selected rule of a profile on one file.

    Args:
        ctx: The file's context (its ``profile`` is replaced by the profile's name).
        profile: The resolved profile.
        select: Code prefixes to run (empty: all enabled).
        ignore: Code prefixes to skip.

    Returns:
        The findings, unsorted.
    """
    ctx = Context(ctx.path, ctx.info, ctx.measurements, profile.name)
    out: list[Diagnostic] = []
    for rule in ALL_RULES:
        if not will_run(rule.code, profile, select, ignore):
            continue
        settings = profile.rules.get(rule.name)
        opts: dict[str, Any] = rule.defaults()
        severity = rule.severity
        if settings is not None:
            opts.update(settings.options)
            severity = settings.severity or severity
        opts["severity"] = severity
        try:
            out.extend(rule.check(ctx, opts))
        except Exception as err:
            out.append(
                Diagnostic(
                    code=rule.code,
                    name=rule.name,
                    severity=Severity.ERROR,
                    message=f"rule crashed ({type(err).__name__}: {err}); please report it",
                    profile=profile.name,
                )
            )
    return out
