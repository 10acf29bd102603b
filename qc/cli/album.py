"""``mixdesk album ALBUM.toml|DIR``: check an album as a whole; ``--image``/``--cue``: a CD image.

``mixdesk album init DIR`` writes ``DIR/album.toml`` from the folder's audio files.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from typing import IO, TYPE_CHECKING

from qc.cli._parsing import Subparsers, add_rule_options, finder_for
from qc.cli.console import make_console
from qc.diagnostic import Severity
from qc.errors import QCError
from qc.printable import is_tty, printable, printable_line
from qc.safe_io import ensure_writable, write_file

if TYPE_CHECKING:
    from qc.album.check import AlbumCheck
    from qc.album.spec import AlbumSpec

__all__ = ["add_parser", "run"]

FORMATS = ("rich", "text", "json", "junit", "sarif", "github", "html")


def add_parser(sub: Subparsers) -> None:
    """Register the ``album`` subcommand."""
    p = sub.add_parser(
        "album",
        help="check an album as a whole (sequence, album loudness, Red Book), write a CD image",
    )
    p.add_argument(
        "album",
        nargs="+",
        metavar="ALBUM",
        help="an album.toml or a folder (its album.toml, else its audio files in name "
        "order); 'init DIR' writes DIR/album.toml",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: rich on a terminal, text otherwise)",
    )
    p.add_argument("--output-file", metavar="F", help="write the report to F instead of stdout")
    add_rule_options(p, profile_help="delivery profiles (default: default; cd-redbook for a CD)")
    p.add_argument(
        "--fail-level",
        choices=["error", "warning", "info"],
        default=None,
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even with findings (unreadable tracks still exit 2)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="tracks checked in parallel (default: all cores)",
    )
    p.add_argument(
        "--image",
        metavar="OUT.wav",
        help="write a 44.1 kHz/16-bit disc image, tracks on CD frames (needs --cue)",
    )
    p.add_argument("--cue", metavar="OUT.cue", help="write the image's CUE sheet (needs --image)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing image, CUE sheet, report or album.toml",
    )
    p.set_defaults(func=run)


def _init(folder: str, force: bool) -> int:
    from qc.album.spec import ALBUM_FILE, album_toml

    target = os.path.join(folder, ALBUM_FILE)
    text = album_toml(folder)
    write_file(target, text, what="album file", toml=True, force=force)
    tracks = text.count("[[tracks]]")
    print(
        f"wrote {printable(target)}: {tracks} tracks in name order, gaps 2.0 s; "
        "fill in the titles, ISRCs and catalog number"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``album``; returns the exit code."""
    try:
        if args.album[0] == "init" and len(args.album) == 2:
            return _init(args.album[1], args.force)
        if len(args.album) != 1:
            print("mixdesk: album takes one ALBUM.toml or folder (or 'init DIR')", file=sys.stderr)
            return 2
        if (args.image is None) != (args.cue is None):
            print("mixdesk: --image and --cue go together", file=sys.stderr)
            return 2
        return _check(args)
    except QCError as err:
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"mixdesk: {printable_line(str(err.filename))}: {err.strerror}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    from qc.album.check import check_album_spec
    from qc.album.spec import load_album
    from qc.settings import SettingsResolver

    fmt = args.format or ("rich" if args.output_file is None and is_tty(sys.stdout) else "text")
    spec = load_album(args.album[0])
    if args.output_file:
        ensure_writable(args.output_file, what="report", force=args.force)
    if args.image:  # refused before any measuring: a track that is not CD audio, a target
        from qc.album.image import check_cd_inputs

        check_cd_inputs(spec)
    done = check_album_spec(spec, SettingsResolver(finder_for(args)), jobs=max(args.jobs, 1))
    for f in done.files:
        if f.error is not None:
            print(f"mixdesk: {printable(f.path)}: {printable(f.error)}", file=sys.stderr)
    if args.output_file:
        out = io.StringIO()
        _render(done, fmt, out)
        write_file(args.output_file, out.getvalue(), what="report", force=args.force)
    else:
        _render(done, fmt, sys.stdout)
    errors = sorted({d.code for d in done.diagnostics if d.severity is Severity.ERROR})
    if args.image and errors:  # an invalid ISRC or catalog makes a CUE sheet plants reject
        print(f"mixdesk: not writing {printable(args.image)}: the album has errors "
              f"({', '.join(errors)}); mend them, or --ignore their rules",
              file=sys.stderr)  # fmt: skip
    elif args.image:
        _write_image(spec, args)
    if any(f.error is not None for f in done.files):
        return 2
    if args.exit_zero:
        return 0
    level = Severity.parse(done.result.fail_level)
    found = [*done.diagnostics, *(d for f in done.files for d in f.diagnostics)]
    return 1 if any(d.severity >= level for d in found) else 0


def _write_image(spec: AlbumSpec, args: argparse.Namespace) -> None:
    import time

    from qc.album.image import write_image

    began = time.perf_counter()
    slots = write_image(spec, args.image, args.cue, force=args.force)
    took = time.perf_counter() - began
    size = os.path.getsize(args.image)
    print(
        f"wrote {printable(args.image)} ({len(slots)} tracks, {size / 1e6:.1f} MB, in "
        f"{took:.2f} s, {size / 1e6 / max(took, 1e-9):.0f} MB/s) and {printable(args.cue)}",
        file=sys.stderr,
    )


def _render(done: AlbumCheck, fmt: str, out: IO[str]) -> None:
    from qc.album.render import (
        as_file_results,
        render_album_json,
        render_album_rich,
        render_album_text,
    )
    from qc.report import RENDERERS

    if fmt == "json":
        out.write(render_album_json(done))
    elif fmt == "text":
        out.write(render_album_text(done))
    elif fmt == "rich":
        render_album_rich(done, make_console(out))
    elif fmt == "html":
        from qc.report.html_album import render_album_html

        out.write(render_album_html(done))
    else:
        out.write(RENDERERS[fmt](as_file_results(done)))
