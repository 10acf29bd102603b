"""The album timeline: every track's short-term loudness where it sits on the album.

Drawn from each track's own measurement pass (its 10 Hz short-term series,
:func:`~qc.measure.series.reduce_series`), shifted to the track's start on the
album timeline (its ``INDEX 01``), with the album's integrated loudness (BS.1770-4
gating over all tracks' blocks together) as a line. Alternate tracks differ by
colour (Okabe-Ito) and line style, so a grey-scale print still separates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qc.measure import Measurements
from qc.plot.render import require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["TimelineTrack", "album_timeline"]

_STYLES = (("#0072B2", "-"), ("#D55E00", "--"), ("#009E73", "-."), ("#CC79A7", ":"))


@dataclass(frozen=True)
class TimelineTrack:
    """One track on the timeline.

    Attributes:
        number: Track number, from 1.
        start_s: Where its audio starts on the album, s.
        measurements: Its measurements, or ``None`` when it could not be read.
    """

    number: int
    start_s: float
    measurements: Measurements | None


def album_timeline(
    tracks: Sequence[TimelineTrack], *, album_lufs: float | None, total_s: float
) -> Figure:
    """The album timeline figure.

    Args:
        tracks: The tracks in sequence.
        album_lufs: The album's integrated loudness, LUFS, or ``None``.
        total_s: The album's running time, s.

    Raises:
        UsageError: matplotlib is missing.
    """
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    from qc.measure.series import reduce_series
    from qc.plot.figures import clock_axis
    from qc.plot.render import fixed_margins, rc

    points = max(200, 3000 // max(len(tracks), 1))
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(10.0, 3.6))
        fixed_margins(fig)
        ax = fig.subplots()
        for i, t in enumerate(tracks):
            colour, style = _STYLES[i % len(_STYLES)]
            ax.axvline(t.start_s, color="#888888", linewidth=0.6)
            ax.annotate(str(t.number), (t.start_s, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -10), textcoords="offset points", fontsize=7)  # fmt: skip
            if t.measurements is None:
                continue
            red = reduce_series(t.measurements.loudness.short_term_lufs,
                                start_s=t.start_s + 3.0, points=points)  # fmt: skip
            label = f"{('odd', 'even')[i]} tracks: short-term (3 s)" if i < 2 else None
            ax.plot(red.time_s, red.high, color=colour, linestyle=style, linewidth=1.1,
                    label=label)  # fmt: skip
        if album_lufs is not None:
            ax.axhline(album_lufs, color="#E69F00", linestyle="--", linewidth=1.4,
                       label=f"album integrated {album_lufs:+.1f} LUFS")  # fmt: skip
        top = (album_lufs if album_lufs is not None else -10.0) + 15.0
        ax.set_ylim(top - 45.0, top)
        ax.set_ylabel("loudness, LUFS")
        ax.set_title("Album timeline: short-term loudness of each track (numbered)", fontsize=10)
        clock_axis(ax, total_s)
        ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    return fig
