"""``mixdesk plot FILE -o OUT.png|OUT.svg``: the HTML report's plots as an image file.

The file is checked once, as ``mixdesk check`` does (same settings, same single
measurement pass), then the plots asked for are stacked in one figure. The
output is never replaced without ``--force`` (and never when it is audio, a
config, a link or a folder). matplotlib (the extra ``report``) is required: its
absence is one line naming the extra and exit 2, before any audio is read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from qc.cli._parsing import Subparsers, add_rule_options, finder_for
from qc.engine import check
from qc.errors import QCError, UsageError
from qc.printable import printable, printable_line
from qc.safe_io import ensure_writable, write_file
from qc.settings import SettingsResolver

__all__ = ["add_parser", "run"]

_KINDS = ("loudness", "peaks", "spectrum", "stereo")
_SUFFIXES = (".png", ".svg")


def add_parser(sub: Subparsers) -> None:
    """Register the ``plot`` subcommand."""
    p = sub.add_parser("plot", help="draw loudness, peaks, spectrum and stereo plots of a file")
    p.add_argument("file", metavar="FILE", help="audio file")
    p.add_argument(
        "--kind",
        choices=(*_KINDS, "all"),
        action="append",
        default=None,
        help="which plot; repeat for several, stacked in this order (default: all)",
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="image to write: OUT.png or OUT.svg"
    )
    p.add_argument(
        "--force", action="store_true", help="replace an existing OUT (never audio or a link)"
    )
    add_rule_options(p, profile_help="profiles whose target band and ceiling are drawn")
    p.set_defaults(func=run)


def _write_bytes(path: str, data: bytes, *, force: bool) -> None:
    """Write ``data`` as the whole of ``path``: checked like reports, temp file, rename."""
    ensure_writable(path, what="plot", force=force)
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _kinds(asked: list[str] | None) -> tuple[str, ...]:
    if not asked or "all" in asked:
        return _KINDS
    return tuple(dict.fromkeys(asked))


def run(args: argparse.Namespace) -> int:
    """Run ``plot``; returns the exit code (0 written, 2 usage error or unreadable file)."""
    from qc.plot import figure, plot_context, require_matplotlib, to_png, to_svg

    out = args.output
    suffix = Path(out).suffix.lower()
    try:
        if suffix not in _SUFFIXES:
            raise UsageError(f"{out}: the output must end in .png or .svg, not {suffix!r}")
        require_matplotlib()
        ensure_writable(out, what="plot", force=args.force)
        settings = SettingsResolver(finder_for(args)).for_file(args.file)
    except QCError as err:
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    result = check(args.file, settings)
    ctx = plot_context(result, settings.profiles)
    if ctx is None:
        print(
            f"mixdesk: {printable(result.path)}: {printable(result.error or '')}", file=sys.stderr
        )
        return 2
    kinds = _kinds(args.kind)
    fig = figure(ctx, kinds)
    try:
        if suffix == ".svg":
            write_file(out, to_svg(fig, salt=os.path.basename(out)), what="plot", force=args.force)
        else:
            _write_bytes(out, to_png(fig), force=args.force)
    except QCError as err:  # the target appeared while measuring
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"mixdesk: cannot write {printable(out)}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {printable(out)}: {', '.join(kinds)}")
    return 0
