"""A self-contained HTML report: one file a client opens from disk, with no network.

Per file: a header (verdict, format line, profiles), the four plots as inline
SVG (:mod:`qc.plot`; matplotlib, the extra ``report``, is imported only here,
only when the report is rendered), the findings with each rule's explanation
(the ``mixdesk explain`` text: the rule's docstring) and the measurements
table. The table and the findings are the ``mixdesk.check/1`` JSON's objects
(:func:`~qc.report.json_report.file_object`), so their numbers are the JSON's,
written as JSON writes them. Nothing is fetched: no script, font, image or
stylesheet outside the file, and every name and message is escaped text.
"""

from __future__ import annotations

import html
import inspect
import json
import re
from collections.abc import Sequence
from typing import Any

from qc.checks import get
from qc.engine import FileResult
from qc.report.json_report import file_object, summary_object
from qc.units import count, fmt_time

__all__ = [
    "escape",
    "file_section",
    "findings_table",
    "flatten",
    "page",
    "render_html",
    "svg_for_html",
]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#111}
h1{font-size:1.4em}h2{font-size:1.2em;border-top:2px solid #444;padding-top:.6em}
h3{font-size:1.05em;margin-top:1.4em}
.verdict{font-weight:bold;padding:.2em .6em;display:inline-block;border:2px solid}
.v-fail{border-style:solid}.v-warn{border-style:dashed}.v-pass{border-style:dotted}
.v-unreadable{border-style:double}
table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{border:1px solid #999;padding:.2em .4em;text-align:left;vertical-align:top}
th{background:#eee}td.num{font-family:ui-monospace,monospace;text-align:right}
tr.error td.sev{font-weight:bold}tr.warning td.sev{font-style:italic}
figure{margin:0}figure svg{width:100%;height:auto}
details pre{white-space:pre-wrap;font-size:.9em;margin:.3em 0}
@media print{figure,tr{break-inside:avoid}details{display:block}a{color:inherit}}
"""

_PLOT_OF = {"LUF": "loudness", "TP": "peaks", "CLP": "peaks", "HDR": "peaks", "SIL": "peaks",
            "CH": "stereo", "LSY": "spectrum"}  # fmt: skip
"""Which plot a finding's time links to, by the code's family."""


def escape(value: object) -> str:
    """``str(value)`` as HTML text (quotes too)."""
    return html.escape(str(value), quote=True)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def svg_for_html(svg: str) -> str:
    """An SVG from :func:`qc.plot.to_svg`, made inline-only: no namespace URLs, no metadata.

    Inline SVG in HTML needs no ``xmlns``; dropping the declarations and the
    Dublin Core metadata leaves no ``http:`` in the page, and ``xlink:href`` and
    ``url(#...)`` references stay inside the SVG.
    """
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A JSON object as ``(dotted key, scalar)`` rows, lists indexed: ``channels[0].x``.

    Args:
        obj: A JSON value (dicts, lists, scalars).
        prefix: Key of ``obj`` itself.
    """
    if isinstance(obj, dict):
        rows: list[tuple[str, Any]] = []
        for key, value in obj.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else key)
        return rows
    if isinstance(obj, list):
        return [row for i, v in enumerate(obj) for row in flatten(v, f"{prefix}[{i}]")]
    return [(prefix, obj)]


def _explain(code: str) -> str:
    try:
        rule = get(code)
    except KeyError:
        return ""
    return inspect.cleandoc(type(rule).__doc__ or "")


def _verdict(obj: dict[str, Any]) -> tuple[str, str]:
    sev = [d["severity"] for d in obj["diagnostics"]]
    if obj["error"] is not None:
        return "v-unreadable", "UNREADABLE"
    counts = (
        f"{count(sev.count('error'), 'error')}, {count(sev.count('warning'), 'warning')}, "
        f"{sev.count('info')} info"
    )
    if "error" in sev:
        return "v-fail", f"FAIL: {counts}"
    if "warning" in sev:
        return "v-warn", f"PASS with warnings: {counts}"
    return "v-pass", f"PASS: {counts}"


def _format_line(obj: dict[str, Any]) -> str:
    f = obj["format"]
    if f is None:
        return "format unknown"
    bits = f"{f['bit_depth']}-bit" if f["bit_depth"] else "no bit depth"
    return (
        f"{f['container']} · {f['codec']} {f['subtype']} · {bits} · {f['sample_rate']} Hz · "
        f"{f['channels']} ch · {fmt_time(f['duration_s'])}"
    )


def _plots(result: FileResult, i: int) -> str:
    from qc.plot import KINDS, figure, plot_context, to_svg

    ctx = plot_context(result)
    if ctx is None:
        return "<p>No plots: the file could not be measured.</p>"
    parts = []
    for kind in KINDS:
        fig = figure(ctx, (kind,))
        svg = svg_for_html(to_svg(fig, salt=f"f{i}-{kind}"))
        parts.append(
            f'<h3 id="f{i}-{kind}">{kind.capitalize()}</h3>\n'
            f'<figure role="img" aria-label="{_e(kind)} plot">{svg}</figure>'
        )
    return "\n".join(parts)


def findings_table(diags: list[dict[str, Any]], prefix: str, plot: str | None = None) -> str:
    """The findings as table rows: number, code, severity, time, message, profile, explanation.

    Args:
        diags: The JSON's diagnostic objects, in report order.
        prefix: Id prefix of the section: rows are ``{prefix}-d{n}``.
        plot: Id every time links to; ``None``: the file's plot of the code's family
            (``{prefix}-loudness``, ``-peaks``, ``-spectrum``, ``-stereo``).
    """
    if not diags:
        return "<p>No findings.</p>"
    rows = []
    for n, d in enumerate(diags, start=1):
        when = "whole file"
        if d["start_s"] is not None:
            fam = next((p for f, p in _PLOT_OF.items() if d["code"].startswith(f)), "loudness")
            target = plot or f"{prefix}-{fam}"
            when = f'<a href="#{target}">{_e(fmt_time(d["start_s"]))}</a> (#{n} on the plots)'
        doc = _explain(d["code"])
        explain = (
            f"<details><summary>explain</summary><pre>{_e(doc)}</pre></details>" if doc else ""
        )
        rows.append(
            f'<tr id="{prefix}-d{n}" class="{_e(d["severity"])}"><td class="num">{n}</td>'
            f'<td class="code">{_e(d["code"])}</td><td class="sev">{_e(d["severity"])}</td>'
            f'<td class="time">{when}</td><td class="msg">{_e(d["message"])}</td>'
            f"<td>{_e(d['profile'])} {explain}</td></tr>"
        )
    head = "<tr><th>#</th><th>code</th><th>severity</th><th>time</th><th>message</th>"
    return (
        f'<table class="findings">{head}<th>profile, rule</th></tr>\n'
        + "\n".join(rows)
        + "</table>"
    )


def _measurements(obj: dict[str, Any], i: int) -> str:
    rows = [
        f'<tr><td class="key">{_e(key)}</td><td class="num" data-key="{_e(key)}">'
        f"{_e(json.dumps(value))}</td></tr>"
        for section in ("format", "measurements")
        if obj[section] is not None
        for key, value in flatten(obj[section], section)
    ]
    head = "<tr><th>key (as in the JSON report)</th><th>value</th></tr>"
    return (
        f'<table class="measurements" id="f{i}-measurements">{head}\n'
        + "\n".join(rows)
        + "</table>"
    )


def file_section(result: FileResult, i: int) -> str:
    """One file's section: header, plots, findings, measurements; ids prefixed ``f{i}``."""
    obj = file_object(result)
    css, verdict = _verdict(obj)
    profiles = ", ".join(result.profiles) or "default"
    error = f"<p>Unreadable: {_e(obj['error'])}</p>" if obj["error"] is not None else ""
    plots = _plots(result, i) if result.measurements is not None else ""
    found = findings_table(obj["diagnostics"], f"f{i}")
    return (
        f'<section class="file" id="f{i}">\n<h2>{_e(result.path)}</h2>\n'
        f'<p><span class="verdict {css}">{_e(verdict)}</span></p>\n'
        f'<p class="format">{_e(_format_line(obj))}</p>\n<p>Profiles: {_e(profiles)}</p>\n'
        f'{error}{plots}\n<h3 id="f{i}-findings">Findings</h3>\n{found}\n'
        f"<h3>Measurements</h3>\n{_measurements(obj, i)}\n</section>"
    )


def page(title: str, heading: str, body: str) -> str:
    """A whole self-contained page around ``body`` (already HTML).

    Args:
        title: The window title (escaped here).
        heading: The ``<h1>`` text (escaped here).
        body: The page's content, markup.
    """
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # an empty inline icon: no favicon request
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{_e(heading)}</h1>\n{body}\n</body>\n</html>\n"
    )


def render_html(results: Sequence[FileResult]) -> str:
    """Render a whole run as one self-contained HTML page.

    Args:
        results: Every file of the run, in output order.

    Returns:
        The page.

    Raises:
        UsageError: matplotlib (the extra ``report``) is missing.
    """
    from qc.plot import require_matplotlib

    require_matplotlib()
    s = summary_object(results)
    toc = "".join(
        f'<li><a href="#f{i}">{_e(r.path)}</a> ({_e(_verdict(file_object(r))[1])})</li>'
        for i, r in enumerate(results)
    )
    body = "\n".join(file_section(r, i) for i, r in enumerate(results))
    title = f"mixdesk check: {results[0].path}" if len(results) == 1 else "mixdesk check"
    summary = (
        f"<p>{count(s['files'], 'file')}: {count(s['errors'], 'error')}, "
        f"{count(s['warnings'], 'warning')}, {s['infos']} info, {s['unreadable']} unreadable.</p>"
        f"\n<ul>{toc}</ul>\n"
    )
    return page(title, "mixdesk check report", summary + body)
