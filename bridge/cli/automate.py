"""``mixdesk automate``: write a lane file into a DAW in one real-time pass.

It checks that the DAW can set every automation mode the pass needs (a master
lane on REAPER, the virtual DAW or Ardour cannot be written in a mode: one line,
exit 2, before anything is sent), sets the mode (touch for REAPER, write for
Ardour, or ``--mode``), locates, plays, streams every lane at ``--rate`` Hz
synced to the DAW's transport position, then releases touch and stops. The
written lanes are left in read mode (REAPER Read, Ardour Play), so pressing play
plays them; ``--restore-modes`` puts the previous modes back instead. The same
happens on Ctrl-C, for the part written so far.

``--daw virtual`` renders the lanes offline instead, sample-accurately, into a
new take in ``--render-dir`` (the current folder by default), master and plugin
lanes included (:mod:`bridge.cli._offline`); a live pass into a virtual DAW
started for one command would be lost with it. The live-pass options are
refused there.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bridge.cli._common import (
    Subparsers,
    UsageError,
    add_connection_options,
    connect,
    guarded,
)
from bridge.cli._renders import rendered_line
from bridge.dialects import dialect_class

if TYPE_CHECKING:
    from bridge.automation.lane import Lane

__all__ = ["add_parser"]

_AFTER = {
    "read": "lanes left in read mode (REAPER Read, Ardour Play), so the DAW plays them",
    "restored": "previous automation modes restored",
    "unchanged": "automation modes unchanged",
}


def add_parser(sub: Subparsers) -> None:
    """Register ``mixdesk automate``."""
    p = sub.add_parser(
        "automate",
        help="write automation lanes (TOML/JSON) into a DAW in real time",
        description="Write a lane file into a DAW in one real-time pass. With --daw virtual, "
        "render the lanes offline (sample-accurately, master and plugin lanes too) into a new "
        "take in --render-dir.",
    )
    add_connection_options(p)
    p.add_argument("lanefile", metavar="LANEFILE", help="lanes, mixdesk.lanes/1 (.toml or .json)")
    p.add_argument("--from", dest="start", type=float, metavar="S", help="start of the pass, s")
    p.add_argument("--to", dest="end", type=float, metavar="S", help="end of the pass, s")
    p.add_argument("--rate", type=float, default=None, metavar="HZ", help="values/s (100)")
    p.add_argument(
        "--mode",
        choices=("auto", "touch", "latch", "write", "none"),
        default="auto",
        help="automation mode for the pass (auto: touch for REAPER, write for Ardour;"
        " none: just stream the values)",
    )
    p.add_argument(
        "--restore-modes",
        action="store_true",
        help="after the pass, put the previous automation modes back"
        " (default: leave the written lanes in read mode, REAPER Read / Ardour Play)",
    )
    p.add_argument("--no-roll", action="store_true", help="follow a transport someone else runs")
    p.set_defaults(func=guarded(_run))


def _run(args: argparse.Namespace) -> int:
    from bridge.automation.lanefile import load_lanes
    from bridge.automation.player import LanePlayer

    lanes = load_lanes(args.lanefile)
    if not lanes:
        raise UsageError(f"{args.lanefile}: no lanes")
    if args.start is not None and args.end is not None and args.end <= args.start:
        raise UsageError(f"--to {args.end:g} s is not after --from {args.start:g} s")
    if args.daw is not None and dialect_class(args.daw).embedded is not None:
        return _offline(args, lanes)
    mode = None if args.mode == "none" else args.mode
    rate = 100.0 if args.rate is None else args.rate
    with connect(args) as mixer:
        player = LanePlayer(
            mixer,
            lanes,
            rate_hz=rate,
            mode=mode,
            roll=not args.no_roll,
            restore_modes=args.restore_modes,
        )
        start = args.start if args.start is not None else min(la.start_s for la in lanes)
        end = args.end if args.end is not None else max(la.end_s for la in lanes)
        print(
            f"writing {len(lanes)} lane{'s' if len(lanes) != 1 else ''} into {mixer.dialect.title},"
            f" {start:.2f}-{end:.2f} s,"
            f" mode {player.mode or 'unchanged'}, {rate:g} Hz",
            flush=True,
        )
        try:
            report = player.run(start, end)
        except KeyboardInterrupt:
            after = player.last_report.modes_after if player.last_report else "unchanged"
            stop = "touch released" + ("" if args.no_roll else ", transport stopped")
            done = ("the part written so far: " if after == "read" else "") + _AFTER[after]
            print(f"interrupted: {stop}; {done}", flush=True)
            return 130
    print(
        f"done: {report.ticks} ticks, {report.messages} values sent;"
        f" send time p99 {report.percentile_ms(0.99):.2f} ms;"
        f" {report.position_reports} position reports"
        f" (last off by {1e3 * report.last_position_error_s:+.1f} ms);"
        f" {_AFTER[report.modes_after]}"
    )
    return 0


def _offline(args: argparse.Namespace, lanes: list[Lane]) -> int:
    """Render the lanes offline into a take of the virtual DAW's mix (``--daw virtual``)."""
    from bridge.cli._offline import render_lanes

    live = {
        "--from": args.start is not None,
        "--to": args.end is not None,
        "--rate": args.rate is not None,
        "--mode": args.mode != "auto",
        "--restore-modes": args.restore_modes,
        "--no-roll": args.no_roll,
    }
    given = [name for name, on in live.items() if on]
    if given:
        raise UsageError(
            f"{given[0]} is for a live pass; --daw {args.daw} renders the lanes offline"
            " (for a live pass: 'mixdesk daw --stems DIR' and --daw reaper)"
        )
    if args.stems is None:
        raise UsageError(f"--daw {args.daw} needs --stems DIR (the folder of stems to mix)")
    start, end = min(la.start_s for la in lanes), max(la.end_s for la in lanes)
    n = len(lanes)
    said = (
        f"rendering {n} lane{'s' if n != 1 else ''} offline in {dialect_class(args.daw).title},"
        f" {start:.2f}-{end:.2f} s, sample-accurate"
    )
    take = render_lanes(lanes, args.stems, args.render_dir, lambda: print(said, flush=True))
    print(rendered_line(take), flush=True)
    return 0
