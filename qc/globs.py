"""Config globs: ``*``, ``?`` and ``[...]`` stay inside one folder; ``**`` crosses folders.

The semantics users know from ``.gitignore`` and ruff's per-file settings:
``**/`` may match zero folders, a trailing ``/`` matches everything below a
folder, and a glob without ``/`` also matches a file's bare name.

A glob is compiled into a small automaton and run over the path one character
at a time, keeping the set of places in the glob the path could have reached
as the bits of one integer: a few integer operations per character of the
path, whatever the glob (``*a*a*a…*az`` included), and no backtracking.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

__all__ = ["GlobError", "glob_matches"]


class GlobError(ValueError):
    """A glob cannot be compiled: a character range runs backwards (``[z-a]``)."""


# What a node's character test accepts; a node without a test only has epsilon moves.
_ANY, _NOT_SLASH, _SLASH, _LITERAL, _CLASS = range(5)
_MAX_CACHED_CHARS = 512  # distinct characters whose test mask each automaton keeps


@dataclass(frozen=True)
class _Class:
    """A ``[...]`` set: single characters and inclusive ranges; never ``/``."""

    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    negate: bool

    def accepts(self, ch: str) -> bool:
        if ch == "/":
            return False
        inside = ch in self.chars or any(lo <= ch <= hi for lo, hi in self.ranges)
        return inside != self.negate


@dataclass
class _Node:
    """One state: an optional character test leading to ``target``, and epsilon moves."""

    test: int | None = None
    arg: str | _Class | None = None
    target: int = -1
    eps: list[int] | None = None


@dataclass(frozen=True)
class _Automaton:
    """The nodes as bit masks: bit ``k`` is node ``k``; every move goes forward.

    Attributes:
        nodes: The nodes, for the character tests.
        moves: ``(offset, mask)``: a node in ``mask`` whose test passes goes ``offset`` on.
        eps: ``(offset, mask)``: a node in ``mask`` also stands ``offset`` on; for each
            offset also its doublings (a node in the mask makes 2, 4, 8... such moves
            in a row), so a chain of ``**/**/…`` closes in a few operations.
        accept: The node reached at the end of the glob.
        tests: Per character, the mask of nodes whose test passes (filled as met).
    """

    nodes: tuple[_Node, ...]
    moves: tuple[tuple[int, int], ...]
    eps: tuple[tuple[int, int], ...]
    accept: int
    tests: dict[str, int] = field(default_factory=dict)

    def closure(self, state: int) -> int:
        """``state`` with every node its epsilon moves reach."""
        while True:
            grown = state
            for offset, mask in self.eps:
                grown |= (grown & mask) << offset
            if grown == state:
                return state
            state = grown

    def passing(self, ch: str) -> int:
        """The mask of nodes whose character test passes ``ch``."""
        mask = self.tests.get(ch)
        if mask is None:
            mask = sum(1 << k for k, node in enumerate(self.nodes)
                       if node.test is not None and _accepts(node, ch))  # fmt: skip
            if len(self.tests) < _MAX_CACHED_CHARS:
                self.tests[ch] = mask
        return mask


def _accepts(node: _Node, ch: str) -> bool:
    test = node.test
    if test == _ANY:
        return True
    if test == _NOT_SLASH:
        return ch != "/"
    if test == _SLASH:
        return ch == "/"
    if test == _LITERAL:
        return ch == node.arg
    return isinstance(node.arg, _Class) and node.arg.accepts(ch)


class _Builder:
    """Appends nodes; each piece ends where the next one starts (``len(nodes)``)."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = []

    def here(self) -> int:
        return len(self.nodes)

    def step(self, test: int, arg: str | _Class | None = None) -> None:
        """Match one character, then go on."""
        self.nodes.append(_Node(test, arg, self.here() + 1))

    def loop(self, test: int) -> None:
        """Match any number of characters passing ``test`` (``*``, ``**``)."""
        n = self.here()
        self.nodes.append(_Node(test, None, n, [n + 1]))

    def folders(self) -> None:
        """``**/``: nothing, or anything ending in ``/``."""
        n = self.here()
        end = n + 3
        self.nodes.append(_Node(eps=[n + 1, end]))
        self.nodes.append(_Node(_ANY, None, n + 1, [n + 2]))
        self.nodes.append(_Node(_SLASH, None, end))

    def below(self) -> None:
        """``/**`` at the end: nothing, or ``/`` and anything."""
        n = self.here()
        end = n + 3
        self.nodes.append(_Node(eps=[n + 1, end]))
        self.nodes.append(_Node(_SLASH, None, n + 2))
        self.nodes.append(_Node(_ANY, None, n + 2, [end]))


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> _Automaton:
    """Compile a glob: ``*``, ``?``, ``[]`` stay in one folder; ``**`` doesn't.

    Raises:
        GlobError: A character range runs backwards.
    """
    b = _Builder()
    last_slash = -1  # where the last literal "/" node starts, when it is the last piece
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            at_start = i == 0 or pattern[i - 1] == "/"
            if at_start and j < n and pattern[j] == "/":
                b.folders()  # "**/": zero or more folders
                j += 1
            elif at_start and j == n and last_slash == b.here() - 1 >= 0:
                del b.nodes[last_slash:]  # "/**" at the end: the folder and everything below
                b.below()
            else:
                b.loop(_ANY)
            last_slash = -1
            i = j
            continue
        last_slash = -1
        if ch == "*":
            b.loop(_NOT_SLASH)
        elif ch == "?":
            b.step(_NOT_SLASH)
        elif ch == "[" and (end := _class_end(pattern, i)) >= 0:
            b.step(_CLASS, _parse_class(pattern[i + 1 : end]))
            i = end + 1
            continue
        else:  # a "[" with no closing "]" is a literal "["
            if ch == "/":
                last_slash = b.here()
            b.step(_LITERAL, ch)
        i += 1
    nodes = tuple(b.nodes)
    moves: dict[int, int] = {}
    eps: dict[int, int] = {}
    for k, node in enumerate(nodes):
        if node.test is not None:
            moves[node.target - k] = moves.get(node.target - k, 0) | 1 << k
        for nxt in node.eps or ():
            eps[nxt - k] = eps.get(nxt - k, 0) | 1 << k
    doubled = []
    for offset, mask in eps.items():
        step, chain = offset, mask
        while chain:
            doubled.append((step, chain))
            chain &= chain >> step  # the nodes whose next such move is in the chain too
            step *= 2
    return _Automaton(nodes, tuple(moves.items()), tuple(doubled), len(nodes))


