"""Plain text output: stable, greppable, no colour.

Each file gets its measurement lines (with a line for a detector verdict that
is inconclusive, and why), then one parsable line per finding::

    mix.wav:01:23.456: error TP001 true peak +0.3 dBTP above the ceiling [spotify]

that is ``path:mm:ss.mmm: severity CODE message [profile]``. A finding about
the whole file (no ``start_s``) has no time: ``path: severity CODE message``.
The profile suffix is left out when the finding has no profile. Paths and
messages go through :func:`~qc.printable.printable`, so a line is one line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qc.codec.result import preview_lines
from qc.diagnostic import Diagnostic
from qc.engine import FileResult
from qc.measure import amplitude_to_db
from qc.printable import printable
from qc.report._text import fmt_db, fmt_time, verdict_notes

__all__ = ["finding_line", "render_text"]


def finding_line(path: str, d: Diagnostic) -> str:
    """Format one finding as ``path[:mm:ss.mmm]: severity CODE message [profile]``.

    Args:
        path: The file's path as given.
        d: The finding.

    Returns:
        The line, without a newline.
    """
    where = printable(path)
    if d.start_s is not None and math.isfinite(d.start_s):
        where += f":{fmt_time(d.start_s)}"
    profile = f" [{printable(d.profile)}]" if d.profile else ""
    return f"{where}: {d.severity.label} {d.code} {printable(d.message)}{profile}"


def _file_lines(r: FileResult) -> list[str]:
    name = printable(r.path)
    if r.error is not None:
        # The FMT003 finding line says it when rules ran; a bare measurement run says it here.
        return [] if r.diagnostics else [f"{name}: error: {printable(r.error)}"]
    info, m = r.info, r.measurements
    assert info is not None
    assert m is not None
    loud, tp, clip = m.loudness, m.true_peak, m.clipping
    depth = f"{info.bit_depth}-bit" if info.bit_depth else "?-bit"
    peak = amplitude_to_db(max(m.levels.channel_peak, default=0.0))
    dc = max(m.levels.channel_dc, key=abs, default=0.0)
    level = fmt_db(amplitude_to_db(clip.level), "dBFS", digits=2)
    kind = "full scale" if clip.full_scale else f"flat tops at {level}"
    max_m = f"{fmt_db(loud.max_momentary_lufs, 'LUFS')} at {fmt_time(loud.max_momentary_time_s)}"
    max_s = f"{fmt_db(loud.max_short_term_lufs, 'LUFS')} at {fmt_time(loud.max_short_term_time_s)}"
    return [
        f"{name}: {info.container}/{info.codec} {info.subtype} {depth} {info.sample_rate} Hz "
        f"{info.channels} ch {fmt_time(info.duration_s)}",
        f"  integrated {fmt_db(loud.integrated_lufs, 'LUFS')}"
        f"  range {fmt_db(loud.loudness_range_lu, 'LU').lstrip('+')}"
        f"  max momentary {max_m}  max short-term {max_s}",
        f"  sample peak {fmt_db(peak, 'dBFS', digits=2)}"
        f"  true peak {fmt_db(tp.dbtp, 'dBTP', digits=2)} at {fmt_time(tp.time_s)} ({tp.method})"
        f"  overs above {tp.over_threshold_dbtp:+.1f} dBTP: {sum(tp.channel_overs)}",
        f"  clipping: {clip.runs} runs, {clip.samples} samples, longest {clip.longest}"
        + (f" ({kind})" if clip.runs else "")
        + f"  DC offset {round(dc, 5) + 0.0:+.5f}",  # no "-0.00000"
        *(f"  {note}" for note in verdict_notes(m, lossy_codec=info.lossy)),
        *(f"  {line}" for line in preview_lines(r.codec_preview)),
    ]


def render_text(results: Sequence[FileResult]) -> str:
    """Render every file as a few plain lines followed by its finding lines.

    Args:
        results: Every file of the run, in output order.

    Returns:
        The text, ending in a newline (empty for no files).
    """
    lines: list[str] = []
    for r in results:
        lines.extend(_file_lines(r))
        lines.extend(finding_line(r.path, d) for d in r.diagnostics)
    return "\n".join(lines) + "\n" if lines else ""
