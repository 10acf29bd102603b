"""Mix the example song over OSC: a level and a pan per stem, a channel strip, reverb, headroom.

The balance sets every stem's fader and pan; the channel strip high-passes and
compresses the bass (the virtual DAW's ``EQ`` and ``Compressor``, in Hz, dB and
ms) and sends the lead to the reverb return (send 1, -12 dB) with a 2.2 s decay.

Run it three ways:

    python examples/mix_song.py STEMS_DIR                # its own virtual DAW on the stems
    mixdesk run examples/mix_song.py --daw virtual --stems STEMS_DIR
    mixdesk run examples/mix_song.py --daw reaper       # a REAPER session with these track names

Under ``mixdesk run`` a connected ``mixer`` is handed in; tracks missing from
the session are skipped, and so are plugins it does not have (a REAPER session
without these plugin names), with a note, so it runs on any session.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.mixer import Mixer
    from bridge.mixer.fx import Param

__all__ = ["MASTER_DB", "MIX", "REVERB_DECAY_S", "STRIP", "apply", "apply_strip"]

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


STRIP: dict[str, dict[str, dict[str, float]]] = {
    # track: plugin: parameter: value, in the parameter's units
    "bass": {
        "EQ": {"High-pass freq": 40.0},  # Hz: rumble out below the low E's 41 Hz
        "Compressor": {
            "Threshold": -18.0,  # dB
            "Ratio": 4.0,
            "Attack": 10.0,  # ms
            "Release": 120.0,  # ms
            "Makeup": 3.0,  # dB
        },
    },
}
"""The channel strip: the bass high-passed and compressed."""

LEAD_REVERB_DB = -12.0
"""The lead's send 1 (to the Reverb return), in dB."""

REVERB_DECAY_S = 2.2
"""The Reverb return's decay (RT60), in s."""


def _shown(param: Param) -> str:
    """``Threshold -18 dB``: a parameter as the DAW confirmed it, with its unit."""
    unit = {"": "", ":1": ":1", "%": " %"}.get(param.unit, f" {param.unit}")
    return f"{param.name} {param.value:g}{unit}"


def apply_strip(mixer: Mixer) -> list[str]:
    """Set :data:`STRIP`, the lead's reverb send and the reverb's decay; returns what was done.

    Each value is read back as the DAW confirmed it. A track or plugin the
    session does not have is skipped with a note.
    """
    from bridge.errors import BridgeError

    done = []
    for name, plugins in STRIP.items():
        if name not in mixer.tracks:
            continue
        for plugin, values in plugins.items():
            try:
                params = mixer.tracks[name].fx[plugin].params
                for param, value in values.items():
                    params[param].value = value
                shown = ", ".join(_shown(params[p]) for p in values)
            except BridgeError as err:
                done.append(f"{name:<6} {plugin}: skipped ({err})")
                continue
            done.append(f"{name:<6} {plugin}: {shown}")
    if "lead" in mixer.tracks and "Reverb" in mixer.tracks:
        try:
            send = mixer.tracks["lead"].sends[1]
            send.level_db = LEAD_REVERB_DB
            decay = mixer.tracks["Reverb"].fx["Reverb"].params["Decay"]
            decay.value = REVERB_DECAY_S
            done.append(f"lead   send 1 → Reverb {send.level_db:+.1f} dB (decay {decay.value:g} s)")
        except BridgeError as err:
            done.append(f"lead   reverb send: skipped ({err})")
    return done


def apply(mixer: Mixer) -> list[str]:
    """Set every track of :data:`MIX` the session has, then the strip; returns what was done."""
    done = []
    for name, (db, pan) in MIX.items():
        if name not in mixer.tracks:
            continue
        track = mixer.tracks[name]
        track.volume_db = db
        track.pan = pan
        side = "C" if pan == 0 else f"{abs(pan) * 100:.0f}{'L' if pan < 0 else 'R'}"
        done.append(f"{name:<6} {db:+6.1f} dB  pan {side}")
    done += apply_strip(mixer)
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
