"""``mixdesk check FILE...``: measure bounces and print the results."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from contextlib import nullcontext
from typing import IO, TYPE_CHECKING

from qc.cli._parsing import Subparsers
from qc.cli.console import is_tty, make_console
from qc.engine import FileResult, Progress, measure_file
from qc.errors import ProfileError
from qc.measure import MeasureOptions
from qc.profiles import load_profile
from qc.report import render_json, render_text
from qc.report._text import printable

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["add_parser", "run"]

_PROGRESS_MIN_S = 20.0  # show a bar for files longer than this


def add_parser(sub: Subparsers) -> None:
    """Register the ``check`` subcommand."""
    p = sub.add_parser("check", help="measure audio files (loudness, true peak, clipping)")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files to check")
    p.add_argument(
        "--format",
        choices=["rich", "text", "json"],
        default=None,
        help="output format (default: rich on a terminal, text otherwise)",
    )
    p.add_argument("--output-file", metavar="F", help="write the report to F instead of stdout")
    p.add_argument(
        "--profile",
        default="default",
        metavar="P",
        help="delivery profile: a shipped name or a .toml path (default: default)",
    )
    p.add_argument(
        "--true-peak-method",
        choices=["accurate", "bs1770"],
        default=None,
        help="accurate (4x + crest refinement) or the BS.1770 Annex 2 4x filter "
        "(default: the profile's, normally accurate)",
    )
    p.set_defaults(func=run)


def _measure_all(
    files: list[str], options: MeasureOptions, bar: RichProgress | None
) -> list[FileResult]:
    results = []
    for path in files:
        progress: Progress | None = None
        if bar is not None:
            task = bar.add_task(printable(path), total=None)

            def progress(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

        results.append(measure_file(path, options, progress=progress))
    return results


def _render(results: list[FileResult], fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        out.write(render_json(results))
    elif fmt == "text":
        out.write(render_text(results))
    else:
        from qc.report.rich_report import render_rich

        render_rich(results, make_console(out))


def run(args: argparse.Namespace) -> int:
    """Run ``check``; returns the exit code (0, or 2 if a file could not be read)."""
    fmt = args.format or ("rich" if args.output_file is None and is_tty(sys.stdout) else "text")
    try:
        options = load_profile(args.profile).measure
    except ProfileError as err:
        print(f"mixdesk: {printable(str(err))}", file=sys.stderr)
        return 2
    if args.true_peak_method is not None:
        options = dataclasses.replace(options, true_peak_method=args.true_peak_method)
    show_bar = fmt == "rich" and is_tty(sys.stderr)
    if show_bar:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        ctx = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeRemainingColumn(),
            console=make_console(sys.stderr),
            transient=True,
        )
    else:
        ctx = nullcontext()  # type: ignore[assignment]
    with ctx as bar:
        results = _measure_all(args.files, options, bar if show_bar else None)

    for r in results:
        if r.error is not None:
            print(f"mixdesk: {printable(r.path)}: {printable(r.error)}", file=sys.stderr)

    try:
        if args.output_file:
            with open(args.output_file, "w", encoding="utf-8") as out:
                _render(results, fmt, out)
        else:
            _render(results, fmt, sys.stdout)
    except OSError as err:
        print(
            f"mixdesk: cannot write {printable(args.output_file)}: {err.strerror}", file=sys.stderr
        )
        return 2
    return 2 if any(r.error is not None for r in results) else 0
