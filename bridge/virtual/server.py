"""The virtual DAW: an OSC server in REAPER's dialect over a real mixer of stem files.

It listens on UDP (loopback by default), applies what a REAPER
``Default.ReaperOSC`` surface would apply (track and master volume, pan, width,
mute, solo, names, transport, locate, actions), and feeds back what REAPER
would, as float32 in ``#bundle`` packets of at most 1024 bytes, never on the
address it is processing (REAPER's anti-echo). Feedback goes to the configured
feedback port, or, when there is none, to the last sender (as REAPER does with
no device port set).

Action 42230 renders the mix offline, in float64, to a new take in the render
folder (see :func:`bridge.virtual.render.render`), on a worker thread so the
server keeps answering. Action 41743 re-sends every value.

Malformed datagrams, unknown addresses and bad values are logged (at most one
line per second, with a count of what was suppressed) and ignored; nothing a
client sends stops the server.
"""

from __future__ import annotations

import logging
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pythonosc.osc_packet import OscPacket

from bridge.dialects.base import as_float, as_int
from bridge.dialects.reaper import REFRESH_ACTION, RENDER_ACTION
from bridge.errors import OscError
from bridge.osc.message import Message, well_formed
from bridge.osc.transport import is_loopback, pack_bundles
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.fader import fader_to_db
from bridge.virtual.feedback import master_feedback, track_feedback, transport_feedback
from bridge.virtual.panlaw import DEFAULT_PAN_LAW, PanLaw
from bridge.virtual.render import RenderResult, render
from bridge.virtual.state import MixSnapshot, MixState, TrackState
from bridge.virtual.stems import Stem

__all__ = ["VirtualDaw"]

log = logging.getLogger("bridge.virtual")

_TRACK = re.compile(r"^/track/(\d+)/(.+)$")
_POSITION_HZ = 10.0  # REAPER's default control-surface update rate is 15 Hz; close enough


