"""Comparing scenes: what changed between two mixes, in a mix engineer's words.

A change smaller than the mixer can show is not a change: below 0.01 dB for a
level (:data:`DB_EPSILON`), below 0.001 for pan, width and plugin parameters
(:data:`VALUE_EPSILON`). ``-inf`` dB equals only ``-inf`` dB.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bridge.automation.params import param_kind, param_label
from qc.printable import printable, printable_line

if TYPE_CHECKING:
    from bridge.automation.scene import Scene, SceneValue

__all__ = ["DB_EPSILON", "VALUE_EPSILON", "Change", "diff", "format_diff"]

DB_EPSILON: Final = 0.01
"""The smallest level change that counts, in dB."""

VALUE_EPSILON: Final = 0.001
"""The smallest pan, width or plugin-parameter change that counts."""


@dataclass(frozen=True)
class Change:
    """One value that differs between two scenes.

    Attributes:
        track: The track's name, or ``"master"``.
        param: The parameter path.
        before: The value in the first scene, or None if it has none.
        after: The value in the second scene, or None if it has none.
    """

    track: str
    param: str
    before: SceneValue | None
    after: SceneValue | None


def _differs(param: str, a: SceneValue | None, b: SceneValue | None) -> bool:
    if a is None or b is None or param_kind(param) == "switch":
        return a != b
    if math.isinf(a) or math.isinf(b):
        return a != b
    epsilon = DB_EPSILON if param_kind(param) == "db" else VALUE_EPSILON
    return abs(float(b) - float(a)) >= epsilon


def _union(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def diff(a: Scene, b: Scene) -> list[Change]:
    """Return what changes from scene ``a`` to scene ``b``.

    Tracks come in ``a``'s order, then those only ``b`` has; parameters likewise.
    A value one scene lacks is a change from or to None.

    Returns:
        The changes; empty when the scenes agree within the epsilons.
    """
    empty: Mapping[str, SceneValue] = {}
    changes = []
    for track in _union(a.tracks, b.tracks):
        va, vb = a.tracks.get(track, empty), b.tracks.get(track, empty)
        for param in _union(va, vb):
            before, after = va.get(param), vb.get(param)
            if _differs(param, before, after):
                changes.append(Change(track, param, before, after))
    return changes


def _number(v: float) -> str:
    text = f"{v:.2f}"
    return text[:-1] if text.endswith("0") else text


def _show(param: str, v: SceneValue | None) -> str:
    kind = param_kind(param)
    if v is None:
        return "(none)"
    if kind == "switch":
        return "on" if v else "off"
    if kind == "db":
        return f"{_number(v)} dB"
    if param == "pan":
        side = "L" if v < 0 else "R"
        pct = f"{abs(v) * 100:.1f}".removesuffix(".0")
        return "C" if pct == "0" else f"{side}{pct}"
    if param == "width":
        return f"{v * 100:.1f}".removesuffix(".0") + " %"
    return _number(v)


def format_diff(changes: Iterable[Change]) -> list[str]:
    """Return one line per change, e.g. ``Vocals volume -6.0 dB → -4.5 dB (+1.5 dB)``.

    Levels and plugin parameters show the difference; pan reads ``L30``, ``C``,
    ``R25``; width is in %; mute and solo read ``off`` and ``on``.
    """
    lines = []
    for c in changes:
        text = f"{printable(c.track)} {param_label(c.param)} {_show(c.param, c.before)} → "
        text += _show(c.param, c.after)
        a, b = c.before, c.after
        numeric = param_kind(c.param) in ("db", "unit")
        if numeric and isinstance(a, float) and isinstance(b, float) and math.isfinite(b - a):
            unit = " dB" if param_kind(c.param) == "db" else ""
            text += f" ({'+' if b >= a else ''}{_number(b - a)}{unit})"
        lines.append(printable_line(text))  # names from a DAW or a file, escaped
    return lines
