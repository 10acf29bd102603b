"""The virtual DAW's track and master fader addresses: what each does to the mixer state.

Pure: a parsed address (:func:`bridge.dialects.reaper_addresses.parse_address`)
and its argument in, a change of :class:`~bridge.virtual.state.TrackState` or
:class:`~bridge.virtual.state.MixState` out, or the one-line reason it was
refused. The server (:mod:`bridge.virtual.server`) holds the lock, logs what is
refused and sends the feedback.

Volume: ``/volume/db`` (``f``, dB; at or below -150 dB is ``-inf``, above
+24 dB is +24 dB) and ``/volume`` (``n``, REAPER's fader law, see
:mod:`bridge.virtual.fader`). Pan: ``/pan`` (``n``, 0 = left … 1 = right),
``/pan2`` (``n``, width). ``/mute``, ``/solo``, ``/recarm`` (``b``) and their
``/toggle`` (``t``). The master (``/master/...`` or ``/track/0/...``) takes
volume and pan (its balance).
"""

from __future__ import annotations

import math

from bridge.dialects.base import as_float
from bridge.virtual.fader import fader_to_db
from bridge.virtual.state import MixState, TrackState

__all__ = ["FADER_WORDS", "MASTER_WORDS", "apply_fader", "apply_master", "rename", "volume_db"]

FADER_WORDS = frozenset(
    {
        "volume", "volume/db", "pan", "pan2", "mute", "solo", "recarm",
        "mute/toggle", "solo/toggle", "recarm/toggle", "name",
    }
)  # fmt: skip
"""The track words :func:`apply_fader` takes."""

MASTER_WORDS = frozenset({"volume", "volume/db", "pan"})
"""The master words :func:`apply_master` takes."""

RESERVED_NAME = "master"
"""No track may be called this (case-insensitively): automation lanes name the master so."""


def _f(arg: object) -> float | None:
    try:
        return as_float(arg) if not isinstance(arg, bool) else None
    except OverflowError:
        return None


def volume_db(word: str, arg: object) -> float | None:
    """The level ``/volume/db`` or ``/volume`` (also a send's) sets, in dB, or None if bad."""
    f = _f(arg)
    if f is None or math.isnan(f):
        return None
    if word.endswith("/db"):
        return -math.inf if f <= -150.0 else min(f, 24.0)
    return fader_to_db(f) if f >= 0.0 else None


def apply_fader(t: TrackState, recarm: bool, word: str, arg: object) -> str | bool | None:
    """Apply a fader word to track ``t`` (not ``name``: see :func:`rename`).

    Args:
        t: The track's state.
        recarm: The track's record-arm state (the state has no field for it).
        word: One of :data:`FADER_WORDS` except ``name``.
        arg: The message's first argument (None if it had none).

    Returns:
        None if the value was bad; else the new record-arm state for ``recarm``
        words, or the empty string for every other word.
    """
    f = _f(arg)
    if word in ("volume", "volume/db"):
        db = volume_db(word, arg)
        if db is None:
            return None
        t.volume_db = db
    elif word in ("pan", "pan2"):
        if f is None or not 0.0 <= f <= 1.0:
            return None
        if word == "pan":
            t.pan = 2.0 * f - 1.0
        else:
            t.width = 2.0 * f - 1.0
    elif word in ("mute", "solo", "recarm") and f in (0.0, 1.0):
        if word == "recarm":
            return f == 1.0
        setattr(t, word, f == 1.0)
    elif word in ("mute/toggle", "solo/toggle", "recarm/toggle") and f in (None, 1.0):
        button = word.split("/", maxsplit=1)[0]
        if button == "recarm":
            return not recarm
        setattr(t, button, not getattr(t, button))
    else:
        return None
    return ""


def apply_master(state: MixState, word: str, arg: object) -> bool:
    """Apply a master word (volume or balance); False if the value was bad."""
    if word == "pan":
        f = _f(arg)
        if f is None or not 0.0 <= f <= 1.0:
            return False
        state.master_pan = 2.0 * f - 1.0
        return True
    db = volume_db(word, arg) if word in ("volume", "volume/db") else None
    if db is None:
        return False
    state.master_volume_db = db
    return True


def rename(state: MixState, names: list[str], number: int, new: str) -> str | None:
    """Rename track ``number`` (1-based) in place; return why not, or None when done.

    The track keeps its position (the state's dict is rebuilt in order), its
    plugins and its sends. Names are unique case-insensitively, and none is
    :data:`RESERVED_NAME`.
    """
    old = names[number - 1]
    if new == old:
        return None
    if not new.strip():
        return "a track name cannot be empty"
    folded = new.casefold()
    if folded == RESERVED_NAME:
        return f"{new!r} is reserved for the master"
    if any(n.casefold() == folded for i, n in enumerate(names, start=1) if i != number):
        return f"another track is called {new!r}"
    names[number - 1] = new
    state.tracks = {(new if k == old else k): v for k, v in state.tracks.items()}
    return None
