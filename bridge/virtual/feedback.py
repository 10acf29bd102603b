"""What the virtual DAW reports, in REAPER's feedback addresses and wire types.

Pure: values in, :class:`~bridge.osc.Message` values out. Like REAPER, ``n``,
``b``, ``t`` and ``f`` values go out as float32, and the texts use the formats
of :mod:`bridge.dialects.reaper` (``"-6.00dB"``, ``"35%L"``), so the bridge
parses exactly what it would get from REAPER. Addresses are built with
:func:`bridge.dialects.reaper_addresses.build`, the table the REAPER dialect
reads them with.

Plugins: ``/track/N/fx/F/name``, ``/fx/F/bypass`` (1 = bypassed), each
parameter's normalised ``/fx/F/fxparam/P/value`` and its text
``/fx/F/fxparam/P/value/str`` (in units, e.g. ``"3.00 dB"``); the EQ also on
REAPER's ``FX_EQ_*`` addresses (``/fxeq/band/1/gain/db``…). Parameter names go
to the device-selected track's ``/fx/F/fxparam/P/name`` (:func:`selected_feedback`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bridge.dialects.reaper import format_db, format_pan, format_width
from bridge.dialects.reaper_addresses import build
from bridge.dialects.virtual_fx import EQ, EQ_BANDS, FxParam
from bridge.osc.message import Message, message
from bridge.virtual.fader import db_to_fader
from bridge.virtual.recorder import MODES
from bridge.virtual.state import PluginState, TrackState

__all__ = [
    "automation_feedback",
    "master_feedback",
    "plugin_feedback",
    "selected_feedback",
    "send_feedback",
    "track_feedback",
    "transport_feedback",
]


def _volume(base: str, db: float, with_db: bool) -> list[Message]:
    out = [message(f"{base}/volume", db_to_fader(db)), message(f"{base}/volume/str", format_db(db))]
    if with_db:
        out.append(message(f"{base}/volume/db", max(db, -150.0)))
    return out


def automation_feedback(number: int, mode: str) -> list[Message]:
    """Track ``number``'s automation mode: 1.0 on ``/track/N/auto<mode>``, 0.0 on the other four."""
    return [message(f"/track/{number}/auto{m}", float(m == mode)) for m in MODES]


def track_feedback(number: int, name: str, t: TrackState, mode: str = "trim") -> list[Message]:
    """Track ``number``'s fader values (1-based), as REAPER sends them after a refresh.

    Args:
        number: Track number, 1-based.
        name: Track name.
        t: The track's state.
        mode: The track's automation mode (``trim``, ``read``, ``touch``,
            ``latch`` or ``write``).

    Returns:
        The messages, in REAPER's addresses and wire types (plugins and sends
        are :func:`plugin_feedback` and :func:`send_feedback`).
    """
    base = f"/track/{number}"
    return [
        message(f"{base}/name", name),
        *_volume(base, t.volume_db, with_db=True),
        message(f"{base}/pan", (t.pan + 1.0) / 2.0),
        message(f"{base}/pan/str", format_pan(t.pan)),
        message(f"{base}/pan2", (t.width + 1.0) / 2.0),
        message(f"{base}/pan2/str", format_width(t.width)),
        message(f"{base}/mute", float(t.mute)),
        message(f"{base}/solo", float(t.solo)),
        message(f"{base}/recarm", 0.0),
        *automation_feedback(number, mode),
    ]


def send_feedback(number: int, t: TrackState, returns: Sequence[str]) -> list[Message]:
    """A track's sends: normalised level, level text and the return's name.

    Args:
        number: Track number, 1-based.
        t: The track's state (its ``sends_db``; a return track has none).
        returns: The return tracks' names, send 1's first.
    """
    out: list[Message] = []
    for s, (db, name) in enumerate(zip(t.sends_db, returns, strict=False), start=1):
        out += [
            message(build(number, "send/@/volume", s), db_to_fader(db)),
            message(build(number, "send/@/volume/str", s), format_db(db)),
            message(build(number, "send/@/name", s), name),
        ]
    return out


