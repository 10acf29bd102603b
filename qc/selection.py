"""Rule selectors: what ``--select``, ``--ignore``, ``select``/``ignore`` and waivers name.

A selector is a rule code (``TP001``), a code prefix such as a family
(``TP``, ``LUF00``), a rule name (``true-peak-ceiling``) or a family name
(``clipping``, ``true-peak``: :data:`FAMILY_NAMES`), in any case. A name stands
for its rule's code or its family's prefix, so names are accepted wherever
codes are. A
selector that matches no rule is an error, as in ruff ("unknown rule
selector"): a typo such as ``--select TPP,CLIP`` must never turn the check of a
clipped master into a silent pass. The error suggests the nearest codes,
families and names (``did you mean TP?``).

Selection itself is by prefix, as in ruff: the longest matching prefix wins
between ``select`` and ``ignore`` (:func:`is_selected`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from qc.checks import ALL_RULES
from qc.errors import MAX_SUGGEST_LEN, SelectorError

__all__ = [
    "FAMILIES",
    "FAMILY_NAMES",
    "is_selected",
    "parse_selector",
    "parse_selectors",
    "suggest",
]

FAMILIES: tuple[str, ...] = tuple(
    dict.fromkeys(re.sub(r"\d+$", "", rule.code) for rule in ALL_RULES)
)
"""Code families in registry order (``FMT``, ``LSY``, ``CLP``, ...)."""

FAMILY_NAMES: dict[str, str] = {
    "format": "FMT",
    "lossy": "LSY",
    "clipping": "CLP",
    "true-peak": "TP",
    "loudness": "LUF",
    "silence": "SIL",
    "channels": "CH",
    "headroom": "HDR",
    "dither": "DTH",
}
"""Family names a selector may use for the family's prefix (``clipping`` is ``CLP``)."""

_CODES = tuple(rule.code for rule in ALL_RULES)
_BY_NAME = {rule.name: rule.code for rule in ALL_RULES}
if set(_BY_NAME) & set(FAMILY_NAMES):  # pragma: no cover - a registry mistake
    raise AssertionError(f"family names used as rule names: {set(_BY_NAME) & set(FAMILY_NAMES)}")
_BY_NAME.update(FAMILY_NAMES)
_CANDIDATES = (*FAMILIES, *_CODES, *_BY_NAME)


def suggest(entry: str, *, limit: int = 3) -> list[str]:
    """The codes, families and rule names nearest to a mistyped selector.

    Names that contain the entry come first, closest first (``clippin`` →
    ``clipping``), then the family of the closest; then the codes, families and
    names closest by :class:`difflib.SequenceMatcher` ratio (at least 0.5,
    compared without case).

    Args:
        entry: The selector as written.
        limit: Most suggestions.

    Returns:
        Up to ``limit`` suggestions, best first (empty when nothing is close).
    """
    low = entry.strip().lower()
    if len(low) > MAX_SUGGEST_LEN:  # no selector is that long; difflib's cost grows with it
        return []

    def ratio(candidate: str) -> float:
        return difflib.SequenceMatcher(None, low, candidate.lower()).ratio()

    out: list[str] = []
    if len(low) >= 3:
        contained = sorted((n for n in _BY_NAME if low in n), key=ratio, reverse=True)
        out += contained[: limit - 1]
        out += [re.sub(r"\d+$", "", _BY_NAME[n]) for n in contained[:1]]
    scored = sorted(_CANDIDATES, key=ratio, reverse=True)
    out += [c for c in scored if ratio(c) >= 0.5]
    return list(dict.fromkeys(out))[:limit]


def parse_selector(entry: str) -> str:
    """The code prefix a selector stands for.

    Args:
        entry: A code, a code prefix or a rule name, any case, surrounding
            spaces ignored.

    Returns:
        The upper-case code prefix (a name becomes its rule's full code).

    Raises:
        SelectorError: The selector matches no rule; its message suggests the
            nearest codes and names.
    """
    text = entry.strip()
    code = _BY_NAME.get(text.lower())
    if code is not None:
        return code
    prefix = text.upper()
    if (
        prefix
        and re.fullmatch(r"[A-Z]+[0-9]*", prefix)
        and any(c.startswith(prefix) for c in _CODES)
    ):
        return prefix
    raise SelectorError(entry, suggest(entry))


def parse_selectors(entries: Iterable[str]) -> tuple[str, ...]:
    """:func:`parse_selector` for each entry, duplicates dropped, order kept.

    Raises:
        SelectorError: For the first entry that matches no rule.
    """
    return tuple(dict.fromkeys(parse_selector(e) for e in entries))


def _longest(code: str, prefixes: Sequence[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p.upper())), default=-1)


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Prefix selection as in ruff: the longest matching prefix wins.

    Args:
        code: Rule code, e.g. ``TP001``.
        select: Code prefixes to run (empty: all).
        ignore: Code prefixes to skip.
    """
    chosen = _longest(code, select) if select else 0
    return chosen >= 0 and chosen > _longest(code, ignore)
