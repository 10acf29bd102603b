"""``mixdesk watch DIR...``: check every bounce the moment the DAW finishes writing it."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from qc.cli._codec_opts import add_codec_preview
from qc.cli._parsing import Subparsers, add_rule_options, finder_for
from qc.cli.console import is_tty, make_console
from qc.config import Config, ConfigFinder
from qc.errors import QCError, UsageError
from qc.printable import printable, printable_line
from qc.profiles import ProfileCache
from qc.watch.tracker import DEFAULT_ABORT_S, DEFAULT_SETTLE_S

if TYPE_CHECKING:
    from qc.watch.display import Display
    from qc.watch.scheduler import Plan

__all__ = ["add_parser", "load_profiles", "make_display", "make_plan", "run"]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"seconds must be above 0 and below 86400: {text!r}")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def add_parser(sub: Subparsers) -> None:
    """Register the ``watch`` subcommand."""
    p = sub.add_parser(
        "watch",
        help="check every bounce written into folders",
        description="Watch render folders and check each bounce once its writer has "
        "finished: on close-after-write (inotify), on a rename into place, or once its "
        "size and mtime are still and its WAV/RF64/AIFF header sizes agree with the file. "
        "SIGINT/SIGTERM finish the checks in flight, then exit 0.",
    )
    p.add_argument("folders", nargs="+", metavar="DIR", help="folders to watch")
    add_rule_options(
        p,
        profile_help="delivery profiles, shipped names or .toml paths (default: from the "
        "config, else default)",
    )
    p.add_argument("-r", "--recursive", action="store_true", help="watch sub-folders too")
    p.add_argument(
        "--log", metavar="FILE.ndjson", help="append one JSON line per check to this file"
    )
    p.add_argument(
        "--no-resume",
        dest="resume",
        action="store_false",
        help="with --log, do not check at start the bounces present that the log does "
        "not record as checked (by default nothing written while the daemon was down, "
        "or cut off by a kill, goes unchecked)",
    )
    p.add_argument("--sidecar", action="store_true", help="write NAME.qc.json next to each bounce")
    p.add_argument("--html", action="store_true", help="write the HTML report NAME.qc.html too")
    p.add_argument("--initial", action="store_true", help="also check the bounces already present")
    p.add_argument(
        "--poll",
        action="store_true",
        help="poll instead of inotify (network shares, containers, other systems)",
    )
    p.add_argument(
        "--poll-interval",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="seconds between polls with --poll (default: 1)",
    )
    p.add_argument(
        "--settle",
        type=_seconds,
        default=DEFAULT_SETTLE_S,
        metavar="S",
        help="seconds a file must stay still to count as finished without a close or "
        f"rename (default: {DEFAULT_SETTLE_S:g})",
    )
    p.add_argument(
        "--abort-after",
        type=_seconds,
        default=DEFAULT_ABORT_S,
        metavar="S",
        help="seconds a file whose header never matches its size must stay still before "
        f"it is reported as an aborted render (default: {DEFAULT_ABORT_S:g})",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="also ignore file names matching GLOB (repeatable), e.g. '*_stem*.wav'",
    )
    p.add_argument(
        "--jobs",
        type=_workers,
        default=None,
        metavar="N",
        help="files checked in parallel (default: all cores)",
    )
    add_codec_preview(p)
    p.set_defaults(func=run)


def _folders(raw: list[str]) -> tuple[str, ...]:
    """Absolute, de-duplicated folders; raises UsageError naming a bad one."""
    out: dict[str, None] = {}
    for given in raw:
        if not os.path.exists(given):
            raise UsageError(f"watch: no such folder: {printable(given)}")
        if not os.path.isdir(given):
            raise UsageError(f"watch: not a folder: {printable(given)}")
        if not os.access(given, os.R_OK | os.X_OK):
            raise UsageError(f"watch: cannot read folder: {printable(given)}")
        out[os.path.abspath(given)] = None
    return tuple(out)


def load_profiles(*configs: Config) -> ProfileCache:
    """Load every profile the configs can name, so a bad one fails before watching."""
    cache = ProfileCache()
    for config in configs:
        cache.resolve(config.profile_names())
    return cache


def make_plan(
    configs: Config | ConfigFinder, profiles: ProfileCache, *, codec_preview: tuple[str, ...] = ()
) -> Plan:
    """Resolve each file's profiles, rule selection and waivers from its config.

    Args:
        configs: One config for every file, or a finder giving each file the
            nearest config above it; command-line overrides already applied.
        profiles: The profile cache, preloaded with every profile the watched
            folders' configs name (see :func:`load_profiles`).
        codec_preview: ``--codec-preview`` words (checked), for every file.

    Returns:
        A function from a path to its :class:`~qc.watch.job.Job`.
    """
    from qc.codec.preview import with_preview
    from qc.settings import SettingsResolver
    from qc.watch.job import Job

    finder = ConfigFinder.fixed(configs) if isinstance(configs, Config) else configs
    resolver = SettingsResolver(finder, profiles)

    def plan(path: str) -> Job:
        return Job(path, with_preview(resolver.for_file(path), codec_preview))

    return plan


def make_display() -> Display:
    """The rich display on a terminal (outside CI), plain lines otherwise."""
    from qc.watch.display import PlainDisplay, RichDisplay

    if is_tty(sys.stdout) and os.environ.get("CI") != "true":
        return RichDisplay(make_console(sys.stdout))
    return PlainDisplay(sys.stdout, sys.stderr)


def _fail(message: str) -> int:
    print(f"mixdesk: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run ``watch`` until SIGINT/SIGTERM; returns the exit code."""
    from qc.watch.daemon import Daemon, Options
    from qc.watch.lock import WatchLock
    from qc.watch.log import NdjsonLog
    from qc.watch.pool import WorkerPool, default_workers

    try:
        folders = _folders(args.folders)
        if args.abort_after < args.settle:
            raise UsageError(
                f"--abort-after ({args.abort_after:g} s) must not be below --settle "
                f"({args.settle:g} s)"
            )
        configs = finder_for(args)  # each bounce's nearest config, as for check
        # The watched folders' configs and profiles load now: a bad one fails before watching.
        profiles = load_profiles(*(configs.for_folder(f) for f in folders))
        if args.html:
            from qc.plot import require_matplotlib

            require_matplotlib()
        if args.codec_preview:
            from qc.codec.preview import require_av

            require_av()
    except QCError as err:
        return _fail(printable_line(str(err)))
    try:  # before the log is opened: a second daemon must not touch it
        lock = WatchLock.for_daemon(args.log, folders)
    except QCError as err:
        return _fail(str(err))
    except OSError as err:
        where = f"the log {printable(args.log)}" if args.log is not None else "its lock"
        return _fail(f"cannot write {where}: {err.strerror or err}")
    log = None
    if args.log is not None:
        try:
            log = NdjsonLog(args.log)
        except QCError as err:  # a link, audio, a config, not a log: qc.safe_io
            return _fail(printable(str(err)))
        except OSError as err:
            return _fail(f"cannot write the log {printable(args.log)}: {err.strerror or err}")
    options = Options(
        folders=folders,
        recursive=args.recursive,
        poll=args.poll,
        poll_interval_s=args.poll_interval,
        initial=args.initial,
        resume=args.resume and log is not None,
        settle_s=args.settle,
        abort_s=args.abort_after,
        exclude=tuple(args.exclude),
        sidecar=args.sidecar,
        html=args.html,
    )
    pool = WorkerPool(args.jobs or default_workers())
    try:
        daemon = Daemon(
            options,
            plan=make_plan(configs, profiles, codec_preview=args.codec_preview),
            submit=pool.submit,
            jobs=pool.workers,
            display=make_display(),
            log=log,
        )
        code = daemon.run()
    except QCError as err:
        pool.shutdown()
        return _fail(str(err))
    except KeyboardInterrupt:  # a second signal: give up on the checks in flight
        pool.terminate()
        raise
    finally:
        if log is not None:
            log.close()
    pool.shutdown()
    lock.release()
    return code