class VirtualDaw:
    """A REAPER-dialect OSC server that mixes stems and renders bounces.

    Args:
        stems: The tracks, in order (track 1 first), from ``load_stems``.
        rate: Project sample rate in Hz.
        render_dir: Where renders go (created if missing).
        host: Address to listen on (loopback by default).
        port: UDP port to listen on (REAPER's default 8000; 0 = any free).
        feedback: ``(host, port)`` feedback goes to, or None for "the last sender".
        project: Take name prefix (``<project>-take01.wav``).
        bits: 24, or 16 with TPDF dither.
        pan_law: The pan law (see :mod:`bridge.virtual.panlaw`).
        on_render: Called on the render thread with each finished render.
        clock: Monotonic clock in s (injected for tests).

    Raises:
        OscError: The port is busy or cannot be bound.
    """

    def __init__(
        self,
        stems: Sequence[Stem],
        *,
        rate: int,
        render_dir: str | Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        feedback: tuple[str, int] | None = ("127.0.0.1", 9000),
        project: str = "mix",
        bits: Literal[16, 24] = 24,
        pan_law: PanLaw = DEFAULT_PAN_LAW,
        on_render: Callable[[RenderResult], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stems = list(stems)
        self.names = [s.name for s in self.stems]
        self.rate = rate
        self.render_dir = Path(render_dir)
        self.render_dir.mkdir(parents=True, exist_ok=True)
        self.project = project
        self.bits = bits
        self.state = MixState.for_stems(self.stems, pan_law=pan_law)
        self.recarm = dict.fromkeys(self.names, False)
        self.renders: list[RenderResult] = []
        self.render_errors: list[str] = []
        self.ignored = 0
        """Messages ignored (unknown address, bad type or value, malformed)."""
        self._feedback = feedback
        self._last_sender: tuple[str, int] | None = None
        self._on_render = on_render
        self._clock = clock
        self._lock = threading.RLock()
        self._playing = False
        self._recording = False
        self._position = 0.0
        self._rolled_at = 0.0
        self._closed = threading.Event()
        self._render_lock = threading.Lock()
        self._render_threads: list[threading.Thread] = []
        self._warned_at = -1e9
        self._suppressed = 0
        self._sock = self._bind(host, port)
        self._threads = [
            threading.Thread(target=self._serve, name="virtual-daw", daemon=True),
            threading.Thread(target=self._tick, name="virtual-daw-clock", daemon=True),
        ]

    # ---- life cycle ----
    @property
    def address(self) -> tuple[str, int]:
        """The ``(host, port)`` the server listens on."""
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> VirtualDaw:
        """Start serving (returns self)."""
        for t in self._threads:
            t.start()
        return self

    def close(self, *, wait_renders: bool = True) -> None:
        """Stop serving; by default wait for renders in progress to finish."""
        if wait_renders:
            self.wait_renders()
        self._closed.set()
        for t in self._threads:
            if t.is_alive():
                t.join(timeout=1.0)
        self._sock.close()

    def __enter__(self) -> VirtualDaw:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_renders(self, timeout: float | None = None) -> bool:
        """Wait for every render started so far; True if all finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in list(self._render_threads):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            t.join(left)
            if t.is_alive():
                return False
        return True

    # ---- transport ----
    @property
    def position(self) -> float:
        """The play position in s."""
        with self._lock:
            if self._playing:
                return self._position + (self._clock() - self._rolled_at)
            return self._position

    @property
    def playing(self) -> bool:
        """True while the transport rolls."""
        return self._playing

    def _roll(self, play: bool, record: bool = False) -> None:
        with self._lock:
            self._position = self.position
            self._rolled_at = self._clock()
            self._playing = play
            self._recording = record and play

    def _locate(self, seconds: float) -> None:
        with self._lock:
            self._position = max(0.0, seconds)
            self._rolled_at = self._clock()

    # ---- OSC ----
    def _bind(self, host: str, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as err:
            sock.close()
            raise OscError(
                f"virtual DAW cannot listen on {host}:{port}: {err.strerror or err}"
            ) from None
        if not is_loopback(host):
            log.warning("virtual DAW listening on %s:%d, reachable from other machines", host, port)
        sock.settimeout(0.1)
        return sock

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                data, sender = self._sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                if self._closed.is_set():
                    return
                continue
            self._last_sender = (str(sender[0]), int(sender[1]))
            try:
                packet = OscPacket(data)
            except Exception as err:  # python-osc raises several types on garbage
                self._ignore(f"malformed OSC datagram ({len(data)} bytes): {err}")
                continue
            if not packet.messages:
                self._ignore(f"datagram with no OSC message in it ({len(data)} bytes)")
                continue
            for timed in packet.messages:
                msg = timed.message
                if not hasattr(msg, "address"):
                    continue
                if not well_formed(msg.dgram):
                    self._ignore(f"{msg.address}: arguments do not match the type tags")
                    continue
                try:
                    self._handle(msg.address, tuple(msg.params))
                except Exception as err:  # a bad message must never stop the server
                    self._ignore(f"{msg.address}: {err!r}")

    def _handle(self, address: str, args: tuple[object, ...]) -> None:
        arg = args[0] if args else None
        m = _TRACK.match(address)
        if m:
            self._track(int(m.group(1)), m.group(2), address, args)
        elif address.startswith("/master/"):
            self._master(address[len("/master/") :], address, arg)
        elif address in ("/play", "/stop", "/record", "/pause"):
            if args and as_float(arg) != 1.0:
                return  # REAPER's t patterns fire only with no argument or 1
            self._roll(address in ("/play", "/record"), address == "/record")
            self._send(transport_feedback(self._playing, self._recording, self.position), address)
        elif address == "/time" and _finite(arg):
            self._locate(float(arg))  # type: ignore[arg-type]
            self._send(transport_feedback(self._playing, self._recording, self.position), address)
        elif address == "/action" and args:
            for a in args:
                self._action(a)
        elif address.startswith("/device/"):
            return  # bank sizes: the virtual DAW always reports every track
        else:
            self._ignore(f"unknown address {address} {list(args)!r}")

    def _action(self, arg: object) -> None:
        action = as_int(arg) if isinstance(arg, int) else None  # REAPER pops an int only
        if action == RENDER_ACTION:
            self.start_render()
        elif action == REFRESH_ACTION:
            self.refresh()
        else:
            self._ignore(f"/action {arg!r}: not an action the virtual DAW knows")

    def _track(self, n: int, rest: str, address: str, args: tuple[object, ...]) -> None:
        if n == 0:
            self._master(rest, address, args[0] if args else None)
            return
        if not 1 <= n <= len(self.names):
            self._ignore(f"{address}: no track {n} (there are {len(self.names)})")
            return
        name = self.names[n - 1]
        t = self.state.tracks[name]
        arg = args[0] if args else None
        with self._lock:
            if not self._apply_track(t, name, rest, arg, address):
                return
        self._send(track_feedback(n, name, t), address)

    def _apply_track(self, t: TrackState, name: str, rest: str, arg: object, address: str) -> bool:
        f = as_float(arg) if not isinstance(arg, bool) else None
        if rest == "volume/db" and f is not None and not math.isnan(f):
            t.volume_db = -math.inf if f <= -150.0 else min(f, 24.0)
        elif rest == "volume" and f is not None and f >= 0.0:
            t.volume_db = fader_to_db(f)
        elif rest in ("pan", "pan2") and f is not None and 0.0 <= f <= 1.0:
            if rest == "pan":
                t.pan = 2.0 * f - 1.0
            else:
                t.width = 2.0 * f - 1.0
        elif rest in ("mute", "solo", "recarm") and f in (0.0, 1.0):
            self._set_button(t, name, rest, f == 1.0)
        elif rest in ("mute/toggle", "solo/toggle", "recarm/toggle") and f in (None, 1.0):
            word = rest.split("/", maxsplit=1)[0]
            current = self.recarm[name] if word == "recarm" else getattr(t, word)
            self._set_button(t, name, word, not current)
        elif rest == "name" and isinstance(arg, str) and arg:
            idx = self.names.index(name)
            self.names[idx] = arg
            self.state.tracks[arg] = self.state.tracks.pop(name)
            self.recarm[arg] = self.recarm.pop(name)
        else:
            self._ignore(f"{address} {arg!r}: unknown address or bad value")
            return False
        return True

    def _set_button(self, t: TrackState, name: str, word: str, on: bool) -> None:
        if word == "recarm":
            self.recarm[name] = on
        else:
            setattr(t, word, on)

    def _master(self, rest: str, address: str, arg: object) -> None:
        f = as_float(arg) if not isinstance(arg, bool) else None
        with self._lock:
            if rest == "volume/db" and f is not None and not math.isnan(f):
                self.state.master_volume_db = -math.inf if f <= -150.0 else min(f, 24.0)
            elif rest == "volume" and f is not None and f >= 0.0:
                self.state.master_volume_db = fader_to_db(f)
            else:
                self._ignore(f"{address} {arg!r}: the virtual master has volume only")
                return
        self._send(master_feedback(self.state.master_volume_db), address)

    def refresh(self) -> None:
        """Send every value (REAPER action 41743, "refresh all surfaces")."""
        msgs: list[Message] = []
        with self._lock:
            for i, name in enumerate(self.names, start=1):
                msgs += track_feedback(i, name, self.state.tracks[name])
            msgs += master_feedback(self.state.master_volume_db)
            msgs += transport_feedback(self._playing, self._recording, self.position)
        self._send(msgs, None)

    def _send(self, msgs: list[Message], processing: str | None) -> None:
        target = self._feedback or self._last_sender
        if target is None:
            return
        # REAPER's anti-echo: no feedback on the address being processed, except
        # for button and trigger patterns (b, t), which always report their state.
        keep = [m for m in msgs if m.address != processing or _is_button(m.address)]
        try:
            for packet in pack_bundles([m.encode() for m in keep], 1024):
                self._sock.sendto(packet, target)
        except OSError as err:
            self._ignore(f"feedback to {target[0]}:{target[1]} failed: {err}")

    def _tick(self) -> None:
        while not self._closed.wait(1.0 / _POSITION_HZ):
            if self._playing:
                self._send(transport_feedback(True, self._recording, self.position)[-1:], None)

    def _ignore(self, text: str) -> None:
        self.ignored += 1
        now = time.monotonic()
        if now - self._warned_at < 1.0:
            self._suppressed += 1
            return
        more = f" ({self._suppressed} more suppressed)" if self._suppressed else ""
        self._warned_at, self._suppressed = now, 0
        log.warning("virtual DAW ignored %s%s", text, more)

    # ---- render ----
    def start_render(self) -> threading.Thread:
        """Render the current mix to a new take on a worker thread (action 42230)."""
        snapshot = self.state.snapshot()
        t = threading.Thread(target=self._render, args=(snapshot,), name="virtual-render")
        self._render_threads.append(t)
        t.start()
        return t

    def _render(self, snapshot: MixSnapshot) -> None:
        with self._render_lock:
            try:
                result = render(
                    self.stems,
                    snapshot,
                    self.render_dir,
                    rate=self.rate,
                    project=self.project,
                    bits=self.bits,
                )
            except (VirtualDawError, OSError) as err:
                self.render_errors.append(str(err))
                log.error("virtual DAW render failed: %s", err)
                return
        self.renders.append(result)
        log.info("virtual DAW rendered %s", result.path)
        if self._on_render is not None:
            self._on_render(result)


_BUTTON = re.compile(r"^/(play|stop|record|pause|track/\d+/(mute|solo|recarm))$")


def _is_button(address: str) -> bool:
    return _BUTTON.match(address) is not None


def _finite(value: object) -> bool:
    f = as_float(value) if not isinstance(value, bool) else None
    return f is not None and math.isfinite(f)
