"""Ardour's own checks: answers, reply port mode, feedback, int32 values, plugin queries.

Facts they rely on (Ardour 7.3 ``libs/surfaces/osc/osc.cc``, and seen on the wire):
``/set_surface`` with no arguments answers the surface's settings, the reply
port last (0 = auto, else the manual port); ``/strip/plugin/list ssid`` and
``/strip/plugin/descriptor ssid piid`` are answered whatever the plugin page
size and feedback bits (Ardour 5.5 and later), to the same address as every
other reply, for a strip that is a track or bus (not a VCA).
"""

from __future__ import annotations

from typing import Final

from bridge.doctor._base import Finding, Probe, Received, Socket
from bridge.doctor._daws import no_answer
from bridge.osc.message import Message, message

__all__ = ["check_ardour"]

_SILENT_DB: Final = -192.0  # Ardour: at or below this the gain is -inf (reported as -200)
_QUERY_ERROR_DB: Final = 0.15  # Ardour answers gain queries with a fast dB approximation
_PLUGIN_FIX: Final = (
    "Ardour 5.5 and later answer it whatever the OSC settings (plugin page size and feedback"
    " bits do not matter to it): update Ardour, or turn on Debug in its OSC settings and look"
    " for /strip/plugin/list in its log"
)


def _listed(sock: Socket, start: int = 0) -> bool:
    items = sock.inbox.since(start)
    return any(a == "/reply" and args[:1] == ("end_route_list",) for a, args in items)


def _surface(sock: Socket) -> tuple[int, ...] | None:
    """The settings Ardour answered our ``/set_surface`` query with, if all ints."""
    args = sock.inbox.first("/set_surface") or ()
    ints = tuple(a for a in args if isinstance(a, int))
    return ints if len(args) >= 9 and len(ints) == len(args) else None


def _manual_surface(sock: Socket) -> Message:
    """The ``/set_surface`` that puts the user's manual-port surface back as it was.

    Ardour answered our ``/set_surface`` query with ``bank, strip_types,
    feedback, gainmode, send_page, plugin_page, linkset, linkid, port``; without
    that answer only the port is known (the one that got the replies).
    """
    ints = _surface(sock)
    if ints is not None:
        return message("/set_surface", *ints[:6], ints[-1] or sock.port)
    return message("/set_surface/port", sock.port)


def check_ardour(run: Probe) -> list[Finding]:
    """Ask as the user left Ardour, register as mixdesk does, then check the answers."""
    ours = run.ours
    ours.send([message("/set_surface"), message("/strip/list")])  # as the user left it

    def answered(sock: Socket) -> bool:  # the settings (Ardour 5 and later), then the list
        return _listed(sock) and sock.inbox.first("/set_surface") is not None

    ours.inbox.wait(lambda: any(answered(s) for s in (ours, *run.strays)), run.timeout)
    answered_before = _listed(ours)
    stray = next((s for s in run.strays if _listed(s)), None)
    settings = _surface(ours) if answered_before else None
    here = settings[-1] if settings is not None else 0  # manual mode, and the port is ours
    manual: Message | None = None
    if here:
        manual = _manual_surface(ours)
    elif stray is not None and not answered_before:
        manual = _manual_surface(stray)
    start = len(ours.inbox.items)
    ours.send(run.dialect.hello())  # /set_surface … reply port 0 (auto), feedback on
    ours.inbox.wait(lambda: _listed(ours, start), run.timeout)
    ours.inbox.settle(run.timeout)
    later = ours.inbox.since(start)
    if not _listed(ours, start):
        return [no_answer(run, "/strip/list")]
    strips = [args for a, args in later if a == "/reply" and len(args) >= 7]
    listing = ", ".join(str(args[1]) for args in strips) or "no strips"
    out = [Finding("answer", "ok", f"Ardour answered /strip/list: {listing}")]
    if not answered_before:
        out.append(_manual_elsewhere(manual))
    elif here:
        out.append(_manual_here(here))
    else:
        out.append(Finding("reply port", "ok", f"replies come to our port {ours.port} (auto mode)"))
    feedback = [a for a, _ in later if a.startswith(("/strip/", "/master/"))]
    if feedback:
        out.append(Finding("feedback", "ok", f"Ardour fed back {len(feedback)} values"))
    else:
        out.append(
            Finding(
                "feedback",
                "fail",
                "Ardour answers queries but fed nothing back after /set_surface asked for feedback",
                "turn on Debug in Ardour's OSC settings and look for our /set_surface in its log",
            )
        )
    if strips:
        out.append(_int_gain(run, later))
        out.append(_plugins(run, strips))
    if manual is not None:
        ours.send([manual])  # the user's manual-port surface as it was
    return out


def _manual_here(port: int) -> Finding:
    return Finding(
        "reply port",
        "warn",
        f"Ardour is in manual reply-port mode and sends every reply to port {port}, where we"
        " listen: this works, but only for one OSC app on this host, listening on that port;"
        f" we set manual port {port} back afterwards",
        f"keep --listen-port {port}, or set Port Mode to Auto in Ardour's OSC settings so any"
        " port works (mixdesk chooses auto when it connects)",
    )


