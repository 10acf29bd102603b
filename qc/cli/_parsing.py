"""Argument-parsing pieces shared by the subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, NoReturn, TypeAlias

from qc.config import Config, ConfigFinder

__all__ = ["Parser", "Subparsers", "add_rule_options", "csv_list", "finder_for", "flatten"]

Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"
"""What ``add_subparsers()`` returns; each subcommand module registers on it."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line usage error and exit with status 2."""
        self.exit(2, f"mixdesk: error: {message} (see '{self.prog} --help')\n")


def csv_list(text: str) -> list[str]:
    """Split a comma-separated option value, dropping empty parts."""
    return [part.strip() for part in text.split(",") if part.strip()]


def flatten(groups: list[list[str]] | None) -> list[str] | None:
    """Join the lists of a repeated comma-separated option (None if never given)."""
    return None if groups is None else [c for group in groups for c in group]


def add_rule_options(p: argparse.ArgumentParser, *, profile_help: str) -> None:
    """Add ``--profile``, ``--select``, ``--ignore`` and ``--config``, shared by check and watch."""
    p.add_argument(
        "--profile", action="append", type=csv_list, metavar="P[,P...]", help=profile_help
    )
    p.add_argument(
        "--select",
        action="append",
        type=csv_list,
        default=None,
        metavar="CODES",
        help="run only these rules: codes, code prefixes or rule names (e.g. TP,LUF001,clipping); "
        "one that matches no rule is an error",
    )
    p.add_argument(
        "--ignore",
        action="append",
        type=csv_list,
        default=None,
        metavar="CODES",
        help="skip these rules: codes, code prefixes or rule names",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="mixdesk.toml or pyproject.toml to use for every file (default: each file's "
        "nearest one, in its folder or above)",
    )


def finder_for(args: argparse.Namespace) -> ConfigFinder:
    """Each file's config: ``--config``, else the nearest above it; flags override both."""

    def overrides(config: Config) -> Config:
        return config.with_overrides(
            profiles=flatten(args.profile),
            select=flatten(args.select),
            ignore=flatten(args.ignore),
            fail_level=getattr(args, "fail_level", None),
        )

    return ConfigFinder(args.config, overrides)
