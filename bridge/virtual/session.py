"""``bridge.connect("virtual", stems=DIR)``: an in-process virtual DAW and a mixer on it.

The server listens on a free loopback port and, having no feedback port set,
answers the last sender, as REAPER does; the mixer speaks the REAPER dialect to
it. Takes go to the render folder, the current folder unless told otherwise
(never a hidden temporary one).

Bounces are never lost: :meth:`VirtualMixer.render` waits for the server's
reply (``/mixdesk/render/done`` or ``/mixdesk/render/error``, as the REAPER
dialect decodes them) and returns the take's path, or raises
:class:`~bridge.virtual.errors.VirtualDawError` with the server's one-line
reason (a request the server refused, which has no reply, is an error too).
:meth:`VirtualMixer.close` first lets the server process every datagram the
mixer sent (a render asked for just before closing starts), then waits for
renders in progress, at most :data:`RENDER_WAIT_S`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from bridge.dialects.virtual import VirtualDialect
from bridge.mixer.mirror import Mirror
from bridge.mixer.mixer import Mixer
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.render import RenderResult
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems

__all__ = [
    "RENDER_WAIT_S",
    "VirtualDialect",
    "VirtualMixer",
    "render_folder",
    "start_virtual",
]

RENDER_WAIT_S: Final = 600.0
"""How long a render may take before :meth:`VirtualMixer.render` and ``close`` give up, in s
(a 10-minute song renders in well under a minute)."""


class VirtualMixer(Mixer):
    """A :class:`~bridge.mixer.Mixer` that owns the virtual DAW it talks to.

    Attributes:
        daw: The running :class:`~bridge.virtual.server.VirtualDaw`.
    """

    def __init__(self, daw: VirtualDaw, *, timeout: float, rate_limit_s: float) -> None:
        host, port = daw.address
        super().__init__(
            VirtualDialect(),
            host=host,
            port=port,
            listen_port=0,
            timeout=timeout,
            rate_limit_s=rate_limit_s,
        )
        self.daw = daw
        self._errors_seen = 0

    def render(self, *, wait: bool = True, timeout: float | None = None) -> Path | None:
        """Render (action 42230) and, by default, wait for the take to be written.

        Args:
            wait: Wait for the take (True), or only ask for it.
            timeout: How long to wait, in s (:data:`RENDER_WAIT_S` if None).

        Returns:
            The take's path (None when not waiting).

        Raises:
            VirtualDawError: The render failed (the server's reason) or did not
                finish in time.
        """
        if not wait:
            super().render()
            return None
        return self.render_and_wait(RENDER_WAIT_S if timeout is None else timeout).path

    def render_and_wait(self, timeout: float = RENDER_WAIT_S) -> RenderResult:
        """Render (action 42230) and wait for the take to be written.

        Args:
            timeout: How long to wait, in s.

        Returns:
            What the render wrote (path, length, peak, timing).

        Raises:
            VirtualDawError: The render failed or did not finish in time.
        """
        daw, mirror = self.daw, self.mirror
        for param in ("render/done", "render/error"):
            mirror.forget(None, param)  # wait for this render's reply
        before, errors = len(daw.renders), len(daw.render_errors)
        super().render()
        sent = self._transport().stats.datagrams_sent

        def answered(m: Mirror) -> bool:  # the server's /mixdesk/render/done or /error
            return m.has(None, "render/done") or m.has(None, "render/error")

        def settled(m: Mirror) -> bool:  # or: request handled, nothing rendering (refused)
            return answered(m) or (daw.handled >= sent and daw.wait_renders(0.0))

        finished = mirror.wait_for(settled, timeout)
        ran = len(daw.renders) > before or len(daw.render_errors) > errors
        if finished and ran and not answered(mirror):
            mirror.wait_for(answered, self.timeout)  # the reply is on its way
        reason = mirror.get(None, "render/error")
        if reason is None and len(daw.render_errors) > errors:
            reason = daw.render_errors[-1]
        if reason is not None:
            self._errors_seen = len(daw.render_errors)
            raise VirtualDawError(f"render failed: {reason}")
        if not finished:
            raise VirtualDawError(f"the render did not finish within {timeout:g} s")
        if len(daw.renders) <= before:
            raise VirtualDawError("the virtual DAW wrote no take and sent no reason")
        daw.wait_renders(timeout)  # its announcement (on_render) is made before we return
        return daw.renders[before]

    def __enter__(self) -> VirtualMixer:
        super().__enter__()
        return self

    def close(self, *, render_wait_s: float = RENDER_WAIT_S) -> None:
        """Close the mixer, then stop the virtual DAW once its renders are written.

        Args:
            render_wait_s: How long to wait for renders in progress, in s.

        Raises:
            VirtualDawError: A render was still being written after ``render_wait_s``,
                or one failed that :meth:`render` did not already raise for.
        """
        super().close()
        sent = self._osc.stats.datagrams_sent if self._osc is not None else 0
        deadline = time.monotonic() + min(self.timeout, 5.0)
        while self.daw.handled < sent and time.monotonic() < deadline:
            time.sleep(0.005)  # a render asked for just before closing must start
        finished = self.daw.wait_renders(render_wait_s)
        self.daw.close(wait_renders=False)
        if not finished:
            raise VirtualDawError(
                f"a render was still being written after {render_wait_s:g} s; the take in"
                f" {self.daw.render_dir} is incomplete"
            )
        if len(self.daw.render_errors) > self._errors_seen:
            self._errors_seen = len(self.daw.render_errors)
            raise VirtualDawError(f"render failed: {self.daw.render_errors[-1]}")


def render_folder(render_dir: str | Path | None) -> Path:
    """The render folder to use, created if missing and checked writable.

    Args:
        render_dir: The folder; the current folder when None.

    Returns:
        The folder (absolute).

    Raises:
        VirtualDawError: It cannot be created, is not a folder, or is not writable.
    """
    folder = Path.cwd() if render_dir is None else Path(render_dir).absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise VirtualDawError(f"{folder}: the render folder is not a folder") from None
    except OSError as err:
        raise VirtualDawError(
            f"{folder}: cannot create the render folder ({err.strerror})"
        ) from None
    if not folder.is_dir():
        raise VirtualDawError(f"{folder}: the render folder is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise VirtualDawError(f"{folder}: the render folder is not writable")
    return folder


def start_virtual(
    stems: str | Path | None,
    *,
    rate: int = 48000,
    render_dir: str | Path | None = None,
    bits: Literal[16, 24] = 24,
    project: str = "mix",
    timeout: float = 2.0,
    rate_limit_s: float = 0.0,
    on_render: Callable[[RenderResult], None] | None = None,
) -> VirtualMixer:
    """Start a virtual DAW on ``stems`` and return a connected mixer.

    Args:
        stems: Folder of stem files (one track per file, named after it).
        rate: Project sample rate in Hz; every stem must have it.
        render_dir: Where renders go (created if missing); the current folder if None.
        bits: 24, or 16 with TPDF dither.
        project: Take name prefix.
        timeout: How long the mixer waits for answers, in s.
        rate_limit_s: The mixer's per-address rate limit, in s.
        on_render: Called on the render thread with each finished take.

    Raises:
        VirtualDawError: No stems folder, a stem cannot be used, or the render
            folder cannot be created or written.
    """
    if stems is None:
        raise VirtualDawError("the virtual DAW needs stems: bridge.connect('virtual', stems=DIR)")
    tracks = load_stems(stems, rate)
    out = render_folder(render_dir)
    daw = VirtualDaw(
        tracks,
        rate=rate,
        render_dir=out,
        port=0,
        feedback=None,
        project=project,
        bits=bits,
        on_render=on_render,
    ).start()
    mixer = VirtualMixer(daw, timeout=timeout, rate_limit_s=rate_limit_s)
    try:
        mixer.open()
    except BaseException:
        daw.close(wait_renders=False)
        raise
    return mixer
