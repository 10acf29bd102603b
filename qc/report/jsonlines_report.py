"""JSON Lines: one compact ``mixdesk.check/1`` file object per line.

This is the ``json`` format without the top-level wrapper and summary, so a
consumer can stream it; the watch daemon appends these lines to its log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from qc.engine import FileResult
from qc.report.json_report import file_object

__all__ = ["render_json_lines"]


def render_json_lines(results: Sequence[FileResult]) -> str:
    """Render each file as one line of compact JSON.

    Args:
        results: Every file of the run, in output order.

    Returns:
        One JSON object and a newline per file (empty for no files). JSON
        escapes newlines inside strings, so a line is always one object.
    """
    return "".join(
        json.dumps(file_object(r), separators=(",", ":"), allow_nan=False) + "\n" for r in results
    )
