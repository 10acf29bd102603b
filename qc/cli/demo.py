"""``mixdesk demo``: the whole loop on a fresh machine, with no DAW installed.

1. generate the example stems (``examples/stems.py``) into a temporary folder;
2. start the embedded virtual DAW on them, and the watch daemon on its render folder;
3. run the example mix script (``examples/mix_song.py``) over OSC, as
   ``mixdesk run`` would: the balance, the bass high-passed and compressed
   (the virtual DAW's ``EQ`` and ``Compressor``), the lead sent to the reverb
   return; print what the DAW confirmed, and render (REAPER's action 42230);
4. show the daemon's verdict of the bounce against ``mix-for-mastering`` and
   ``spotify``;
5. shut everything down.

This is the one place where the two halves meet: it imports :mod:`bridge` (the
virtual DAW and the mixer) and :mod:`qc` (the watch daemon). Everywhere else
``qc`` and ``bridge`` never import each other.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import runpy
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from qc.cli._parsing import Subparsers

__all__ = ["add_parser", "examples_dir", "run"]

_PROFILES = ("mix-for-mastering", "spotify")


def add_parser(sub: Subparsers) -> None:
    """Register ``mixdesk demo``."""
    p = sub.add_parser(
        "demo",
        help="the whole loop with no DAW: stems → mix over OSC → render → QC of the bounce",
        description="Run the whole loop on a fresh machine, with no DAW installed.",
    )
    p.add_argument("--seconds", type=float, default=60.0, help="song length in s (60)")
    p.add_argument("--stems", type=int, default=4, choices=range(4, 9), metavar="N",
                   help="number of stems, 4-8 (4)")  # fmt: skip
    p.add_argument("--keep", metavar="DIR", help="keep the stems and renders in DIR")
    p.set_defaults(func=run)


def examples_dir() -> Path:
    """Where the example scripts are: shipped in the wheel, or the source tree's."""
    shipped = Path(__file__).resolve().parents[1] / "_examples"
    if (shipped / "stems.py").is_file():
        return shipped
    return Path(__file__).resolve().parents[2] / "examples"


def _say(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run the demo; 0 when the loop completed, 2 when it could not."""
    from bridge.errors import BridgeError
    from bridge.virtual.server import VirtualDaw
    from bridge.virtual.session import VirtualMixer
    from bridge.virtual.stems import load_stems
    from qc.cli import watch as watch_cli
    from qc.config import Config
    from qc.watch.daemon import Daemon, Options
    from qc.watch.log import NdjsonLog
    from qc.watch.pool import WorkerPool

    examples = examples_dir()
    if not (examples / "stems.py").is_file():
        print(f"mixdesk: demo: example scripts not found in {examples}", file=sys.stderr)
        return 2
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mixdesk-demo-"))
    stems_dir, renders = root / "stems", root / "renders"
    for folder in (stems_dir, renders):
        folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pool = None
    try:
        _say(f"1/4 generating {args.stems} stems of {args.seconds:g} s in {stems_dir}")
        gen: Any = runpy.run_path(str(examples / "stems.py"))["generate"]
        gen(stems_dir, seconds=args.seconds, count=args.stems)
        tracks = load_stems(stems_dir, 48000)

        _say(f"2/4 starting the virtual DAW and 'mixdesk watch {renders}'")
        config = Config(path=None, root=root).with_overrides(profiles=_PROFILES)
        pool = WorkerPool(1)
        log = NdjsonLog(str(root / "qc.ndjson"))
        daemon = Daemon(
            Options(folders=(str(renders),)),
            plan=watch_cli.make_plan(config, watch_cli.load_profiles(config)),
            submit=pool.submit,
            jobs=pool.workers,
            display=watch_cli.make_display(),
            log=log,
        )
        daemon.start()
        with VirtualDaw(tracks, rate=48000, render_dir=renders, port=0, feedback=None) as daw:
            mixer = VirtualMixer(daw, timeout=5.0, rate_limit_s=0.0)
            with mixer:
                _say(f"3/4 mixing over OSC ({len(tracks)} tracks, REAPER dialect) and rendering")
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    runpy.run_path(
                        str(examples / "mix_song.py"),
                        init_globals={"mixer": mixer},
                        run_name="__main__",
                    )
                for line in out.getvalue().splitlines():
                    _say(f"    {line}")
                take = mixer.render_and_wait(timeout=120)
            _say(
                f"    rendered {take.path.name}: {take.seconds:.1f} s, {take.bits}-bit,"
                f" peak {take.peak_dbfs:.1f} dBFS, in {take.elapsed_s:.2f} s"
            )
        _say(f"4/4 the watch daemon checks the bounce ({', '.join(_PROFILES)})")
        deadline = time.monotonic() + 120
        while daemon.scheduler.counts().done < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        counts = daemon.stop()
        daemon.outputs.display.stop(f"watch daemon stopped: {counts.done} bounce checked")
        log.close()
    except (BridgeError, OSError) as err:
        print(f"mixdesk: demo: {err}", file=sys.stderr)
        if not args.keep:  # no stray temporary folder, even on failure
            shutil.rmtree(root, ignore_errors=True)
        return 2
    finally:
        if pool is not None:
            pool.shutdown()
    if counts.done < 1:
        print("mixdesk: demo: the bounce was not checked within 120 s", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        return 2
    where = f"kept in {root}" if args.keep else "removed"
    _say(f"done in {time.perf_counter() - started:.1f} s; stems, renders and qc.ndjson {where}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0
