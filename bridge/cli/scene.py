"""``mixdesk scene save|recall|diff``: snapshot every track's values, recall them, compare two."""

from __future__ import annotations

import argparse

from bridge.cli._common import (
    Subparsers,
    UsageError,
    add_connection_options,
    connect,
    guarded,
    late_connection_options,
)
from qc.printable import printable, printable_line

__all__ = ["add_parser"]


def add_parser(sub: Subparsers) -> None:
    """Register ``mixdesk scene``."""
    p = sub.add_parser(
        "scene",
        help="save, recall or compare mix scenes (every track's level, pan, mute, solo)",
        description="Snapshot every track's values, recall them, compare two. Connection "
        "options go before or after ACTION.",
    )
    add_connection_options(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = actions.add_parser("save", help="capture the DAW's mixer into a scene file")
    save.add_argument("file", metavar="SCENE.toml")
    save.add_argument("--name", help="the scene's name (default: the file's stem)")
    save.add_argument(
        "--force",
        action="store_true",
        help="replace an existing scene file (never audio or a config)",
    )
    save.set_defaults(func=guarded(_save))
    recall = actions.add_parser("recall", help="set the DAW's mixer from a scene file")
    recall.add_argument("file", metavar="SCENE.toml")
    recall.add_argument("--tracks", metavar="NAMES", help="only these tracks (comma-separated)")
    recall.add_argument("--params", metavar="PARAMS", help="only these (e.g. volume_db,pan)")
    recall.set_defaults(func=guarded(_recall))
    diff = actions.add_parser("diff", help="what changes from scene A to scene B")
    diff.add_argument("a", metavar="A.toml")
    diff.add_argument("b", metavar="B.toml")
    diff.set_defaults(func=guarded(_diff))
    late_connection_options(actions, skip=("diff",))  # after ACTION too; a later value wins


def _save(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bridge.automation.scene import capture, save_scene
    from qc.safe_io import UnsafeTargetError, ensure_writable

    try:  # before connecting: never over audio, a config, a link or another file
        ensure_writable(args.file, what="scene", toml=True, force=args.force)
    except UnsafeTargetError as err:
        raise UsageError(str(err)) from None
    with connect(args) as mixer:
        scene = capture(mixer, name=args.name or Path(args.file).stem)
    save_scene(scene, args.file, force=args.force)
    print(f"saved {len(scene.tracks)} tracks to {printable(args.file)}")
    return 0


def _recall(args: argparse.Namespace) -> int:
    from bridge.automation.scene import load_scene, recall

    scene = load_scene(args.file)
    tracks = [n.strip() for n in args.tracks.split(",")] if args.tracks else None
    params = [n.strip() for n in args.params.split(",")] if args.params else None
    with connect(args) as mixer:
        notes = recall(mixer, scene, only=params, tracks=tracks)
    for line in notes:
        print(printable_line(line))  # track names come from the DAW
    print(f"recalled {printable(args.file)}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from bridge.automation.scene import load_scene
    from bridge.automation.scenediff import diff, format_diff

    changes = diff(load_scene(args.a), load_scene(args.b))
    for line in format_diff(changes):
        print(printable_line(line))
    if not changes:
        print("no differences")
    return 0
