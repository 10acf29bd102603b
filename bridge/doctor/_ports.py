"""The port checks every DAW gets: is our port free, and who holds the DAW's port here.

A DAW that moves up when its port is busy at start (Ardour tries its port and
the next 19, :attr:`~bridge.dialects.base.Dialect.port_moves`) is looked for on
those ports, and told apart from the program that holds its own port by
process name (:attr:`~bridge.dialects.base.Dialect.processes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.dialects.base import Dialect
from bridge.doctor._base import Finding
from bridge.doctor._proc import held_by, udp_owners, udp_table
from bridge.osc.udp import is_loopback

__all__ = ["PortCheck", "busy", "daw_port", "listening"]


def listening(dialect: Dialect, lhost: str, asked: int, got: int) -> Finding:
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


def busy(lport: int, dialect: Dialect) -> Finding:
    """Our port is taken: name the holder."""
    fixed = dialect.default_listen_port
    why = f"; {dialect.title} sends to {fixed} by default" if fixed and lport == fixed else ""
    return Finding(
        "listen port",
        "fail",
        f"UDP port {lport} is busy: held by {held_by(lport)}{why}",
        "close that program, or pick another --listen-port and make the DAW send there",
    )


@dataclass(frozen=True, slots=True)
class PortCheck:
    """The DAW-port finding, and why asking the DAW anything is pointless (or "").

    Attributes:
        findings: One finding, or none for a DAW on another host.
        stop: Why the probe stops here; empty when it goes on.
    """

    findings: list[Finding]
    stop: str = ""


def _is_daw(dialect: Dialect, owners: list[tuple[int, str]]) -> bool:
    return any(name.lower().startswith(dialect.processes) for _, name in owners)


def _moved_to(dialect: Dialect, port: int, table: dict[int, list[str]]) -> int | None:
    """The first port above ``port`` that the DAW's own process holds, if it moves."""
    if not dialect.port_moves or not dialect.processes:
        return None
    for p in range(port + 1, port + 1 + dialect.port_moves):
        if p in table and _is_daw(dialect, udp_owners(p) or []):
            return p
    return None


def daw_port(dialect: Dialect, remote: tuple[str, int]) -> PortCheck:
    """Check that the DAW is bound to its port here (no finding for another host).

    Fails when nothing holds the port, and when another program holds it while
    the DAW, having moved up, holds a port above it.
    """
    host, port = remote
    title = dialect.title
    table = udp_table() if is_loopback(host) else None
    if table is None:
        return PortCheck([])
    if table.get(port):
        owners = udp_owners(port) or []
        moved = None if _is_daw(dialect, owners) or not owners else _moved_to(dialect, port, table)
        if moved is None:
            return PortCheck([Finding("DAW port", "ok", f"UDP {port} is bound by {held_by(port)}")])
        holders = held_by(port)
        found = Finding(
            "DAW port",
            "fail",
            f"UDP {port} is held by {holders}, not {title}; {title} listens on {moved}"
            f" ({held_by(moved)}): it moves up when its port is busy at start",
            f"pass --port {moved}, or close {holders} and restart {title} to get {port} back",
        )
        return PortCheck([found], f"UDP {port} is another program's")
    msg = (
        f"nothing listens on UDP {port} on this machine: {title} is not running,"
        " or its OSC surface is off or on another port"
    )
    fix = dialect.setup_hint
    moved = _moved_to(dialect, port, table)
    if moved is not None:
        msg = f"nothing listens on UDP {port}, but {title} listens on {moved}"
        fix = f"pass --port {moved} ({title} moves up when its port is busy at start)"
    return PortCheck([Finding("DAW port", "fail", msg, fix)], f"nothing listens on UDP {port}")
