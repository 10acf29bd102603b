"""``mixdesk daw``: run the embedded virtual DAW on a folder of stems.

It speaks REAPER's OSC dialect (``Default.ReaperOSC``) on UDP, so anything that
drives REAPER drives it: ``mixdesk mix --daw reaper``, ``bridge.connect("reaper")``
or a control surface. Action 42230 renders a take into the render folder. It
runs until Ctrl-C or SIGTERM, then finishes any render in progress.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from qc.printable import printable, printable_line

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Register ``mixdesk daw``."""
    p = sub.add_parser(
        "daw",
        help="run the embedded virtual DAW (REAPER OSC dialect) on a folder of stems",
        description="Run the embedded virtual DAW on a folder of stems.",
    )
    p.add_argument("--stems", required=True, metavar="DIR", help="folder of stem files")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="OSC port to listen on (8000)")
    p.add_argument(
        "--feedback-port",
        type=int,
        default=9000,
        help="where feedback goes, on 127.0.0.1 (9000); 0 = answer the last sender",
    )
    p.add_argument("--render-dir", default="renders", metavar="DIR", help="(./renders)")
    p.add_argument("--rate", type=int, default=48000, help="project sample rate in Hz (48000)")
    p.add_argument("--bits", type=int, choices=(16, 24), default=24, help="render depth (24)")
    p.add_argument(
        "--pan-law",
        default="constant-power",
        choices=("constant-power", "-4.5", "-6", "0"),
        help="pan law (constant-power: -3 dB at centre)",
    )
    p.add_argument("--project", default="mix", help="take name prefix (mix → mix-take01.wav)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 on a bad stems folder or a busy port."""
    from bridge.cli._renders import rendered_line
    from bridge.errors import BridgeError
    from bridge.virtual.render import RenderResult
    from bridge.virtual.server import VirtualDaw
    from bridge.virtual.stems import load_stems

    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine("mixdesk daw: %(message)s"))
    logging.basicConfig(handlers=[handler], level=logging.WARNING)

    def rendered(r: RenderResult) -> None:
        print(rendered_line(r), flush=True)

    feedback = None if args.feedback_port == 0 else ("127.0.0.1", args.feedback_port)
    try:
        stems = load_stems(args.stems, args.rate)
        daw = VirtualDaw(
            stems,
            rate=args.rate,
            render_dir=Path(args.render_dir),
            host=args.host,
            port=args.port,
            feedback=feedback,
            project=args.project,
            bits=args.bits,
            pan_law=args.pan_law,
            on_render=rendered,
        )
    except (BridgeError, OSError) as err:
        print(f"mixdesk daw: {printable_line(str(err))}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with daw:
        host, port = daw.address
        to = "the last sender" if feedback is None else f"127.0.0.1:{args.feedback_port}"
        where = printable(f"{host}:{port}")
        print(f"virtual DAW on {where} (REAPER dialect), feedback to {to}", flush=True)
        for i, s in enumerate(stems, start=1):
            kind = "stereo" if s.channels == 2 else "mono"
            print(f"  track {i}: {printable(s.name)} ({kind}, {s.seconds:.1f} s)", flush=True)
        folder = printable(str(daw.render_dir))
        print(f"renders go to {folder}/ (action 42230); Ctrl-C stops", flush=True)
        stop.wait()
        print("stopping (finishing renders in progress)", flush=True)
    return 0


class _OneLine(logging.Formatter):
    """Log lines with what a client sent escaped and cut (:mod:`qc.printable`)."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record as one printable line."""
        return printable_line(super().format(record))
