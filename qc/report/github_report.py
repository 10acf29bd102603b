r"""GitHub Actions workflow commands: one annotation per finding.

::

    ::error file=mix.wav,title=TP001 true-peak-ceiling::true peak +0.3 dBTP at 01:23.456 [spotify]

Warnings become ``::warning`` and infos ``::notice``. The time (``at
mm:ss.mmm``) is left out for whole-file findings and the ``[profile]`` suffix
for findings without a profile. An unreadable file is an ``::error`` titled
``FMT003 unreadable-file`` whose message is the reason.

Escaping follows ``@actions/core``: in the message ``%``, ``\r`` and ``\n``
become ``%25``, ``%0D`` and ``%0A``; in properties ``:`` and ``,`` also become
``%3A`` and ``%2C``. Other control characters (which would reach the log as
terminal escapes) are written as ``\xNN`` text first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qc.diagnostic import Severity
from qc.engine import FileResult
from qc.printable import printable
from qc.report._text import fmt_time

__all__ = ["escape_data", "escape_property", "render_github"]

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _visible(text: str) -> str:
    return "".join(ch if ch in "\r\n" else printable(ch) for ch in text)


def escape_data(text: str) -> str:
    r"""Escape the message of a workflow command.

    Args:
        text: Any string.

    Returns:
        The text with ``%``, CR and LF percent-encoded and other control
        characters as ``\xNN``.
    """
    return _visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``) of a workflow command.

    Args:
        text: Any string.

    Returns:
        :func:`escape_data` of the text with ``:`` and ``,`` also encoded.
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, path: str, title: str, message: str) -> str:
    return f"::{kind} file={escape_property(path)},title={escape_property(title)}::{message}"


def render_github(results: Sequence[FileResult]) -> str:
    """Render every finding as one GitHub Actions annotation command.

    Args:
        results: Every file of the run, in output order.

    Returns:
        One command and a newline per finding (empty when there are none).
    """
    lines: list[str] = []
    for r in results:
        if r.error is not None:
            lines.append(_command("error", r.path, "FMT003 unreadable-file", escape_data(r.error)))
        for d in r.diagnostics:
            message = escape_data(d.message)
            if d.start_s is not None and math.isfinite(d.start_s):
                message += f" at {fmt_time(d.start_s)}"
            if d.profile:
                message += f" [{escape_data(d.profile)}]"
            lines.append(_command(_COMMANDS[d.severity], r.path, f"{d.code} {d.name}", message))
    return "".join(line + "\n" for line in lines)