def _parse_class(body: str) -> _Class:
    """``[...]`` without brackets: ``!``/``^`` negates, ``a-z`` is a range, an end ``-`` is literal.

    Raises:
        GlobError: A range runs backwards (``z-a``).
    """
    negate = body[:1] in ("!", "^")
    members = body[negate:]
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    k, m = 0, len(members)
    while k < m:
        lo = members[k]
        k += 1
        if k < m and members[k] == "-":
            if k + 1 >= m:  # "a-" at the end: both literal
                chars.update((lo, "-"))
                break
            hi = members[k + 1]
            if hi < lo:
                raise GlobError(f"bad character range {lo}-{hi}")
            ranges.append((lo, hi))
            k += 2
        else:
            chars.add(lo)
    return _Class(frozenset(chars), tuple(ranges), negate)


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start``, or -1."""
    j = start + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1  # a leading "]" is a literal member
    return pattern.find("]", j)


def _run(automaton: _Automaton, text: str) -> bool:
    """Whether the automaton matches the whole of ``text``."""
    state = automaton.closure(1)
    for ch in text:
        moved = state & automaton.passing(ch)
        if not moved:
            return False
        state = 0
        for offset, mask in automaton.moves:
            state |= (moved & mask) << offset
        state = automaton.closure(state)
    return bool(state >> automaton.accept & 1)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a config glob matches a path.

    Args:
        pattern: The glob (``*.wav``, ``stems/**``, ``**/mix_*.wav``).
        path: A ``/``-separated path relative to the config file's folder.

    Returns:
        True when the glob matches the whole path, or, for a glob without a
        ``/``, the file's bare name. A glob ending in ``/`` matches everything
        below that folder.

    Raises:
        GlobError: The glob has a backwards character range (``[z-a]``).
    """
    pattern = pattern.removeprefix("./")
    if pattern.endswith("/"):
        pattern += "**"
    path = path.removeprefix("./")
    automaton = _compile(pattern)
    if _run(automaton, path):
        return True
    return "/" not in pattern and _run(automaton, _name(path))


def _name(path: str) -> str:
    """``PurePosixPath(path).name`` without pathlib, which interns every name it parses."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return "" if name == "." else name
