"""A headless Ardour's process: a fresh session, ``luasession`` started and stopped.

:class:`ArdourProcess` is the life cycle under `bridge.hosts.ardour.HeadlessArdour`
(which adds the requests a running Ardour answers): checked arguments, a fresh
session (:mod:`bridge.hosts.ardour_setup`), start until the OSC surface answers
(:mod:`bridge.hosts.ardour_probe`), and stop (:mod:`bridge.hosts.ardour_os`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bridge.hosts.ardour_os import (
    kill_leftovers,
    last_meaningful_line,
    signal_group,
    stop_stale,
    udp_port_in_use,
    udp_ports_of,
)
from bridge.hosts.ardour_probe import query_strip_list
from bridge.hosts.ardour_setup import (
    SERVE_SCRIPT,
    SETUP_FILES,
    check_names,
    check_plugins,
    check_sends,
    write_setup,
)
from bridge.hosts.errors import ArdourHostError

__all__ = ["SESSION_NAME", "ArdourProcess"]

SESSION_NAME = "mixdesk"
"""Name of the session (and of its ``.ardour`` file) that `HeadlessArdour` creates."""

_PROBE_INTERVAL_S = 0.1
_STOP_FILE_WAIT_S = 5.0
_SIGTERM_WAIT_S = 3.0


class ArdourProcess:
    """Start and stop one headless Ardour; see `bridge.hosts.ardour.HeadlessArdour`."""

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
        names = check_names(tracks, "track")
        if len(set(names)) != len(names):
            raise ArdourHostError(f"track names must be unique, got {names}")
        bus_names = check_names(buses, "bus")
        routes = names + bus_names
        if len(set(routes)) != len(routes):
            raise ArdourHostError(f"track and bus names must be unique, got {routes}")
        plugin_lines = check_plugins(plugins or {}, routes)
        send_lines = check_sends(sends or {}, names, bus_names)
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
        return self._workdir / SERVE_SCRIPT

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
            if stale.name not in SETUP_FILES:
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
        self._finalizer = weakref.finalize(self, kill_leftovers, proc)
        self._pid_file.write_text(f"{proc.pid}\n")
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _prepare(self) -> None:
        """Write a clean session dir, control dir, isolated config and the Lua script."""
        write_setup(
            self._workdir,
            self._ctl,
            self.session_dir,
            port=self._port,
            tracks=self._tracks,
            buses=self._buses,
            plugins=self._plugin_lines,
            sends=self._send_lines,
        )

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
        ports = udp_ports_of(pid)
        if ports is not None and self._port not in ports:
            raise self._error(
                f"Ardour did not bind UDP port {self._port} (bound {sorted(ports)}); "
                "the port was taken during start"
            )

    def _error(self, message: str) -> ArdourHostError:
        last = last_meaningful_line(self.log_path)
        return ArdourHostError(f"{message}; log {self.log_path}: {last}")

    def _stop_stale(self) -> None:
        """Stop an Ardour left running in this work dir by a crashed earlier run."""
        stop_stale(self._pid_file, self._script)

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
                signal_group(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=_SIGTERM_WAIT_S)
        # Helpers still alive in the group (not the zombie ardour-avahi) go too.
        signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        self._proc = None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        self._pid_file.unlink(missing_ok=True)
