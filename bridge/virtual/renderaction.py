"""Action 42230 over OSC: the render gate's verdict, the worker, and the replies.

Action 42230 renders the mix offline, in float64, to a new take in the render
folder (see :func:`bridge.virtual.render.render`), on a worker thread so the
server keeps answering; one datagram starts one render at most, and renders are
rate-limited (:mod:`bridge.virtual.rendergate`). Action 41743 re-sends every
value. When a render is written the server sends ``/mixdesk/render/done``
(``s``: the take's path) to the feedback target, and when it fails
``/mixdesk/render/error`` (``s``: the one-line reason).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bridge.dialects.reaper import RENDER_ACTION
from bridge.dialects.reaper_addresses import RENDER_DONE, RENDER_ERROR
from bridge.osc.message import Message, message
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.render import RenderResult
from bridge.virtual.rendergate import RenderGate

__all__ = ["RenderAction"]


class RenderAction:
    """Starts the renders the gate allows and answers every request, done or failed.

    Args:
        send: Sends messages to the feedback target: ``send(messages, None)``.
        ignore: Logs bad input (a refused or failed request).
        start: Starts a render on a worker thread and returns the thread.
        on_render: Called on the render thread with each finished render
            (after ``/mixdesk/render/done`` is sent).
        clock: Monotonic clock in s (injected for tests).
    """

    def __init__(
        self,
        *,
        send: Callable[[list[Message], str | None], None],
        ignore: Callable[[str], None],
        start: Callable[[], threading.Thread],
        on_render: Callable[[RenderResult], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._ignore = ignore
        self._start = start
        self._on_render = on_render
        self._gate = RenderGate(clock=clock)

    def request(self, datagram: int) -> None:
        """Action 42230 in datagram number ``datagram``: start a render, or refuse it."""
        refused = self._gate.refusal(datagram)
        if refused is not None:
            self.failed(f"render refused ({refused})")  # the client is waiting
            self._ignore(f"/action {RENDER_ACTION}: render refused ({refused})")
        else:
            try:
                self._gate.started(datagram, self._start())
            except VirtualDawError as err:
                self.failed(str(err))
                self._ignore(f"/action {RENDER_ACTION}: render failed: {err}")

    def rendered(self, result: RenderResult) -> None:
        """A render was written: ``/mixdesk/render/done`` with its path, then ``on_render``."""
        self._gate.finished(threading.current_thread())
        self._send([message(RENDER_DONE, str(result.path))], None)
        if self._on_render is not None:
            self._on_render(result)

    def failed(self, reason: str) -> None:
        """A render failed or was refused: ``/mixdesk/render/error`` with the reason."""
        self._gate.finished(threading.current_thread())
        self._send([message(RENDER_ERROR, reason)], None)
