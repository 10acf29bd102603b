"""Why does a DAW not answer? Probe its OSC set-up and explain each finding.

:func:`probe` checks, in order: that our listening port is free (naming the
process that holds it); that the DAW is bound to its UDP port on this machine
(``/proc/net/udp``, loopback hosts only), and for a DAW that moves up when its
port is busy (Ardour), whether another program holds its port while it took a
higher one; then the DAW's own checks, which its dialect names
(:attr:`~bridge.dialects.base.Dialect.doctor_probe`): that it answers, that its
replies come to our port and not to a fixed one (watching the dialect's
:attr:`~bridge.dialects.base.Dialect.stray_ports`: Ardour's manual reply port
8000, REAPER's device port 9000, AbletonOSC's 11001), that it feeds values
back, and for Ardour, that int32 levels are ignored (the "floats only" trap)
and that it answers plugin queries. Each check gives one :class:`Finding`;
printing them is the CLI's job.

The probe is careful with the user's session: it reads, and puts back the two
things it touches. Our ``/set_surface`` switches Ardour's per-host reply port
to auto; a manual port that was found is set back. The int32 test sends strip
1 its own current gain, rounded, as an int, which Ardour ignores; should an
Ardour apply it, the exact gain is sent back as a float.
"""

from __future__ import annotations

import contextlib

from bridge.dialects import get_dialect
from bridge.doctor._base import Finding, Probe, Status, listen
from bridge.doctor._daws import run_checks
from bridge.doctor._ports import busy, daw_port, listening
from bridge.doctor._proc import udp_owners
from bridge.errors import BridgeError, OscError
from bridge.osc.udp import is_loopback

__all__ = ["Finding", "Probe", "Status", "probe", "udp_owners"]


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
        daw: ``"ardour"``, ``"reaper"`` or ``"ableton"`` (a DAW reached over OSC).
        host: The DAW's host.
        port: The DAW's OSC port (the dialect's default if None).
        listen_port: Our port (the dialect's default if None; 0 = any free port).
        timeout: How long to wait for each answer, in s.
        stray_ports: Ports to watch for misdirected replies (default: the
            dialect's ``stray_ports``); a busy one is not watched.

    Returns:
        One finding per check, in order. When a check makes the next ones
        pointless (our port is busy, nothing listens), they become one ``skip``.

    Raises:
        BridgeError: Unknown DAW, or one that runs inside mixdesk (nothing to probe).
        ImportError: The DAW's dialect is not in this installation.
    """
    dialect = get_dialect(daw)
    if dialect.embedded is not None:
        raise BridgeError(f"{dialect.title} runs inside mixdesk: there is no OSC set-up to probe")
    remote = (host, dialect.default_port if port is None else port)
    lport = dialect.default_listen_port if listen_port is None else listen_port
    lhost = "127.0.0.1" if is_loopback(host) else "0.0.0.0"
    with contextlib.ExitStack() as stack:
        try:
            ours = stack.enter_context(listen(lhost, lport, remote, dialect.max_packet))
        except OscError:
            port_check = daw_port(dialect, remote)
            return [busy(lport, dialect), *port_check.findings, _skip("our port is busy")]
        findings = [listening(dialect, lhost, lport, ours.port)]
        port_check = daw_port(dialect, remote)
        findings += port_check.findings
        if port_check.stop:
            return [*findings, _skip(port_check.stop)]
        strays = []
        for p in dialect.stray_ports if stray_ports is None else stray_ports:
            if p != ours.port:
                with contextlib.suppress(OscError):
                    strays.append(stack.enter_context(listen(lhost, p, remote, 0)))
        findings += run_checks(Probe(dialect, remote, ours, strays, timeout))
    return findings


def _skip(why: str) -> Finding:
    return Finding("answer", "skip", f"not asked: {why}")
