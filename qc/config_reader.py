"""Reading a config file's values: each error names the file and the key.

Used by :mod:`qc.config` to validate a loaded ``mixdesk.toml`` or
``[tool.mixdesk]`` table. Globs are compiled here (a backwards range is an
error) and limited to :data:`MAX_GLOB` characters, since matching costs the
glob's length times the path's. Profile names are checked here too, so a bad
or unknown one, or any error in the profile file it names (each is loaded
when the config loads), names the config file and key that named it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qc.errors import ProfileError, SelectorError, did_you_mean, nearest
from qc.globs import GlobError, glob_matches
from qc.profile_names import is_profile_path
from qc.profiles import load_profile
from qc.selection import parse_selector

__all__ = ["MAX_GLOB", "Reader"]

MAX_GLOB = 1024
"""Longest ``glob`` in a config, in characters."""


class Reader:
    """Validates values and names the file and key in every error."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix

    def fail(self, key: str, problem: str) -> ProfileError:
        """An error naming the file and the key."""
        return ProfileError(f"{self.path}: '{self.prefix}{key}' {problem}")

    def check_keys(self, table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        """Refuse a key not in ``allowed``; ``where`` prefixes it in the message."""
        for key in table:
            if key not in allowed:
                hint = did_you_mean(nearest(key, sorted(allowed)))
                raise ProfileError(f"{self.path}: unknown key '{self.prefix}{where}{key}'{hint}")

    def string(self, value: Any, key: str) -> str:
        """A non-empty string."""
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {_type_name(value)}")
        if not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def glob(self, value: Any, key: str) -> str:
        """A glob that compiles, of at most :data:`MAX_GLOB` characters."""
        text = self.string(value, key)
        if len(text) > MAX_GLOB:
            raise self.fail(key, f"is longer than {MAX_GLOB} characters")
        try:
            glob_matches(text, "")  # compiles it: a reversed range like [z-a] is an error
        except GlobError as err:
            raise self.fail(key, f"is not a valid glob ({err})") from None
        return text

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        """A list of non-empty strings."""
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of strings, not {_type_name(value)}")
        return tuple(self.string(item, f"{key}[{i}]") for i, item in enumerate(value))

    def codes(self, value: Any, key: str) -> tuple[str, ...]:
        """A list of rule selectors (codes, prefixes, names) as upper-case code prefixes.

        Raises:
            ProfileError: An entry matches no rule; names the file, the key and
                the nearest codes (:mod:`qc.selection`).
        """
        out: list[str] = []
        for i, entry in enumerate(self.strings(value, key)):
            try:
                out.append(parse_selector(entry))
            except SelectorError as err:
                where = f"'{self.prefix}{key}[{i}]'"
                raise ProfileError(f"{self.path}: {where}: {err}") from None
        return tuple(dict.fromkeys(out))

    def profiles(self, value: Any, key: str, root: Path) -> tuple[str, ...]:
        """Profile names or paths (paths resolved against ``root``); bad or unknown names fail."""
        if isinstance(value, str):
            names: tuple[str, ...] = (self.string(value, key),)
        elif isinstance(value, list):
            names = self.strings(value, key)
        else:
            raise self.fail(key, f"must be a string or a list of strings, not {_type_name(value)}")
        if not names:
            raise self.fail(key, "must name at least one profile")
        resolved = tuple(_resolve_profile(n, root) for n in names)
        for i, name in enumerate(resolved):
            try:
                load_profile(name)  # loaded now, so its errors name this config too
            except ProfileError as err:
                where = key if isinstance(value, str) else f"{key}[{i}]"
                raise ProfileError(f"{self.path}: '{self.prefix}{where}': {err}") from None
        return tuple(dict.fromkeys(resolved))

    def table(self, value: Any, key: str) -> dict[str, Any]:
        """A table."""
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {_type_name(value)}")
        return value

    def tables(self, value: Any, key: str) -> list[dict[str, Any]]:
        """An array of tables."""
        if not isinstance(value, list):
            raise self.fail(key, f"must be an array of tables ([[{key}]]), not {_type_name(value)}")
        return [self.table(item, f"{key}[{i}]") for i, item in enumerate(value)]


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "a list", dict: "a table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _resolve_profile(name: str, root: Path) -> str:
    """Shipped names pass through; relative paths become relative to the config's folder."""
    if is_profile_path(name):
        path = Path(name)
        return str(path if path.is_absolute() else root / path)
    return name
