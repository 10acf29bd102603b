"""The values of a project configuration: :class:`Config`, its ``[[per-file]]`` entries.

:mod:`qc.config` finds and loads the file into these values; this module only
holds them and resolves one file's settings (:meth:`Config.for_file`), so a
watch daemon and the Python API can resolve without the loader.
"""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qc.errors import SelectorError, UsageError
from qc.globs import glob_matches
from qc.selection import parse_selectors
from qc.waivers import Waiver

__all__ = [
    "DEFAULT_FAIL_LEVEL",
    "DEFAULT_PROFILES",
    "FAIL_LEVELS",
    "Config",
    "FileSettings",
    "PerFile",
]

DEFAULT_PROFILES: tuple[str, ...] = ("default",)
"""Profiles used when neither the config nor the command line names any."""

DEFAULT_FAIL_LEVEL = "error"
"""Fail level used when neither the config nor the command line sets one."""

FAIL_LEVELS = ("error", "warning", "info")
"""Allowed values of ``fail-level``."""


@dataclass(frozen=True)
class PerFile:
    """One ``[[per-file]]`` entry; ``None`` leaves the value it would replace alone.

    Attributes:
        glob: Files it applies to.
        profiles: Profiles for those files (relative paths already resolved).
        select: Code prefixes to run.
        ignore: Code prefixes to skip.
    """

    glob: str
    profiles: tuple[str, ...] | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FileSettings:
    """The settings that apply to one file.

    Attributes:
        profiles: Profiles to check it against, shipped names or paths.
        select: Code prefixes to run (empty: all).
        ignore: Code prefixes to skip.
        waivers: The waivers whose glob matches the file, in config order.
        per_file: The ``[[per-file]]`` entries that matched, in config order.
    """

    profiles: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    per_file: tuple[PerFile, ...] = ()


@dataclass(frozen=True)
class Config:
    """A loaded configuration, after validation.

    Attributes:
        path: The config file, or ``None`` for the built-in defaults.
        root: Folder that globs are relative to (the config file's folder, or
            the discovery start folder when there is no file); absolute.
        profiles: Base profiles, shipped names or paths (relative paths in the
            file are resolved against ``root``).
        select: Base code prefixes to run, upper-case (empty: all).
        ignore: Base code prefixes to skip, upper-case.
        fail_level: ``error``, ``warning`` or ``info``.
        per_file: The ``[[per-file]]`` entries, in file order.
        waivers: The ``[[waivers]]`` entries, in file order.
        cluster: Default ``--cluster`` of ``mixdesk check`` (``qc.cluster.spec``), or ``None``.
    """

    path: Path | None
    root: Path
    profiles: tuple[str, ...] = DEFAULT_PROFILES
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_level: str = DEFAULT_FAIL_LEVEL
    per_file: tuple[PerFile, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    cluster: str | None = None

    def relative(self, path: str) -> str:
        """The path that globs see: relative to :attr:`root` with ``/``, else as given.

        String operations only: a watch daemon calls this for every bounce, and
        ``pathlib`` interns every name it parses, so each new file name would
        grow the interpreter's table of interned strings.
        """
        absolute = os.path.abspath(path)
        root = str(self.root)
        for base, target in ((root, absolute), (_real_str(root), _real_str(absolute))):
            inside = _inside(base, target)
            if inside is not None:
                return inside
        return _as_posix(path)

    def profile_names(self) -> tuple[str, ...]:
        """Every profile name the config can apply to some file, in first-seen order."""
        names = dict.fromkeys(self.profiles)
        for entry in self.per_file:
            names.update(dict.fromkeys(entry.profiles or ()))
        return tuple(names)

    def for_file(self, path: str) -> FileSettings:
        """Resolve the settings for one file.

        Args:
            path: The file as given on the command line (relative to the
                current folder, or absolute).

        Returns:
            The base settings with every matching ``[[per-file]]`` entry
            applied in order (later entries win), and the matching waivers.
        """
        rel = self.relative(path)
        profiles, select, ignore = self.profiles, self.select, self.ignore
        matched: list[PerFile] = []
        for entry in self.per_file:
            if not glob_matches(entry.glob, rel):
                continue
            matched.append(entry)
            profiles = profiles if entry.profiles is None else entry.profiles
            select = select if entry.select is None else entry.select
            ignore = ignore if entry.ignore is None else entry.ignore
        waivers = tuple(w for w in self.waivers if glob_matches(w.glob, rel))
        return FileSettings(profiles, select, ignore, waivers, tuple(matched))

    def with_overrides(
        self,
        *,
        profiles: Sequence[str] | None = None,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        fail_level: str | None = None,
    ) -> Config:
        """Apply command-line flags; ``None`` keeps the config's value.

        A flag overrides the base value and the same key of every
        ``[[per-file]]`` entry, so ``--profile spotify`` checks every file
        against ``spotify``. Waivers are kept.

        Args:
            profiles: Profiles from ``--profile`` (paths relative to the
                current folder, passed through unchanged).
            select: Selectors from ``--select`` (codes, prefixes or rule names).
            ignore: Selectors from ``--ignore``.
            fail_level: ``error``, ``warning`` or ``info``.

        Returns:
            A new config.

        Raises:
            UsageError: ``profiles`` is empty, ``fail_level`` is not a level,
                or a selector matches no rule (:class:`~qc.errors.SelectorError`,
                naming the flag and suggesting the nearest codes).
        """
        changes: dict[str, Any] = {}
        entry_changes: dict[str, Any] = {}
        if profiles is not None:
            if not profiles:
                raise UsageError("--profile names no profile")
            changes["profiles"] = tuple(dict.fromkeys(profiles))
            entry_changes["profiles"] = None
        if select is not None:
            changes["select"] = _flag("--select", select)
            entry_changes["select"] = None
        if ignore is not None:
            changes["ignore"] = _flag("--ignore", ignore)
            entry_changes["ignore"] = None
        if fail_level is not None:
            if fail_level not in FAIL_LEVELS:
                expected = ", ".join(FAIL_LEVELS)
                raise UsageError(f"unknown fail level {fail_level!r} (expected {expected})")
            changes["fail_level"] = fail_level
        if entry_changes:
            changes["per_file"] = tuple(
                dataclasses.replace(e, **entry_changes) for e in self.per_file
            )
        return dataclasses.replace(self, **changes)


def _real_str(path: str) -> str:
    """``os.path.realpath``, or the path unchanged where it has a loop of symlinks."""
    real = os.path.realpath(path)
    try:
        os.stat(real)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return path
    return real


def _inside(base: str, target: str) -> str | None:
    """``target`` relative to ``base`` with ``/`` (both absolute and normalised), or None."""
    if target == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not target.startswith(prefix):
        return None
    return target[len(prefix) :].replace(os.sep, "/")


def _as_posix(path: str) -> str:
    """``Path(path).as_posix()`` without pathlib: ``.`` and empty components dropped."""
    if os.sep != "/":
        return Path(path).as_posix()
    lead = "//" if path.startswith("//") and not path.startswith("///") else "/"
    lead = lead if path.startswith("/") else ""
    return lead + "/".join(p for p in path.split("/") if p not in ("", ".")) or "."


def _flag(flag: str, entries: Sequence[str]) -> tuple[str, ...]:
    """Selectors of a command-line flag as code prefixes.

    Raises:
        SelectorError: Naming the flag and the entry, with suggestions.
    """
    try:
        return parse_selectors(entries)
    except SelectorError as err:
        raised = SelectorError(err.entry, err.suggestions)
        raised.args = (f"{flag}: {err}",)
        raise raised from None
