"""The album report: text, rich, json; junit, sarif and github through the check renderers.

Renderers format; they never compute. Text::

    album.toml: "Night Drives" by The Bounces, 3 tracks, 00:21.413, 44100 Hz 16-bit 2 ch
       #     start    length   gap  pause     LUFS  offset     dBTP    LRA  title
       1  00:02.000 00:05.000  2.0    2.0    -20.9    -3.9    -20.0    0.0  Intro
    album -17.0 LUFS  LRA 15.8 LU  spread 15.8 LU (loudest 2, quietest 3)  true peak ...
    spotify album mode: +3.0 dB -> -14.0 LUFS, true peak -11.0 dBTP
    album.toml:00:02.000: info ALB002 track 1 is 6.2 LU quieter than its neighbours ...

then every track's finding lines, as ``mixdesk check --format text`` writes them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qc.album.check import AlbumCheck
from qc.album.results import AlbumResult
from qc.engine import FileResult
from qc.printable import printable
from qc.report.text_report import finding_line
from qc.units import fmt_db, fmt_time

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "as_file_results",
    "render_album_json",
    "render_album_rich",
    "render_album_text",
    "sequence_lines",
]


def _n(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _head(r: AlbumResult) -> str:
    f = r.format
    if f.sample_rate is not None:
        depth = f"{f.bit_depth}-bit" if f.bit_depth else "float"
        fmt = f"{f.sample_rate} Hz {depth} {f.channels} ch"
    else:
        fmt = "mixed formats" if not f.consistent else "no readable track"
    by = f" by {printable(r.performer)}" if r.performer else ""
    tracks = f"{len(r.tracks)} track{'s' if len(r.tracks) != 1 else ''}"
    return (
        f'{printable(r.path)}: "{printable(r.title)}"{by}, {tracks}, {fmt_time(r.total_s)}, {fmt}'
    )


def sequence_lines(r: AlbumResult) -> list[str]:
    """The sequence table and the album loudness lines, without findings."""
    lines = [
        _head(r),
        "   #     start     length    gap  pause     LUFS  offset     dBTP    LRA  title",
    ]
    for t in r.tracks:
        length = fmt_time(t.duration_s) if t.duration_s is not None else "unreadable"
        lines.append(
            f"{t.number:4d}  {fmt_time(t.start_s)} {length:>9}  {t.gap_s:5.1f}  "
            f"{_n(t.pause_before_s):>5}  {_n(t.integrated_lufs):>7}  {_n(t.offset_lu):>6}  "
            f"{_n(t.true_peak_dbtp):>7}  {_n(t.loudness_range_lu):>5}  {printable(t.title)}"
        )
    a = r.loudness
    if a.integrated_lufs is None:
        lines.append("album: no loudness (no track could be measured)")
        return lines
    lines.append(
        f"album {fmt_db(a.integrated_lufs, 'LUFS')}  LRA {_n(a.loudness_range_lu)} LU  "
        f"spread {_n(a.spread_lu)} LU (loudest {a.loudest_track}, quietest {a.quietest_track})"
        f"  true peak {fmt_db(a.max_true_peak_dbtp, 'dBTP')} (track {a.max_true_peak_track})"
    )
    for p in a.previews:
        lines.append(
            f"{printable(p.profile)} album mode: {p.gain_db:+.1f} dB -> "
            f"{fmt_db(p.album_after_lufs, 'LUFS')}, true peak "
            f"{fmt_db(p.true_peak_after_dbtp, 'dBTP')}"
        )
    return lines


def render_album_text(c: AlbumCheck) -> str:
    """The album as plain text: sequence, loudness, album findings, each track's findings."""
    lines = sequence_lines(c.result)
    lines += [finding_line(c.result.path, d) for d in c.diagnostics]
    for f in c.files:
        if f.error is not None and not f.diagnostics:
            lines.append(f"{printable(f.path)}: error: {printable(f.error)}")
        lines += [finding_line(f.path, d) for d in f.diagnostics]
    return "\n".join(lines) + "\n"


def render_album_json(c: AlbumCheck) -> str:
    """The ``mixdesk.album/1`` document, indented, with a newline."""
    return json.dumps(c.document, indent=2, allow_nan=False) + "\n"


def as_file_results(c: AlbumCheck) -> list[FileResult]:
    """The album's findings as a file result of the album file, then each track's result.

    For the renderers of ``mixdesk check`` (junit, sarif, github), which take files.
    """
    album = FileResult(c.result.path, None, None, None, c.diagnostics, c.result.profiles)
    return [album, *c.files]


def render_album_rich(c: AlbumCheck, console: Console) -> None:
    """The album on a terminal: a sequence table, the loudness, then the findings."""
    from rich.table import Table

    from qc.report.rich_report import findings, summary_table

    r = c.result
    table = Table(title=_head(r), title_justify="left")
    for name in ("#", "start", "length", "gap", "pause", "LUFS", "offset", "dBTP", "LRA"):
        table.add_column(name, justify="right")
    table.add_column("title")
    for t in r.tracks:
        length = fmt_time(t.duration_s) if t.duration_s is not None else "unreadable"
        table.add_row(
            str(t.number),
            fmt_time(t.start_s),
            length,
            f"{t.gap_s:.1f}",
            _n(t.pause_before_s),
            _n(t.integrated_lufs),
            _n(t.offset_lu),
            _n(t.true_peak_dbtp),
            _n(t.loudness_range_lu),
            printable(t.title),
        )
    console.print(table)
    for line in sequence_lines(r)[2 + len(r.tracks) :]:
        console.print(line, highlight=False, markup=False)
    if c.diagnostics:
        console.print(findings(c.diagnostics))
    files: Sequence[FileResult] = as_file_results(c)
    console.print(summary_table(files))
