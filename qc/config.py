"""Project configuration: ``mixdesk.toml`` or ``[tool.mixdesk]`` in ``pyproject.toml``.

The file is found with ``--config FILE`` or by walking up from a start folder
to the filesystem root; in each folder ``mixdesk.toml`` wins over
``pyproject.toml``, and a ``pyproject.toml`` only counts when it has a
``[tool.mixdesk]`` table. :class:`ConfigFinder` starts that walk in each file's
own folder, as ruff does, so an album folder's config applies to its files from
wherever the command runs. With no file the built-in defaults apply. Command-line
flags override the file (:meth:`Config.with_overrides`). The values live in
:mod:`qc.config_model`, waivers in :mod:`qc.waivers`.

Schema (keys are kebab-case; in ``pyproject.toml`` they sit under
``[tool.mixdesk]``)::

    profile = "spotify"                # or a list; shipped names or .toml paths,
                                       # paths relative to the config file's folder
    select = ["TP", "LUF001"]          # rules to run (empty: all): codes, code
                                       # prefixes or rule names
    ignore = ["SIL", "dc-offset"]      # rules to skip
    fail-level = "error"               # error | warning | info
    cluster = "tcp://sched:8786"       # mixdesk check --cluster default (or "local:4")

    [[per-file]]                       # later entries win
    glob = "stems/**"                  # required
    profile = "mix-for-mastering"      # any of profile, select, ignore:
    ignore = ["LUF"]                   # replaces the base value for matching files

    [[waivers]]
    glob = "stems/*_fx.wav"            # required
    codes = ["TP001"]                  # required: codes, prefixes or rule names
    reason = "FX stems clip on purpose" # required, non-empty

Globs match the file's path relative to the config file's folder (or the path
as given when the file lies outside it), with ``/`` separators. ``*``, ``?``
and ``[...]`` never cross a ``/``; ``**`` does (``stems/**``, ``**/*.wav``).
A glob without a ``/`` also matches the bare file name, and a glob ending in
``/`` matches everything below that folder. Matching is case-sensitive.

Every key is validated when the file loads: an unknown key or a wrong type is a
:class:`~qc.errors.ProfileError` whose one-line message names the file and the
key and suggests the nearest valid key (``mixdesk.toml: unknown key
'per-file[1].profiel' (did you mean profile?)``; array indexes count from 0, and
keys inside ``pyproject.toml`` are spelled ``tool.mixdesk.…``). A selector in
``select``, ``ignore`` or a waiver's ``codes`` that matches no rule code, family
or name is an error too, with the nearest codes (:mod:`qc.selection`).
Each profile a config names is loaded with it, so a bad or unknown profile is
reported with the config and key that named it.

Limits, since a config is found automatically in any folder checked: configs
and profiles are read only from regular files (no FIFO, device or folder) of
at most 1 MiB, with tables and arrays nested at most 32 deep (:mod:`qc._toml`);
a glob has at most 1024 characters and matches in time linear in the path
(:mod:`qc.globs`); profile names are at most 255 characters without a path
separator (:mod:`qc.profile_names`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qc._toml import read_toml
from qc.config_model import (
    DEFAULT_FAIL_LEVEL,
    DEFAULT_PROFILES,
    FAIL_LEVELS,
    Config,
    FileSettings,
    PerFile,
)
from qc.config_reader import Reader
from qc.errors import ProfileError
from qc.globs import glob_matches
from qc.waivers import Waiver, apply_waivers

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_FAIL_LEVEL",
    "DEFAULT_PROFILES",
    "FAIL_LEVELS",
    "PYPROJECT_NAME",
    "Config",
    "ConfigFinder",
    "FileSettings",
    "PerFile",
    "Waiver",
    "apply_waivers",
    "find_config",
    "glob_matches",
    "load_config",
]

CONFIG_NAME = "mixdesk.toml"
"""Name of the dedicated config file; wins over ``pyproject.toml`` in the same folder."""

PYPROJECT_NAME = "pyproject.toml"
"""Name of the project file whose ``[tool.mixdesk]`` table is read."""

_TOP_KEYS = frozenset(
    {"profile", "select", "ignore", "fail-level", "per-file", "waivers", "cluster"}
)
_PER_FILE_KEYS = frozenset({"glob", "profile", "select", "ignore"})
_WAIVER_KEYS = frozenset({"glob", "codes", "reason"})


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, "config")


def _has_tool_table(path: Path) -> bool:
    tool = _read_toml(path).get("tool")
    return isinstance(tool, dict) and "mixdesk" in tool


def find_config(start: Path) -> Path | None:
    """Find the nearest config file, walking up from ``start`` to the filesystem root.

    Args:
        start: A folder (or a file, whose folder is used).

    Returns:
        The first ``mixdesk.toml``, or ``pyproject.toml`` with a
        ``[tool.mixdesk]`` table, found; ``None`` when there is none.

    Raises:
        ProfileError: A ``pyproject.toml`` on the way is not valid TOML.
    """
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_NAME
        if own.is_file():
            return own
        project = candidate / PYPROJECT_NAME
        if project.is_file() and _has_tool_table(project):
            return project
    return None


class ConfigFinder:
    """The config of each file: ``--config`` for all, else the nearest above the file.

    A file's settings come from the closest ``mixdesk.toml`` (or ``pyproject.toml``
    with ``[tool.mixdesk]``) in its own folder or above, as ruff finds its
    config, so ``mixdesk check album/master.wav`` applies ``album/mixdesk.toml``
    from any folder, and ``config show`` says what ``check`` and ``watch`` do.
    Each folder is looked up once and each config file loaded once. With no
    file found, the built-in defaults apply (rooted at the current folder).

    Args:
        explicit: A config file for every path (``--config``), or ``None``.
        adjust: Applied to each config as it loads (the command-line overrides).

    Raises:
        ProfileError: ``explicit`` cannot be loaded.
    """

    def __init__(
        self, explicit: Path | None = None, adjust: Callable[[Config], Config] | None = None
    ) -> None:
        self._adjust = adjust or (lambda config: config)
        self._fixed = self._adjust(load_config(explicit)) if explicit is not None else None
        self._folders: dict[str, Config] = {}
        self._files: dict[Path | None, Config] = {}

    @classmethod
    def fixed(cls, config: Config) -> ConfigFinder:
        """A finder that gives ``config`` for every path."""
        finder = cls()
        finder._fixed = config
        return finder

    def for_folder(self, folder: str) -> Config:
        """The config for files in ``folder``.

        Raises:
            ProfileError: The config file found is invalid.
        """
        if self._fixed is not None:
            return self._fixed
        key = os.path.abspath(folder)
        config = self._folders.get(key)
        if config is None:
            path = find_config(Path(key))
            config = self._files.get(path)
            if config is None:
                loaded = load_config(path) if path is not None else None
                config = self._adjust(loaded or Config(path=None, root=Path(os.getcwd())))
                self._files[path] = config
            self._folders[key] = config
        return config

    def for_path(self, path: str) -> Config:
        """The config for the file at ``path`` (found from its folder up).

        Raises:
            ProfileError: The config file found is invalid.
        """
        return self.for_folder(os.path.dirname(os.path.abspath(path)))

    def loaded(self) -> tuple[Config, ...]:
        """Every config handed out so far."""
        return (self._fixed,) if self._fixed is not None else tuple(self._files.values())


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Load the configuration.

    Args:
        path: An explicit config file (``--config``); a file named
            ``pyproject.toml`` is read from its ``[tool.mixdesk]`` table.
        start: Where discovery starts when ``path`` is ``None`` (default: the
            current folder).

    Returns:
        The validated config; the built-in defaults when no file is found.

    Raises:
        ProfileError: The file is missing or unreadable, is not valid TOML,
            lacks ``[tool.mixdesk]`` (an explicit ``pyproject.toml``), or has
            an unknown key or a bad value.
    """
    if path is None:
        begin = Path(os.path.abspath(start if start is not None else Path.cwd()))
        path = find_config(begin)
        if path is None:
            return Config(path=None, root=begin if begin.is_dir() else begin.parent)
    data = _read_toml(path)
    prefix = ""
    if path.name == PYPROJECT_NAME:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "mixdesk" not in tool:
            raise ProfileError(f"{path}: no [tool.mixdesk] table")
        data, prefix = tool["mixdesk"], "tool.mixdesk."
        if not isinstance(data, dict):
            raise ProfileError(f"{path}: 'tool.mixdesk' must be a table")
    return _parse(path, data, prefix)


