"""Renderers, one per output format. Renderers format; they never compute."""

from qc.report.json_report import SCHEMA, file_object, render_json
from qc.report.text_report import render_text

__all__ = ["SCHEMA", "file_object", "render_json", "render_text"]
