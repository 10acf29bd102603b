"""Apply a profile's rules to one file. A crashing rule becomes a finding.

Every finding is made by its rule, through :func:`run_rules`, so a profile's
``enabled``, ``severity`` and options apply to all of them alike: a measured
file's findings come from ``Rule.check``, an unreadable file's (FMT003, and
FMT001 when its bytes show a lossy codec) from ``Rule.check_unreadable``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from qc.checks import ALL_RULES
from qc.checks.rule import Context, Rule, Unreadable
from qc.diagnostic import Diagnostic, Severity
from qc.selection import is_selected

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["is_selected", "rule_options", "run_rules", "will_run"]


def _enabled(rule: Rule, profile: Profile | None) -> bool:
    settings = profile.rules.get(rule.name) if profile is not None else None
    return rule.enabled if settings is None or settings.enabled is None else settings.enabled


def will_run(
    code: str, profile: Profile | None, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> bool:
    """True if the rule with ``code`` is enabled in ``profile`` (or by default) and selected."""
    rule = next(r for r in ALL_RULES if r.code == code)
    return _enabled(rule, profile) and is_selected(code, select, ignore)


def rule_options(rule: Rule, profile: Profile | None) -> tuple[dict[str, Any], Severity]:
    """A rule's options (its defaults, then the profile's values) and its severity."""
    opts: dict[str, Any] = rule.defaults()
    severity = rule.severity
    settings = profile.rules.get(rule.name) if profile is not None else None
    if settings is not None:
        opts.update(settings.options)
        severity = settings.severity or severity
    return opts, severity


def run_rules(
    ctx: Context | Unreadable,
    profile: Profile | None,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Diagnostic]:
    """Run every enabled, selected rule of a profile on one file.

    Args:
        ctx: The measured file (:class:`Context`), or one that could not be
            measured (:class:`Unreadable`); its ``profile`` is replaced by the
            profile's name.
        profile: The resolved profile; ``None``: every rule's own defaults
            (a file whose settings could not be resolved).
        select: Code prefixes to run (empty: all enabled).
        ignore: Code prefixes to skip.

    Returns:
        The findings, unsorted.
    """
    name = profile.name if profile is not None else ""
    out: list[Diagnostic] = []
    for rule in ALL_RULES:
        if not (_enabled(rule, profile) and is_selected(rule.code, select, ignore)):
            continue
        opts, severity = rule_options(rule, profile)
        try:
            out.extend(_findings(rule, ctx, name, opts, severity))
        except Exception as err:
            out.append(
                Diagnostic(
                    code=rule.code,
                    name=rule.name,
                    severity=Severity.ERROR,
                    message=f"rule crashed ({type(err).__name__}: {err}); please report it",
                    profile=name,
                )
            )
    return out


def _findings(
    rule: Rule, ctx: Context | Unreadable, profile: str, opts: dict[str, Any], severity: Severity
) -> Iterator[Diagnostic]:
    if isinstance(ctx, Unreadable):
        failed = Unreadable(ctx.path, ctx.reason, profile, ctx.codec, ctx.container)
        return rule.check_unreadable(failed, opts, severity)
    return rule.check(dataclasses.replace(ctx, profile=profile), opts, severity)
