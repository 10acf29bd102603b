"""Lane files: automation saved as TOML or JSON (schema ``mixdesk.lanes/1``).

The format is chosen by the file's extension, ``.toml`` or ``.json``; both
hold the same structure::

    schema = "mixdesk.lanes/1"

    [tempo]                 # optional; needed for "bar:beat" times
    bpm = 120.0
    beats_per_bar = 4       # optional, default 4

    [[lane]]
    track = "Vocals"        # a name, a 1-based number, or "master"
    param = "volume_db"
    points = [[0.0, -inf, "s_curve"], ["3:1", -3.0, "hold"]]

Each point is ``[time, value]`` or ``[time, value, curve]``: the time in s (a
number) or ``"bar:beat[.frac]"`` (a string), the value in the parameter's
units (``-inf`` dB is ``-inf`` in TOML, ``"-inf"`` in JSON), and the curve to
the next point (default ``"linear_db"``). Mute and solo values may be
``true``/``false``. Unknown keys are errors. Every problem with a file is an
:class:`AutomationError` whose one-line message names the file and the lane,
point or key at fault; nothing else is raised for a bad file.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from bridge.automation._fileio import check_keys, read_document, toml_value
from bridge.automation.curves import CURVES
from bridge.automation.errors import AutomationError
from bridge.automation.lane import Lane, Point
from bridge.automation.params import param_kind
from bridge.automation.timebase import Tempo, to_seconds
from qc.safe_io import UnsafeTargetError, write_file

__all__ = ["LANES_SCHEMA", "load_lanes", "save_lanes"]

LANES_SCHEMA: Final = "mixdesk.lanes/1"
"""The ``schema`` value of a lane file."""

_TOP: Final = ("schema", "tempo", "lane")
_TEMPO: Final = ("bpm", "beats_per_bar")
_LANE: Final = ("track", "param", "points")


def load_lanes(path: str | Path, tempo: Tempo | None = None) -> list[Lane]:
    """Load the lanes of a ``.toml`` or ``.json`` lane file.

    Args:
        path: The file.
        tempo: The tempo for ``"bar:beat"`` times when the file has no
            ``[tempo]`` table. A file's tempo that differs from it is an error.

    Returns:
        The lanes, in the file's order.

    Raises:
        AutomationError: Any problem with the file, naming it and what is wrong.
    """
    p = Path(path)
    data = read_document(p, "lane file")
    check_keys(data, _TOP, str(p))
    if data.get("schema") != LANES_SCHEMA:
        raise AutomationError(f"{p}: schema is {data.get('schema')!r}, not {LANES_SCHEMA!r}")
    if "tempo" in data:
        own = _tempo(data["tempo"], f"{p}: [tempo]")
        if tempo is not None and own != tempo:
            raise AutomationError(f"{p}: the file's tempo {own} differs from the given {tempo}")
        tempo = own
    tables = data.get("lane", [])
    if not isinstance(tables, list):
        raise AutomationError(f"{p}: 'lane' must be a list of tables")
    return [_lane(table, tempo, f"{p}: lane {i}") for i, table in enumerate(tables, start=1)]


def _tempo(table: object, where: str) -> Tempo:
    if not isinstance(table, dict):
        raise AutomationError(f"{where}: must be a table with bpm and beats_per_bar")
    check_keys(table, _TEMPO, where)
    if "bpm" not in table:
        raise AutomationError(f"{where}: missing key 'bpm'")
    try:
        return Tempo(table["bpm"], table.get("beats_per_bar", 4))
    except AutomationError as err:
        raise AutomationError(f"{where}: {err}") from None


def _lane(table: object, tempo: Tempo | None, where: str) -> Lane:
    if not isinstance(table, dict):
        raise AutomationError(f"{where}: must be a table with track, param and points")
    check_keys(table, _LANE, where)
    for key in _LANE:
        if key not in table:
            raise AutomationError(f"{where}: missing key {key!r}")
    track, param, points = table["track"], table["param"], table["points"]
    if isinstance(track, bool) or not isinstance(track, str | int):
        raise AutomationError(f"{where}: track {track!r} is not a name or a number")
    if not isinstance(param, str):
        raise AutomationError(f"{where}: param {param!r} is not a parameter path")
    try:
        switch = param_kind(param) == "switch"
        if not isinstance(points, list) or not points:
            raise AutomationError("points must be a non-empty list of [time, value, curve]")
        parsed = tuple(_point(raw, i, tempo, switch) for i, raw in enumerate(points, start=1))
    except AutomationError as err:
        raise AutomationError(f"{where} ({track!r} {param}): {err}") from None
    try:
        return Lane(track, param, parsed)
    except AutomationError as err:  # names the lane and the point itself
        raise AutomationError(f"{where}: {err}") from None


def _point(raw: object, i: int, tempo: Tempo | None, switch: bool) -> Point:
    if not isinstance(raw, list) or len(raw) not in (2, 3):
        raise AutomationError(f"point {i} {raw!r} is not [time, value] or [time, value, curve]")
    when = raw[0]
    if isinstance(when, bool) or not isinstance(when, str | numbers.Real):
        raise AutomationError(f"point {i}: time {when!r} is not seconds or 'bar:beat'")
    try:
        time_s = to_seconds(when if isinstance(when, str) else float(when), tempo)
    except (AutomationError, OverflowError) as err:
        raise AutomationError(f"point {i}: {err}") from None
    value = raw[1]
    if value == "-inf":
        value = -math.inf
    if isinstance(value, bool) and not switch:
        raise AutomationError(f"point {i}: value {value!r} is not a number")
    if not isinstance(value, numbers.Real):
        raise AutomationError(f"point {i}: value {value!r} is not a number")
    curve = raw[2] if len(raw) == 3 else "linear_db"
    if curve not in CURVES:
        raise AutomationError(f"point {i}: unknown curve {curve!r} (one of {', '.join(CURVES)})")
    try:
        return Point(time_s, float(value), curve)
    except OverflowError:
        raise AutomationError(f"point {i}: value {value!r} is too large") from None


def save_lanes(
    lanes: Iterable[Lane], path: str | Path, *, tempo: Tempo | None = None, force: bool = False
) -> None:
    """Write lanes to a ``.toml`` or ``.json`` lane file (times in s).

    The file is written by :func:`qc.safe_io.write_file`: atomically, never
    through a link, never over audio, ``mixdesk.toml`` or ``pyproject.toml``.

    Args:
        lanes: The lanes.
        path: The file to write; its extension chooses the format.
        tempo: Written as the file's ``[tempo]``, for editing in bars and beats.
        force: Replace an existing file (without it, an existing file is refused).

    Raises:
        AutomationError: Unknown extension, a refused target, or the file cannot be written.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    lanes = list(lanes)
    if suffix == ".toml":
        text = _toml(lanes, tempo)
    elif suffix == ".json":
        text = _json(lanes, tempo)
    else:
        raise AutomationError(f"{p}: a lane file ends in .toml or .json, not {suffix!r}")
    try:
        write_file(p, text, what="lane file", toml=suffix == ".toml", force=force)
    except UnsafeTargetError as err:
        raise AutomationError(str(err)) from None
    except (OSError, UnicodeError) as err:
        raise AutomationError(f"{p}: cannot write the lane file ({err})") from None


def _toml(lanes: list[Lane], tempo: Tempo | None) -> str:
    out = [f"schema = {toml_value(LANES_SCHEMA)}", ""]
    if tempo is not None:
        out += ["[tempo]", f"bpm = {toml_value(float(tempo.bpm))}"]
        out += [f"beats_per_bar = {tempo.beats_per_bar}", ""]
    for lane in lanes:
        out += ["[[lane]]", f"track = {toml_value(lane.track)}"]
        out += [f"param = {toml_value(lane.param)}", "points = ["]
        out += [f"    {toml_value([p.time_s, p.value, p.curve])}," for p in lane.points]
        out += ["]", ""]
    return "\n".join(out)


def _json(lanes: list[Lane], tempo: Tempo | None) -> str:
    doc: dict[str, object] = {"schema": LANES_SCHEMA}
    if tempo is not None:
        doc["tempo"] = {"bpm": float(tempo.bpm), "beats_per_bar": tempo.beats_per_bar}
    doc["lane"] = [
        {
            "track": lane.track,
            "param": lane.param,
            "points": [
                [p.time_s, "-inf" if p.value == -math.inf else p.value, p.curve]
                for p in lane.points
            ],
        }
        for lane in lanes
    ]
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
