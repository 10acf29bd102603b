"""The one place that decides about terminals, colour and progress."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from qc.printable import is_tty

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["is_tty", "make_console"]


def make_console(stream: IO[str] | None = None, *, width: int | None = None) -> Console:
    """Build a rich console for a stream, honouring ``NO_COLOR`` and ``FORCE_COLOR``.

    Args:
        stream: Where to print; stdout by default.
        width: Fixed width in columns (tests), else the terminal's.

    Returns:
        A console with the mixdesk theme. Live elements are off when the
        stream is not a terminal.
    """
    from rich.console import Console

    from qc.report.rich_report import THEME

    out = stream or sys.stdout
    no_color = "NO_COLOR" in os.environ
    return Console(
        file=out,
        theme=THEME,
        width=width,
        no_color=no_color,
        color_system=None if no_color else "auto",
        force_interactive=is_tty(out) and os.environ.get("CI") != "true",
        highlight=False,
        emoji=False,
        markup=False,
    )
