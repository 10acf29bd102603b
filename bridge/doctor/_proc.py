"""Who holds a UDP port on this machine, read from ``/proc`` (Linux; elsewhere: unknown)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["held_by", "udp_owners", "udp_table"]


def udp_table() -> dict[int, list[str]] | None:
    """Map each bound local UDP port to its socket inodes, from ``/proc/net/udp{,6}``.

    Returns:
        Port → inodes, or None when ``/proc`` has no UDP table (not Linux).
    """
    table: dict[int, list[str]] = {}
    found = False
    for name in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError):
            for line in Path(name).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9:
                    table.setdefault(int(fields[1].rsplit(":", 1)[1], 16), []).append(fields[9])
            found = True
    return table if found else None


def _socket_links(pid_dir: Path) -> set[str]:
    links = set()
    with contextlib.suppress(OSError):
        for fd in (pid_dir / "fd").iterdir():
            with contextlib.suppress(OSError):  # the fd may close while we look
                links.add(os.readlink(fd))
    return links


def udp_owners(port: int) -> list[tuple[int, str]] | None:
    """The processes holding a UDP port on this machine, as ``(pid, name)``.

    Args:
        port: A UDP port.

    Returns:
        The owners we may see (other users' processes are hidden), ``[]`` when
        nobody visible holds the port, None when ``/proc`` cannot tell.
    """
    table = udp_table()
    if table is None:
        return None
    inodes = {f"socket:[{i}]" for i in table.get(port, [])}
    if not inodes:
        return []
    owners = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _socket_links(entry) & inodes:
            with contextlib.suppress(OSError):
                owners.append((int(entry.name), (entry / "comm").read_text().strip()))
    return owners


def held_by(port: int) -> str:
    """Name the holders of a UDP port: ``"reaper (pid 412)"``, or ``"another process"``."""
    owners = udp_owners(port)
    if not owners:
        return "another process"
    return ", ".join(f"{name} (pid {pid})" for pid, name in owners)
