"""``mixdesk mix plugins TRACK``, and ``fx:PLUGIN:PARAM`` for ``set`` and ``get``, in real units.

``plugins`` lists each plugin (number, name, active) and each parameter
(number, name, value, unit, min, max); its JSON follows ``mixdesk.plugins/1``
(``docs/mix.md``). PLUGIN and PARAM are 1-based numbers or names (any case).
A value may carry its unit (``-6dB``, ``2.5kHz``, ``20ms``); ``on``/``off`` are 1
and 0. Every set is checked against the parameter's range before anything is
sent, then confirmed by the DAW (see :mod:`bridge.mixer.plugins`).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from bridge.cli._common import UsageError, guarded, is_tty, make_console
from bridge.cli._values import json_value, parse_track, resolve_label
from qc.printable import printable

if TYPE_CHECKING:
    from bridge.cli._common import Subparsers
    from bridge.dialects.base import TrackId
    from bridge.dialects.path import ParamPath
    from bridge.dialects.plugins import ParamSpec
    from bridge.mixer.mixer import Mixer

__all__ = [
    "SCHEMA",
    "add_plugins_parser",
    "check_fx",
    "collect_plugins",
    "fx_value",
    "get_fx",
    "set_fx",
]

SCHEMA: Final = "mixdesk.plugins/1"
"""The ``schema`` value of ``plugins --format json``."""

_VALUE = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z%]*)\s*$", re.I)
_SCALE: Final = {("khz", "hz"): 1000.0, ("s", "ms"): 1000.0}


def fx_value(text: str, spec: ParamSpec | None = None) -> float:
    """A plugin value typed on the command line, in the parameter's units.

    Args:
        text: ``-6``, ``-6dB``, ``2.5kHz``, ``20 ms``, ``on``/``off``.
        spec: The parameter, to check and convert the unit (``kHz`` → Hz, ``s`` → ms).

    Raises:
        UsageError: Not a number, or a unit the parameter is not in.
    """
    t = text.strip().lower()
    if t in ("on", "off", "true", "false"):
        return 1.0 if t in ("on", "true") else 0.0
    m = _VALUE.match(text)
    if m is None:
        raise UsageError(
            f"bad value {text!r} for a plugin parameter: use a number, e.g. -6, 2.5kHz, 20ms, on"
        )
    value, unit = float(m.group(1)), m.group(2).lower()
    if not unit or spec is None:
        return value
    have = spec.unit.lower()
    if unit == have:
        return value
    if (unit, have) in _SCALE:
        return value * _SCALE[(unit, have)]
    shown = spec.unit or "no unit"
    raise UsageError(f"{spec.name} is in {shown}, not {m.group(2)}: give the value in {shown}")


def _unit(spec: ParamSpec) -> str:
    return "" if spec.unit in ("", "normalized") else f" {spec.unit}"


def _shown(spec: ParamSpec, value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if spec.toggle:
        return "on" if value >= 0.5 else "off"
    for v, label in spec.choices:
        if v == value:
            return label
    return f"{value:.4g}{_unit(spec)}"


Checked: TypeAlias = tuple["ParamPath", "ParamSpec | None", float | bool]
"""What :func:`check_fx` returns and :func:`set_fx` sends: path, spec, value."""


def check_fx(mixer: Mixer, target: TrackId, param: str, text: str) -> Checked:
    """Resolve ``fx/P/param/Q`` (or ``fx/P/active``) and check the typed value; send nothing.

    Returns:
        The path with numbers, the parameter (None for ``active``), and the value in
        the parameter's units.

    Raises:
        UsageError: A unit the parameter is not in.
        BridgeError: Unknown plugin or parameter, out of range, read only.
    """
    path, spec = mixer.plugins.resolve(target, param)
    value: float | bool = fx_value(text, spec) if spec is not None else fx_value(text) >= 0.5
    return mixer.plugins.check_resolved(target, path, spec, value)


def set_fx(mixer: Mixer, target: TrackId, checked: Checked) -> str:
    """Send a value :func:`check_fx` checked and return what the DAW confirmed.

    Raises:
        BridgeError: Not confirmed in time.
    """
    label = resolve_label(mixer, target)
    path, spec, _ = checked
    got = mixer.plugins.send_checked(target, *checked)
    if spec is None:  # fx/P/active
        return f"{label}: plugin {path.fx} {'on' if got else 'off'}"
    line = f"{label}: plugin {path.fx} {spec.name} {_shown(spec, float(got))}"
    if not mixer.dialect.describes_plugins and not mixer.dialect.confirms(target, str(path)):
        line += f" (sent; {mixer.dialect.title} does not confirm this value)"
    return line


def get_fx(mixer: Mixer, target: TrackId, param: str) -> tuple[float | bool | None, dict[str, Any]]:
    """A plugin parameter's value now, and its description for JSON.

    Raises:
        BridgeError: Unknown plugin or parameter, no answer.
    """
    path, fresh = mixer.plugins.resolve(target, param)  # resolving described it just now
    if fresh is None:
        entry = next(e for e in mixer.plugins.plugins(target).plugins if e[0] == path.fx)
        return entry[2], {"plugin": entry[0], "name": entry[1]}
    return fresh.value, {"plugin": path.fx, "number": fresh.number, "name": fresh.name,
                         "unit": fresh.unit, "min": fresh.min, "max": fresh.max,
                         "text": _shown(fresh, fresh.value)}  # fmt: skip


def _spec_row(spec: ParamSpec) -> dict[str, Any]:
    return {
        "number": spec.number,
        "name": spec.name,
        "value": json_value(spec.value),
        "text": _shown(spec, spec.value),
        "unit": spec.unit,
        "min": spec.min,
        "max": spec.max,
        "default": spec.default,
        "settable": spec.settable,
        "toggle": spec.toggle,
        "choices": [{"value": v, "label": label} for v, label in spec.choices],
    }


def collect_plugins(mixer: Mixer, target: TrackId) -> dict[str, Any]:
    """The ``mixdesk.plugins/1`` document of one track's plugins and parameters."""
    plugins = []
    for number, name, active in mixer.plugins.plugins(target).plugins:
        specs = mixer.plugins.describe(target, number).params
        plugins.append({"number": number, "name": name, "active": active,
                        "params": [_spec_row(s) for s in specs]})  # fmt: skip
    track = None if target == "master" else mixer.dialect.track_number(int(target))
    return {
        "schema": SCHEMA,
        "daw": mixer.dialect.name,
        "track": {"number": track, "name": mixer.mirror.get(target, "name")},
        "plugins": plugins,
    }


