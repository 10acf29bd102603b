"""``mixdesk doctor --daw DAW``: probe a DAW's OSC set-up and explain what is wrong.

One line per check: ``ok``, ``warn``, ``fail`` or ``skip``, what was found and,
for problems, the fix. Exit status 0 when nothing is wrong, 1 when a check
warns or fails, 2 on a usage error. The probing is :func:`bridge.doctor.probe`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bridge.cli._common import Subparsers, UsageError, add_connection_options, guarded

if TYPE_CHECKING:
    from bridge.doctor import Finding

__all__ = ["add_parser", "exit_code", "render_line"]


def add_parser(sub: Subparsers) -> None:
    """Register the ``doctor`` subcommand."""
    p = sub.add_parser(
        "doctor",
        help="check a DAW's OSC set-up and explain what is wrong",
        description="Probe the DAW's OSC surface from this machine: our port, its port, "
        "answers, reply port, feedback (and for Ardour, int vs float values). Reads only; "
        "what it touches it puts back.",
    )
    add_connection_options(p, stems=False)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=_run)


def render_line(finding: Finding) -> str:
    """One finding as one line: status, check, message and the fix."""
    fix = f" Fix: {finding.fix}." if finding.fix and finding.status in ("warn", "fail") else ""
    return f"{finding.status:<4}  {finding.check:<11}  {finding.message}.{fix}"


def exit_code(findings: list[Finding]) -> int:
    """0 when no check warns or fails, else 1."""
    return 1 if any(f.status in ("warn", "fail") for f in findings) else 0


@guarded
def _run(args: argparse.Namespace) -> int:
    from bridge.dialects import get_dialect
    from bridge.doctor import probe

    if args.daw is None:
        raise UsageError("which DAW? add --daw (reaper, ardour, ableton)")
    if args.daw == "virtual":
        raise UsageError("doctor checks reaper, ardour or ableton; the virtual DAW runs inside")
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
    problems = sum(f.status in ("warn", "fail") for f in findings)
    port = args.port if args.port is not None else get_dialect(args.daw).default_port
    where = f"{args.daw} at {args.host}:{port}"
    verdict = {0: "no problems", 1: "1 problem"}.get(problems, f"{problems} problems") + " found"
    print(f"mixdesk doctor: {where}: {verdict}", file=sys.stderr)
    return code
