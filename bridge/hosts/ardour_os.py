"""What a headless Ardour needs of the OS: UDP ports, process groups, signals, its log.

All of it reads Linux's ``/proc``: which UDP ports a process holds, the live
members of a process group, whether a pid is alive. A luasession runs in its own
session (``setsid``), so its whole group can be signalled, and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = [
    "alive",
    "group_members",
    "kill_leftovers",
    "last_meaningful_line",
    "signal_group",
    "stop_stale",
    "udp_port_in_use",
    "udp_ports_of",
]

# Lines luasession prints that never explain a failure.
_NOISE = (
    "lua/unknown direct dispatch",
    "OSC: No such strip",
    "Falling back to Reasonable Synth",
    "Butler drops pool trash",
    "mixdesk: ready",
    "mixdesk: stopping",
    "mixdesk: stopped",
)


def udp_port_in_use(port: int) -> bool:
    """Tell whether a UDP port is taken on any local address.

    Args:
        port: UDP port number.

    Returns:
        True when binding 0.0.0.0:``port`` fails with "address in use" (this also
        catches a socket bound to 127.0.0.1 only).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("0.0.0.0", port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return True
        raise
    finally:
        sock.close()
    return False


def udp_ports_of(pid: int) -> set[int] | None:
    """UDP ports bound by a process, from /proc; None when /proc cannot tell."""
    try:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        ports: set[int] = set()
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with contextlib.suppress(FileNotFoundError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    if len(fields) > 9 and fields[9] in inodes:
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    except OSError:
        return None
    return ports


def group_members(pgid: int) -> list[int]:
    """PIDs of live (non-zombie) processes in process group ``pgid`` of session ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        state, pgrp, sid = fields[0], int(fields[2]), int(fields[3])
        if pgrp == pgid and sid == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] not in ("Z", "X")


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group we created, if any member is still alive."""
    if group_members(pgid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)


def kill_leftovers(proc: subprocess.Popen[bytes]) -> None:
    """Finalizer: make sure an Ardour we started does not outlive the Python process."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def last_meaningful_line(log_path: Path) -> str:
    """Last log line that is not known luasession noise, or a placeholder."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    for line in reversed(lines):
        text = line.strip()
        if text and not any(noise in text for noise in _NOISE):
            return text[:300]
    return "(log has nothing but known noise)"


def stop_stale(pid_file: Path, script: Path) -> None:
    """Kill the process group a crashed earlier run left (its pid file names it).

    Only a process running ``script`` (the work dir's own Lua script) is killed;
    the pid file goes either way.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        cmdline = []
    if str(script).encode() in cmdline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while (alive(pid) or group_members(pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
