"""What a fresh headless Ardour session is made of: checked names, and the files written for it.

The track, bus, plugin and send arguments are checked here (names hold no control
character, so the control files can separate fields with a tab), and
:func:`write_setup` writes the clean session folder, the isolated configuration
that switches Ardour's OSC surface on, the control files the Lua script's
``create`` mode reads, and the script itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from bridge.hosts.ardour_state import ACE_PLUGINS
from bridge.hosts.errors import ArdourHostError

__all__ = [
    "SERVE_SCRIPT",
    "SETUP_FILES",
    "check_names",
    "check_plugins",
    "check_sends",
    "validate_name",
    "write_setup",
]

SERVE_SCRIPT = "ardour_serve.lua"
"""The Lua script (shipped in :mod:`bridge.hosts`) that serves the control files."""

_MAX_NAME_LEN = 200
SETUP_FILES = ("tracks", "buses", "plugins", "sends")
"""Control files :func:`write_setup` writes for the Lua script's ``create`` mode."""

_OSC_PROTOCOL = (
    '<Protocol name="Open Sound Control (OSC)" active="1" debugmode="0" address-only="0"'
    ' remote-port="8000" banksize="0" striptypes="31" feedback="0" gainmode="0"'
    ' send-page-size="0" plug-page-size="0"/>'
)


def validate_name(name: str, what: str = "track") -> str:
    """``name`` if Ardour can take it as a route name, else an :class:`ArdourHostError`."""
    if not isinstance(name, str) or not name.strip():
        raise ArdourHostError(f"{what} name must be a non-empty string, got {name!r}")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ArdourHostError(f"{what} name {name!r} contains a control character")
    if len(name) > _MAX_NAME_LEN:
        raise ArdourHostError(f"{what} name longer than {_MAX_NAME_LEN} characters")
    if name != name.strip():
        raise ArdourHostError(f"{what} name {name!r} has leading or trailing blanks")
    if name.lower() in ("master", "monitor"):
        raise ArdourHostError(f"{what} name {name!r} is reserved by Ardour")
    return name


def check_names(value: Sequence[str], what: str) -> list[str]:
    """Validated names of a sequence argument (one string is refused, not split)."""
    if isinstance(value, str):
        raise ArdourHostError(f"{what}s must be a sequence of names, not one string")
    return [validate_name(name, what) for name in value]


def check_plugins(
    plugins: Mapping[str, Sequence[str]], routes: Sequence[str]
) -> list[tuple[str, str]]:
    """``(route, LV2 URI)`` pairs in insertion order; refuses unknown routes and plugins."""
    lines = []
    for route, names in plugins.items():
        if route not in routes:
            raise ArdourHostError(
                f"plugins for {route!r}: no such track or bus (routes: {list(routes)})"
            )
        if isinstance(names, str):
            raise ArdourHostError(f"plugins for {route!r} must be a sequence of names")
        for name in names:
            if name not in ACE_PLUGINS:
                known = ", ".join(repr(known) for known in ACE_PLUGINS)
                raise ArdourHostError(f"unknown plugin {name!r} for {route!r}; known: {known}")
            lines.append((route, ACE_PLUGINS[name]))
    return lines


def check_sends(
    sends: Mapping[str, Sequence[str]], tracks: Sequence[str], buses: Sequence[str]
) -> list[tuple[str, str]]:
    """``(track, bus)`` pairs in send order; refuses unknown names and repeated sends."""
    lines = []
    for track, targets in sends.items():
        if track not in tracks:
            raise ArdourHostError(f"sends from {track!r}: no such track (tracks: {list(tracks)})")
        if isinstance(targets, str):
            raise ArdourHostError(f"sends from {track!r} must be a sequence of bus names")
        if len(set(targets)) != len(targets):
            raise ArdourHostError(f"sends from {track!r} repeat a bus: {list(targets)}")
        for bus in targets:
            if bus not in buses:
                raise ArdourHostError(
                    f"send from {track!r} to {bus!r}: no such bus (buses: {list(buses)})"
                )
            lines.append((track, bus))
    return lines


def write_setup(
    workdir: Path,
    ctl: Path,
    session_dir: Path,
    *,
    port: int,
    tracks: Sequence[str],
    buses: Sequence[str],
    plugins: Sequence[tuple[str, str]],
    sends: Sequence[tuple[str, str]],
) -> None:
    """Write a clean session dir, control dir, isolated config and the Lua script."""
    for path in (session_dir, ctl, workdir / "config"):
        if path.is_dir():
            shutil.rmtree(path)
    ctl.mkdir()
    for sub in ("cache", "home"):
        (workdir / sub).mkdir(exist_ok=True)
    conf = workdir / "config" / "ardour7"
    conf.mkdir(parents=True)
    # The RC config switches the OSC surface on for the session created in the
    # same process; the Lua script sets osc-port through ARDOUR.config() too.
    (conf / "config").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Ardour>\n  <Config>\n'
        f'    <Option name="osc-port" value="{port}"/>\n  </Config>\n'
        f"  <ControlProtocols>\n    {_OSC_PROTOCOL}\n  </ControlProtocols>\n</Ardour>\n"
    )
    (ctl / "tracks").write_text("".join(f"{name}\n" for name in tracks))
    (ctl / "buses").write_text("".join(f"{name}\n" for name in buses))
    # Names hold no control character (checked), so a tab separates safely.
    for file, lines in (("plugins", plugins), ("sends", sends)):
        (ctl / file).write_text("".join(f"{a}\t{b}\n" for a, b in lines))
    script = resources.files("bridge.hosts").joinpath(SERVE_SCRIPT).read_bytes()
    (workdir / SERVE_SCRIPT).write_bytes(script)
