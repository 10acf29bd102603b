"""Argument-parsing pieces shared by the subcommands."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn, TypeAlias

__all__ = ["Parser", "Subparsers"]

Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"
"""What ``add_subparsers()`` returns; each subcommand module registers on it."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line usage error and exit with status 2."""
        self.exit(2, f"mixdesk: error: {message} (see '{self.prog} --help')\n")
