"""What the bridge's subcommands share: connection options, error handling, the console.

Every error a user can cause (bad input, unknown DAW or track, busy port, no
answer) ends as one ``mixdesk: ...`` line on stderr and exit status 2; the
values themselves are parsed in :mod:`bridge.cli._values`.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, TypeAlias

if TYPE_CHECKING:
    from rich.console import Console

    from bridge.mixer.mixer import Mixer

__all__ = [
    "DAWS",
    "OneLineParser",
    "Subparsers",
    "UsageError",
    "add_connection_options",
    "connect",
    "fail",
    "guarded",
    "is_tty",
    "make_console",
]

Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"
"""What ``add_subparsers()`` returns; each ``add_parser(sub)`` registers on it."""

DAWS: Final = ("reaper", "ardour", "ableton", "virtual")
"""The ``--daw`` names."""


class UsageError(Exception):
    """A bad command line: the message is printed as one line and the exit status is 2."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line usage error and exit with status 2."""
        self.exit(2, f"mixdesk: error: {message} (see '{self.prog} --help')\n")


# ---- options and connecting ----
def _daw(text: str) -> str:
    name = text.strip().lower()
    if name not in DAWS:
        raise argparse.ArgumentTypeError(f"unknown DAW {text!r} (known: {', '.join(DAWS)})")
    return name


def add_connection_options(p: argparse.ArgumentParser, *, stems: bool = True) -> None:
    """Add ``--daw``, ``--host``, ``--port``, ``--listen-port``, ``--timeout`` (and ``--stems``).

    Args:
        p: The subcommand's parser.
        stems: Also add ``--stems DIR`` for the virtual DAW.
    """
    p.add_argument("--daw", type=_daw, metavar="DAW", help=f"the DAW: {', '.join(DAWS)}")
    p.add_argument("--host", default="127.0.0.1", help="the DAW's host (default: 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        default=None,
        help="the DAW's OSC port (default: REAPER 8000, Ardour 3819, Live 11000)",
    )
    p.add_argument(
        "--listen-port",
        type=int,
        default=None,
        metavar="PORT",
        help="our UDP port for replies (default: REAPER 9000, Live 11001, Ardour any free port)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=2.0,
        metavar="S",
        help="seconds to wait for the DAW's answers (default: 2)",
    )
    if stems:
        p.add_argument("--stems", metavar="DIR", help="--daw virtual: the folder of stems to mix")


def connect(args: argparse.Namespace) -> Mixer:
    """Connect to the DAW the options name.

    Raises:
        UsageError: ``--daw`` is missing or options contradict each other.
        BridgeError: Unknown DAW, busy port, no answer.
        ImportError: The DAW's module is not in this installation.
    """
    import bridge
    from bridge.osc.udp import is_loopback

    if args.daw is None:
        raise UsageError(f"which DAW? add --daw ({', '.join(DAWS)})")
    stems = getattr(args, "stems", None)
    if stems is not None and args.daw != "virtual":
        raise UsageError("--stems is only for --daw virtual")
    if not 0 < args.timeout <= 600:
        raise UsageError(f"--timeout must be between 0 and 600 s, not {args.timeout:g}")
    return bridge.connect(
        args.daw,
        args.host,
        args.port,
        listen_host="127.0.0.1" if is_loopback(args.host) else "0.0.0.0",
        listen_port=args.listen_port,
        timeout=args.timeout,
        stems=stems,
    )


def fail(message: str) -> int:
    """Print ``mixdesk: message`` as one line on stderr and return exit status 2."""
    print(f"mixdesk: {' '.join(message.split())}", file=sys.stderr)
    return 2


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn usage, bridge and missing-module errors of a subcommand into one line and exit 2."""
    from bridge.errors import BridgeError

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (UsageError, BridgeError) as err:
            return fail(str(err))
        except ImportError as err:
            daw = getattr(args, "daw", None)
            return fail(f"--daw {daw} is not available in this installation ({err})")

    return wrapper


# ---- console ----
def is_tty(stream: IO[str]) -> bool:
    """True if the stream is an interactive terminal (and TERM is not dumb)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM") != "dumb"


def make_console(stream: IO[str] | None = None, *, width: int | None = None) -> Console:
    """A rich console for a stream, honouring ``NO_COLOR`` (as ``qc.cli.console`` does).

    Args:
        stream: Where to print; stdout by default.
        width: Fixed width in columns (tests), else the terminal's.

    Returns:
        A console with the mixer theme; no markup, emoji or highlighting.
    """
    from rich.console import Console
    from rich.theme import Theme

    out = stream or sys.stdout
    no_color = "NO_COLOR" in os.environ
    theme = Theme({"mix.muted": "dim", "mix.solo": "bold yellow", "mix.master": "bold"})
    return Console(
        file=out,
        theme=theme,
        width=width,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        markup=False,
    )
