"""``mixdesk doctor --daw DAW``: probe a DAW's OSC set-up and explain what is wrong.

One line per check: ``ok``, ``warn``, ``fail`` or ``skip``, what was found and,
for problems, the fix. A warning is something that works now but is fragile or
limited (a manual reply port that happens to be ours); a failure is something
that stops mixdesk. Exit status 0 when no check fails (warnings included), 1
when one does, 2 on a usage error. The probing is :func:`bridge.doctor.probe`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bridge.cli._common import (
    Subparsers,
    UsageError,
    add_connection_options,
    daw_names,
    guarded,
)
from qc.printable import printable_line

if TYPE_CHECKING:
    from bridge.doctor import Finding

__all__ = ["add_parser", "exit_code", "render_line", "verdict"]


def add_parser(sub: Subparsers) -> None:
    """Register the ``doctor`` subcommand."""
    p = sub.add_parser(
        "doctor",
        help="check a DAW's OSC set-up and explain what is wrong",
        description="Probe the DAW's OSC surface from this machine: our port, its port, "
        "answers, reply port, feedback (and for Ardour, int vs float values and plugin "
        "queries). Reads only; what it touches it puts back. Exit 1 when a check fails.",
    )
    add_connection_options(p, stems=False)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=_run)


def render_line(finding: Finding) -> str:
    """One finding as one line: status, check, message and the fix."""
    fix = f" Fix: {finding.fix}." if finding.fix and finding.status in ("warn", "fail") else ""
    # Messages name processes, ports and tracks found on the machine: escaped, cut.
    return printable_line(f"{finding.status:<4}  {finding.check:<11}  {finding.message}.{fix}")


def exit_code(findings: list[Finding]) -> int:
    """0 when no check fails (warnings are advice), else 1."""
    return 1 if any(f.status == "fail" for f in findings) else 0


def verdict(findings: list[Finding]) -> str:
    """``no problems found``, ``1 warning found``, ``2 problems and 1 warning found``."""
    counts = [
        (sum(f.status == "fail" for f in findings), "problem"),
        (sum(f.status == "warn" for f in findings), "warning"),
    ]
    said = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n]
    return f"{' and '.join(said) or 'no problems'} found"


@guarded
def _run(args: argparse.Namespace) -> int:
    from bridge.dialects import dialect_class
    from bridge.doctor import probe

    over_osc = daw_names(embedded=False)
    if args.daw is None:
        raise UsageError(f"which DAW? add --daw ({', '.join(over_osc)})")
    cls = dialect_class(args.daw)
    if cls.embedded is not None:
        raise UsageError(
            f"doctor checks {', '.join(over_osc[:-1])} or {over_osc[-1]};"
            f" {cls.title} runs inside mixdesk"
        )
    if not 0 < args.timeout <= 600:
        raise UsageError(f"--timeout must be between 0 and 600 s, not {args.timeout:g}")
    findings = probe(
        args.daw, args.host, args.port, listen_port=args.listen_port, timeout=args.timeout
    )
    code = exit_code(findings)
    if args.format == "json":
        doc = {
            "schema": "mixdesk.doctor/1",
            "daw": args.daw,
            "ok": code == 0,
            "findings": [
                {"check": f.check, "status": f.status, "message": f.message, "fix": f.fix}
                for f in findings
            ],
        }
        print(json.dumps(doc, indent=2))
        return code
    for f in findings:
        print(render_line(f))
    port = args.port if args.port is not None else cls.default_port
    said = f"mixdesk doctor: {args.daw} at {args.host}:{port}: {verdict(findings)}"
    print(printable_line(said), file=sys.stderr)
    return code
