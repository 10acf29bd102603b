"""The album's self-contained HTML page: track table, album timeline, findings, then each track.

The numbers are the ``mixdesk.album/1`` document's (``mixdesk album --format
json``), written as JSON writes them; each track's section is the file page of
:mod:`qc.report.html_report` (its plots, findings and measurements).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qc.report.html_report import escape as _e
from qc.report.html_report import file_section, findings_table, page, svg_for_html
from qc.units import fmt_time

if TYPE_CHECKING:
    from qc.album.check import AlbumCheck

__all__ = ["render_album_html"]

_COLUMNS = (
    ("number", "#"), ("title", "title"), ("path", "file"), ("start_s", "start"),
    ("duration_s", "length"), ("integrated_lufs", "loudness, LUFS"),
    ("offset_lu", "offset from album, LU"), ("true_peak_dbtp", "true peak, dBTP"),
    ("loudness_range_lu", "LRA, LU"),
)  # fmt: skip


def _cell(key: str, value: Any) -> str:
    if key in ("start_s", "duration_s") and isinstance(value, int | float):
        return f'<td class="num" data-key="{key}" title="{value!r} s">{_e(fmt_time(value))}</td>'
    if isinstance(value, float):  # shown to 0.1; the JSON's value in data-value
        raw = _e(json.dumps(value))
        return f'<td class="num" data-key="{key}" data-value="{raw}">{value:+.1f}</td>'
    if isinstance(value, int) or value is None:
        return f'<td class="num" data-key="{key}">{_e(json.dumps(value))}</td>'
    return f'<td data-key="{key}">{_e(value)}</td>'


def _track_table(doc: dict[str, Any]) -> str:
    head = "".join(f"<th>{_e(name)}</th>" for _, name in _COLUMNS)
    rows = []
    for i, t in enumerate(doc["tracks"]):
        sev = [d["severity"] for d in t["check"]["diagnostics"]]
        found = f"{sev.count('error')} errors, {sev.count('warning')} warnings"
        cells = "".join(_cell(key, t[key]) for key, _ in _COLUMNS)
        rows.append(f'<tr class="track">{cells}<td><a href="#f{i}">{_e(found)}</a></td></tr>')
    return (
        f'<table class="tracks"><tr>{head}<th>findings</th></tr>\n' + "\n".join(rows) + "</table>"
    )


def _loudness(doc: dict[str, Any]) -> str:
    loud = doc["loudness"]
    keys = ("integrated_lufs", "loudness_range_lu", "spread_lu", "max_true_peak_dbtp")
    rows = "".join(
        f'<tr><td>{_e(k)}</td><td class="num" data-key="loudness.{k}">{_e(json.dumps(loud[k]))}'
        "</td></tr>"
        for k in keys
    )
    return f'<table class="album-loudness">{rows}</table>'


def _timeline(c: AlbumCheck) -> str:
    from qc.plot import to_svg
    from qc.plot.album import TimelineTrack, album_timeline

    tracks = [
        TimelineTrack(t.number, t.start_s, f.measurements)
        for t, f in zip(c.result.tracks, c.files, strict=True)
    ]
    fig = album_timeline(
        tracks, album_lufs=c.result.loudness.integrated_lufs, total_s=c.result.total_s
    )
    svg = svg_for_html(to_svg(fig, salt="album-timeline"))
    return f'<figure role="img" aria-label="album timeline">{svg}</figure>'


def render_album_html(c: AlbumCheck) -> str:
    """The album page.

    Args:
        c: The album check.

    Returns:
        The self-contained page.

    Raises:
        UsageError: matplotlib (the extra ``report``) is missing.
    """
    from qc.plot import require_matplotlib

    require_matplotlib()
    doc = c.document
    verdict = "FAIL" if c.result.failed else "PASS"
    found = findings_table(doc["diagnostics"], "album", "album-timeline")
    who = f"{doc['title']} · {doc['performer']}".strip(" ·")
    body = (
        f'<p><span class="verdict {"v-fail" if c.result.failed else "v-pass"}">{verdict}</span>'
        f" {_e(who)} · {len(doc['tracks'])} tracks · {_e(fmt_time(doc['total_s']))} · "
        f"profiles: {_e(', '.join(doc['profiles']))}</p>\n"
        f"<h2>Tracks</h2>\n{_track_table(doc)}\n<h2>Album loudness</h2>\n{_loudness(doc)}\n"
        f'<h2 id="album-timeline">Album timeline</h2>\n{_timeline(c)}\n'
        f"<h2>Album findings</h2>\n{found}\n"
        + "\n".join(file_section(f, i) for i, f in enumerate(c.files))
    )
    return page(f"mixdesk album: {doc['path']}", f"mixdesk album report: {doc['path']}", body)
