"""What the bridge's subcommands share: connection options, error handling, the console.

Every error a user can cause (bad input, unknown DAW or track, busy port, no
answer) ends as one ``mixdesk: ...`` line on stderr and exit status 2; the
values themselves are parsed in :mod:`bridge.cli._values`.

The connection options (``--daw``, ``--host``, ``--port``, ``--listen-port``,
``--timeout``, ``--stems``, ``--render-dir``) go before or after a subcommand: a command's own
parser has them with their defaults, and each of its subcommands has them again
(:func:`late_connection_options`) with ``SUPPRESS`` as the default, so a value
given after the subcommand wins and one given before it is not overwritten by
a default. Words a ``REMAINDER`` collects give them up too
(:class:`OptionsAmongWords`, :func:`take_connection_options`). The DAW names,
default ports and which DAW takes ``--stems`` come from the dialect registry
(:mod:`bridge.cli._daws`). The console helpers are in :mod:`bridge.cli._console`.

An embedded DAW (``--daw virtual``) is started with its render folder
(``--render-dir``, the current folder by default, never a temporary one), and
every take it writes is printed on stdout (:mod:`bridge.cli._renders`);
closing its mixer waits for renders in progress (:mod:`bridge.virtual.session`).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from bridge.cli._console import is_tty, make_console
from bridge.cli._daws import DAWS, daw_names, either, port_defaults
from bridge.dialects import dialect_class
from qc.printable import printable_line

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer

__all__ = [
    "DAWS",
    "OneLineParser",
    "OptionsAmongWords",
    "Subparsers",
    "UsageError",
    "add_connection_options",
    "connect",
    "daw_names",
    "fail",
    "guarded",
    "is_tty",
    "late_connection_options",
    "make_console",
    "take_connection_options",
]

Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"
"""What ``add_subparsers()`` returns; each ``add_parser(sub)`` registers on it."""


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


def add_connection_options(
    p: argparse.ArgumentParser, *, stems: bool = True, late: bool = False
) -> None:
    """Add ``--daw``, ``--host``, ``--port``, ``--listen-port``, ``--timeout`` (and ``--stems``).

    Args:
        p: The subcommand's parser.
        stems: Also add ``--stems DIR`` for the virtual DAW.
        late: Options of a sub-subcommand, after the command's own: no defaults
            (``SUPPRESS``), so they only override what was given before.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if late else value

    p.add_argument(
        "--daw",
        type=_daw,
        metavar="DAW",
        default=default(None),
        help=f"the DAW: {', '.join(DAWS)}",
    )
    p.add_argument(
        "--host",
        default=default("127.0.0.1"),
        help="the DAW's host (default: 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=default(None),
        help=f"the DAW's OSC port (default: {port_defaults('default_port', '')})",
    )
    p.add_argument(
        "--listen-port",
        type=int,
        default=default(None),
        metavar="PORT",
        help="our UDP port for replies (default: "
        f"{port_defaults('default_listen_port', 'any free port')})",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=default(2.0),
        metavar="S",
        help="seconds to wait for the DAW's answers (default: 2)",
    )
    if stems:
        daws = either([f"--daw {n}" for n in daw_names(embedded=True)])
        p.add_argument(
            "--stems",
            metavar="DIR",
            default=default(None),
            help=f"{daws}: the folder of stems to mix",
        )
        p.add_argument(
            "--render-dir",
            metavar="DIR",
            default=default(None),
            help=f"{daws}: where takes go, created if missing (default: the current folder)",
        )


def late_connection_options(sub: Subparsers, *, skip: Collection[str] = ()) -> None:
    """Give every subcommand registered on ``sub`` the connection options again, late.

    Call it once the subcommands are registered (those added by plugins too):
    each then also takes the options after its name, and a value given there
    wins over one given before it (see :func:`add_connection_options`).

    Args:
        sub: The command's subparsers.
        skip: Subcommands that never connect (``scene diff``).
    """
    done: set[int] = set()
    for name, parser in sub.choices.items():
        if name not in skip and id(parser) not in done:  # aliases share a parser
            done.add(id(parser))
            add_connection_options(parser, late=True)


def take_connection_options(
    args: argparse.Namespace, words: Sequence[str], prog: str
) -> tuple[argparse.Namespace, list[str]]:
    """Take the connection options out of free words (what a ``REMAINDER`` collected).

    Args:
        args: The options parsed so far.
        words: The words, in order.
        prog: The command, for error messages.

    Returns:
        The options, updated by those found in ``words``, and the other words in
        their order.

    Raises:
        SystemExit: A connection option has a bad value (status 2, one line).
    """
    inner = OneLineParser(prog=prog, add_help=False, allow_abbrev=False)
    add_connection_options(inner, late=True)
    found, rest = inner.parse_known_args(list(words), argparse.Namespace(**vars(args)))
    return found, rest


class OptionsAmongWords(argparse.Action):
    """A ``nargs=REMAINDER`` positional whose words may include the connection options.

    ``mix set TRACK PARAM VALUE ... --daw DAW``: the options are taken out and
    set; the rest (values such as ``-inf`` included) is the positional's value.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Set the options found among ``values`` and the other words as the value."""
        words = [str(v) for v in values or ()] if not isinstance(values, str) else [values]
        found, rest = take_connection_options(namespace, words, parser.prog)
        for key, value in vars(found).items():
            setattr(namespace, key, value)
        setattr(namespace, self.dest, rest)


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
    if not 0 < args.timeout <= 600:
        raise UsageError(f"--timeout must be between 0 and 600 s, not {args.timeout:g}")
    stems = getattr(args, "stems", None)
    render_dir = getattr(args, "render_dir", None)
    embedded = dialect_class(args.daw).embedded
    if embedded is None:
        daws = either([f"--daw {n}" for n in daw_names(embedded=True)])
        if stems is not None:
            raise UsageError(f"--stems is only for {daws}")
        if render_dir is not None:
            raise UsageError(f"--render-dir is only for {daws} (a DAW renders where it is set to)")
    elif stems is None:
        raise UsageError(f"--daw {args.daw} needs --stems DIR (the folder of stems to mix)")
    else:
        from bridge.cli._renders import start_embedded

        return start_embedded(embedded, stems, timeout=args.timeout, render_dir=render_dir)
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
    """Print ``mixdesk: message`` as one line (escaped, cut) on stderr; return status 2."""
    print(f"mixdesk: {printable_line(' '.join(message.split()))}", file=sys.stderr)
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
