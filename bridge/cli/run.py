"""``mixdesk run SCRIPT.py --daw DAW [ARGS...]``: run a mix script with a connected mixer.

The script runs as ``python SCRIPT.py ARGS...`` would (``__name__`` is
``"__main__"``, ``sys.argv`` is ``[SCRIPT.py, *ARGS]``, its folder is first on
``sys.path``), with two extra globals: ``mixer``, connected before the script
starts and closed after it ends, and ``bridge``, the package. Connection
options may stand before or after the script; every other argument, and all
after ``--``, goes to the script.

With ``--daw virtual`` the script's renders go to ``--render-dir`` (the
current folder by default); ``mixer.render()`` waits for the take and returns
its path, or raises the virtual DAW's reason; every take is printed as
``rendered PATH (...)``, and the command does not exit while one is being
written.

Exit status: the script's own (``sys.exit``), 0 when it ends normally, 1 with
its traceback when it raises, 2 (one line) when the DAW cannot be reached or a
render the script did not wait for failed.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback
from pathlib import Path
from types import TracebackType

from bridge.cli._common import (
    Subparsers,
    UsageError,
    add_connection_options,
    connect,
    guarded,
    take_connection_options,
)

__all__ = ["add_parser", "split_args"]


def add_parser(sub: Subparsers) -> None:
    """Register the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run a Python mix script with a connected 'mixer'",
        description="Run SCRIPT with the globals 'mixer' (connected to --daw) and 'bridge'. "
        "Arguments the connection options do not take go to the script; so does "
        "everything after '--'.",
    )
    add_connection_options(p)
    p.add_argument("script", metavar="SCRIPT.py", help="the script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's arguments")
    p.set_defaults(func=_run)


def split_args(args: argparse.Namespace, words: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Take the connection options out of the words after the script.

    Args:
        args: The options parsed so far (those before the script).
        words: The words after the script.

    Returns:
        The options, updated by those found in ``words`` before any ``--``, and
        the script's arguments in their order (all words after ``--`` included).

    Raises:
        SystemExit: A connection option has a bad value (status 2, one line).
    """
    head, tail = words, []
    if "--" in words:
        cut = words.index("--")
        head, tail = words[:cut], words[cut + 1 :]
    # A bad value exits 2 with one line, like any usage error of the command line.
    found, rest = take_connection_options(args, head, "mixdesk run")
    return found, rest + tail


def _user_frames(tb: TracebackType | None, script: str) -> TracebackType | None:
    """Skip the runner's frames, so the traceback starts in the user's script."""
    first = tb
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    return tb if tb is not None else first


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@guarded
def _run(args: argparse.Namespace) -> int:
    import bridge

    script = os.path.abspath(args.script)
    if not Path(script).is_file():
        raise UsageError(f"no such script: {args.script}")
    options, script_args = split_args(args, list(args.args))
    mixer = connect(options)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [args.script, *script_args]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, {"mixer": mixer, "bridge": bridge}, run_name="__main__")
    except SystemExit as stop:
        return _exit_status(stop.code)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # the user's code: their traceback, exit 1
        traceback.print_exception(type(err), err, _user_frames(err.__traceback__, script))
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        mixer.close()
    return 0
