"""``bridge.connect("virtual", stems=DIR)``: an in-process virtual DAW and a mixer on it.

The server listens on a free loopback port and, having no feedback port set,
answers the last sender, as REAPER does; the mixer speaks the REAPER dialect to
it. Closing the mixer stops the server after any render in progress.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from bridge.dialects.virtual import VirtualDialect
from bridge.mixer.mixer import Mixer
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.render import RenderResult
from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems

__all__ = ["VirtualDialect", "VirtualMixer", "start_virtual"]


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

    def render_and_wait(self, timeout: float = 60.0) -> RenderResult:
        """Render (action 42230) and wait for the take to be written.

        Raises:
            VirtualDawError: The render failed or did not finish in time.
        """
        before = len(self.daw.renders)
        errors = len(self.daw.render_errors)
        self.render()
        deadline_ok = self.mirror.wait_for(
            lambda _: len(self.daw.renders) > before or len(self.daw.render_errors) > errors,
            timeout,
        )
        if len(self.daw.render_errors) > errors:
            raise VirtualDawError(self.daw.render_errors[-1])
        if not deadline_ok:
            raise VirtualDawError(f"the render did not finish within {timeout:g} s")
        return self.daw.renders[-1]

    def __enter__(self) -> VirtualMixer:
        super().__enter__()
        return self

    def close(self) -> None:
        """Close the mixer, then stop the virtual DAW (after renders in progress)."""
        super().close()
        self.daw.close()


def start_virtual(
    stems: str | Path | None,
    *,
    rate: int = 48000,
    render_dir: str | Path | None = None,
    bits: Literal[16, 24] = 24,
    project: str = "mix",
    timeout: float = 2.0,
    rate_limit_s: float = 0.0,
) -> VirtualMixer:
    """Start a virtual DAW on ``stems`` and return a connected mixer.

    Args:
        stems: Folder of stem files (one track per file, named after it).
        rate: Project sample rate in Hz; every stem must have it.
        render_dir: Where renders go; a new temporary folder if None.
        bits: 24, or 16 with TPDF dither.
        project: Take name prefix.
        timeout: How long the mixer waits for answers, in s.
        rate_limit_s: The mixer's per-address rate limit, in s.

    Raises:
        VirtualDawError: No stems folder, or a stem cannot be used.
    """
    if stems is None:
        raise VirtualDawError("the virtual DAW needs stems: bridge.connect('virtual', stems=DIR)")
    tracks = load_stems(stems, rate)
    out = Path(render_dir) if render_dir is not None else Path(tempfile.mkdtemp(prefix="mixdesk-"))
    daw = VirtualDaw(
        tracks, rate=rate, render_dir=out, port=0, feedback=None, project=project, bits=bits
    ).start()
    mixer = VirtualMixer(daw, timeout=timeout, rate_limit_s=rate_limit_s)
    try:
        mixer.open()
    except BaseException:
        daw.close(wait_renders=False)
        raise
    return mixer
