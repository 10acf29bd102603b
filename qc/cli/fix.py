"""``mixdesk fix``: write a delivery file per input, then re-check it with the same profiles."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from qc.cli._parsing import Subparsers, csv_list, flatten
from qc.errors import QCError, UsageError
from qc.fix.gain import DEFAULT_MAX_GR_DB
from qc.fix.plan import CONTAINERS
from qc.fix.report import FixReport, format_report
from qc.fix.run import FixOptions
from qc.printable import printable_line

__all__ = ["add_parser", "output_paths", "run"]


def add_parser(sub: Subparsers) -> None:
    """Register ``mixdesk fix``."""
    p = sub.add_parser(
        "fix",
        help="write a delivery file: loudness target, true-peak limit, rate, dither; re-check it",
        description="Write a delivery file per input that passes the profiles' fixable rules "
        "(loudness target, true-peak ceiling, sample rate, bit depth with dither), re-check it "
        "with the same profiles and print the before and after. Exit 0: the output passes; "
        "1: findings remain that fix cannot mend (each listed with why); 2: bad input. The "
        "input is never modified.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files to fix")
    p.add_argument(
        "--profile",
        action="append",
        type=csv_list,
        required=True,
        metavar="P[,P...]",
        help="delivery profiles (the quietest target and the lowest ceiling win)",
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", metavar="OUT", help="output file (one input only)")
    where.add_argument(
        "--output-dir", metavar="DIR", help="write each output as DIR/NAME (.wav for MP3 etc.)"
    )
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.add_argument(
        "--target-lufs", type=float, metavar="LUFS", help="loudness target instead of the profiles'"
    )
    p.add_argument(
        "--ceiling-dbtp",
        type=float,
        metavar="DB",
        help="true-peak ceiling instead of the profiles'",
    )
    p.add_argument(
        "--max-gr",
        type=float,
        default=DEFAULT_MAX_GR_DB,
        metavar="DB",
        help="most limiter gain reduction spent on reaching the target; past it fix stops "
        f"short and says so (default: {DEFAULT_MAX_GR_DB:g} dB, what a peak limiter takes "
        "transparently)",
    )
    p.add_argument(
        "--release",
        type=float,
        default=100.0,
        metavar="MS",
        help="limiter release (default: 100 ms)",
    )
    p.add_argument(
        "--dither",
        choices=("tpdf", "sloped"),
        default="tpdf",
        help="dither when the word length is reduced: white TPDF or high-pass sloped TPDF "
        "(default: tpdf)",
    )
    p.add_argument("--no-dither", action="store_true", help="round without dither")
    p.add_argument("--rate", type=int, metavar="HZ", help="sample rate to deliver")
    p.add_argument(
        "--album", action="store_true", help="one gain for all files: the album on target"
    )
    p.add_argument("--seed", type=int, metavar="N", help="dither seed (reproducible output)")
    p.set_defaults(func=run)


def output_paths(files: Sequence[str], output: str | None, output_dir: str | None) -> list[str]:
    """The output file of each input.

    Raises:
        UsageError: ``-o`` with several inputs.
    """
    if output is not None:
        if len(files) != 1:
            raise UsageError(f"-o names one output but {len(files)} inputs were given")
        return [output]
    assert output_dir is not None
    out = []
    for f in files:
        stem, suffix = os.path.splitext(os.path.basename(f))
        out.append(
            os.path.join(output_dir, stem + (suffix if suffix.lower() in CONTAINERS else ".wav"))
        )
    return out


def _options(args: argparse.Namespace) -> FixOptions:
    return FixOptions(
        target_lufs=args.target_lufs,
        ceiling_dbtp=args.ceiling_dbtp,
        max_gr_db=args.max_gr,
        release_ms=args.release,
        dither="none" if args.no_dither else args.dither,
        rate=args.rate,
        force=args.force,
        seed=args.seed,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``mixdesk fix``; returns the exit code."""
    from qc.fix.album import fix_album
    from qc.fix.run import fix_file
    from qc.profiles import ProfileCache

    try:
        profiles = ProfileCache().resolve(flatten(args.profile) or [])
        outs = output_paths(args.files, args.output, args.output_dir)
        options = _options(args)
        if args.album:
            reports: list[FixReport] = list(fix_album(args.files, profiles, outs, options))
            for r in reports:
                print(format_report(r))
            return max(r.exit_code() for r in reports)
    except QCError as err:
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    code = 0
    for path, out in zip(args.files, outs, strict=True):
        try:
            report = fix_file(path, profiles, out, options)
        except QCError as err:
            print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
            code = 2
            continue
        print(format_report(report))
        code = max(code, report.exit_code())
    return code
