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

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypedDict
from xml.etree import ElementTree

from bridge.errors import BridgeError
from bridge.hosts.ardour_state import (
    ACE_PLUGINS,
    AutomationState,
    PluginParam,
    PluginState,
    SendState,
    gain_to_db,
    parse_automation,
    parse_plugins,
    parse_sends,
)

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

SESSION_NAME = "mixdesk"
"""Name of the session (and of its ``.ardour`` file) that `HeadlessArdour` creates."""

_SERVE_SCRIPT = "ardour_serve.lua"
_POLL_S = 0.005
_PROBE_INTERVAL_S = 0.1
_STOP_FILE_WAIT_S = 5.0
_SIGTERM_WAIT_S = 3.0
_REQUEST_TIMEOUT_S = 10.0
_REMOVE_TIMEOUT_S = 30.0
_MAX_NAME_LEN = 200
_OSC_REMAP_S = 0.3  # Ardour's OSC re-maps existing surfaces' strips on a 100 ms timer
# Control files `_prepare` writes for the Lua script's "create" mode.
_SETUP_FILES = ("tracks", "buses", "plugins", "sends")

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

_OSC_PROTOCOL = (
    '<Protocol name="Open Sound Control (OSC)" active="1" debugmode="0" address-only="0"'
    ' remote-port="8000" banksize="0" striptypes="31" feedback="0" gainmode="0"'
    ' send-page-size="0" plug-page-size="0"/>'
)


class ArdourHostError(BridgeError):
    """Ardour could not be started, did not answer, or refused a request."""


class RouteState(TypedDict):
    """One route (track or bus) as read by Lua inside Ardour.

    Attributes:
        name: route name.
        kind: ``"audio_track"``, ``"midi_track"``, ``"bus"``, ``"master"`` or ``"monitor"``.
        order: Ardour's presentation order (sort key of the OSC strip list).
        hidden: whether the route is hidden (hidden routes get no OSC strip id).
        active: whether the route is active.
        gain: fader gain as a linear factor (1.0 = 0 dB).
        gain_db: fader gain in dB, ``20 * log10(gain)`` computed exactly; ``-inf``
            (a float) when the gain is 0.
        trim: trim as a linear factor, or None when the route has no trim.
        pan_azimuth: panner position as Ardour's engine holds it, 0..1 with 0 = hard
            left (OSC ``/strip/pan_stereo_position`` sends ``1 - azimuth``); None
            without a panner.
        pan_width: stereo width -1..1, or None (mono-in tracks have no width).
        mute: whether the route's own mute is on.
        solo: whether the route's own solo is on.
        rec_enable: record-enable of a track; None for buses.
        gain_automation: gain automation (values are linear gain factors).
        pan_automation: azimuth automation, or None without a panner.
        plugins: plugin inserts in OSC piid order (``plugins[0]`` is piid 1).
        sends: sends in OSC sendid order (``sends[0]`` is send 1).
    """

    name: str
    kind: str
    order: int
    hidden: bool
    active: bool
    gain: float
    gain_db: float
    trim: float | None
    pan_azimuth: float | None
    pan_width: float | None
    mute: bool
    solo: bool
    rec_enable: bool | None
    gain_automation: AutomationState
    pan_automation: AutomationState | None
    plugins: list[PluginState]
    sends: list[SendState]


class SessionState(TypedDict):
    """The session as read by Lua inside Ardour (`HeadlessArdour.dump`).

    Attributes:
        sample_rate: nominal session sample rate in Hz.
        transport_sample: transport (playhead) position in samples.
        rolling: whether the transport is rolling.
        routes: every route by name, in presentation order, master last.
        strips: names of the routes that get OSC strip ids with Ardour's default
            strip types (no master, monitor or hidden routes), in ssid order:
            ``strips[0]`` is ssid 1.
    """

    sample_rate: int
    transport_sample: int
    rolling: bool
    routes: dict[str, RouteState]
    strips: list[str]


def _validate_name(name: str, what: str = "track") -> str:
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


def _names(value: Sequence[str], what: str) -> list[str]:
    """Validated names of a sequence argument (one string is refused, not split)."""
    if isinstance(value, str):
        raise ArdourHostError(f"{what}s must be a sequence of names, not one string")
    return [_validate_name(name, what) for name in value]


