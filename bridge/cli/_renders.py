"""Takes as the CLI says them, and the embedded DAW started with its render folder.

Every command that renders prints each take on stdout, one line, the same way
(:func:`rendered_line`); ``--daw virtual`` starts its DAW with the render folder
(``--render-dir``, the current folder when not given) and that announcement
(:func:`start_embedded`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bridge.dialects import import_spec
from qc.printable import printable

if TYPE_CHECKING:
    from bridge.mixer.mixer import Mixer
    from bridge.virtual.render import RenderResult

__all__ = ["rendered_line", "start_embedded"]


def rendered_line(take: RenderResult) -> str:
    """``rendered PATH (12.0 s, 24-bit, peak -3.1 dBFS, 0.52 s)``: a take, as commands say it.

    A take under the current folder is named relative to it.
    """
    path = take.path
    with contextlib.suppress(ValueError, OSError):
        path = path.relative_to(Path.cwd())
    return (
        f"rendered {printable(str(path))} ({take.seconds:.1f} s, {take.bits}-bit,"
        f" peak {take.peak_dbfs:.1f} dBFS, {take.elapsed_s:.2f} s)"
    )


def start_embedded(spec: str, stems: str, *, timeout: float, render_dir: str | None) -> Mixer:
    """Start the embedded DAW ``spec`` names on ``stems``; each take is printed.

    Args:
        spec: ``module:function`` of the DAW's start function (a dialect's ``embedded``).
        stems: The folder of stems.
        timeout: How long the mixer waits for answers, in s.
        render_dir: Where takes go; the current folder if None.

    Returns:
        The connected mixer; closing it waits for renders in progress.

    Raises:
        BridgeError: Bad stems, an unusable render folder, no answer.
        ImportError: The DAW's module is not in this installation.
    """
    start = cast("Callable[..., Mixer]", import_spec(spec))
    return start(
        stems,
        timeout=timeout,
        render_dir=render_dir,
        on_render=lambda take: print(rendered_line(take), flush=True),
    )
