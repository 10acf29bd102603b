"""Rich terminal output: a panel per file with a measurement table and a sparkline.

File names are wrapped in :class:`rich.text.Text`, so markup in a name is
printed literally, and control characters are escaped first.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from qc.codec.result import preview_lines
from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.measure import Measurements, amplitude_to_db
from qc.printable import printable
from qc.report._text import fmt_db, fmt_time, verdict_notes

__all__ = ["THEME", "file_panel", "findings", "render_rich", "sparkline", "summary_table"]

THEME = Theme(
    {
        "qc.error": "bold red",
        "qc.warning": "yellow",
        "qc.info": "cyan",
        "qc.ok": "green",
        "qc.dim": "dim",
        "qc.name": "bold",
    }
)

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: np.ndarray, width: int = 60, floor: float = -40.0) -> str:
    """Draw a loudness series as block characters.

    Args:
        values: Loudness series in LUFS, shape ``(n,)``; ``-inf`` allowed.
        width: Number of characters.
        floor: Loudness drawn as the lowest bar, LUFS below the series maximum.

    Returns:
        A string of at most ``width`` characters (empty for an empty series).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return ""
    top = float(finite.max())
    edges = np.linspace(0, len(values), min(width, len(values)) + 1).astype(int)
    out = []
    for a, b in itertools.pairwise(edges):
        chunk = values[a:b]
        v = float(chunk.max()) if chunk.size else -math.inf
        frac = 0.0 if not math.isfinite(v) else min(max((v - top - floor) / -floor, 0.0), 1.0)
        out.append(_BARS[round(frac * (len(_BARS) - 1))])
    return "".join(out)


def _table(m: Measurements) -> Table:
    loud, tp, lv, clip = m.loudness, m.true_peak, m.levels, m.clipping
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="qc.dim")
    t.add_column(justify="right")
    t.add_column(style="qc.dim")
    t.add_row("Integrated", fmt_db(loud.integrated_lufs, "LUFS"), "")
    t.add_row("Loudness range", fmt_db(loud.loudness_range_lu, "LU").lstrip("+"), "")
    t.add_row(
        "Max momentary",
        fmt_db(loud.max_momentary_lufs, "LUFS"),
        fmt_time(loud.max_momentary_time_s),
    )
    t.add_row(
        "Max short-term",
        fmt_db(loud.max_short_term_lufs, "LUFS"),
        fmt_time(loud.max_short_term_time_s),
    )
    t.add_row(
        "Sample peak",
        fmt_db(amplitude_to_db(max(lv.channel_peak, default=0.0)), "dBFS", digits=2),
        "",
    )
    t.add_row(
        "True peak",
        fmt_db(tp.dbtp, "dBTP", digits=2),
        f"{fmt_time(tp.time_s)}  ({tp.method}, {tp.factor}x)",
    )
    t.add_row(f"Overs > {tp.over_threshold_dbtp:+.1f} dBTP", str(sum(tp.channel_overs)), "")
    where = (
        "full scale"
        if clip.full_scale
        else f"at {fmt_db(amplitude_to_db(clip.level), 'dBFS', digits=2)}"
    )
    first = fmt_time(clip.first_runs[0].start / m.sample_rate) if clip.first_runs else ""
    t.add_row(
        f"Clipped runs (>= {clip.min_run})",
        f"{clip.runs} / {clip.samples} smp",
        f"longest {clip.longest}, {where}, first {first}" if clip.runs else "",
    )
    dc = max(lv.channel_dc, key=abs, default=0.0)
    t.add_row("DC offset", f"{round(dc, 5) + 0.0:+.5f}", "")  # no "-0.00000"
    return t


def file_panel(r: FileResult) -> Panel:
    """Build the panel of one file."""
    name = printable(r.path)
    title = Text(name.rsplit("/", 1)[-1], style="qc.name")
    where = Text(name, style="qc.dim", overflow="fold")
    if r.error is not None:
        body = Group(where, Text(printable(r.error), style="qc.error"), findings(r.diagnostics))
        return Panel(body, title=title, border_style="qc.error", expand=False)
    info, m = r.info, r.measurements
    assert info is not None
    assert m is not None
    depth = f"{info.bit_depth}-bit" if info.bit_depth else info.subtype
    subtitle = Text(
        f"{info.container}/{info.codec} · {depth} · {info.sample_rate} Hz · "
        f"{info.channels} ch · {fmt_time(info.duration_s)}"
    )
    parts: list[RenderableType] = [where, _table(m)]
    spark = sparkline(m.loudness.short_term_lufs)
    if spark:
        parts.append(Text.assemble(("short-term  ", "qc.dim"), (spark, "qc.info")))
    parts += [Text(note, style="qc.warning") for note in verdict_notes(m, lossy_codec=info.lossy)]
    parts += [Text(line, style="qc.dim") for line in preview_lines(r.codec_preview)]
    if r.diagnostics:
        parts.append(Text(""))
        parts.append(findings(r.diagnostics))
    worst = max((d.severity for d in r.diagnostics), default=None)
    border = "qc.ok" if worst is None else _STYLE[worst]
    return Panel(Group(*parts), title=title, subtitle=subtitle, border_style=border, expand=False)


_STYLE = {Severity.ERROR: "qc.error", Severity.WARNING: "qc.warning", Severity.INFO: "qc.info"}


def findings(diagnostics: Sequence[Diagnostic]) -> Text:
    """One coloured line per finding: severity, code, time, message, profiles."""
    out = Text()
    for i, d in enumerate(diagnostics):
        if i:
            out.append("\n")
        when = fmt_time(d.start_s) if d.start_s is not None else "         "
        out.append(f"{d.severity.label:7} ", style=_STYLE[d.severity])
        out.append(f"{d.code:6} ", style="qc.name")
        out.append(f"{when}  ", style="qc.dim")
        out.append(printable(d.message))
        if d.profile:
            out.append(f" [{printable(d.profile)}]", style="qc.dim")
    return out


def summary_table(results: Sequence[FileResult]) -> Table:
    """A table of every file with its verdict and counts of findings."""
    t = Table(title="Summary", title_justify="left")
    t.add_column("file")
    t.add_column("verdict")
    for label in ("errors", "warnings", "info"):
        t.add_column(label, justify="right")
    for r in results:
        counts = {s: sum(d.severity is s for d in r.diagnostics) for s in Severity}
        if r.error is not None:
            verdict = Text("unreadable", style="qc.error")
        elif counts[Severity.ERROR]:
            verdict = Text("fail", style="qc.error")
        elif counts[Severity.WARNING]:
            verdict = Text("warn", style="qc.warning")
        else:
            verdict = Text("pass", style="qc.ok")
        t.add_row(
            Text(printable(r.path)),
            verdict,
            str(counts[Severity.ERROR]),
            str(counts[Severity.WARNING]),
            str(counts[Severity.INFO]),
        )
    return t


def render_rich(results: Sequence[FileResult], console: Console) -> None:
    """Print every file's panel to a console."""
    for r in results:
        console.print(file_panel(r))