def _plugin_lines(
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


def _send_lines(
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


def _udp_ports_of(pid: int) -> set[int] | None:
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


def _group_members(pgid: int) -> list[int]:
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


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] not in ("Z", "X")


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group we created, if any member is still alive."""
    if _group_members(pgid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)


def _kill_leftovers(proc: subprocess.Popen[bytes]) -> None:
    """Finalizer: make sure an Ardour we started does not outlive the Python process."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def _last_meaningful_line(log_path: Path) -> str:
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


_OSC_NUMBERS = {"i": ">i", "f": ">f", "h": ">q", "d": ">d"}


def _parse_osc_strings(dgram: bytes) -> tuple[str, list[Any]]:
    """Decode the address and the string and number arguments of one OSC datagram.

    python-osc refuses Ardour's ``#reply`` address (it does not start with ``/``),
    so the readiness probe decodes the few types ``/strip/list`` replies use.
    """

    def read_str(pos: int) -> tuple[str, int]:
        end = dgram.index(b"\0", pos)
        return dgram[pos:end].decode("utf-8", "replace"), (end + 4) & ~3

    address, pos = read_str(0)
    if pos >= len(dgram) or dgram[pos : pos + 1] != b",":
        return address, []
    tags, pos = read_str(pos)
    args: list[Any] = []
    for tag in tags[1:]:
        if tag == "s":
            value, pos = read_str(pos)
            args.append(value)
        elif tag in _OSC_NUMBERS:
            fmt = _OSC_NUMBERS[tag]
            args.append(struct.unpack_from(fmt, dgram, pos)[0])
            pos += struct.calcsize(fmt)
        else:
            break
    return address, args


def _osc_message(address: str) -> bytes:
    """An OSC message with no arguments."""
    raw = address.encode() + b"\0"
    raw += b"\0" * (-len(raw) % 4)
    return raw + b",\0\0\0"


def query_strip_list(port: int, *, timeout: float = 0.5) -> list[str] | None:
    """Ask an Ardour OSC surface on 127.0.0.1 for its strip list.

    Args:
        port: Ardour's OSC UDP port.
        timeout: seconds to wait for the whole answer.

    Returns:
        Strip names in ssid order (``[0]`` is ssid 1), or None when no complete
        answer (ending in ``end_route_list``) arrived within ``timeout``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.sendto(_osc_message("/strip/list"), ("127.0.0.1", port))
        deadline = time.monotonic() + timeout
        names: list[tuple[int, str]] = []
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                dgram, _ = sock.recvfrom(65536)
            except (TimeoutError, ConnectionRefusedError):
                return None
            address, args = _parse_osc_strings(dgram)
            if address not in ("#reply", "/reply") or not args:
                continue
            if args[0] == "end_route_list":
                return [name for _, name in sorted(names)]
            if len(args) >= 7 and isinstance(args[1], str) and isinstance(args[6], int):
                names.append((args[6], args[1]))
        return None
    finally:
        sock.close()


class HeadlessArdour:
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

    def __init__(
        self,
        workdir: Path,
        *,
        port: int = 3819,
        tracks: Sequence[str] = ("Track1",),
        buses: Sequence[str] = (),
        plugins: Mapping[str, Sequence[str]] | None = None,
        sends: Mapping[str, Sequence[str]] | None = None,
        rate: int = 48000,
        binary: str = "ardour7-lua",
        start_timeout: float = 30.0,
    ) -> None:
        if not 1024 <= port <= 65535:
            raise ArdourHostError(f"OSC port must be 1024..65535, got {port}")
        if not 8000 <= rate <= 192000:
            raise ArdourHostError(f"sample rate must be 8000..192000 Hz, got {rate}")
        names = _names(tracks, "track")
        if len(set(names)) != len(names):
            raise ArdourHostError(f"track names must be unique, got {names}")
        bus_names = _names(buses, "bus")
        routes = names + bus_names
        if len(set(routes)) != len(routes):
            raise ArdourHostError(f"track and bus names must be unique, got {routes}")
        plugin_lines = _plugin_lines(plugins or {}, routes)
        send_lines = _send_lines(sends or {}, names, bus_names)
        if start_timeout <= 0:
            raise ArdourHostError(f"start_timeout must be positive, got {start_timeout}")
        self._workdir = Path(workdir).resolve()
        self._port = port
        self._tracks = tuple(names)
        self._buses = tuple(bus_names)
        self._plugin_lines = tuple(plugin_lines)
        self._send_lines = tuple(send_lines)
        self._rate = rate
        self._binary = binary
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._seq = 0
        self._lock = threading.Lock()

    # Paths and properties -------------------------------------------------------

    @property
    def port(self) -> int:
        """OSC UDP port Ardour listens on."""
        return self._port

    @property
    def workdir(self) -> Path:
        """Absolute work directory."""
        return self._workdir

    @property
    def session_dir(self) -> Path:
        """Directory of the Ardour session."""
        return self._workdir / "session"

    @property
    def session_file(self) -> Path:
        """The session's ``.ardour`` file (written at start and by `save`)."""
        return self.session_dir / f"{SESSION_NAME}.ardour"

    @property
    def pid(self) -> int | None:
        """PID of the running luasession process, or None when not running."""
        if self._proc is None or self._proc.poll() is not None:
            return None
        return self._proc.pid

    @property
    def log_path(self) -> Path:
        """Ardour's stdout and stderr (rewritten by `start`, appended by `remove_track`)."""
        return self._workdir / "ardour.log"

    @property
    def running(self) -> bool:
        """Whether the Ardour process started by `start` is still alive."""
        return self.pid is not None

    @property
    def _ctl(self) -> Path:
        return self._workdir / "ctl"

    @property
    def _pid_file(self) -> Path:
        return self._workdir / "ardour.pid"

    @property
    def _script(self) -> Path:
        return self._workdir / _SERVE_SCRIPT

    # Context manager --------------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Start ------------------------------------------------------------------------

    def start(self) -> None:
        """Create a fresh session, launch Ardour and wait until OSC answers.

        Raises:
            ArdourHostError: when already running, the port is busy, the binary is
                missing, Ardour exits, or the surface does not answer within
                ``start_timeout`` seconds. The message names the log file and its
                last meaningful line.
        """
        if self.running:
            raise ArdourHostError(f"Ardour is already running (pid {self.pid})")
        self._workdir.mkdir(parents=True, exist_ok=True)
        self._stop_stale()
        self._prepare()
        self._launch("create")

    def _launch(self, mode: str) -> None:
        """Run the Lua serve script in ``create`` or ``load`` mode and wait until ready."""
        binary = shutil.which(self._binary)
        if binary is None:
            raise ArdourHostError(
                f"{self._binary} not found (Debian: apt-get install ardour; .ci/system-deps.sh)"
            )
        if udp_port_in_use(self._port):
            raise ArdourHostError(
                f"UDP port {self._port} is busy; Ardour would silently use another port"
            )
        for stale in self._ctl.glob("*"):
            if stale.name not in _SETUP_FILES:
                stale.unlink()
        env = dict(os.environ)
        env.update(
            XDG_CONFIG_HOME=str(self._workdir / "config"),
            XDG_CACHE_HOME=str(self._workdir / "cache"),
            HOME=str(self._workdir / "home"),
            LC_ALL="C.UTF-8",
        )
        args = [
            binary,
            str(self._script),
            str(self._ctl),
            str(self.session_dir),
            SESSION_NAME,
            str(self._rate),
            str(self._port),
            mode,
        ]
        with self.log_path.open("ab" if mode == "load" else "wb") as log:
            try:
                proc = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self._workdir,
                    env=env,
                    start_new_session=True,  # setsid: no SIGHUP/job control from CI
                )
            except OSError as exc:
                raise ArdourHostError(f"cannot run {binary}: {exc}") from exc
        self._proc = proc
        self._seq = 0
        self._finalizer = weakref.finalize(self, _kill_leftovers, proc)
        self._pid_file.write_text(f"{proc.pid}\n")
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _prepare(self) -> None:
        """Write a clean session dir, control dir, isolated config and the Lua script."""
        for path in (self.session_dir, self._ctl, self._workdir / "config"):
            if path.is_dir():
                shutil.rmtree(path)
        self._ctl.mkdir()
        for sub in ("cache", "home"):
            (self._workdir / sub).mkdir(exist_ok=True)
        conf = self._workdir / "config" / "ardour7"
        conf.mkdir(parents=True)
        # The RC config switches the OSC surface on for the session created in the
        # same process; the Lua script sets osc-port through ARDOUR.config() too.
        (conf / "config").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Ardour>\n  <Config>\n'
            f'    <Option name="osc-port" value="{self._port}"/>\n  </Config>\n'
            f"  <ControlProtocols>\n    {_OSC_PROTOCOL}\n  </ControlProtocols>\n</Ardour>\n"
        )
        (self._ctl / "tracks").write_text("".join(f"{name}\n" for name in self._tracks))
        (self._ctl / "buses").write_text("".join(f"{name}\n" for name in self._buses))
        # Names hold no control character (checked), so a tab separates safely.
        for file, lines in (("plugins", self._plugin_lines), ("sends", self._send_lines)):
            (self._ctl / file).write_text("".join(f"{a}\t{b}\n" for a, b in lines))
        script = resources.files("bridge.hosts").joinpath(_SERVE_SCRIPT).read_bytes()
        self._script.write_bytes(script)

    def _wait_ready(self) -> None:
        """Wait for the Lua ready file, then for a complete OSC ``/strip/list`` answer."""
        proc = self._proc
        assert proc is not None
        deadline = time.monotonic() + self._start_timeout
        ready = self._ctl / "ready"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise self._error(f"Ardour exited with status {proc.returncode} during start")
            if not ready.exists():
                time.sleep(0.02)
                continue
            strips = query_strip_list(self._port, timeout=_PROBE_INTERVAL_S)
            if strips is not None:
                self._check_bound_port(proc.pid)
                return
        raise self._error(
            f"Ardour's OSC surface did not answer on UDP port {self._port} "
            f"within {self._start_timeout:g} s"
        )

    def _check_bound_port(self, pid: int) -> None:
        ports = _udp_ports_of(pid)
        if ports is not None and self._port not in ports:
            raise self._error(
                f"Ardour did not bind UDP port {self._port} (bound {sorted(ports)}); "
                "the port was taken during start"
            )

    def _error(self, message: str) -> ArdourHostError:
        last = _last_meaningful_line(self.log_path)
        return ArdourHostError(f"{message}; log {self.log_path}: {last}")

    def _stop_stale(self) -> None:
        """Stop an Ardour left running in this work dir by a crashed earlier run."""
        try:
            pid = int(self._pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            cmdline = []
        if str(self._script).encode() in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while (_alive(pid) or _group_members(pid)) and time.monotonic() < deadline:
                time.sleep(0.05)
        self._pid_file.unlink(missing_ok=True)

    # Stop -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop Ardour: stop file, then SIGTERM, then SIGKILL. Idempotent.

        The Lua loop sees the stop file, closes the session (without saving) and
        exits, which takes about a second. Only the process group this instance
        started is signalled.
        """
        proc = self._proc
        if proc is None:
            return
        # The stop file only helps once the Lua loop runs (it wrote "ready").
        if proc.poll() is None and (self._ctl / "ready").exists():
            with contextlib.suppress(OSError):
                (self._ctl / "stop").touch()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_STOP_FILE_WAIT_S)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is None:
                _signal_group(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=_SIGTERM_WAIT_S)
        # Helpers still alive in the group (not the zombie ardour-avahi) go too.
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        self._proc = None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        self._pid_file.unlink(missing_ok=True)

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
        data = self._request("dump", timeout=timeout)
        rate = int(data["sample_rate"])
        routes: dict[str, RouteState] = {}
        for raw in data["routes"]:
            gain = float(raw["gain"])
            routes[raw["name"]] = RouteState(
                name=raw["name"],
                kind=raw["kind"],
                order=int(raw["order"]),
                hidden=bool(raw["hidden"]),
                active=bool(raw["active"]),
                gain=gain,
                gain_db=gain_to_db(gain),
                trim=_float_or_none(raw.get("trim")),
                pan_azimuth=_float_or_none(raw.get("pan_azimuth")),
                pan_width=_float_or_none(raw.get("pan_width")),
                mute=bool(raw["mute"]),
                solo=bool(raw["solo"]),
                rec_enable=raw.get("rec_enable"),
                gain_automation=parse_automation(raw["gain_automation"], rate),
                pan_automation=(
                    parse_automation(raw["pan_automation"], rate)
                    if raw.get("pan_automation")
                    else None
                ),
                plugins=parse_plugins(raw.get("plugins"), rate),
                sends=parse_sends(raw.get("sends")),
            )
        strips = [
            r["name"]
            for r in routes.values()
            if r["kind"] not in ("master", "monitor") and not r["hidden"]
        ]
        return SessionState(
            sample_rate=rate,
            transport_sample=int(data["transport_sample"]),
            rolling=bool(data["rolling"]),
            routes=routes,
            strips=strips,
        )

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
        _validate_name(name)
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
        words = ["plugin_automation", _validate_name(route), str(plugin), str(param), state]
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
        _validate_name(name)
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


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
