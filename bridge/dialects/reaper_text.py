"""REAPER's value texts: volume (``"-6.00dB"``), pan (``"C"``, ``"35%L"``), width (``"100W"``).

The formats of REAPER's OSC surface (``csurf_osc.cpp``: ``mkvolstr``,
``mkpanstr``, ``"%.0fW"``), shared by the REAPER dialect, which parses them,
and the virtual DAW, which sends them.
"""

from __future__ import annotations

import math
import re

__all__ = ["format_db", "format_pan", "format_width", "parse_db", "parse_pan", "parse_width"]

_DB_TEXT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+|inf))\s*dB\s*$", re.IGNORECASE)
_PAN_TEXT = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*%\s*([LR])\s*$", re.IGNORECASE)
_WIDTH_TEXT = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*%?\s*W\s*$", re.IGNORECASE)


def format_db(db: float) -> str:
    """Volume text as REAPER shows it: ``"-6.00dB"``, ``"+0.00dB"``, ``"-inf dB"``."""
    if (math.isinf(db) and db < 0) or db < -150.0:
        return "-inf dB"
    return f"{db:+.2f}dB"


def parse_db(text: str) -> float | None:
    """Parse REAPER's volume text (``"-6.00dB"``, ``"-inf dB"``) to dB, or None."""
    m = _DB_TEXT.match(text)
    if m is None:
        return None
    return float(m.group(1))


def format_pan(pan: float) -> str:
    """Pan text as REAPER shows it: ``"C"``, ``"35%L"``, ``"100%R"`` (pan -1..+1; ``mkpanstr``)."""
    pct = round(abs(pan) * 100)
    if pct == 0:
        return "C"
    return f"{pct}%{'L' if pan < 0 else 'R'}"


def parse_pan(text: str) -> float | None:
    """Parse REAPER's pan text to -1..+1 (``"center"``/``"C"`` is 0), or None."""
    t = text.strip().lower()
    if t in ("center", "c", "centre"):
        return 0.0
    m = _PAN_TEXT.match(text)
    if m is None:
        return None
    v = float(m.group(1)) / 100.0
    return -v if m.group(2).upper() == "L" else v


def format_width(width: float) -> str:
    """Width text as REAPER's OSC sends it: ``"100W"`` (width -1..+1; ``"%.0fW"``)."""
    return f"{round(width * 100)}W"


def parse_width(text: str) -> float | None:
    """Parse REAPER's width text (``"100W"``) to -1..+1, or None."""
    m = _WIDTH_TEXT.match(text)
    return None if m is None else float(m.group(1)) / 100.0
