"""REAPER's OSC addresses, parsed and built by one table (``Default.ReaperOSC``).

The REAPER dialect (:mod:`bridge.dialects.reaper`) builds the addresses it
sends and reads the feedback it gets with this module, and the embedded
virtual DAW (:mod:`bridge.virtual`) parses what it receives with it, so the two
can never disagree about what an address means.

An address is split into a *scope* and a *word*: the word is the pattern with
every number replaced by ``@`` and an EQ band by ``BAND`` (``send/@/volume/db``,
``fx/@/fxparam/@/value``, ``fxeq/BAND/gain/db``), as ``Default.ReaperOSC``
writes its patterns. ``/master/X`` is track 0's ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "EQ_BAND_WORDS",
    "RENDER_DONE",
    "RENDER_ERROR",
    "SELECTED_WORDS",
    "TRACK_WORDS",
    "ReaperAddress",
    "build",
    "parse_address",
]

RENDER_DONE: Final = "/mixdesk/render/done"
"""The virtual DAW's reply when a render is written (``s``: the take's path)."""

RENDER_ERROR: Final = "/mixdesk/render/error"
"""The virtual DAW's reply when a render fails (``s``: a one-line reason)."""

EQ_BAND_WORDS: Final = ("hipass", "loshelf", "band/@", "notch", "hishelf")
"""The ``FX_EQ_*`` band words; ``band/@`` is ``band/1`` … ``band/4``."""

_EQ_FIELDS: Final = (
    "bypass",
    "freq",
    "freq/hz",
    "freq/str",
    "gain",
    "gain/db",
    "gain/str",
    "q",
    "q/oct",
    "q/str",
)

TRACK_WORDS: Final = frozenset(
    {
        "name", "number/str",
        "volume", "volume/db", "volume/str", "volume/touch",
        "pan", "pan/str", "pan/touch", "pan2", "pan2/str", "panmode",
        "mute", "solo", "recarm", "mute/toggle", "solo/toggle", "recarm/toggle",
        "autotrim", "autoread", "autotouch", "autolatch", "autowrite",
        "send/@/volume", "send/@/volume/db", "send/@/volume/str", "send/@/name",
        "send/@/pan", "send/@/pan/str",
        "fx/@/name", "fx/@/bypass", "fx/@/fxparam/@/value", "fx/@/fxparam/@/value/str",
        "fx/@/fxparam/@/name",
        "fxeq/bypass", "fxeq/gain", "fxeq/gain/db", "fxeq/gain/str",
        "fxeq/wetdry", "fxeq/wetdry/str",
        *(f"fxeq/BAND/{f}" for f in _EQ_FIELDS),
    }
)  # fmt: skip
"""Words of ``/track/@/<word>`` (and ``/master/<word>``) this module knows."""

SELECTED_WORDS: Final = frozenset(
    {"fx/@/name", "fx/@/fxparam/@/name", "fx/@/fxparam/@/value", "fx/@/fxparam/@/value/str"}
)
"""Words of the device-selected track (``/fx/@/fxparam/@/name`` …)."""

_BANDS: Final = frozenset({"hipass", "loshelf", "notch", "hishelf"})
_MAX_DIGITS: Final = 9  # int() refuses more than 4300 digits; no bank is this large


@dataclass(frozen=True, slots=True)
class ReaperAddress:
    """One parsed address.

    Attributes:
        scope: ``"track"`` (``/track/N/...``; N = 0 and ``/master/...`` are the
            master), ``"selected"`` (the device-selected track's ``/fx/...``)
            or ``"session"`` (anything else: ``/play``, ``/time``, ``/action``…).
        track: The track number (0 = master) for the track scope, else None.
        word: The pattern with numbers as ``@`` and an EQ band as ``BAND``; for
            the session scope, the address without its leading ``/``.
        numbers: The numbers ``@`` stands for, in order (send, fx, parameter).
        band: The EQ band key (``hipass``, ``band/2``…), when the word has ``BAND``.
    """

    scope: Literal["track", "selected", "session"]
    track: int | None
    word: str
    numbers: tuple[int, ...] = ()
    band: str | None = None

    def number(self, i: int) -> int:
        """The ``i``-th number (0-based) of the word's ``@``."""
        return self.numbers[i]


def _abstract(parts: list[str]) -> tuple[str, tuple[int, ...], str | None] | None:
    """Turn path segments into (word, numbers, band); None if a number is unusable."""
    words: list[str] = []
    numbers: list[int] = []
    band: str | None = None
    i = 0
    while i < len(parts):
        seg = parts[i]
        if seg in ("@", "BAND"):  # a literal placeholder would pass for a pattern's
            return None
        if words == ["fxeq"] and seg in _BANDS:
            band, seg = seg, "BAND"
        elif words == ["fxeq"] and seg == "band" and i + 1 < len(parts):
            n = parts[i + 1]
            if not (n.isascii() and n.isdigit() and len(n) <= _MAX_DIGITS):
                return None
            band, seg = f"band/{int(n)}", "BAND"
            i += 1
        elif seg.isascii() and seg.isdigit():
            if len(seg) > _MAX_DIGITS:
                return None
            numbers.append(int(seg))
            seg = "@"
        words.append(seg)
        i += 1
    return "/".join(words), tuple(numbers), band


def parse_address(address: str) -> ReaperAddress:
    """Parse a REAPER OSC address.

    Unknown track words still parse (with their word), so a caller can say what
    it ignored; check ``word in TRACK_WORDS``.
    """
    parts = address.split("/")[1:] if address.startswith("/") else []
    if len(parts) >= 3 and parts[0] == "track" and parts[1].isascii() and parts[1].isdigit():
        got = _abstract(parts[2:]) if len(parts[1]) <= _MAX_DIGITS else None
        if got is not None:
            return ReaperAddress("track", int(parts[1]), *got)
    if len(parts) >= 2 and parts[0] == "master":
        got = _abstract(parts[1:])
        if got is not None:
            return ReaperAddress("track", 0, *got)
    if len(parts) >= 2 and parts[0] == "fx":
        got = _abstract(parts)
        if got is not None and got[0] in SELECTED_WORDS:
            return ReaperAddress("selected", None, *got)
    return ReaperAddress("session", None, address[1:] if address.startswith("/") else address)


def build(track: int, word: str, *numbers: int, band: str | None = None) -> str:
    """The address of ``word`` on track ``track`` (0 = master, as ``/track/0/...``).

    Raises:
        ValueError: ``word`` is not in :data:`TRACK_WORDS`, or the numbers or the
            band do not fill it.
    """
    if word not in TRACK_WORDS:
        raise ValueError(f"{word!r} is not a REAPER track address word")
    if word.count("@") != len(numbers) or ("BAND" in word) != (band is not None):
        raise ValueError(f"{word!r} needs {word.count('@')} numbers and a band if BAND")
    out = word.replace("BAND", band) if band is not None else word
    for n in numbers:
        out = out.replace("@", str(int(n)), 1)
    return f"/track/{int(track)}/{out}"
