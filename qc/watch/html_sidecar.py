"""The watch daemon's ``--html``: the HTML report of a bounce, written next to it.

``NAME.wav`` gets ``NAME.wav.qc.html`` (beside the ``--sidecar`` JSON's
``NAME.wav.qc.json``). The page is :func:`qc.report.html_report.render_html` of
the bounce's result; it is ours to replace on the next check of the same name,
and written like the sidecar: temp file, rename, never through a link.
"""

from __future__ import annotations

from qc.engine import FileResult
from qc.report.html_report import render_html
from qc.safe_io import write_file

__all__ = ["HTML_SUFFIX", "html_path", "write_html"]

HTML_SUFFIX = ".qc.html"


def html_path(bounce: str) -> str:
    """Where the report of a bounce goes: next to it, ``NAME`` + ``.qc.html``."""
    return bounce + HTML_SUFFIX


def write_html(result: FileResult) -> str:
    """Write the HTML report of one checked bounce next to it.

    Args:
        result: The bounce's result.

    Returns:
        The report's path.

    Raises:
        UnsafeTargetError: A link, folder, FIFO or audio file is at that path.
        UsageError: matplotlib (the extra ``report``) is missing.
        OSError: The folder is not writable.
    """
    target = html_path(result.path)
    write_file(target, render_html([result]), what="HTML report", ours=True)
    return target
