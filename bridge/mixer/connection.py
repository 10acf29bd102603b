"""A mixer's connection: the OSC socket to the DAW, the greeting, the snapshot, the heartbeat.

:class:`Connection` binds the socket, greets the DAW (the dialect's ``hello``),
waits for a first snapshot of its state, keeps a quiet DAW talking (the
dialect's heartbeat), feeds the mirror with what the dialect decodes and sends
what the dialect builds, sets through a rate limiter. The values on top are
:class:`~bridge.mixer.mixer.Mixer`'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Self

from bridge.dialects.base import Dialect, TrackList, Update
from bridge.dialects.plugins import PluginList, PluginSpecs
from bridge.errors import BridgeTimeoutError
from bridge.mixer.mirror import Mirror
from bridge.osc.message import Message
from bridge.osc.ratelimit import RateLimiter
from bridge.osc.transport import OscTransport

__all__ = ["Connection"]

log = logging.getLogger("bridge.mixer")


class Connection:
    """The OSC side of a mixer; see :class:`~bridge.mixer.mixer.Mixer` for the arguments."""

    def __init__(
        self,
        dialect: Dialect,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        listen_host: str = "127.0.0.1",
        listen_port: int | None = None,
        timeout: float = 2.0,
        rate_limit_s: float = 0.0,
        require_answer: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dialect = dialect
        self.remote = (host, dialect.default_port if port is None else port)
        lport = dialect.default_listen_port if listen_port is None else listen_port
        self.listen = (listen_host, lport)
        self.timeout = timeout
        self.require_answer = require_answer
        self.mirror = Mirror(clock)
        self._rate_limit_s = rate_limit_s
        self._clock = clock
        self._osc: OscTransport | None = None
        self._limiter: RateLimiter | None = None
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    # ---- life cycle ----
    def open(self) -> Self:
        """Bind the socket, greet the DAW and take a snapshot of its state.

        Raises:
            OscError: Our listening port is busy.
            BridgeTimeoutError: The DAW did not answer (``require_answer``).
        """
        self._osc = OscTransport(
            self.remote, self._on_message, listen=self.listen, max_packet=self.dialect.max_packet
        )
        self._limiter = RateLimiter(self._osc.send, self._rate_limit_s)
        self._osc.send_many(self.dialect.hello())
        self._snapshot()
        if self.dialect.heartbeat_s:
            self._keeper = threading.Thread(target=self._keep_alive, daemon=True)
            self._keeper.start()
        return self

    def close(self) -> None:
        """Send what the rate limiter holds, then close the socket (idempotent)."""
        self._stop.set()
        if self._limiter is not None:
            self._limiter.close()
        if self._keeper is not None:
            self._keeper.join(timeout=1.0)
        if self._osc is not None:
            self._osc.close()

    def __enter__(self) -> Self:
        return self if self._osc is not None else self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reconnect(self) -> None:
        """Greet the DAW again and re-take the snapshot (after it restarted)."""
        self._send_now(self.dialect.hello())
        self._snapshot()

    @property
    def local_port(self) -> int:
        """The UDP port we listen on."""
        return self._transport().local_address[1]

    @property
    def stats(self) -> dict[str, int]:
        """Transport counters (sent, received, malformed …)."""
        s = self._transport().stats
        return {
            "sent": s.sent,
            "datagrams_sent": s.datagrams_sent,
            "received": s.received,
            "malformed": s.malformed,
            "handler_errors": s.handler_errors,
        }

    # ---- internals ----
    def _snapshot(self) -> None:
        got_any = self.mirror.wait_for(lambda m: m.last_update > 0, self.timeout)
        if not got_any:
            if self.require_answer:
                host, port = self.remote
                raise BridgeTimeoutError(
                    f"no answer from {self.dialect.title} at {host}:{port} within"
                    f" {self.timeout:g} s (is its OSC surface on, and replying to port"
                    f" {self.local_port}? try 'mixdesk doctor --daw {self.dialect.name}')"
                )
            return
        if self.dialect.lists_tracks:
            self.mirror.wait_for(lambda m: m.listed, self.timeout)
        self.mirror.wait_quiet(0.15, self.timeout)

    def _on_message(self, address: str, args: tuple[object, ...]) -> None:
        for item in self.dialect.decode(address, args):
            if isinstance(item, Update):
                self.mirror.apply(item)
            elif isinstance(item, TrackList):
                self.mirror.apply_list(item)
            elif isinstance(item, PluginList | PluginSpecs):
                self.mirror.apply_plugins(item)
            else:
                self._transport().send(item)

    def _keep_alive(self) -> None:
        beat = self.dialect.heartbeat_s or 1.0
        while not self._stop.wait(beat):
            if self._clock() - self.mirror.last_update > 3 * beat:
                log.info("%s went quiet; greeting it again", self.dialect.title)
                try:
                    self._transport().send_many(self.dialect.keepalive())
                except Exception as err:  # the socket may be closing
                    log.debug("keepalive failed: %s", err)

    def _send_now(self, msgs: Sequence[Message]) -> None:
        self._transport().send_many(msgs)

    def _transport(self) -> OscTransport:
        if self._osc is None:
            raise BridgeTimeoutError("the mixer is not connected (use 'with bridge.connect(...)')")
        return self._osc

    def _limiter_or_raise(self) -> RateLimiter:
        self._transport()
        assert self._limiter is not None
        return self._limiter