def _param(number: int, slot: int, p: int, spec: FxParam, value: float) -> list[Message]:
    return [
        message(build(number, "fx/@/fxparam/@/value", slot, p), spec.to_norm(value)),
        message(build(number, "fx/@/fxparam/@/value/str", slot, p), spec.text(value)),
    ]


def _eq(number: int, p: PluginState) -> list[Message]:
    """The EQ on REAPER's ``FX_EQ_*`` track addresses."""
    out = [message(build(number, "fxeq/bypass"), float(not p.active))]
    for word, name in (("fxeq/gain", "Output gain"), ("fxeq/wetdry", "Wet")):
        n = EQ.number(name)
        assert n is not None
        spec, v = EQ.params[n - 1], p.values[n - 1]
        out.append(message(build(number, word), spec.to_norm(v)))
        if word == "fxeq/gain":
            out.append(message(build(number, "fxeq/gain/db"), v))
        out.append(message(build(number, f"{word}/str"), spec.text(v)))
    for band in EQ_BANDS:
        key = band.key
        out.append(
            message(build(number, "fxeq/BAND/bypass", band=key), float(key not in p.bands_on))
        )
        for field, unit, suffix in (
            ("freq", "hz", "freq"),
            ("gain", "db", "gain"),
            ("q", "oct", "BW"),
        ):
            n = EQ.number(f"{band.label} {suffix}")
            if n is None:
                continue  # the high-pass and the notch have no gain
            spec, v = EQ.params[n - 1], p.values[n - 1]
            out += [
                message(build(number, f"fxeq/BAND/{field}", band=key), spec.to_norm(v)),
                message(build(number, f"fxeq/BAND/{field}/{unit}", band=key), v),
                message(build(number, f"fxeq/BAND/{field}/str", band=key), spec.text(v)),
            ]
    return out


def plugin_feedback(number: int, slot: int, p: PluginState) -> list[Message]:
    """One plugin of track ``number`` (0 = master): name, bypass, every parameter.

    Args:
        number: Track number (0 = the master).
        slot: The plugin's FX slot, 1-based.
        p: The plugin's state (values in units).
    """
    out = [
        message(build(number, "fx/@/name", slot), p.plugin.name),
        message(build(number, "fx/@/bypass", slot), float(not p.active)),
    ]
    for i, (spec, v) in enumerate(zip(p.plugin.params, p.values, strict=True), start=1):
        out += _param(number, slot, i, spec, v)
    if p.plugin is EQ:
        out += _eq(number, p)
    return out


def selected_feedback(number: int, plugins: Sequence[PluginState]) -> list[Message]:
    """The device-selected track's plugins: its number, plugin and parameter names, texts.

    REAPER reports parameter names only for the selected track
    (``FX_PARAM_NAME s/fx/@/fxparam/@/name``), after ``/track/number/str``.
    """
    out = [message("/track/number/str", str(number))]
    for slot, p in enumerate(plugins, start=1):
        out.append(message(f"/fx/{slot}/name", p.plugin.name))
        for i, (spec, v) in enumerate(zip(p.plugin.params, p.values, strict=True), start=1):
            out += [
                message(f"/fx/{slot}/fxparam/{i}/name", spec.name),
                message(f"/fx/{slot}/fxparam/{i}/value/str", spec.text(v)),
            ]
    return out


def master_feedback(volume_db: float, pan: float = 0.0) -> list[Message]:
    """The master's fader values (REAPER reports them only on ``/master/...``)."""
    return [
        *_volume("/master", volume_db, with_db=False),
        message("/master/pan", (pan + 1.0) / 2.0),
        message("/master/pan/str", format_pan(pan)),
    ]


def transport_feedback(playing: bool, recording: bool, position_s: float) -> list[Message]:
    """Play state and position."""
    return [
        message("/play", float(playing)),
        message("/stop", float(not playing)),
        message("/record", float(recording)),
        message("/time", float(position_s)),
    ]
