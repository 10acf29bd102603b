"""Set the example song's balance over OSC: a level and a pan per stem, headroom on the master.

Run it three ways:

    python examples/mix_song.py STEMS_DIR                # its own virtual DAW on the stems
    mixdesk run examples/mix_song.py --daw virtual --stems STEMS_DIR
    mixdesk run examples/mix_song.py --daw reaper       # a REAPER session with these track names

Under ``mixdesk run`` a connected ``mixer`` is handed in; tracks missing from
the session are skipped with a note, so it runs on any session.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.mixer import Mixer

__all__ = ["MASTER_DB", "MIX", "apply"]

MIX: dict[str, tuple[float, float]] = {
    # track: (fader in dB, pan -1 left … +1 right)
    "drums": (-3.0, 0.0),
    "bass": (-4.5, 0.0),
    "keys": (-8.0, -0.35),
    "lead": (-3.5, 0.05),
    "pad": (-12.0, 0.3),
    "perc": (-10.0, 0.45),
    "arp": (-11.0, -0.5),
    "fx": (-16.0, 0.6),
}
"""The balance: the lead and the rhythm section up front, the rest spread out."""

MASTER_DB = -2.0
"""Master fader in dB: headroom for the mastering engineer's limiter."""


def apply(mixer: Mixer) -> list[str]:
    """Set every track of :data:`MIX` that the session has; returns what was done."""
    done = []
    for name, (db, pan) in MIX.items():
        if name not in mixer.tracks:
            continue
        track = mixer.tracks[name]
        track.volume_db = db
        track.pan = pan
        side = "C" if pan == 0 else f"{abs(pan) * 100:.0f}{'L' if pan < 0 else 'R'}"
        done.append(f"{name:<6} {db:+6.1f} dB  pan {side}")
    mixer.master.volume_db = MASTER_DB
    done.append(f"master {MASTER_DB:+6.1f} dB")
    return done


def _main(argv: list[str]) -> int:
    import bridge

    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with bridge.connect("virtual", stems=argv[0]) as mixer:
        for line in apply(mixer):
            print(line)
    return 0


if __name__ == "__main__":
    given = globals().get("mixer")  # handed in by `mixdesk run`
    if given is not None:
        for line in apply(given):
            print(line)
    else:
        sys.exit(_main(sys.argv[1:]))
