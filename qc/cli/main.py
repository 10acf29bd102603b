"""Entry point of the ``mixdesk`` console script."""

from __future__ import annotations

import os

# The meters multiply many small matrices; BLAS threads only fight over the two
# cores with mixdesk's own worker thread. Must be set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from qc._version import __version__  # noqa: E402
from qc.cli import check  # noqa: E402
from qc.cli._parsing import Parser, Subparsers  # noqa: E402

__all__ = ["PLUGIN_GROUP", "build_parser", "main"]

PLUGIN_GROUP = "mixdesk.commands"
"""Entry-point group of subcommands from other packages: ``name = "module:add_parser"``.

Each entry point is a function ``add_parser(sub)`` that registers its command on
the subparsers object. This is how the bridge's ``mix``, ``run`` and ``doctor``
join the one ``mixdesk`` command without ``qc`` importing ``bridge``.
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the parser with every subcommand (``only="check"``: that one alone).

    ``mixdesk check`` needs no other command's modules nor the plugins' entry
    points: building its parser alone spares it their imports at start-up.
    """
    parser = Parser(
        prog="mixdesk",
        description="Script the mix over OSC, then QC every bounce.",
    )
    parser.add_argument("--version", action="version", version=f"mixdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    check.add_parser(sub)
    if only == "check":
        return parser
    from qc.cli import album, completion, config_cmd, fix, plot, rules, watch

    fix.add_parser(sub)
    rules.add_parsers(sub)
    config_cmd.add_parser(sub)
    watch.add_parser(sub)
    plot.add_parser(sub)
    album.add_parser(sub)
    _add_plugins(sub)
    completion.add_parser(sub, parser)  # last: it walks every command
    return parser


def _add_plugins(sub: Subparsers) -> None:
    """Register every ``mixdesk.commands`` entry point; a broken one costs one stderr line."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        try:
            ep.load()(sub)
        except Exception as err:  # any plugin bug; the rest of the CLI must still work
            reason = " ".join(f"{type(err).__name__}: {err}".split())
            print(f"mixdesk: command {ep.name!r} ({ep.value}) is unavailable: {reason}",
                  file=sys.stderr)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Run as a program (``argv`` None: the console script, ``python -m qc``), the
    objects made while starting and running live until the exit, so the cyclic
    garbage collector is told to leave them alone (:func:`gc.freeze`), once
    after start-up and once at the end: Python's teardown then took 12 ms
    instead of 42 ms after checking the 5-minute master.
    """
    program = argv is None
    code = _run(argv)
    if program:
        gc.freeze()
    return code


def _run(argv: Sequence[str] | None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser("check" if args_list[:1] == ["check"] else None)
    args = parser.parse_args(args_list)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    if argv is None:
        gc.freeze()  # start-up's modules and objects: never garbage
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
