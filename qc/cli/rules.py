"""``mixdesk rules`` lists the rules; ``mixdesk explain CODE`` prints one rule's documentation."""

from __future__ import annotations

import argparse
import inspect
import sys

from qc.checks import ALL_RULES, RESERVED, get
from qc.cli._parsing import Subparsers
from qc.printable import printable

__all__ = ["add_parsers"]


def add_parsers(sub: Subparsers) -> None:
    """Register ``rules`` and ``explain``."""
    p = sub.add_parser("rules", help="list the QC rules with their codes")
    p.set_defaults(func=run_rules)
    e = sub.add_parser("explain", help="print the documentation of one rule")
    e.add_argument("rule", metavar="CODE", help="rule code (TP001) or name (true-peak-ceiling)")
    e.set_defaults(func=run_explain)


def run_rules(args: argparse.Namespace) -> int:
    """Print one line per rule: code, name, default severity, on/off by default, summary."""
    del args
    for rule in ALL_RULES:
        state = "on " if rule.enabled else "off"
        print(f"{rule.code:7} {rule.name:24} {rule.severity.label:8} {state}  {rule.summary()}")
    for family, what in RESERVED.items():
        print(f"{family + '...':7} {'(reserved)':24} {'':8} {'':3}  {what}")
    return 0


def run_explain(args: argparse.Namespace) -> int:
    """Print a rule's docstring and options; exit 2 for an unknown rule."""
    try:
        rule = get(args.rule)
    except KeyError:
        from qc.errors import did_you_mean
        from qc.selection import suggest

        known = {key for r in ALL_RULES for key in (r.code, r.name)}
        close = [s for s in suggest(args.rule, limit=6) if s in known][:3]
        hint = did_you_mean(close) or " (see 'mixdesk rules')"
        print(f"mixdesk: unknown rule {printable(args.rule)!r}{hint}", file=sys.stderr)
        return 2
    state = "on" if rule.enabled else "off unless a profile enables it"
    print(f"{rule.code} {rule.name} (default severity {rule.severity.label}; {state})\n")
    print(inspect.cleandoc(type(rule).__doc__ or ""))
    if rule.options:
        print("\nDefaults:")
        for o in rule.options:
            unit = f" {o.unit}" if o.unit else ""
            print(f"  {o.name} = {o.default!r}{unit}  ({o.help}; {o.allowed()})")
    return 0
