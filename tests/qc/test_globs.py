"""Config globs: the linear-time matcher agrees with the regex translation it replaced."""

from __future__ import annotations

import re
import time
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qc.globs import GlobError, glob_matches


def _oracle_regex(pattern: str) -> re.Pattern[str]:
    """The regex translation ``qc.globs`` used before: the oracle for its semantics."""
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
                out.append("(?:.*/)?")
                j += 1
            elif at_start and j == n and out and out[-1] == "/":
                out[-1] = "(?:/.*)?"
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
                out.append(re.escape(ch))
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "[--a]": possible set difference
        return re.compile("".join(out), re.DOTALL)


def _class_end(pattern: str, start: int) -> int:
    j = start + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    return pattern.find("]", j)


def oracle(pattern: str, path: str) -> bool:
    pattern = pattern.removeprefix("./")
    if pattern.endswith("/"):
        pattern += "**"
    path = path.removeprefix("./")
    regex = _oracle_regex(pattern)
    if regex.fullmatch(path):
        return True
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return "/" not in pattern and bool(regex.fullmatch("" if name == "." else name))


@settings(max_examples=5000, deadline=None)
@given(
    st.text(alphabet="ab/*?[]!^-.z", max_size=12),
    st.text(alphabet="ab/.-z[]!", max_size=12),
)
def test_matcher_agrees_with_the_regex_oracle(pattern: str, path: str) -> None:
    try:
        expected = oracle(pattern, path)
    except re.error:
        with pytest.raises(GlobError):
            glob_matches(pattern, path)
        return
    assert glob_matches(pattern, path) is expected, (pattern, path)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.sampled_from(["**/", "**", "*", "/", "a", "b", "?", "[a-b]", "[!a]"]), max_size=14),
    st.lists(st.sampled_from(["a", "b", "/", "ab/", "x"]), max_size=14),
)
def test_long_token_globs_agree_with_the_oracle(tokens: list[str], parts: list[str]) -> None:
    """Chains of ``**/`` and stars, which the matcher closes by doubling."""
    pattern, path = "".join(tokens), "".join(parts)
    assert glob_matches(pattern, path) is oracle(pattern, path), (pattern, path)


@pytest.mark.parametrize(
    ("pattern", "path"),
    [("a/**", "a"), ("a/**", "a/b/c"), ("x[/**", "x[/y"), ("/**", ""), ("**/", "a/b"),
     ("a/**/**", "a/b"), ("[--a]", "/"), ("[a-c-e]", "-"), ("[!]]", "x"), ("[]a]", "]"),
     ("**", "a/b"), ("a/**b", "a/x/b"), ("*/b", "a/b"), ("stems/", "stems"),
     ("**/**/**/a", "a"), ("**/**/**/a", "x/y/z/w/a"), ("a/**/**/**", "a"), ("*/**/**/b", "x/b")],
)  # fmt: skip
def test_edge_cases_agree_with_the_oracle(pattern: str, path: str) -> None:
    assert glob_matches(pattern, path) is oracle(pattern, path)


def test_a_long_chain_of_double_stars() -> None:
    """40 ``**/`` in a row (the oracle's regex backtracks for ever here)."""
    pattern = "*/" + "**/" * 40 + "b"
    start = time.monotonic()
    assert glob_matches(pattern, "/" * 100 + "b")
    assert glob_matches(pattern, "x/" + "y/" * 60 + "b")
    assert not glob_matches(pattern, "/" * 4000)
    assert not glob_matches(pattern, "x" * 100 + "b")
    assert time.monotonic() - start < 0.5


def test_backwards_range_is_a_glob_error() -> None:
    with pytest.raises(GlobError, match="bad character range z-a"):
        glob_matches("[z-a].wav", "a.wav")


@pytest.mark.parametrize("stars", [12, 14])
def test_many_stars_match_in_linear_time(stars: int) -> None:
    """``*a*a…*az`` backtracked for 13 s at 12 stars; now well under a second."""
    pattern = "*a" * stars + "z"
    name = "a" * 200 + ".wav"
    start = time.monotonic()
    assert not glob_matches(pattern, name)
    assert not glob_matches("**" + pattern, "x/" * 50 + name)
    assert glob_matches(pattern, "a" * 200 + "z")
    assert time.monotonic() - start < 0.5
