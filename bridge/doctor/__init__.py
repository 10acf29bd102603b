"""Why does a DAW not answer? Probe its OSC set-up and explain each finding.

:func:`probe` checks, in order: that our listening port is free (naming the
process that holds it), that something is bound to the DAW's UDP port on this
machine (``/proc/net/udp``, loopback hosts only; for Ardour also the next 19
ports, where it moves when its port is busy), that the DAW answers, that its
replies come to our port and not to a fixed one (Ardour's manual reply port,
8000 by default; REAPER's device port 9000; AbletonOSC's 11001), that it feeds
values back, and for Ardour, that int32 levels are ignored (the "floats only"
trap). Each check gives one :class:`Finding`; printing them is the CLI's job.

The probe is careful with the user's session: it reads, and puts back the two
things it touches. Our ``/set_surface`` switches Ardour's per-host reply port
to auto; a manual port that was found is set back. The int32 test sends strip
1 its own current gain, rounded, as an int, which Ardour ignores; should an
Ardour apply it, the exact gain is sent back as a float.
"""

from __future__ import annotations

import contextlib
from typing import Final

from bridge.dialects import get_dialect
from bridge.dialects.base import Dialect
from bridge.doctor._base import Finding, Probe, Status, listen
from bridge.doctor._daws import FIX_PORT, probe_daw
from bridge.doctor._proc import held_by, udp_owners, udp_table
from bridge.errors import OscError
from bridge.osc.udp import is_loopback

__all__ = ["STRAY_PORTS", "Finding", "Status", "probe", "udp_owners"]

STRAY_PORTS: Final = {"ardour": (8000,), "reaper": (9000,), "ableton": (11001,)}
"""Ports each DAW sends replies to when it does not reply to us: watched while probing."""

_ARDOUR_PORT_SPAN: Final = 20  # a busy port makes Ardour try the next ones


def probe(
    daw: str,
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    listen_port: int | None = None,
    timeout: float = 2.0,
    stray_ports: tuple[int, ...] | None = None,
) -> list[Finding]:
    """Check a DAW's OSC set-up from this machine.

    Args:
        daw: ``"ardour"``, ``"reaper"`` or ``"ableton"``.
        host: The DAW's host.
        port: The DAW's OSC port (the dialect's default if None).
        listen_port: Our port (the dialect's default if None; 0 = any free port).
        timeout: How long to wait for each answer, in s.
        stray_ports: Ports to watch for misdirected replies (default
            :data:`STRAY_PORTS`); a busy one is not watched.

    Returns:
        One finding per check, in order. When a check makes the next ones
        pointless (our port is busy, nothing listens), they become one ``skip``.

    Raises:
        BridgeError: Unknown DAW.
        ImportError: The DAW's dialect is not in this installation.
    """
    dialect = get_dialect(daw)
    remote = (host, dialect.default_port if port is None else port)
    lport = dialect.default_listen_port if listen_port is None else listen_port
    lhost = "127.0.0.1" if is_loopback(host) else "0.0.0.0"
    with contextlib.ExitStack() as stack:
        try:
            ours = stack.enter_context(listen(lhost, lport, remote, dialect.max_packet))
        except OscError:
            return [_busy(lport, dialect), *_daw_port(dialect, remote), _skip("our port is busy")]
        findings = [_listening(dialect, lhost, lport, ours.port)]
        findings += _daw_port(dialect, remote)
        if findings[-1].status == "fail":
            return [*findings, _skip(f"nothing listens on UDP {remote[1]}")]
        strays = []
        for p in STRAY_PORTS.get(dialect.name, ()) if stray_ports is None else stray_ports:
            if p != ours.port:
                with contextlib.suppress(OscError):
                    strays.append(stack.enter_context(listen(lhost, p, remote, 0)))
        findings += probe_daw(Probe(dialect, remote, ours, strays, timeout))
    return findings


def _listening(dialect: Dialect, lhost: str, asked: int, got: int) -> Finding:
    """Our port is open; with a free port, say whether the DAW's replies can find it."""
    where = f"we listen on {lhost}:{got}"
    fixed = dialect.default_listen_port
    if asked != 0:
        return Finding("listen port", "ok", f"{where} (free)")
    if not fixed:  # Ardour: replies go to the port each message came from
        return Finding(
            "listen port", "ok", f"{where} (a free port; {dialect.title} replies to the sender)"
        )
    return Finding(
        "listen port",
        "warn",
        f"{where} (a free port), but {dialect.title} sends its replies to the port set in "
        f"its own OSC settings ({fixed} by default), so they will not arrive here",
        f"pass --listen-port {fixed}, or the port {dialect.title} is set to send to",
    )


def _skip(why: str) -> Finding:
    return Finding("answer", "skip", f"not asked: {why}")


def _busy(lport: int, dialect: Dialect) -> Finding:
    fixed = dialect.default_listen_port
    why = f"; {dialect.title} sends to {fixed} by default" if fixed and lport == fixed else ""
    return Finding(
        "listen port",
        "fail",
        f"UDP port {lport} is busy: held by {held_by(lport)}{why}",
        "close that program, or pick another --listen-port and make the DAW send there",
    )


def _daw_port(dialect: Dialect, remote: tuple[str, int]) -> list[Finding]:
    """Check that something is bound to the DAW's port here (no finding for another host)."""
    host, port = remote
    table = udp_table() if is_loopback(host) else None
    if table is None:
        return []
    if table.get(port):
        return [Finding("DAW port", "ok", f"UDP {port} is bound by {held_by(port)}")]
    msg = (
        f"nothing listens on UDP {port} on this machine: {dialect.title} is not running,"
        " or its OSC surface is off or on another port"
    )
    fix = FIX_PORT.get(dialect.name, "start the DAW")
    if dialect.name == "ardour":
        for moved in (p for p in range(port + 1, port + _ARDOUR_PORT_SPAN) if p in table):
            owners = udp_owners(moved) or []
            if any(n.lower().startswith(("ardour", "luasession")) for _, n in owners):
                msg = f"nothing listens on UDP {port}, but Ardour listens on {moved}"
                fix = f"pass --port {moved} (Ardour moves up when its port is busy at start)"
                break
    return [Finding("DAW port", "fail", msg, fix)]
