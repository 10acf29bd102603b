"""Plots to SVG text or PNG bytes; matplotlib is imported here, only when a plot is asked for.

matplotlib is the optional extra ``report``. :func:`require_matplotlib` turns
its absence into one :class:`~qc.errors.UsageError` line naming the extra (the
CLI prints it and exits 2). Figures are :class:`matplotlib.figure.Figure`
objects, never pyplot's global state, so rendering is safe in a daemon.
SVG text stays text (``svg.fonttype = "none"``: smaller, selectable, no font
files), and the ids inside each SVG are salted with the caller's key so several
SVGs can sit in one HTML page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qc.errors import UsageError
from qc.plot.context import PlotContext

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MISSING", "figure", "fixed_margins", "rc", "require_matplotlib", "to_png", "to_svg"]

MISSING = "plotting needs matplotlib: pip install 'mixdesk[report]'"
"""The one line printed when the extra is missing."""

_WIDTH_IN = 10.0
_HEIGHT_IN = 3.6  # per plot


def require_matplotlib() -> None:
    """Raise :class:`UsageError` with :data:`MISSING` when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(MISSING) from None


def figure(ctx: PlotContext, kinds: Sequence[str]) -> Figure:
    """One figure with the given plots stacked, in that order.

    Args:
        ctx: What to draw.
        kinds: Plot names (:data:`qc.plot.figures.KINDS`).

    Returns:
        The figure (not shown, not attached to pyplot).

    Raises:
        UsageError: matplotlib is missing.
    """
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    from qc.plot.figures import draw

    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN * len(kinds)))
        fixed_margins(fig)
        axes = fig.subplots(len(kinds), 1, squeeze=False)[:, 0]
        for ax, kind in zip(axes, kinds, strict=True):
            draw(ax, ctx, kind)
    return fig


def fixed_margins(fig: Figure) -> None:
    """Margins in inches, the same for every figure: labels fit, no layout solver.

    matplotlib's constrained layout measured every tick label of every plot and
    drew each figure twice: it was 40 % of the report's rendering time.
    """
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.75 / width, right=1 - 0.15 / width, bottom=0.55 / height, top=1 - 0.35 / height,
        hspace=0.95 / (_HEIGHT_IN - 0.95),
    )  # fmt: skip


def rc(**extra: Any) -> Any:
    """The settings of every figure (typed ``Any``: rc keys are a Literal union)."""
    return {"svg.fonttype": "none", "font.size": 9, "hatch.linewidth": 0.6, **extra}


def to_svg(fig: Figure, *, salt: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog or doctype), text kept as text.

    Args:
        fig: The figure.
        salt: Makes the ids inside this SVG unique in a page.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(rc(**{"svg.hashsalt": salt})):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def to_png(fig: Figure, *, dpi: int = 110) -> bytes:
    """The figure as PNG bytes.

    Args:
        fig: The figure.
        dpi: Dots per inch (1100 x 396 pixels per plot at 110).
    """
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(rc()):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