def _text(doc: dict[str, Any]) -> str:
    lines = []
    for fx in doc["plugins"]:
        state = {True: "on", False: "off", None: "-"}[fx["active"]]
        lines.append(f"fx:{fx['number']} {printable(fx['name'])} ({state})")
        for p in fx["params"]:
            ro = "" if p["settable"] else "  (read only)"
            unit = "" if p["unit"] in ("", "normalized") else f" {printable(p['unit'])}"
            lines.append(
                f"  {p['number']:>3} {printable(p['name']):<20} {printable(p['text']):>14}"
                f"  [{p['min']:g}, {p['max']:g}]{unit}{ro}"
            )
    return "\n".join(lines) + "\n" if lines else "no plugins\n"


def _rich(doc: dict[str, Any]) -> None:
    from rich.table import Table

    console = make_console(sys.stdout)
    if not doc["plugins"]:
        console.print("no plugins")
    for fx in doc["plugins"]:
        state = {True: "on", False: "off", None: "-"}[fx["active"]]
        title = f"fx:{fx['number']} {printable(fx['name'])} ({state})"
        table = Table(title=title, title_justify="left")
        for col in ("#", "Parameter", "Value", "Min", "Max", "Unit"):
            table.add_column(col, justify="left" if col in ("Parameter", "Unit") else "right")
        for p in fx["params"]:
            style = None if p["settable"] else "mix.muted"
            texts = [printable(p[key]) for key in ("name", "text")]  # from the DAW
            row = [str(p["number"]), *texts, f"{p['min']:g}", f"{p['max']:g}"]
            table.add_row(*row, printable(p["unit"]), style=style)
        console.print(table)


@guarded
def _run(args: argparse.Namespace) -> int:
    from bridge.cli._common import connect

    fmt = args.format or ("rich" if is_tty(sys.stdout) else "text")
    with connect(args) as mixer:
        doc = collect_plugins(mixer, mixer.resolve(parse_track(args.track)))
    if fmt == "json":
        print(json.dumps(doc, indent=2))
    elif fmt == "text":
        sys.stdout.write(_text(doc))
    else:
        _rich(doc)
    return 0


def add_plugins_parser(msub: Subparsers) -> argparse.ArgumentParser:
    """Register ``mix plugins`` on the ``mix`` subcommands; return its parser."""
    p: argparse.ArgumentParser = msub.add_parser(
        "plugins", help="list a track's plugins and every parameter: value, unit, range"
    )
    p.add_argument("track", metavar="TRACK", help="track number or name")
    p.add_argument(
        "--format",
        choices=("rich", "text", "json"),
        default=None,
        help="output format (default: rich on a terminal, text otherwise)",
    )
    p.set_defaults(func=_run)
    return p
