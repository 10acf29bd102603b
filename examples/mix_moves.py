"""A rough mix in a few lines: set levels, pans and mutes on a DAW's tracks over OSC.

Run it through mixdesk, which connects first and hands the script a ``mixer``::

    mixdesk run examples/mix_moves.py --daw ardour

or on its own, connecting with :func:`bridge.connect`::

    python examples/mix_moves.py --daw ardour [--host 127.0.0.1] [--port 3819]

The moves: the vocal (or lead) up front in the centre, guitar and keys panned
apart, bass and drums down the middle, a click or guide track muted. Tracks are
found by name, case-insensitively and by part ("Lead Vox" is a vocal). A move
whose names the session does not have takes the next unused track by number
instead, so the script does something sensible on any session; the click mute
is the one move that is skipped rather than guessed. Every value is set, then
waited for until the DAW confirms it, and printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import bridge

if TYPE_CHECKING:
    from bridge.mixer import Mixer, Track


@dataclass(frozen=True)
class Move:
    """What to do to one kind of track.

    Attributes:
        role: What the track is, for the printout.
        names: Parts of track names that identify it (lower case).
        volume_db: Fader level in dB, or None to leave it.
        pan: -1 (left) … +1 (right), or None to leave it.
        mute: Mute on or off.
        by_number: Take an unused track by number when no name matches.
    """

    role: str
    names: tuple[str, ...]
    volume_db: float | None
    pan: float | None
    mute: bool
    by_number: bool = True


MOVES = (
    Move("vocal", ("vocal", "vox", "lead", "voice"), -3.0, 0.0, mute=False),
    Move("guitar", ("guitar", "gtr"), -8.0, -0.35, mute=False),
    Move("keys", ("keys", "piano", "synth", "pad"), -9.0, 0.35, mute=False),
    Move("bass", ("bass",), -6.0, 0.0, mute=False),
    Move("drums", ("drum", "kit", "perc"), -5.0, 0.0, mute=False),
    Move("click", ("click", "guide", "metronome"), None, None, mute=True, by_number=False),
)


def pick_tracks(mixer: Mixer, moves: Sequence[Move]) -> list[tuple[Move, Track | None, str]]:
    """Match each move to a track: by name first, then (if allowed) the next unused number.

    All moves look for their names before any falls back to a number, so a
    fallback never takes a track that another move names.

    Returns:
        ``(move, track or None, how it was found)`` for every move.
    """
    tracks = list(mixer.tracks)
    names = {t.number: t.name.casefold() for t in tracks}
    by_name: dict[int, Track] = {}
    for i, move in enumerate(moves):
        taken = {t.number for t in by_name.values()}
        for t in tracks:
            if t.number not in taken and any(n in names[t.number] for n in move.names):
                by_name[i] = t
                break
    taken = {t.number for t in by_name.values()}
    free = [t for t in tracks if t.number not in taken]
    picked: list[tuple[Move, Track | None, str]] = []
    for i, move in enumerate(moves):
        if i in by_name:
            picked.append((move, by_name[i], "by name"))
        elif move.by_number and free:
            picked.append((move, free.pop(0), "by number"))
        else:
            left = ", none left to take by number" if move.by_number else ""
            picked.append((move, None, f"no track named like {'/'.join(move.names)}{left}"))
    return picked


def apply(mixer: Mixer, moves: Sequence[Move] = MOVES) -> int:
    """Make the moves, wait for the DAW to confirm each value, and print them.

    Returns:
        How many tracks were changed.
    """
    changed = 0
    for move, track, how in pick_tracks(mixer, moves):
        if track is None:
            print(f"{move.role:7} skipped: {how}")
            continue
        wanted: dict[str, float | bool] = {}
        if move.volume_db is not None:
            wanted["volume_db"] = move.volume_db
        if move.pan is not None:
            wanted["pan"] = move.pan
        wanted["mute"] = move.mute
        for param, value in wanted.items():
            track.set(param, value)
        for param, value in wanted.items():
            track.wait_for(param, value, timeout=mixer.timeout)
        shown = ", ".join(f"{_LABELS.get(p, p)} {_show(p, track.get(p))}" for p in wanted)
        print(f"{move.role:7} track {track.number} {track.name!r} ({how}): {shown}")
        changed += 1
    return changed


_LABELS = {"volume_db": "volume"}


def _show(param: str, value: object) -> str:
    if param == "mute":
        return "on" if value else "off"
    if param == "pan" and isinstance(value, float):
        pct = round(abs(value) * 100)
        return "C" if pct == 0 else f"{pct}{'L' if value < 0 else 'R'}"
    return f"{value:.1f} dB" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Connect unless ``mixdesk run`` already did, then make the moves."""
    print("Rough mix: vocal up front, guitar and keys apart, bass and drums centred, click muted.")
    given = globals().get("mixer")
    if given is not None:  # under 'mixdesk run': connected already, closed by mixdesk
        apply(given)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--daw", required=True, choices=("reaper", "ardour", "ableton", "virtual"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--listen-port", type=int, default=None)
    parser.add_argument("--stems", default=None, help="--daw virtual: the folder of stems")
    args = parser.parse_args(argv)
    try:
        with bridge.connect(
            args.daw, args.host, args.port, listen_port=args.listen_port, stems=args.stems
        ) as mixer:
            apply(mixer)
    except bridge.BridgeError as err:
        print(f"mix_moves: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