def _manual_elsewhere(manual: Message | None) -> Finding:
    if manual is not None:
        port = manual.args[-1]
        where = f"its manual reply port {port}"
        after = f"we set manual port {port} and its surface settings back afterwards"
    else:
        where = "another port (its manual reply port, 8000 by default, which we could not watch)"
        after = "Ardour now replies to the source port for this host"
    return Finding(
        "reply port",
        "warn",
        f"Ardour replied to {where}, not to the port we send from, until our /set_surface"
        f" chose auto; {after}",
        "set Port Mode to Auto in Ardour's OSC settings, or leave it: mixdesk chooses auto when"
        " it connects (for every OSC app on this host)",
    )


def _int_gain(run: Probe, dump: list[Received]) -> Finding:
    """Send strip 1 its own gain as int32: Ardour ignores it (answers 0); undo if it did not."""
    gains = [args[1] for a, args in dump if a == "/strip/gain" and args[:1] == (1,)]
    if not gains or not isinstance(gains[-1], float):
        return Finding("value types", "skip", "strip 1 reported no gain to test with")
    current, ours = gains[-1], run.ours
    sent = round(current)
    start = len(ours.inbox.items)
    ours.send([message("/strip/gain", 1, sent), message("/strip/1/gain")])
    ours.inbox.wait(lambda: ours.inbox.first("/strip/1/gain", start) is not None, run.timeout)
    echo = ours.inbox.first("/strip/gain", start)
    after = ours.inbox.first("/strip/1/gain", start)
    if not after or not isinstance(after[0], float):
        return Finding("value types", "skip", "Ardour did not answer the gain query")
    silent = current <= _SILENT_DB and after[0] <= _SILENT_DB
    if not silent and abs(after[0] - current) > _QUERY_ERROR_DB:
        ours.send([message("/strip/gain", 1, current)])
        return Finding("value types", "ok", f"Ardour applies int32 gain; restored {current:g} dB")
    shown = "nothing" if echo is None else "/strip/gain " + " ".join(map(str, echo))
    return Finding(
        "value types",
        "ok",
        f"Ardour ignored '/strip/gain 1 {sent}' sent as int32 (it answered '{shown}'): gain and"
        " pan must be float32; mixdesk sends floats (in your own OSC code write 0.0, not 0)",
    )


def _plugins(run: Probe, strips: list[tuple[object, ...]]) -> Finding:
    """Ask for the first track's or bus's plugins, and describe the first plugin."""
    routes = [(s[6], str(s[1])) for s in strips if s[0] != "V" and isinstance(s[6], int)]
    if not routes:
        return Finding("plugins", "skip", "no track or bus to ask about its plugins")
    ssid, name = routes[0]
    ours, asked = run.ours, f"'/strip/plugin/list {ssid}'"
    start = len(ours.inbox.items)
    ours.send([message("/strip/plugin/list", ssid)])

    def listed() -> tuple[object, ...] | None:
        items = ours.inbox.since(start)
        return next((a for d, a in items if d == "/strip/plugin/list" and a[:1] == (ssid,)), None)

    ours.inbox.wait(lambda: listed() is not None, run.timeout)
    answer = listed()
    if answer is None:
        return Finding(
            "plugins",
            "fail",
            f"Ardour answers /strip/list but not {asked} ({name}) within {run.timeout:g} s, so"
            " plugin names and parameters (fx:N:M) stay unknown",
            _PLUGIN_FIX,
        )
    plugins = [str(a) for a in answer[1:] if isinstance(a, str)]
    if not plugins:
        return Finding("plugins", "ok", f"Ardour answered {asked}: {name} has no plugins")
    start = len(ours.inbox.items)
    ours.send([message("/strip/plugin/descriptor", ssid, 1)])
    key = (ssid, 1)
    ours.inbox.wait(
        lambda: any(
            d == "/strip/plugin/descriptor_end" and a[:2] == key for d, a in ours.inbox.since(start)
        ),
        run.timeout,
    )
    items = ours.inbox.since(start)
    params = sum(d == "/strip/plugin/descriptor" and a[:2] == key for d, a in items)
    ended = any(d == "/strip/plugin/descriptor_end" and a[:2] == key for d, a in items)
    listing = f"Ardour lists the plugins of {name} ({', '.join(plugins)})"
    if not ended:
        return Finding(
            "plugins",
            "warn",
            f"{listing} but did not finish describing {plugins[0]} within {run.timeout:g} s"
            f" ({params} parameters arrived)",
            "run the doctor again with a longer --timeout; if it persists, turn on Debug in"
            " Ardour's OSC settings and look for /strip/plugin/descriptor in its log",
        )
    return Finding("plugins", "ok", f"{listing} and describes the {params} parameters of the first")
