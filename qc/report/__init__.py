"""Renderers, one per output format. Renderers format; they never compute.

:data:`RENDERERS` maps each ``--format`` name that renders to a string to its
function; the rich terminal output (:mod:`qc.report.rich_report`) prints to a
console instead and is not in it.
"""

from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from qc.engine import FileResult
from qc.report.github_report import render_github
from qc.report.json_report import SCHEMA, diagnostic_object, file_object, render_json
from qc.report.jsonlines_report import render_json_lines
from qc.report.sarif_report import render_sarif
from qc.report.text_report import render_text

if TYPE_CHECKING:
    from qc.report.html_report import render_html
    from qc.report.junit_report import render_junit

# Imported when first used: the HTML and JUnit renderers pull in html.entities and
# xml.etree (5 ms of a plain check's start-up).
_LAZY = {"render_html": "qc.report.html_report", "render_junit": "qc.report.junit_report"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _later(name: str) -> Callable[[Sequence[FileResult]], str]:
    def render(results: Sequence[FileResult]) -> str:
        out: str = getattr(import_module(_LAZY[name]), name)(results)
        return out

    render.__name__ = name
    return render


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
    "junit": _later("render_junit"),
    "sarif": render_sarif,
    "github": render_github,
    "html": _later("render_html"),
}
"""Format name (as given to ``--format``) → renderer."""
