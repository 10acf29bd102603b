"""Config globs: ``*``, ``?`` and ``[...]`` stay inside one folder; ``**`` crosses folders.

The semantics users know from ``.gitignore`` and ruff's per-file settings:
``**/`` may match zero folders, a trailing ``/`` matches everything below a
folder, and a glob without ``/`` also matches a file's bare name.
"""

from __future__ import annotations

import functools
import re

__all__ = ["glob_matches"]


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob into a regex: ``*``, ``?``, ``[]`` stay in one folder; ``**`` doesn't."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            at_start = i == 0 or pattern[i - 1] == "/"
            if at_start and j < n and pattern[j] == "/":
                out.append("(?:.*/)?")  # "**/": zero or more folders
                j += 1
            elif at_start and j == n and out and out[-1] == "/":
                out[-1] = "(?:/.*)?"  # "/**" at the end: the folder and everything below
            else:
                out.append(".*")
            i = j
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = _class_end(pattern, i)
            if end < 0:
                out.append(re.escape(ch))  # no closing "]": a literal "["
            else:
                body = pattern[i + 1 : end]
                negate = body[:1] in ("!", "^")
                members = "".join(c if c == "-" else re.escape(c) for c in body[negate:])
                out.append(f"(?!/)[{'^' if negate else ''}{members}]")
                i = end + 1
                continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start``, or -1."""
    j = start + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1  # a leading "]" is a literal member
    return pattern.find("]", j)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a config glob matches a path.

    Args:
        pattern: The glob (``*.wav``, ``stems/**``, ``**/mix_*.wav``).
        path: A ``/``-separated path relative to the config file's folder.

    Returns:
        True when the glob matches the whole path, or, for a glob without a
        ``/``, the file's bare name. A glob ending in ``/`` matches everything
        below that folder.
    """
    pattern = pattern.removeprefix("./")
    if pattern.endswith("/"):
        pattern += "**"
    path = path.removeprefix("./")
    if _glob_regex(pattern).fullmatch(path):
        return True
    return "/" not in pattern and bool(_glob_regex(pattern).fullmatch(_name(path)))


def _name(path: str) -> str:
    """``PurePosixPath(path).name`` without pathlib, which interns every name it parses."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return "" if name == "." else name
