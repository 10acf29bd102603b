"""The virtual DAW's renders: takes written on worker threads, one at a time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from bridge.virtual.automation import Automation
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.render import RenderResult, render
from bridge.virtual.state import MixSnapshot
from bridge.virtual.stems import Stem

__all__ = ["Bouncer"]

log = logging.getLogger("bridge.virtual")


class Bouncer:
    """Renders takes of one project on worker threads, one after the other.

    Args:
        stems: The project's stems.
        rate: Project sample rate in Hz.
        render_dir: Where takes go (must exist).
        project: Take name prefix.
        bits: 24, or 16 with TPDF dither.
        on_render: Called on the render thread with each finished render.
        on_error: Called on the render thread with the one-line reason of each
            failed render.

    Attributes:
        renders: Finished renders, in order.
        errors: One line per failed render.
    """

    def __init__(
        self,
        stems: Sequence[Stem],
        *,
        rate: int,
        render_dir: Path,
        project: str,
        bits: Literal[16, 24],
        on_render: Callable[[RenderResult], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.stems = list(stems)
        self.rate = rate
        self.render_dir = render_dir
        self.project = project
        self.bits = bits
        self.renders: list[RenderResult] = []
        self.errors: list[str] = []
        self._on_render = on_render
        self._on_error = on_error
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self, snapshot: MixSnapshot, automation: Automation) -> threading.Thread:
        """Start rendering ``snapshot`` with ``automation`` lanes; returns the worker."""
        t = threading.Thread(target=self._run, args=(snapshot, automation), name="virtual-render")
        self._threads.append(t)
        t.start()
        return t

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for every render started so far; True if all finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in list(self._threads):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            t.join(left)
            if t.is_alive():
                return False
        return True

    def _run(self, snapshot: MixSnapshot, automation: Automation) -> None:
        with self._lock:
            try:
                result = render(
                    self.stems,
                    snapshot,
                    self.render_dir,
                    rate=self.rate,
                    project=self.project,
                    bits=self.bits,
                    automation=automation,
                )
            except Exception as err:  # any failure is the client's error, never a silent thread
                reason = " ".join(str(err).split()) or type(err).__name__
                if not isinstance(err, (VirtualDawError, OSError)):
                    reason = f"render failed ({type(err).__name__}: {reason})"
                self.errors.append(reason)
                log.error("virtual DAW render failed: %s", reason)
                if self._on_error is not None:
                    self._on_error(reason)
                return
        self.renders.append(result)
        log.info("virtual DAW rendered %s", result.path)
        if self._on_render is not None:
            self._on_render(result)
