"""The virtual DAW: an OSC server in REAPER's dialect over a real mixer of stem files.

It listens on UDP (loopback by default), applies what a REAPER
``Default.ReaperOSC`` surface would apply (track and master volume, pan, width,
mute, solo, names, sends, plugin parameters and the track EQ, transport,
locate, actions), and feeds back what REAPER would, as float32 in ``#bundle``
packets of at most 1024 bytes, never on the address it is processing (REAPER's
anti-echo). Feedback goes to the configured feedback port, or, when there is
none, to the last sender (as REAPER does with no device port set).

Addresses are parsed by :func:`bridge.dialects.reaper_addresses.parse_address`,
the parser the REAPER dialect reads feedback with. The tracks are the stems,
then the two return tracks (``Reverb``, ``Delay``); track 0 (``/master/...``) is
the master; what each address does is :mod:`bridge.virtual.surface`'s.
``/device/track/select N`` reports track N's plugin and parameter names on
REAPER's device-selected addresses (``/fx/F/fxparam/P/name``).

Action 42230 renders the mix offline to a new take, on a worker thread, as
:mod:`bridge.virtual.renderaction` tells; action 41743 re-sends every value.

Automation: ``/track/N/autotrim|autoread|autotouch|autolatch|autowrite`` (``t``)
set the track's mode, reported back as 0/1 on the five addresses;
``/track/N/volume/touch`` and ``/track/N/pan/touch`` (``b``) touch and release.
Volume, pan, plugin parameter and send moves are recorded while the transport
rolls, by the rules of :mod:`bridge.virtual.recorder` (see
:mod:`bridge.virtual.surface`); a render plays the recorded lanes of every
track and of the master (lanes keyed ``"master"``), in every mode (REAPER plays
envelopes in trim/read too).

Bad input is logged and ignored (:mod:`bridge.virtual.endpoint`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from bridge.dialects.base import as_float, as_int
from bridge.dialects.reaper import REFRESH_ACTION, RENDER_ACTION
from bridge.dialects.reaper_addresses import ReaperAddress, parse_address
from bridge.osc.message import Message
from bridge.virtual.automation import Automation
from bridge.virtual.bounces import Bouncer
from bridge.virtual.endpoint import OscEndpoint
from bridge.virtual.feedback import transport_feedback
from bridge.virtual.panlaw import DEFAULT_PAN_LAW, PanLaw
from bridge.virtual.playhead import Playhead
from bridge.virtual.render import RenderResult
from bridge.virtual.renderaction import RenderAction
from bridge.virtual.state import MixState
from bridge.virtual.stems import Stem
from bridge.virtual.surface import MixSurface

__all__ = ["VirtualDaw"]

log = logging.getLogger("bridge.virtual")

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
        on_render: Called on the render thread with each finished render
            (after ``/mixdesk/render/done`` is sent).
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
        self.rate = rate
        self.render_dir = Path(render_dir)
        self.render_dir.mkdir(parents=True, exist_ok=True)
        self.project = project
        self.bits = bits
        self.playhead = Playhead(clock)
        self.surface = MixSurface(
            MixState.for_stems(self.stems, pan_law=pan_law),
            len(self.stems),
            lambda: self.playhead.position,
        )
        self.state = self.surface.state
        self.names = self.surface.names
        """Track names in order: the stems', then the returns' (track N is ``names[N-1]``)."""
        self.recarm = self.surface.recarm
        self.recorder = self.surface.recorder
        """Automation modes, touch state and recorded lanes; from other threads, read
        them with :meth:`automation` and :meth:`automation_mode` (they take the lock)."""
        self.bouncer = Bouncer(
            self.stems,
            rate=rate,
            render_dir=self.render_dir,
            project=project,
            bits=bits,
            # Late-bound: self._renders is made below, once the endpoint can send.
            on_render=lambda result: self._renders.rendered(result),  # noqa: PLW0108
            on_error=lambda reason: self._renders.failed(reason),  # noqa: PLW0108
        )
        self.renders = self.bouncer.renders
        self.render_errors = self.bouncer.errors
        self._lock = threading.RLock()
        self._osc = OscEndpoint(host, port, feedback, self._handle)
        self._send = self._osc.send
        self._ignore = self._osc.ignore
        self._renders = RenderAction(
            send=self._send,
            ignore=self._ignore,
            start=self.start_render,
            on_render=on_render,
            clock=clock,
        )
        self._closed = self._osc.closed
        self._threads = [
            threading.Thread(target=self._osc.serve, name="virtual-daw", daemon=True),
            threading.Thread(target=self._tick, name="virtual-daw-clock", daemon=True),
        ]

    # ---- life cycle ----
    @property
    def address(self) -> tuple[str, int]:
        """The ``(host, port)`` the server listens on."""
        return self._osc.address

    @property
    def ignored(self) -> int:
        """Messages ignored (unknown address, bad type or value, malformed)."""
        return self._osc.ignored

    @property
    def handled(self) -> int:
        """Datagrams processed so far, ignored ones included (tests wait on it)."""
        return self._osc.handled

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
        self._osc.close()

    def __enter__(self) -> VirtualDaw:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_renders(self, timeout: float | None = None) -> bool:
        """Wait for every render started so far; True if all finished."""
        return self.bouncer.wait(timeout)

    # ---- transport ----
    @property
    def position(self) -> float:
        """The play position in s."""
        return self.playhead.position

    @property
    def playing(self) -> bool:
        """True while the transport rolls."""
        return self.playhead.playing

    def _roll(self, play: bool, record: bool = False) -> None:
        with self._lock:
            was, at = self.playhead.roll(play, record)
            if play and not was:
                self.recorder.play(at)
            elif was and not play:
                self.recorder.stop(at)

    def _locate(self, seconds: float) -> None:
        with self._lock:
            before = self.playhead.locate(seconds)
            self.recorder.locate(before, self.position)

    def _transport_feedback(self) -> list[Message]:
        p = self.playhead
        return transport_feedback(p.playing, p.recording, p.position)

    # ---- automation ----
    def automation(self, name: str) -> dict[str, list[tuple[float, float]]]:
        """Return a track's recorded points, ``param → [(position in s, value), ...]``.

        Volume values are in dB (``-inf`` allowed), pan in -1..+1; a pass in
        progress is included.
        """
        with self._lock:
            return self.recorder.points(name)

    def automation_mode(self, name: str) -> str:
        """Return a track's automation mode, one of :data:`~bridge.virtual.recorder.MODES`."""
        with self._lock:
            return self.recorder.mode(name)

    # ---- OSC ----
    def _handle(self, address: str, args: tuple[object, ...]) -> None:
        arg = args[0] if args else None
        a = parse_address(address)
        if a.scope == "track":
            self._track(a, address, arg)
        elif address in ("/play", "/stop", "/record", "/pause"):
            if args and as_float(arg) != 1.0:
                return  # REAPER's t patterns fire only with no argument or 1
            self._roll(address in ("/play", "/record"), address == "/record")
            self._send(self._transport_feedback(), address)
        elif address == "/time" and _finite(arg):
            self._locate(float(arg))  # type: ignore[arg-type]
            self._send(self._transport_feedback(), address)
        elif address == "/action" and args:
            for x in args:
                self._action(x)
        elif address == "/device/track/select":
            self._select(arg)
        elif address.startswith("/device/"):
            return  # bank sizes: the virtual DAW always reports every track
        else:
            self._ignore(f"unknown address {address} {list(args)!r}")

    def _select(self, arg: object) -> None:
        """``/device/track/select N``: report track N's plugin and parameter names."""
        n = as_int(arg) if not isinstance(arg, bool) else None
        if n is None or not 0 <= n <= len(self.names):
            self._ignore(f"/device/track/select {arg!r}: no such track")
            return
        with self._lock:
            msgs = self.surface.selected(n)
        self._send(msgs, None)

    def _action(self, arg: object) -> None:
        action = as_int(arg) if isinstance(arg, int) else None  # REAPER pops an int only
        if action == RENDER_ACTION:
            self._renders.request(self._osc.handled)  # the number of the datagram being processed
        elif action == REFRESH_ACTION:
            self.refresh()
        else:
            self._ignore(f"/action {arg!r}: not an action the virtual DAW knows")

    def _track(self, a: ReaperAddress, address: str, arg: object) -> None:
        n = a.track
        assert n is not None
        if not 0 <= n <= len(self.names):
            self._ignore(f"{address}: no track {n} (there are {len(self.names)})")
            return
        with self._lock:
            msgs = self.surface.track(n, a, arg)
        if msgs is None:
            self._ignore(f"{address} {arg!r}: unknown address or bad value")
        elif isinstance(msgs, str):
            self._ignore(f"{address} {arg!r}: {msgs}")
        else:
            self._send(msgs, address)

    def refresh(self) -> None:
        """Send every value (REAPER action 41743, "refresh all surfaces")."""
        with self._lock:
            msgs = self.surface.everything() + self._transport_feedback()
        self._send(msgs, None)

    def _tick(self) -> None:
        while not self._closed.wait(1.0 / _POSITION_HZ):
            if self.playhead.playing:
                self._send(self._transport_feedback()[-1:], None)

    # ---- render ----
    def start_render(self) -> threading.Thread:
        """Render the current mix to a new take on a worker thread (action 42230)."""
        with self._lock:
            snapshot = self.state.snapshot()
            keys = self.surface.lane_keys()
            lanes: Automation = {name: self.recorder.lanes(name) for name in keys}
        return self.bouncer.start(snapshot, lanes)


def _finite(value: object) -> bool:
    f = as_float(value) if not isinstance(value, bool) else None
    return f is not None and math.isfinite(f)
