"""``mixdesk mix --daw DAW status|set|get``: read and set a DAW's mixer from the shell.

``status`` prints every track (number, name, volume, pan, mute, solo) and the
master; ``set`` changes parameters and prints what the DAW confirmed; ``get``
prints one value for scripts. The JSON of ``status --format json`` follows the
``mixdesk.mix/1`` schema described in ``docs/mix.md``; ``status`` lives in
:mod:`bridge.cli.mix_status`.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Final

from bridge.cli._common import (
    OptionsAmongWords,
    Subparsers,
    UsageError,
    add_connection_options,
    connect,
    fail,
    guarded,
    late_connection_options,
)
from bridge.cli._values import (
    format_value,
    json_value,
    param_label,
    parse_param,
    parse_track,
    parse_value,
    plain_value,
    resolve_label,
)
from bridge.cli.mix_status import SCHEMA, collect_status, render_text, rounded, run_status
from qc.printable import printable_line

if TYPE_CHECKING:
    from bridge.dialects.base import TrackId, Value
    from bridge.mixer.mixer import Mixer

__all__ = ["SCHEMA", "add_parser", "collect_status", "render_text"]

GET_SCHEMA: Final = "mixdesk.mix.get/1"
"""The ``schema`` value of ``get --format json``."""


def add_parser(sub: Subparsers) -> None:
    """Register ``mix`` and its ``status``, ``set`` and ``get`` subcommands."""
    p = sub.add_parser(
        "mix",
        help="read and set a DAW's mixer over OSC (status, set, get)",
        description="Read and set a DAW's mixer over OSC. Connection options go before or "
        "after SUB.",
        epilog="example:\n  mixdesk mix --daw ardour set Vocals volume -6 pan 30L",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # the example on one line
    )
    add_connection_options(p)
    # Nested subcommands use the parent's parser class (the CLI's one-line errors).
    msub = p.add_subparsers(dest="mix_command", metavar="SUB", parser_class=type(p))

    s = msub.add_parser("status", help="list tracks and master: volume, pan, mute, solo")
    s.add_argument(
        "--format",
        choices=("rich", "text", "json"),
        default=None,
        help="output format (default: rich on a terminal, text otherwise)",
    )
    s.set_defaults(func=run_status)

    st = msub.add_parser(
        "set",
        help="set parameters of one track and wait for the DAW to confirm them",
        description="PARAM is volume (dB, -inf), pan (-1..1 or 30L/C/25R), width (-1..1), "
        "mute, solo, rec (on/off), send:N (dB), fx:PLUGIN:PARAM (in the parameter's units; "
        "PLUGIN and PARAM are numbers or names) or fx:PLUGIN:active (on/off).",
    )
    st.add_argument("track", metavar="TRACK", help="track number, name, or master")
    st.add_argument(
        "assignments",
        nargs=argparse.REMAINDER,
        action=OptionsAmongWords,  # connection options may follow the pairs
        metavar="PARAM VALUE",
        help="pairs to set",
    )
    st.set_defaults(func=_run_set)

    g = msub.add_parser("get", help="print one parameter of one track")
    g.add_argument("track", metavar="TRACK", help="track number, name, or master")
    g.add_argument(
        "param", metavar="PARAM", help="volume, pan, width, mute, solo, send:N, fx:PLUGIN:PARAM"
    )
    g.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    g.set_defaults(func=_run_get)

    from bridge.cli.fx import add_plugins_parser

    add_plugins_parser(msub)
    late_connection_options(msub)  # the same options after SUB; a later value wins

    p.set_defaults(func=lambda args: fail("mix needs a subcommand: status, set, get or plugins"))


# ---- set / get ----
def _pairs(words: list[str]) -> list[tuple[str, float | bool]]:
    if not words or len(words) % 2:
        raise UsageError("set needs PARAM VALUE pairs, e.g. 'set Vocals volume -6 pan 30L'")
    return [
        (p := parse_param(words[i]), parse_value(p, words[i + 1])) for i in range(0, len(words), 2)
    ]


@guarded
def _run_set(args: argparse.Namespace) -> int:
    from bridge.errors import BridgeTimeoutError

    ref = parse_track(args.track)
    pairs = _pairs(args.assignments)
    with connect(args) as mixer:
        target = mixer.resolve(ref)
        label = resolve_label(mixer, target)
        # Plugin values are checked against the DAW's ranges before anything is sent.
        from bridge.cli.fx import check_fx, set_fx

        fx = {
            p: check_fx(mixer, target, p, _text_of(args.assignments, p))
            for p, _ in pairs
            if p.startswith("fx/")
        }
        plain = [(p, v) for p, v in pairs if not p.startswith("fx/")]
        for param, _ in plain:
            if param.startswith("send/") and mixer.dialect.confirms(target, param):
                mixer.mirror.forget(target, param)  # wait for a fresh report of it
        for param, value in plain:
            mixer.set(target, param, value)
        title = mixer.dialect.title
        for param, value in pairs:
            if param in fx:
                print(printable_line(set_fx(mixer, target, fx[param])))
                continue
            name = param_label(param)
            if not mixer.dialect.confirms(target, param):
                shown = format_value(param, value)
                said = f"{label}: {name} {shown} (sent; {title} does not confirm this value)"
                print(printable_line(said))
                continue
            try:
                mixer.wait_for(target, param, value)
            except BridgeTimeoutError:
                got: Value = mixer.mirror.get(target, param)
                return fail(
                    f"{title} did not confirm {name} {format_value(param, value)} for {label}"
                    f" within {mixer.timeout:g} s (it reports {format_value(param, got)})"
                )
            shown = format_value(param, mixer.mirror.get(target, param))
            print(printable_line(f"{label}: {name} {shown}"))
    return 0


def _text_of(words: list[str], param: str) -> str:
    """The value text typed after ``param`` (units and all)."""
    for i in range(0, len(words) - 1, 2):
        if parse_param(words[i]) == param:
            return words[i + 1]
    raise UsageError(f"no value for {param_label(param)}")  # pragma: no cover


@guarded
def _run_get(args: argparse.Namespace) -> int:
    ref = parse_track(args.track)
    param = parse_param(args.param)
    with connect(args) as mixer:
        target = mixer.resolve(ref)
        if param.startswith("fx/"):
            return _print_fx(mixer, target, param, args.format)
        if param.startswith("send/") and mixer.dialect.query(target, param):
            mixer.mirror.forget(target, param)  # ask the DAW now, not the snapshot
        value = mixer.get(target, param)
        name = mixer.mirror.get(target, "name")
    if args.format == "json":
        doc = {
            "schema": GET_SCHEMA,
            "daw": mixer.dialect.name,
            "track": {
                "number": None if target == "master" else mixer.dialect.track_number(int(target)),
                "name": "Master" if target == "master" and name is None else name,
            },
            "param": param_label(param),
            "value": json_value(rounded(param, value)),
            "text": format_value(param, value),
        }
        print(json.dumps(doc))
    else:
        print(plain_value(param, value))
    return 0


def _print_fx(mixer: Mixer, target: TrackId, param: str, fmt: str) -> int:
    from bridge.cli.fx import get_fx

    value, info = get_fx(mixer, target, param)
    if fmt == "json":
        number = None if target == "master" else mixer.dialect.track_number(int(target))
        doc = {
            "schema": GET_SCHEMA,
            "daw": mixer.dialect.name,
            "track": {"number": number, "name": mixer.mirror.get(target, "name")},
            "param": param_label(param),
            "value": json_value(value),
            **info,
        }
        print(json.dumps(doc))
    elif isinstance(value, bool) or value is None:
        print({True: "on", False: "off", None: "-"}[value])
    else:
        print(f"{value:.6g}")
    return 0
