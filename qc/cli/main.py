"""Entry point of the ``mixdesk`` console script."""

from __future__ import annotations

import os

# The meters multiply many small matrices; BLAS threads only fight over the two
# cores with mixdesk's own worker thread. Must be set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from qc._version import __version__  # noqa: E402
from qc.cli import check, config_cmd, rules, watch  # noqa: E402
from qc.cli._parsing import Parser  # noqa: E402

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every subcommand."""
    parser = Parser(
        prog="mixdesk",
        description="Script the mix over OSC, then QC every bounce.",
    )
    parser.add_argument("--version", action="version", version=f"mixdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    check.add_parser(sub)
    rules.add_parsers(sub)
    config_cmd.add_parser(sub)
    watch.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("mixdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
