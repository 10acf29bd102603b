"""The four plots of a file, drawn with matplotlib on axes given by the caller.

Imported only when a plot is asked for (:mod:`qc.plot.render`). Colours are the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies,
B. Wong, "Points of view: Color blindness", Nature Methods 8, 441, 2011) and
every series also differs by line style or marker, so a grey-scale print still
tells them apart. Long series are drawn from :func:`~qc.measure.series.reduce_series`
(at most 2,000 buckets, extremes kept), so a 60-minute file plots as fast as a
3-minute one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.ticker import FuncFormatter, MultipleLocator

from qc.measure.gating import loudness_range_bounds
from qc.measure.series import reduce_series
from qc.plot.context import PlotContext
from qc.units import fmt_db, fmt_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KINDS", "clock_axis", "draw"]

KINDS = ("loudness", "peaks", "spectrum", "stereo")
"""The plots, in the report's order."""

BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"
)  # fmt: skip
_CHANNEL_STYLES = [(BLUE, "-"), (VERMILLION, "--"), (GREEN, ":"), (PURPLE, "-."), (ORANGE, "-")]
_TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
_SEVERITY_STYLE = {"error": (VERMILLION, "-"), "warning": (ORANGE, "--"), "info": (SKY, ":")}


def _clock(seconds: float, _pos: object = None) -> str:
    minutes, sec = divmod(round(seconds), 60)
    return f"{minutes}:{sec:02d}"


def _time_axis(ax: Axes, ctx: PlotContext) -> None:
    clock_axis(ax, ctx.measurements.duration_s)


def clock_axis(ax: Axes, duration_s: float) -> None:
    """A time axis from 0 to ``duration_s`` (s) in m:ss with at most about 10 ticks."""
    duration = max(duration_s, 0.1)
    step = next((s for s in _TICK_STEPS_S if duration / s <= 10), 3600.0)
    ax.set_xlim(0.0, duration)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(_clock))
    ax.set_xlabel("time, m:ss")
    ax.grid(True, color="#cccccc", linewidth=0.5)


def _markers(ax: Axes, ctx: PlotContext) -> None:
    """The findings' numbered lines (the report's rows link to these plots)."""
    for mk in ctx.markers:
        colour, style = _SEVERITY_STYLE.get(mk.severity, (BLACK, "-"))
        ax.axvline(mk.time_s, color=colour, linestyle=style, linewidth=0.8, alpha=0.8)
        ax.annotate(
            f"#{mk.number}", (mk.time_s, 1.0), xycoords=("data", "axes fraction"),
            xytext=(2, -10), textcoords="offset points", fontsize=7, color=colour,
        )  # fmt: skip


def _loudness(ax: Axes, ctx: PlotContext) -> None:
    loud = ctx.measurements.loudness
    mom = reduce_series(loud.momentary_lufs, start_s=0.4)
    short = reduce_series(loud.short_term_lufs, start_s=3.0)
    ax.plot(mom.time_s, mom.high, color=SKY, linewidth=0.7, label="momentary (400 ms), max")
    ax.plot(short.time_s, short.high, color=BLACK, linewidth=1.4, label="short-term (3 s)")
    if ctx.target_lufs is not None:
        if ctx.tolerance_lu is not None:
            ax.axhspan(ctx.target_lufs - ctx.tolerance_lu, ctx.target_lufs + ctx.tolerance_lu,
                       facecolor="#dddddd", edgecolor="#888888", hatch="//", linewidth=0,
                       label=f"target {ctx.target_lufs:g} ± {ctx.tolerance_lu:g} LU")  # fmt: skip
        else:
            ax.axhline(ctx.target_lufs, color="#888888", linestyle="-.", linewidth=1.2,
                       label=f"target {ctx.target_lufs:g} LUFS")  # fmt: skip
    if loud.integrated_lufs is not None and np.isfinite(loud.integrated_lufs):
        ax.axhline(loud.integrated_lufs, color=ORANGE, linestyle="--", linewidth=1.4,
                   label=f"integrated {fmt_db(loud.integrated_lufs, 'LUFS')}")  # fmt: skip
    bounds = loudness_range_bounds(loud.short_term_lufs)
    if bounds is not None:
        low, high = bounds
        ax.axhline(low, color=VERMILLION, linestyle=":", linewidth=1.1,
                   label=f"LRA P10 to P95: {low:.1f} to {high:.1f} LUFS")  # fmt: skip
        ax.axhline(high, color=VERMILLION, linestyle=":", linewidth=1.1)
    finite = [v for v in (np.nanmax(mom.high) if len(mom.high) else np.nan,
                          ctx.target_lufs) if v is not None and np.isfinite(v)]  # fmt: skip
    top = max(finite, default=0.0) + 3.0
    ax.set_ylim(top - 45.0, top)
    ax.set_ylabel("loudness, LUFS")
    ax.set_title("Loudness over time (BS.1770-4, EBU Tech 3341/3342)", fontsize=10)
    _time_axis(ax, ctx)
    _markers(ax, ctx)
    ax.legend(loc="lower left", fontsize=7, ncol=3, framealpha=0.9)


