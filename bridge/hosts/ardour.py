"""Run a real Ardour 7 headless with its OSC surface on a UDP port, for tests and CI.

`HeadlessArdour` starts ``ardour7-lua`` (Ardour's ``luasession``, no X server) with
the "None (Dummy)" audio backend. It creates a fresh session holding mono-in,
stereo-out audio tracks, switches on Ardour's own OSC surface (the same
``libardour_osc`` the GUI uses) and waits until the surface answers
``/strip/list``. A Lua loop inside Ardour then serves control files in the
work dir, so a test can read the engine's own state (`HeadlessArdour.dump`),
save the session, and add or remove tracks.

Everything lives in the work dir: the session, ``ardour.log``, the control
files and an isolated ``XDG_CONFIG_HOME``/``XDG_CACHE_HOME``/``HOME``, so a
developer's own Ardour configuration is never read or written.

Facts this module relies on (Ardour 7.3, Debian bookworm): the OSC socket binds
0.0.0.0 (there is no option for loopback only); a busy OSC port makes Ardour
silently take port+1, so `HeadlessArdour.start` refuses a busy port instead; the
OSC port is the RC-config variable ``osc-port``; luasession sleeps a fixed 1 s in
``create_session`` and in ``load_session``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from bridge.hosts.ardour_os import udp_port_in_use
from bridge.hosts.ardour_probe import query_strip_list
from bridge.hosts.ardour_process import SESSION_NAME, ArdourProcess
from bridge.hosts.ardour_setup import validate_name
from bridge.hosts.ardour_state import (
    ACE_PLUGINS,
    AutomationState,
    PluginParam,
    PluginState,
    RouteState,
    SendState,
    SessionState,
    parse_session,
)
from bridge.hosts.errors import ArdourHostError

__all__ = [
    "ACE_PLUGINS",
    "SESSION_NAME",
    "ArdourHostError",
    "AutomationState",
    "HeadlessArdour",
    "PluginParam",
    "PluginState",
    "RouteState",
    "SendState",
    "SessionState",
    "query_strip_list",
    "udp_port_in_use",
]

_POLL_S = 0.005
_REQUEST_TIMEOUT_S = 10.0
_REMOVE_TIMEOUT_S = 30.0
_OSC_REMAP_S = 0.3  # Ardour's OSC re-maps existing surfaces' strips on a 100 ms timer


class HeadlessArdour(ArdourProcess):
    """A real Ardour 7 running headless with its OSC surface on a UDP port.

    Use it as a context manager (``with HeadlessArdour(tmp_path, port=p) as daw:``)
    or call `start` and `stop`. Every `start` creates a fresh session, so each run
    begins from the same clean state: the named tracks (then buses) at 0 dB,
    centred, unmuted, the named plugins at their defaults, the sends at Ardour's
    default level, no automation, transport stopped at sample 0.

    Args:
        workdir: directory for the session, the log, the control files and the
            isolated config; created if missing. One instance per work dir.
        port: OSC UDP port (Ardour binds it on 0.0.0.0).
        tracks: names of the mono-in, stereo-out audio tracks, in strip order.
        buses: names of stereo audio buses, created after the tracks (so their
            strips follow the tracks').
        plugins: route (track or bus) name -> plugin short names (keys of
            `ACE_PLUGINS`), inserted pre-fader in this order: the first is OSC
            plugin id (piid) 1.
        sends: track name -> bus names to aux-send to, in this order: the first is
            OSC send id 1.
        rate: session sample rate in Hz (the Dummy backend runs at it).
        binary: the ``ardour7-lua`` launcher (name on PATH or a path).
        start_timeout: seconds `start` waits for the OSC surface to answer.

    Raises:
        ArdourHostError: for an invalid argument.
    """

    # Requests -----------------------------------------------------------------------

    def _request(self, *words: str, timeout: float = _REQUEST_TIMEOUT_S) -> dict[str, Any]:
        """Send one command to the Lua loop and return its JSON reply.

        Commands are a fixed set the Lua script knows (dump, save, add_track,
        remove_track); arguments are plain text lines, never code.
        """
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                raise self._error(f"Ardour is not running (cannot {words[0]})")
            self._seq += 1
            seq = self._seq
            req = self._ctl / f"req-{seq}"
            tmp = self._ctl / f"req-{seq}.tmp"
            tmp.write_text("".join(f"{word}\n" for word in words))
            tmp.replace(req)
            reply = self._ctl / f"rep-{seq}.json"
            deadline = time.monotonic() + timeout
            while not reply.exists():
                if proc.poll() is not None:
                    raise self._error(f"Ardour exited during {words[0]}")
                if time.monotonic() > deadline:
                    raise self._error(f"Ardour did not answer {words[0]} within {timeout:g} s")
                time.sleep(_POLL_S)
            data: dict[str, Any] = json.loads(reply.read_text())
            reply.unlink()
        if not data.get("ok"):
            raise ArdourHostError(f"{words[0]} failed inside Ardour: {data.get('error')}")
        return data

    def dump(self, *, timeout: float = _REQUEST_TIMEOUT_S) -> SessionState:
        """Read the mixer and transport state from Lua inside Ardour.

        Args:
            timeout: seconds to wait for the Lua loop's answer.

        Returns:
            The session state; see `SessionState` and `RouteState` for units.

        Raises:
            ArdourHostError: when Ardour is not running or does not answer in time.
        """
        return parse_session(self._request("dump", timeout=timeout))

    def save(self, *, timeout: float = _REQUEST_TIMEOUT_S) -> Path:
        """Save the session (like OSC ``/save_state``) and return the ``.ardour`` path.

        Args:
            timeout: seconds to wait for the Lua loop's answer.

        Returns:
            The session file.

        Raises:
            ArdourHostError: when Ardour is not running, does not answer or fails.
        """
        self._request("save", timeout=timeout)
        return self.session_file

    def add_track(
        self, name: str, *, position: int | None = None, timeout: float = _REQUEST_TIMEOUT_S
    ) -> None:
        """Add a mono-in, stereo-out audio track while Ardour runs.

        Strip ids from ``position`` on shift up by one. Ardour's OSC surface maps
        the strips of clients it already knows again on its 100 ms timer (a
        message sent 50 ms after the track appeared still reached the old strip),
        so this returns 0.3 s after Ardour added the track.

        Args:
            name: the new track's name (must not exist yet).
            position: 0-based presentation position among the routes; None appends.
            timeout: seconds to wait for the Lua loop's answer.

        Raises:
            ArdourHostError: for a bad name, an existing route of that name, or
                when Ardour does not answer.
        """
        validate_name(name)
        if position is not None and position < 0:
            raise ArdourHostError(f"position must be >= 0, got {position}")
        words = ["add_track", name] + ([] if position is None else [str(position)])
        self._request(*words, timeout=timeout)
        time.sleep(_OSC_REMAP_S)

    def set_plugin_automation(
        self,
        route: str,
        plugin: int,
        param: int,
        state: str,
        *,
        timeout: float = _REQUEST_TIMEOUT_S,
    ) -> None:
        """Put one plugin parameter's automation in a state, inside the engine.

        Ardour's OSC cannot; in ``"Play"`` the control follows its lane and ignores
        values set over OSC, which is how a test makes Ardour drop a set.

        Args:
            route: the track or bus name.
            plugin: the plugin's 1-based number (OSC's piid).
            param: the parameter's 1-based number (OSC's numbering).
            state: ``"Manual"``, ``"Play"``, ``"Write"``, ``"Touch"`` or ``"Latch"``.
            timeout: seconds to wait for the Lua loop's answer.

        Raises:
            ArdourHostError: no such route, plugin or parameter, or a bad state.
        """
        if state not in ("Manual", "Play", "Write", "Touch", "Latch"):
            raise ArdourHostError(
                f"automation state must be Manual/Play/Write/Touch/Latch: {state}"
            )
        words = ["plugin_automation", validate_name(route), str(plugin), str(param), state]
        self._request(*words, timeout=timeout)

    def remove_track(self, name: str, *, timeout: float = _REMOVE_TIMEOUT_S) -> None:
        """Remove a track by restarting Ardour on the saved session without it.

        Ardour 7.3's Lua has no binding for removing a route, and reloading a
        session inside one luasession process can deadlock at the next close. So
        this saves the session, stops Ardour, deletes the track's ``<Route>`` from
        the ``.ardour`` XML and starts Ardour again on it (about as long as
        `start`). Mixer state and automation of the other routes are kept; the
        transport is back at the saved position, stopped. The OSC surface
        restarts on the same port, so clients must send ``/set_surface`` again;
        strip ids after the removed track shift down by one, and `pid` changes.

        Args:
            name: name of an existing track.
            timeout: seconds to wait for Ardour to answer again.

        Raises:
            ArdourHostError: when there is no such track or Ardour does not come
                back within ``timeout``.
        """
        validate_name(name)
        route = self.dump()["routes"].get(name)
        if route is None or route["kind"] not in ("audio_track", "midi_track"):
            raise ArdourHostError(f"no track named {name!r}")
        self.save()
        self.stop()
        tree = ElementTree.parse(self.session_file)
        routes = tree.getroot().find("Routes")
        found = [] if routes is None else routes.findall("Route")
        victims = [node for node in found if node.get("name") == name]
        if routes is None or len(victims) != 1:
            raise ArdourHostError(f"route {name!r} not found in {self.session_file}")
        routes.remove(victims[0])
        # Drop the other routes' port connections to it (else Ardour logs errors).
        prefix = f"{name}/"
        for port in tree.getroot().iter("Port"):
            for conn in port.findall("Connection"):
                if conn.get("other", "").startswith(prefix):
                    port.remove(conn)
        tree.write(self.session_file, encoding="UTF-8", xml_declaration=True)
        saved = self._start_timeout
        self._start_timeout = timeout
        try:
            self._launch("load")
        finally:
            self._start_timeout = saved
