"""Renderers, one per output format. Renderers format; they never compute.

:data:`RENDERERS` maps each ``--format`` name that renders to a string to its
function; the rich terminal output (:mod:`qc.report.rich_report`) prints to a
console instead and is not in it.
"""

from collections.abc import Callable, Sequence

from qc.engine import FileResult
from qc.report.github_report import render_github
from qc.report.html_report import render_html
from qc.report.json_report import SCHEMA, diagnostic_object, file_object, render_json
from qc.report.jsonlines_report import render_json_lines
from qc.report.junit_report import render_junit
from qc.report.sarif_report import render_sarif
from qc.report.text_report import render_text

__all__ = [
    "RENDERERS",
    "SCHEMA",
    "Renderer",
    "diagnostic_object",
    "file_object",
    "render_github",
    "render_html",
    "render_json",
    "render_json_lines",
    "render_junit",
    "render_sarif",
    "render_text",
]

Renderer = Callable[[Sequence[FileResult]], str]
"""A renderer: every file of a run in, the whole output text out."""

RENDERERS: dict[str, Renderer] = {
    "json": render_json,
    "json-lines": render_json_lines,
    "text": render_text,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
    "html": render_html,
}
"""Format name (as given to ``--format``) → renderer."""