def _peaks(ax: Axes, ctx: PlotContext) -> None:
    m = ctx.measurements
    env = m.envelope.peak_dbfs  # (segments, channels), dBFS per 100 ms
    for c in range(env.shape[1] if env.ndim == 2 else 0):
        red = reduce_series(env[:, c])
        colour, style = _CHANNEL_STYLES[c % len(_CHANNEL_STYLES)]
        ax.plot(red.time_s, red.high, color=colour, linestyle=style, linewidth=0.8,
                label=f"ch{c + 1} sample peak per 100 ms")  # fmt: skip
    ax.axhline(ctx.ceiling_dbtp, color=BLACK, linestyle="--", linewidth=1.2,
               label=f"true-peak ceiling {fmt_db(ctx.ceiling_dbtp, 'dBTP')}")  # fmt: skip
    clip = m.clipping
    level_db = 20.0 * np.log10(clip.level) if clip.level > 0 else -np.inf
    if clip.runs and env.size:
        hot = np.flatnonzero(env.max(axis=1) >= level_db - 1e-6)
        label = f"100 ms segments reaching the clip level, {fmt_db(level_db, 'dBFS', digits=2)}"
        # A rug along the bottom of the axes, where no curve hides it.
        ax.plot(hot * 0.1, np.full(len(hot), 0.04), "|", color=VERMILLION, markersize=12,
                markeredgewidth=1.5, transform=ax.get_xaxis_transform(), label=label)  # fmt: skip
    overs = m.true_peak.worst_overs
    total = sum(m.true_peak.channel_overs)
    if overs:
        ax.plot([o.time_s for o in overs], [o.dbtp for o in overs], "v", color=PURPLE,
                markersize=5, label=f"highest overs ({len(overs)} of {total:,})")  # fmt: skip
        lines = []
        for rank, o in enumerate(overs[:5], start=1):
            ax.annotate(str(rank), (o.time_s, o.dbtp), xytext=(0, 5), ha="center",
                        textcoords="offset points", fontsize=7)  # fmt: skip
            lines.append(f"{rank}: {o.dbtp:+.2f} dBTP, ch{o.channel + 1}, {fmt_time(o.time_s)}")
        ax.text(0.99, 0.11, "highest overs\n" + "\n".join(lines), ha="right", va="bottom",
                fontsize=7, transform=ax.transAxes,
                bbox={"facecolor": "white", "edgecolor": "#888888", "alpha": 0.9})  # fmt: skip
    top = max(float(np.nanmax(env)) if env.size and np.isfinite(env).any() else -60.0,
              ctx.ceiling_dbtp, max((o.dbtp for o in overs), default=-60.0))  # fmt: skip
    ax.set_ylim(max(top - 40.0, -120.0), top + 3.0)
    ax.set_ylabel("level, dBFS / dBTP")
    ax.set_title("Peaks over time", fontsize=10)
    _time_axis(ax, ctx)
    _markers(ax, ctx)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.09), fontsize=7, ncol=2, framealpha=0.9)


