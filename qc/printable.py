r"""Text from outside (file names, DAW track names, OSC addresses) made safe for a terminal.

One home for both halves of mixdesk: the QC reports and the bridge's output.
A name read from a file system or a DAW may hold terminal escape sequences
(``\x1b[2J`` clears the screen, ``\x1b]0;...\x07`` retitles the window), other
C0 and C1 control characters, DEL, line and paragraph separators or bidi
overrides (``\u202e``); every one of them is shown escaped (``\x1b``,
``\u202e``), so the text prints literally on one line. A text longer than the
limit is cut, with the number of characters dropped::

    >>> printable("a\x1b[2Jb")
    'a\\x1b[2Jb'
    >>> printable("x" * 300, 40)
    'xxxxxxxxxxxxxxxxxxxx... (280 more chars)'

Rich markup (``[red]``) is left as plain characters: renderers must not parse it.
"""

from __future__ import annotations

import os
from typing import IO, Final

__all__ = ["LINE_LIMIT", "VALUE_LIMIT", "is_tty", "printable", "printable_line"]

VALUE_LIMIT: Final = 200
"""Characters one value (a name, a path, an address) may take, escapes included."""

LINE_LIMIT: Final = 1000
"""Characters one line of output (an error, a log line) may take, escapes included."""


def _escaped(ch: str) -> str:
    return ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")


def printable(text: str, limit: int | None = VALUE_LIMIT) -> str:
    r"""Escape control characters and cut the text to ``limit`` characters.

    Args:
        text: Any string from outside: a path, a track name, an address, a message.
        limit: Most characters of the result, the marker of a cut included
            (``None``: no cut). Values smaller than the marker still end in it.

    Returns:
        The text with every non-printable character as a visible escape
        (``\x1b``, ``\x85``, ``\u202e``), ended by ``... (N more chars)`` when
        characters of ``text`` were dropped to keep within ``limit``.
    """
    if limit is None or len(text) <= limit:
        shown = text if text.isprintable() else "".join(map(_escaped, text))
        if limit is None or len(shown) <= limit:
            return shown
    budget = limit - len(_marker(len(text)))
    out: list[str] = []
    used = 0
    for i, ch in enumerate(text[:limit]):  # escapes only lengthen: the cut is in here
        piece = _escaped(ch)
        if used + len(piece) > budget:
            return "".join(out) + _marker(len(text) - i)
        out.append(piece)
        used += len(piece)
    return "".join(out)  # pragma: no cover - unreachable: the text did not fit


def printable_line(text: str, limit: int = LINE_LIMIT) -> str:
    """One line of output: :func:`printable` with the line limit.

    Args:
        text: The whole line (already built from values, or a message from outside).
        limit: Most characters of the result.

    Returns:
        The line, escaped and cut.
    """
    return printable(text, limit)


def _marker(dropped: int) -> str:
    return f"... ({dropped} more chars)"


def is_tty(stream: IO[str]) -> bool:
    """True if the stream is an interactive terminal (and ``TERM`` is not ``dumb``).

    The one test both halves use to decide between rich and plain output.
    """
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM") != "dumb"
