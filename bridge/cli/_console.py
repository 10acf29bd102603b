"""The CLI's rich console with the mixer theme (whether a stream is a terminal: qc.printable)."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from qc.printable import is_tty

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["is_tty", "make_console"]


def make_console(stream: IO[str] | None = None, *, width: int | None = None) -> Console:
    """A rich console for a stream, honouring ``NO_COLOR`` (as ``qc.cli.console`` does).

    Args:
        stream: Where to print; stdout by default.
        width: Fixed width in columns (tests), else the terminal's.

    Returns:
        A console with the mixer theme; no markup, emoji or highlighting.
    """
    from rich.console import Console
    from rich.theme import Theme

    out = stream or sys.stdout
    no_color = "NO_COLOR" in os.environ
    theme = Theme({"mix.muted": "dim", "mix.solo": "bold yellow", "mix.master": "bold"})
    return Console(
        file=out,
        theme=theme,
        width=width,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        markup=False,
    )