def _spectrum(ax: Axes, ctx: PlotContext) -> None:
    spec = ctx.measurements.spectrum
    if spec is None or spec.frames == 0:
        ax.text(0.5, 0.5, "too short for a long-term spectrum", ha="center",
                transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return
    centres, psd = spec.bands(12)
    db = 10.0 * np.log10(np.maximum(psd, 1e-30))
    styles = [*_CHANNEL_STYLES[: len(spec.labels) - 1], (BLACK, "-.")]
    if "side" not in spec.labels:
        styles = _CHANNEL_STYLES[: len(spec.labels)]
    for col, label in enumerate(spec.labels):
        colour, style = styles[col % len(styles)]
        name = "side (L-R)/2" if label == "side" else label
        ax.semilogx(centres, db[:, col], color=colour, linestyle=style, linewidth=1.1, label=name)
    finite = db[np.isfinite(db) & (db > -290)]
    top = float(finite.max()) if finite.size else 0.0
    ax.set_ylim(top - 90.0, top + 5.0)
    ax.set_xlim(centres[0], centres[-1])
    ax.set_xlabel("frequency, Hz")
    ax.set_ylabel("PSD, dB re FS²/Hz")
    ax.set_title(f"Long-term average spectrum (Welch, {spec.frames:,} frames, 1/12 octave)",
                 fontsize=10)  # fmt: skip
    ax.grid(True, which="both", color="#dddddd", linewidth=0.5)
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)


def _stereo(ax: Axes, ctx: PlotContext) -> None:
    st = ctx.measurements.stereo
    if len(st.segment_correlation) == 0:
        ax.text(0.5, 0.5, "mono: no stereo image", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    red = reduce_series(st.segment_correlation)
    ax.axhspan(-1.0, 0.0, facecolor="#f3f3f3", edgecolor="#bbbbbb", hatch="..", linewidth=0,
               label="negative: cancels when summed to mono")  # fmt: skip
    ax.fill_between(red.time_s, red.low, red.high, color=SKY, alpha=0.6, linewidth=0,
                    step="post", label="correlation per 100 ms (range)")  # fmt: skip
    ax.plot(red.time_s, red.low, color=BLUE, linewidth=0.7, drawstyle="steps-post",
            label="lowest per bucket")  # fmt: skip
    if st.worst_correlation is not None and st.worst_time_s is not None:
        worst = f"worst {st.worst_correlation:+.2f} at {fmt_time(st.worst_time_s)}"
        ax.plot([st.worst_time_s], [st.worst_correlation], "o", color=VERMILLION, markersize=5,
                label=worst)  # fmt: skip
    overall = "n/a" if st.correlation is None else f"{st.correlation:+.2f}"
    ax.text(0.99, 0.04, f"whole file r = {overall}; max side {fmt_db(st.max_side_dbfs, 'dBFS')}"
            f", max mid {fmt_db(st.max_mid_dbfs, 'dBFS')}", ha="right", fontsize=7,
            transform=ax.transAxes)  # fmt: skip
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("phase correlation")
    ax.set_title("Stereo: L/R correlation over time (mono compatibility)", fontsize=10)
    _time_axis(ax, ctx)
    _markers(ax, ctx)
    ax.legend(loc="lower left", fontsize=7, ncol=2, framealpha=0.9)


_DRAW = {"loudness": _loudness, "peaks": _peaks, "spectrum": _spectrum, "stereo": _stereo}


def draw(ax: Axes, ctx: PlotContext, kind: str) -> None:
    """Draw one plot.

    Args:
        ax: The axes to draw on.
        ctx: What to draw.
        kind: One of :data:`KINDS`.
    """
    _DRAW[kind](ax, ctx)
