"""The DAW-specific checks: does it answer, where do replies go, is there feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bridge.doctor._base import Finding, Probe, Received, Socket
from bridge.osc.message import Message, message

__all__ = ["FIX_PORT", "PROBES", "no_answer"]

FIX_PORT: Final = {
    "ardour": "start Ardour and enable Edit > Preferences > Control Surfaces > Open Sound "
    "Control (port 3819 unless you changed it; then pass --port)",
    "reaper": "in REAPER add Preferences > Control/OSC/web > Add > OSC with 'Local listen port' "
    "8000 (or pass --port)",
    "ableton": "install AbletonOSC and select it as a Control Surface in Live > Settings > "
    "Link, Tempo & MIDI (it listens on 11000)",
}
"""How to get each DAW listening for OSC."""

_SILENT_DB: Final = -192.0  # Ardour: at or below this the gain is -inf (reported as -200)
_QUERY_ERROR_DB: Final = 0.15  # Ardour answers gain queries with a fast dB approximation


def no_answer(run: Probe, asked: str) -> Finding:
    """The DAW said nothing to ``asked``."""
    host, port = run.remote
    return Finding(
        "answer",
        "fail",
        f"{run.dialect.title} at {host}:{port} did not answer {asked} within {run.timeout:g} s",
        FIX_PORT.get(run.dialect.name, "check the DAW's OSC settings"),
    )


# ---- Ardour ----
def _listed(sock: Socket, start: int = 0) -> bool:
    items = sock.inbox.since(start)
    return any(a == "/reply" and args[:1] == ("end_route_list",) for a, args in items)


def _manual_surface(stray: Socket) -> Message:
    """The ``/set_surface`` that puts the user's manual-port surface back as it was.

    Ardour answered our ``/set_surface`` query on the manual port with
    ``bank, strip_types, feedback, gainmode, send_page, plugin_page, …, port``;
    without that answer only the port is known (the one that got the replies).
    """
    args = stray.inbox.first("/set_surface") or ()
    ints = [a for a in args if isinstance(a, int)]
    if len(args) >= 9 and len(ints) == len(args):
        return message("/set_surface", *ints[:6], ints[-1] or stray.port)
    return message("/set_surface/port", stray.port)


def _ardour(run: Probe) -> list[Finding]:
    ours = run.ours
    ours.send([message("/strip/list"), message("/set_surface")])  # as the user left it
    ours.inbox.wait(lambda: _listed(ours) or any(_listed(s) for s in run.strays), run.timeout)
    answered_before = _listed(ours)
    stray = next((s for s in run.strays if _listed(s)), None)
    manual = _manual_surface(stray) if stray is not None and not answered_before else None
    start = len(ours.inbox.items)
    ours.send(run.dialect.hello())  # /set_surface … reply port 0 (auto), feedback on
    ours.inbox.wait(lambda: _listed(ours, start), run.timeout)
    ours.inbox.settle(run.timeout)
    later = ours.inbox.since(start)
    if not _listed(ours, start):
        return [no_answer(run, "/strip/list")]
    names = [str(args[1]) for a, args in later if a == "/reply" and len(args) >= 7]
    listing = ", ".join(names) or "no strips"
    out = [Finding("answer", "ok", f"Ardour answered /strip/list: {listing}")]
    if answered_before:
        out.append(Finding("reply port", "ok", f"replies come to our port {ours.port} (auto mode)"))
    else:
        out.append(_manual_mode(manual))
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
    if names:
        out.append(_int_gain(run, later))
    if manual is not None:
        ours.send([manual])  # the user's manual-port surface as it was
    return out


def _manual_mode(manual: Message | None) -> Finding:
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


# ---- REAPER, Live, others ----
def _reaper(run: Probe) -> list[Finding]:
    run.ours.send(run.dialect.hello())  # bank set-up, then "refresh all surfaces"
    run.ours.inbox.wait(lambda: run.heard() or run.stray() is not None, run.timeout)
    run.ours.inbox.settle(run.timeout)
    if run.heard():
        n = len(run.ours.inbox.items)
        sent = f"{n} feedback message{'s' if n != 1 else ''}"
        return [Finding("feedback", "ok", f"REAPER sent {sent} to our port")]
    stray = run.stray()
    if stray is not None:
        return [
            Finding(
                "reply port",
                "fail",
                f"REAPER sends feedback to port {stray.port}, but we listen on {run.ours.port}",
                f"pass --listen-port {stray.port}, or set the OSC surface's Device port to"
                f" {run.ours.port}",
            )
        ]
    host, port = run.remote
    device = "127.0.0.1" if host == "127.0.0.1" else "this machine's address"
    return [
        Finding(
            "feedback",
            "fail",
            f"REAPER at {host}:{port} sent no feedback within {run.timeout:g} s: it receives"
            " but does not send, or sends elsewhere",
            "in Preferences > Control/OSC/web edit the OSC surface: Mode 'Configure device"
            f" IP+local port', Device IP {device}, Device port {run.ours.port} (where REAPER"
            f" sends), Local listen port {port}",
        )
    ]


def _ableton(run: Probe) -> list[Finding]:
    run.ours.send([message("/live/test")])
    run.ours.inbox.wait(lambda: run.heard() or run.stray() is not None, run.timeout)
    if run.heard():
        return [Finding("answer", "ok", "AbletonOSC answered /live/test")]
    stray = run.stray()
    if stray is not None:
        return [
            Finding(
                "reply port",
                "fail",
                f"AbletonOSC replies to port {stray.port}, but we listen on {run.ours.port}",
                f"pass --listen-port {stray.port} (AbletonOSC always replies there)",
            )
        ]
    return [no_answer(run, "/live/test")]


def _generic(run: Probe) -> list[Finding]:
    run.ours.send(run.dialect.hello())
    if run.ours.inbox.wait(run.heard, run.timeout):
        return [Finding("answer", "ok", f"{run.dialect.title} answered")]
    return [no_answer(run, "our greeting")]


PROBES: Final[dict[str, Callable[[Probe], list[Finding]]]] = {
    "ardour": _ardour,
    "reaper": _reaper,
    "ableton": _ableton,
}
"""The checks of each DAW after the port checks (others get a generic "does it answer")."""


def probe_daw(run: Probe) -> list[Finding]:
    """Run the DAW's own checks."""
    return PROBES.get(run.dialect.name, _generic)(run)
