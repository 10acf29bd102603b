"""``mixdesk check FILE|DIR...``: measure bounces, judge them against profiles, report."""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from qc.audio.limits import DEFAULT_MAX_DURATION_S, fmt_duration, parse_duration
from qc.cli._cluster_opts import add_cluster_options, run_on_cluster
from qc.cli._codec_opts import add_codec_preview
from qc.cli._parsing import Subparsers, add_rule_options, finder_for
from qc.cli.console import is_tty, make_console
from qc.codec.preview import with_preview
from qc.diagnostic import Severity
from qc.engine import FileResult, check, unreadable
from qc.errors import QCError
from qc.jobs import run_jobs
from qc.measure import native
from qc.printable import printable, printable_line
from qc.profiles import Profile, ProfileCache
from qc.report import RENDERERS
from qc.safe_io import ensure_writable, write_file
from qc.settings import Settings, SettingsResolver
from qc.units import count
from qc.waivers import Waiver

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["AUDIO_SUFFIXES", "add_parser", "exit_code", "expand_paths", "run"]

AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".bwf", ".rf64", ".w64", ".aif", ".aiff", ".aifc", ".flac", ".ogg",
     ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wma", ".caf"}
)  # fmt: skip
"""Extensions picked up when a folder is given (files named explicitly are always checked)."""

FORMATS = ("rich", "text", "json", "json-lines", "junit", "sarif", "github", "html")


def add_parser(sub: Subparsers) -> None:
    """Register the ``check`` subcommand."""
    p = sub.add_parser("check", help="check bounces against delivery profiles")
    p.add_argument("files", nargs="+", metavar="PATH", help="audio files or folders (recursive)")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: rich on a terminal, text otherwise)",
    )
    p.add_argument("--output-file", metavar="F", help="write the report to F instead of stdout")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --output-file (never audio, a config, a link or a folder)",
    )
    add_rule_options(
        p, profile_help="delivery profiles, shipped names or .toml paths (default: default)"
    )
    p.add_argument(
        "--fail-level",
        choices=["error", "warning", "info"],
        default=None,
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even with findings (unreadable files still exit 2)",
    )
    p.add_argument(
        "--true-peak-method",
        choices=["accurate", "bs1770"],
        default=None,
        help="override the profiles' true-peak method",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="files checked in parallel (default: all cores)",
    )
    add_codec_preview(p)
    p.add_argument(
        "--max-duration",
        type=_duration,
        default=DEFAULT_MAX_DURATION_S,
        metavar="T",
        help="refuse files longer than T, seconds or H:MM:SS, judged from the header "
        f"(default: {fmt_duration(DEFAULT_MAX_DURATION_S)})",
    )
    add_cluster_options(p)
    p.set_defaults(func=run)  # fmt: skip


def _duration(text: str) -> float:
    """``--max-duration`` value in seconds (argparse prints the one-line error)."""
    try:
        return parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Find the files to check.

    Args:
        paths: Files and folders from the command line.

    Returns:
        ``(files, empty)``: files as given plus the audio files found in each
        folder (recursively, sorted), and the folders that held none.
    """
    files: list[str] = []
    empty: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Not only regular files: a dangling or looping link or a FIFO named like a
            # bounce is reported as unreadable, not skipped in silence.
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.suffix.lower() in AUDIO_SUFFIXES and not p.is_dir()
            )
            files.extend(found)
            if not found:
                empty.append(raw)
        else:
            files.append(raw)  # the engine reports a missing or unreadable one
    return files, empty


def exit_code(
    results: Sequence[FileResult], fail_levels: Sequence[Severity], *, exit_zero: bool
) -> int:
    """0 clean; 1 a finding at or above its file's fail level; 2 a file could not be read.

    Args:
        results: Every file of the run.
        fail_levels: Each file's fail level, in the same order.
        exit_zero: Findings do not fail the run (unreadable files still do).
    """
    if any(r.error is not None for r in results):
        return 2
    if exit_zero:
        return 0
    for r, level in zip(results, fail_levels, strict=True):
        worst = max((d.severity for d in r.diagnostics), default=None)
        if worst is not None and worst >= level:
            return 1
    return 0


Job = tuple[str, Settings, float]
"""One file to check: path, its resolved settings, max duration (s)."""


def _check_one(job: Job) -> FileResult:
    path, settings, longest = job
    return check(path, settings, max_duration_s=longest)


def _check_all(jobs: list[Job], workers: int, tick: Callable[[], None]) -> list[FileResult]:
    return run_jobs(_check_one, jobs, workers, tick)


def _plan(args: argparse.Namespace, files: list[str]) -> tuple[SettingsResolver, list[Job]]:
    """Resolve each file's settings once, into one job per file (raises QCError)."""
    override = args.true_peak_method

    def adjust(loaded: Profile) -> Profile:
        measure = dataclasses.replace(loaded.measure, true_peak_method=override)
        return dataclasses.replace(loaded, measure=measure)

    resolver = SettingsResolver(
        finder_for(args), ProfileCache(adjust if override is not None else None)
    )
    preview = args.codec_preview
    return resolver, [
        (f, with_preview(resolver.for_file(f), preview), args.max_duration) for f in files
    ]


