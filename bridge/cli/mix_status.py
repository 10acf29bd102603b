"""``mixdesk mix status``: every track and the master, as a table or ``mixdesk.mix/1`` JSON.

Values the DAW never reported are asked for once, all together, before the
table is drawn. The JSON follows the ``mixdesk.mix/1`` schema described in
``docs/mix.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, Final

from bridge.cli._common import connect, guarded, is_tty, make_console
from bridge.cli._values import format_value, json_value
from qc.printable import printable, printable_line

if TYPE_CHECKING:
    from bridge.dialects.base import TrackId, Value
    from bridge.mixer.mixer import Mixer

__all__ = ["SCHEMA", "collect_status", "render_text", "rounded", "run_status"]

SCHEMA: Final = "mixdesk.mix/1"
"""The ``schema`` value of ``status --format json``."""

_SHOWN: Final = ("volume_db", "pan", "mute", "solo")
"""The parameters a status row shows (asked for when the DAW never reported them)."""

_DIGITS: Final = {"volume_db": 3, "pan": 4, "width": 4}


def rounded(param: str, value: Value) -> Value:
    """Drop the float32 noise of reported values (-0.29999995 → -0.3)."""
    if isinstance(value, float) and param in _DIGITS:
        return round(value, _DIGITS[param]) + 0.0
    return value


def _ask_missing(mixer: Mixer, targets: list[TrackId]) -> None:
    """Query the shown values the DAW never reported, all at once, and wait once."""
    from bridge.errors import BridgeError

    wanted = []
    for target in targets:
        for param in _SHOWN:
            if mixer.mirror.has(target, param):
                continue
            try:
                queries = mixer.dialect.query(target, param)
            except BridgeError:
                continue
            if queries:
                mixer.send_raw(queries)
                wanted.append((target, param))
    if wanted:
        mixer.mirror.wait_for(lambda m: all(m.has(t, p) for t, p in wanted), mixer.timeout)


def _row(mixer: Mixer, target: TrackId, number: int | None, name: str) -> dict[str, Any]:
    values = mixer.mirror.params(target)
    row: dict[str, Any] = {"number": number, "name": name}
    for param in ("volume_db", "pan", "width", "mute", "solo"):
        value = rounded(param, values.get(param))
        row[param] = json_value(value)
        if param in ("volume_db", "pan"):
            row["volume_text" if param == "volume_db" else "pan_text"] = format_value(param, value)
    return row


def collect_status(mixer: Mixer) -> dict[str, Any]:
    """The ``mixdesk.mix/1`` document of a connected mixer (asks for unreported values).

    Args:
        mixer: A connected mixer.

    Returns:
        ``{"schema", "daw", "title", "host", "port", "tracks": [row...], "master": row}``;
        a row has ``number``, ``name``, ``volume_db`` (null at -inf or unreported),
        ``volume_text``, ``pan`` (-1..1), ``pan_text``, ``width``, ``mute``, ``solo``.
    """
    listing = mixer.mirror.tracks()
    _ask_missing(mixer, [tid for tid, _ in listing] + ["master"])
    tracks = [_row(mixer, tid, mixer.dialect.track_number(tid), name) for tid, name in listing]
    master_name = mixer.mirror.get("master", "name")
    host, port = mixer.remote
    return {
        "schema": SCHEMA,
        "daw": mixer.dialect.name,
        "title": mixer.dialect.title,
        "host": host,
        "port": port,
        "tracks": tracks,
        "master": _row(mixer, "master", None, str(master_name or "Master")),
    }


def _cells(row: dict[str, Any]) -> list[str]:
    number = "" if row["number"] is None else str(row["number"])
    return [
        number,
        printable(str(row["name"])),  # a DAW's name may hold terminal escapes
        row["volume_text"],
        row["pan_text"],
        format_value("mute", row["mute"]),
        format_value("solo", row["solo"]),
    ]


_HEADERS: Final = ("#", "TRACK", "VOLUME", "PAN", "MUTE", "SOLO")
_RIGHT: Final = frozenset({0, 2, 3})


def render_text(doc: dict[str, Any]) -> str:
    """The status as an aligned plain-text table (for pipes and logs)."""
    rows = [list(_HEADERS), *(_cells(r) for r in doc["tracks"]), _cells(doc["master"])]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADERS))]
    lines = []
    for r in rows:
        pairs = enumerate(zip(r, widths, strict=True))
        cells = [c.rjust(w) if i in _RIGHT else c.ljust(w) for i, (c, w) in pairs]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _render_rich(doc: dict[str, Any]) -> None:
    from rich.table import Table

    title = printable_line(f"{doc['title']} at {doc['host']}:{doc['port']}")
    table = Table(title=title, title_justify="left")
    for i, header in enumerate(_HEADERS):
        table.add_column(header.title() if i else "#", justify="right" if i in _RIGHT else "left")
    for r in doc["tracks"]:
        style = "mix.solo" if r["solo"] else "mix.muted" if r["mute"] else None
        table.add_row(*_cells(r), style=style)
    table.add_section()
    table.add_row(*_cells(doc["master"]), style="mix.master")
    make_console(sys.stdout).print(table)


@guarded
def run_status(args: argparse.Namespace) -> int:
    """``mix status``: print the status as rich, text or JSON (``--format``)."""
    fmt = args.format or ("rich" if is_tty(sys.stdout) else "text")
    with connect(args) as mixer:
        doc = collect_status(mixer)
    if fmt == "json":
        print(json.dumps(doc, indent=2))
    elif fmt == "text":
        sys.stdout.write(render_text(doc))
    else:
        _render_rich(doc)
    return 0
