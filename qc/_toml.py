"""Reading TOML files with limits, and one-line errors that name the file.

Profiles and configs can come from any folder a user checks (an album folder's
``mixdesk.toml`` is found automatically), so reading one must not be able to
hang or exhaust the machine:

* only a regular file is read: a FIFO, a device (``/dev/zero``) or a folder is
  refused after ``fstat`` on a descriptor opened with ``O_NONBLOCK``, so opening
  a FIFO does not wait for a writer;
* at most :data:`MAX_TOML_BYTES` (1 MiB) are read, with a bounded read;
* tables and arrays nest at most :data:`MAX_TOML_NESTING` (32) deep: brackets are
  counted before ``tomllib`` (which recurses) sees the text, and the parsed
  tables (dotted keys too) are measured without recursion.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from qc.errors import ProfileError

__all__ = ["MAX_TOML_BYTES", "MAX_TOML_NESTING", "read_toml"]

MAX_TOML_BYTES = 1 << 20
"""Largest profile or config file read, in bytes (1 MiB)."""

MAX_TOML_NESTING = 32
"""Deepest nesting of tables and arrays in a profile or config file."""

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\[\]{}]")
_STRING_END = {
    '"""': re.compile(r'(?:\\.|[^\\])*?"""', re.DOTALL),
    "'''": re.compile(r".*?'''", re.DOTALL),
    '"': re.compile(r'(?:\\.|[^"\\\n])*"'),
    "'": re.compile(r"[^'\n]*'"),
    "#": re.compile(r"[^\n]*"),
}


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file, within the limits of the module docstring.

    Args:
        path: The file.
        what: What the file is, for messages (``profile``, ``config``).

    Raises:
        ProfileError: Missing, not a regular file, larger than 1 MiB,
            unreadable, nested deeper than 32, or invalid TOML.
    """
    text = _read_text(path, what)
    depth = _bracket_depth(text)
    if depth > MAX_TOML_NESTING:
        raise ProfileError(f"{path}: nested deeper than {MAX_TOML_NESTING} levels")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{path}: invalid TOML: {err}") from None
    except RecursionError:
        raise ProfileError(f"{path}: nested deeper than {MAX_TOML_NESTING} levels") from None
    except ValueError as err:  # an integer of more than 4300 digits
        raise ProfileError(f"{path}: invalid TOML: {' '.join(str(err).split())}") from None
    if _data_depth(data) > MAX_TOML_NESTING:
        raise ProfileError(f"{path}: nested deeper than {MAX_TOML_NESTING} levels")
    return data


def _read_text(path: Path, what: str) -> str:
    """The file's text: a regular file of at most :data:`MAX_TOML_BYTES`, read boundedly."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such {what} file") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the path
        raise ProfileError(f"{path}: cannot read: {_reason(err)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ProfileError(f"{path}: is a directory, not a {what} file")
        if not stat.S_ISREG(mode):
            raise ProfileError(f"{path}: is {_kind(mode)}, not a regular {what} file")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_TOML_BYTES:
            chunk = os.read(fd, MAX_TOML_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_TOML_BYTES:
            raise ProfileError(f"{path}: larger than 1 MiB ({MAX_TOML_BYTES} bytes), the limit "
                               f"for a {what} file")  # fmt: skip
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProfileError(f"{path}: cannot read: {err}") from None
    except OSError as err:
        raise ProfileError(f"{path}: cannot read: {_reason(err)}") from None
    finally:
        os.close(fd)


def _reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _bracket_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside strings and comments, without parsing."""
    depth = deepest = 0
    pos = 0
    while (token := _TOKEN.search(text, pos)) is not None:
        kind = token.group()
        pos = token.end()
        if kind in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_TOML_NESTING:
                break
        elif kind in "]}":
            depth = max(depth - 1, 0)
        else:
            end = _STRING_END[kind].match(text, pos)
            if end is None:
                break  # an unclosed string: tomllib reports it
            pos = end.end()
    return deepest


def _data_depth(data: dict[str, Any]) -> int:
    """Deepest nesting of tables and arrays in parsed TOML, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_TOML_NESTING:
            break
        items = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in items if isinstance(v, dict | list))
    return deepest
