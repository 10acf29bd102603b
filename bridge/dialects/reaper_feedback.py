"""REAPER's feedback decoded: what ``Default.ReaperOSC`` reports, as updates.

Feedback arrives as float32 for ``n``/``b``/``t``/``f`` patterns. REAPER never
echoes the address it is processing ("anti-echo"): after ``/track/1/volume/db -6``
it reports ``/track/1/volume`` (a normalised fader) and ``/track/1/volume/str``
(``"-6.00dB"``), not ``/volume/db``. So volume is read from ``/volume/db`` when
it comes, else from the text, to 0.005 dB. Addresses are parsed by
:mod:`bridge.dialects.reaper_addresses`; plugin feedback goes to the slots'
names (:mod:`bridge.dialects.reaper_fx`). :class:`Feedback` keeps what decoding
needs to remember: the device-selected track and the tracks in dual-pan mode.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

from bridge.dialects.base import MASTER, Decoded, TrackId, Update, as_float
from bridge.dialects.reaper_addresses import RENDER_DONE, RENDER_ERROR, ReaperAddress, parse_address
from bridge.dialects.reaper_fx import SlotNames
from bridge.dialects.reaper_text import parse_db, parse_pan, parse_width

__all__ = ["AUTO_WORDS", "BUTTONS", "Feedback"]

AUTO_WORDS: Final = {
    "off": "trim",
    "read": "read",
    "touch": "touch",
    "latch": "latch",
    "write": "write",
}
"""Automation mode → the word of REAPER's ``/track/N/auto<word>`` address."""

BUTTONS: Final = {"mute": "mute", "solo": "solo", "rec_arm": "recarm"}
"""Track button parameter → REAPER's address word."""

_AUTO_MODES: Final = {word: mode for mode, word in AUTO_WORDS.items()}
_MARKER = re.compile(r"^/marker/(\d+)/(name|time)$")
_MASTER_FEEDBACK = frozenset({"volume/str", "pan", "pan/str", "send/@/volume/str"})
"""What Default.ReaperOSC reports for the master (MASTER_VOLUME/PAN), besides its sends."""

_MAX_DB: Final = 150.0
"""Louder volume feedback is garbage (the mirror image of REAPER's -150 dB floor)."""

_FLOAT32_DB: Final = 1e-5
"""Precision of a float32 dB value within ±150 dB (half an ulp is below 9e-6)."""


def _num(arg: object) -> float | None:
    """A finite numeric argument as float; None for NaN, infinities, huge ints, non-numbers."""
    try:
        f = as_float(arg)
    except OverflowError:
        return None
    return f if f is not None and math.isfinite(f) else None


def _unit(arg: object) -> float | None:
    """A normalised (``n``/``b``) argument in 0..1, else None."""
    f = _num(arg)
    return f if f is not None and 0.0 <= f <= 1.0 else None


def _db(db: float | None) -> float | None:
    """A reported dB value, or None when it is NaN or above :data:`_MAX_DB`."""
    if db is None or math.isnan(db) or db > _MAX_DB:
        return None
    return -math.inf if db <= -150.0 else db


class Feedback:
    """Decodes REAPER's feedback, remembering the selected track and dual-pan tracks.

    Args:
        slots: The plugin names per slot, shared with the dialect that sets values.
    """

    def __init__(self, slots: SlotNames) -> None:
        self.selected: TrackId | None = None  # the device-selected track (fx param names)
        self.dual_pan: set[TrackId] = set()  # tracks whose pan2 is a right pan, not width
        self._slots = slots

    def decode(self, address: str, args: Sequence[object]) -> list[Decoded]:
        """What one feedback message says (see :meth:`Dialect.decode`)."""
        arg = args[0] if args else None
        a = parse_address(address)
        if a.scope == "track":
            if address.startswith("/master/") and a.word not in _MASTER_FEEDBACK:
                return []
            return self._track(MASTER if a.track == 0 else a.track, a, arg)
        if a.scope == "selected":
            return self._selected_fx(a, arg)
        return self._session(address, arg)

    def _track(self, target: TrackId | None, a: ReaperAddress, arg: object) -> list[Decoded]:
        assert target is not None
        rest = a.word
        f = _num(arg)
        u = _unit(arg)
        if rest.startswith("auto") and rest[4:] in _AUTO_MODES and u is not None:
            if u < 0.5:
                return []
            mode = _AUTO_MODES[rest[4:]]
            return [Update(target, f"automation/{p}", mode) for p in ("volume_db", "pan")]
        if rest == "volume/db" and f is not None:
            db = _db(f)
            return [] if db is None else [Update(target, "volume_db", db, _FLOAT32_DB)]
        if rest == "volume/str" and isinstance(arg, str):
            db = _db(parse_db(arg))
            return [] if db is None else [Update(target, "volume_db", db, 0.005)]
        if rest == "pan" and u is not None:
            return [Update(target, "pan", u * 2.0 - 1.0, 1e-6)]
        if rest == "pan/str" and isinstance(arg, str):
            p = parse_pan(arg)
            return [] if p is None or not -1.0 <= p <= 1.0 else [Update(target, "pan", p, 0.005)]
        if rest == "panmode" and isinstance(arg, str):
            # In dual-pan mode REAPER reports the right channel's pan on pan2, not a width.
            if arg.strip() == "Dual pan":
                self.dual_pan.add(target)
            else:
                self.dual_pan.discard(target)
            return []
        if rest.startswith("pan2") and target in self.dual_pan:
            return []
        if rest == "pan2" and u is not None:
            return [Update(target, "width", u * 2.0 - 1.0, 1e-6)]
        if rest == "pan2/str" and isinstance(arg, str):
            w = parse_width(arg)
            return [] if w is None or not -1.0 <= w <= 1.0 else [Update(target, "width", w, 0.005)]
        for param, word in BUTTONS.items():
            if rest == word and u is not None:
                return [Update(target, param, u >= 0.5)]
        if rest == "name" and isinstance(arg, str):
            return [Update(target, "name", arg)]
        return self._track_nested(target, a, arg)

    def _track_nested(self, target: TrackId, a: ReaperAddress, arg: object) -> list[Decoded]:
        if a.word == "send/@/volume/str" and isinstance(arg, str):
            db = _db(parse_db(arg))
            param = f"send/{a.number(0)}/level_db"
            return [] if db is None else [Update(target, param, db, 0.005)]
        if a.word.startswith("fx/"):
            return list(self._slots.decode(target, a, arg))
        return []

    def _selected_fx(self, a: ReaperAddress, arg: object) -> list[Decoded]:
        target = self.selected
        return [] if target is None else list(self._slots.decode(target, a, arg, selected=True))

    def _session(self, address: str, arg: object) -> list[Decoded]:
        f = _num(arg)
        u = _unit(arg)
        if address in ("/play", "/record") and u is not None:
            return [Update(None, "playing" if address == "/play" else "recording", u >= 0.5)]
        if address == "/time" and f is not None:
            return [Update(None, "position_s", f)]
        if address == "/track/number/str" and isinstance(arg, str):
            text = arg.strip()
            number = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
            self.selected = MASTER if number == 0 else number
            return []
        if address in (RENDER_DONE, RENDER_ERROR) and isinstance(arg, str):
            return [Update(None, "render/done" if address == RENDER_DONE else "render/error", arg)]
        mk = _MARKER.match(address)
        if mk and mk.group(2) == "name" and isinstance(arg, str):
            return [Update(None, f"marker/{mk.group(1)}/name", arg)]
        if mk and mk.group(2) == "time" and f is not None:
            return [Update(None, f"marker/{mk.group(1)}/time_s", f)]
        return []
