"""A small parser of REAPER ``.ReaperOSC`` pattern files, for the conformance tests.

A line is ``ACTION_NAME pattern [pattern ...]``; a pattern is a one-letter flag
(``n`` normalised float, ``f`` raw float, ``b`` 0/1, ``t`` trigger, ``r``
rotary, ``i`` int, ``s`` string) followed by an address in which ``@`` stands
for one decimal number. ``#`` starts a comment line. ``DEVICE_*``/``REAPER_*``
lines whose single value is not a pattern (``DEVICE_TRACK_COUNT 8``,
``DEVICE_EQ INSERT``) are settings. This follows ``LoadCfgContext`` in REAPER's
``csurf_osc.cpp``, minus its comma lists and command-id wildcards, which the
bridge never uses.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_FILE",
    "FLAGS",
    "Pattern",
    "PatternFile",
    "device_args_fit",
    "load",
    "parse",
    "wire_args",
]

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "Default.ReaperOSC"
"""The stock pattern file, copied into the repository (see its ``.md`` sibling)."""

FLAGS = frozenset("nfbtris")

_PATTERN_TOKEN = re.compile(r"^([a-z])(/.*)$")


@dataclass(frozen=True)
class Pattern:
    """One pattern of an action.

    Attributes:
        action: The action name, e.g. ``TRACK_VOLUME``.
        flag: The argument flag, one of :data:`FLAGS`.
        address: The address with ``@`` wildcards, e.g. ``/track/@/volume/db``.
        line: The 1-based line number in the file.
    """

    action: str
    flag: str
    address: str
    line: int

    @property
    def regex(self) -> re.Pattern[str]:
        """The address as a regex; each ``@`` matches one decimal number."""
        return re.compile("^" + "[0-9]+".join(map(re.escape, self.address.split("@"))) + "$")

    def matches(self, address: str) -> bool:
        """True if ``address`` is an instance of this pattern."""
        return self.regex.match(address) is not None

    def __str__(self) -> str:
        return f"{self.action} {self.flag}{self.address} (line {self.line})"


@dataclass(frozen=True)
class PatternFile:
    """A parsed pattern file.

    Attributes:
        patterns: Every pattern, in file order.
        settings: ``DEVICE_TRACK_COUNT`` → ``"8"`` and the like.
    """

    patterns: tuple[Pattern, ...]
    settings: dict[str, str]

    def match(self, address: str) -> list[Pattern]:
        """Every pattern ``address`` is an instance of."""
        return [p for p in self.patterns if p.matches(address)]

    def action(self, name: str) -> list[Pattern]:
        """The patterns of one action, in file order."""
        return [p for p in self.patterns if p.action == name]

    def plus(self, text: str) -> PatternFile:
        """This file with more lines appended (a user's custom additions)."""
        extra = parse(text)
        return PatternFile(self.patterns + extra.patterns, {**self.settings, **extra.settings})


def parse(text: str) -> PatternFile:
    """Parse the text of a ``.ReaperOSC`` file.

    Raises:
        ValueError: A token is neither a pattern nor a setting value.
    """
    patterns: list[Pattern] = []
    settings: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split()
        if len(tokens) < 2 or tokens[0].startswith("#"):
            continue
        action, values = tokens[0], tokens[1:]
        is_device = action.startswith(("DEVICE_", "REAPER_"))
        if is_device and len(values) == 1 and _PATTERN_TOKEN.match(values[0]) is None:
            settings[action] = values[0]
            continue
        for token in values:
            m = _PATTERN_TOKEN.match(token)
            if m is None or m.group(1) not in FLAGS:
                raise ValueError(f"line {number}: {token!r} is not a pattern ({action})")
            patterns.append(Pattern(action, m.group(1), m.group(2), number))
    return PatternFile(tuple(patterns), settings)


def load(path: Path = DEFAULT_FILE) -> PatternFile:
    """Parse a pattern file (the repository's copy of the stock one by default)."""
    return parse(path.read_text(encoding="utf-8"))


def device_args_fit(flag: str, types: str, args: Sequence[object]) -> bool:
    """Whether arguments sent by a device are what a pattern's flag wants.

    ``f``/``n``: one float32. ``b``: one int32 that is exactly 0 or 1 (REAPER
    ignores anything else, a bool ``T``/``F`` or a float included). ``t``: no
    argument, or the int 1. ``i``: one int32. ``s``: one string. ``r`` is never
    sent by the bridge.
    """
    if flag in "fn":
        return types == "f"
    if flag == "b":
        return types == "i" and args[0] in (0, 1)
    if flag == "t":
        return types == "" or (types == "i" and args[0] == 1)
    if flag == "i":
        return types == "i"
    if flag == "s":
        return types == "s"
    return False


def wire_args(flag: str, value: float | str) -> tuple[str, tuple[float | str, ...]]:
    """REAPER's feedback argument for a pattern flag: float32 for ``n``/``b``/``t``/``f``.

    Returns:
        ``(types, args)`` as python-osc would parse them from REAPER's datagram.
    """
    if flag == "s":
        assert isinstance(value, str)
        return "s", (value,)
    assert flag in "nbtf"
    assert not isinstance(value, str)
    as_float32 = struct.unpack(">f", struct.pack(">f", value))[0]
    return "f", (float(as_float32),)