def _parse(path: Path, data: dict[str, Any], prefix: str) -> Config:
    r = Reader(path, prefix)
    root = Path(os.path.abspath(path)).parent
    r.check_keys(data, _TOP_KEYS, "")
    profiles = r.profiles(data["profile"], "profile", root) if "profile" in data else None
    select = r.codes(data["select"], "select") if "select" in data else ()
    ignore = r.codes(data["ignore"], "ignore") if "ignore" in data else ()
    fail_level = DEFAULT_FAIL_LEVEL
    if "fail-level" in data:
        fail_level = r.string(data["fail-level"], "fail-level")
        if fail_level not in FAIL_LEVELS:
            raise r.fail("fail-level", f"is {fail_level!r}; expected error, warning or info")

    per_file: list[PerFile] = []
    for i, entry in enumerate(r.tables(data.get("per-file", []), "per-file")):
        where = f"per-file[{i}]"
        r.check_keys(entry, _PER_FILE_KEYS, f"{where}.")
        if "glob" not in entry:
            raise r.fail(where, "needs a 'glob'")
        per_file.append(
            PerFile(
                glob=r.glob(entry["glob"], f"{where}.glob"),
                profiles=(
                    r.profiles(entry["profile"], f"{where}.profile", root)
                    if "profile" in entry
                    else None
                ),
                select=r.codes(entry["select"], f"{where}.select") if "select" in entry else None,
                ignore=r.codes(entry["ignore"], f"{where}.ignore") if "ignore" in entry else None,
            )
        )

    waivers: list[Waiver] = []
    for i, entry in enumerate(r.tables(data.get("waivers", []), "waivers")):
        where = f"waivers[{i}]"
        r.check_keys(entry, _WAIVER_KEYS, f"{where}.")
        for required in ("glob", "codes", "reason"):
            if required not in entry:
                raise r.fail(where, f"needs a '{required}'")
        codes = r.codes(entry["codes"], f"{where}.codes")
        if not codes:
            raise r.fail(f"{where}.codes", "must name at least one code")
        waivers.append(
            Waiver(
                glob=r.glob(entry["glob"], f"{where}.glob"),
                codes=codes,
                reason=r.string(entry["reason"], f"{where}.reason").strip(),
            )
        )

    return Config(
        path=path,
        root=root,
        profiles=profiles or DEFAULT_PROFILES,
        select=select,
        ignore=ignore,
        fail_level=fail_level,
        cluster=r.string(data["cluster"], "cluster") if "cluster" in data else None,
        per_file=tuple(per_file),
        waivers=tuple(waivers),
    )