def _report_unused(results: Sequence[FileResult], jobs: Sequence[Job]) -> None:
    """Print the waivers that waived nothing in any file they cover."""
    used: dict[Waiver, bool] = {}
    for r, (_, settings, _) in zip(results, jobs, strict=True):
        for w in settings.waivers:
            used[w] = used.get(w, False) or w not in r.unused_waivers
    for w in sorted((w for w, u in used.items() if not u), key=lambda w: w.glob):
        codes = ",".join(w.codes)
        print(f"mixdesk: unused waiver {printable(w.glob)} ({codes}): nothing to waive",
              file=sys.stderr)  # fmt: skip


def _warn_broken_kernels() -> None:
    """Say once when the compiled kernels exist but cannot be used (stale or unusable).

    The numpy twins then run, with the same results, slower. A build that was never
    made (no compiler at install) is not a fault and says nothing here.
    """
    status = native.status()
    if status.startswith(("stale", "unusable")):
        print(f"mixdesk: warning: compiled kernels {status}; their numpy twins ran "
              "(same results, slower)", file=sys.stderr)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run ``check``; returns the exit code."""
    _warn_broken_kernels()
    fmt = args.format or ("rich" if args.output_file is None and is_tty(sys.stdout) else "text")
    files, empty = expand_paths(args.files)
    try:
        if args.output_file:  # refused before any work: never over audio, a config or a link
            ensure_writable(args.output_file, what="report", force=args.force)
        resolver, jobs = _plan(args, files)
        # A folder with no audio is judged like an unreadable file inside it.
        folders = [(f, resolver.for_file(os.path.join(f, "(no audio)"))) for f in empty]
        on_cluster = run_on_cluster(args, jobs, fmt, _render)  # None: no cluster named
    except QCError as err:
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    show_bar = fmt == "rich" and is_tty(sys.stderr) and os.environ.get("CI") != "true"
    results, render = on_cluster or (_run_with_progress(jobs, max(args.jobs, 1), show_bar), _render)
    _report_unused(results, jobs)
    levels = [settings.fail_level for _, settings, _ in jobs]
    for folder, settings in folders:
        results.append(unreadable(folder, "is a directory with no audio files", settings))
        levels.append(settings.fail_level)

    for r in results:
        if r.error is not None:
            print(f"mixdesk: {printable(r.path)}: {printable(r.error)}", file=sys.stderr)
    try:
        if args.output_file:
            out = io.StringIO()
            render(results, fmt, out)
            write_file(args.output_file, out.getvalue(), what="report", force=args.force)
        else:
            render(results, fmt, sys.stdout)
    except QCError as err:  # the target changed while checking
        print(f"mixdesk: {printable(str(err))}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"mixdesk: cannot write {printable(args.output_file)}: {err.strerror}",
              file=sys.stderr)  # fmt: skip
        return 2
    if fmt == "text" and len(results) > 1:
        print(_summary_line(results), file=sys.stderr)
    return exit_code(results, levels, exit_zero=args.exit_zero)


def _run_with_progress(jobs: list[Job], workers: int, show: bool) -> list[FileResult]:
    if not show:
        return _check_all(jobs, workers, lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=make_console(sys.stderr), transient=True)  # fmt: skip
    with bar:
        task = bar.add_task("checking", total=len(jobs))
        return _check_all(jobs, workers, lambda: bar.advance(task))


def _summary_line(results: Sequence[FileResult]) -> str:
    counts = dict.fromkeys(Severity, 0)
    for r in results:
        for d in r.diagnostics:
            counts[d.severity] += 1
    bad = sum(r.error is not None for r in results)
    return (
        f"{count(len(results), 'file')}: {count(counts[Severity.ERROR], 'error')}, "
        f"{count(counts[Severity.WARNING], 'warning')}, {counts[Severity.INFO]} info, "
        f"{bad} unreadable"
    )


def _render(results: list[FileResult], fmt: str, out: IO[str]) -> None:
    if fmt in RENDERERS:
        out.write(RENDERERS[fmt](results))
        return
    from qc.report.rich_report import render_rich, summary_table

    console: Console = make_console(out)
    render_rich(results, console)
    if len(results) > 1:
        console.print(summary_table(results))
