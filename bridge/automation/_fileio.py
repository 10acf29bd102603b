"""Reading and writing the automation files: TOML or JSON in, a small TOML writer out.

The standard library reads TOML (:mod:`tomllib`) but does not write it; lane
and scene files need only basic strings, floats (``inf``, ``-inf``), integers,
booleans and inline arrays, which :func:`toml_value` writes so :mod:`tomllib`
reads them back unchanged. :func:`read_document` turns every way a file can be
unreadable or malformed into one :class:`AutomationError` naming the file.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bridge.automation.errors import AutomationError

__all__ = ["check_keys", "read_document", "toml_key", "toml_value"]

TomlScalar = str | float | int | bool
TomlValue = TomlScalar | Sequence["TomlValue"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """Return ``key`` as a TOML key: bare when it can be (``volume_db``), else quoted."""
    return key if _BARE.fullmatch(key) else _string(key)


def toml_value(value: TomlValue) -> str:
    """Return a value as TOML text: ``"text"``, ``true``, ``3``, ``-6.5``, ``-inf``, ``[…]``."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(float(value))
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def read_document(
    path: Path, kind: str, *, suffixes: tuple[str, ...] = (".toml", ".json")
) -> dict[str, object]:
    """Read a TOML or JSON file (by extension) into a table.

    Args:
        path: The file; a ``.json`` file is read as JSON, any other as TOML.
        kind: What the file is, for messages (``"lane file"``).
        suffixes: The extensions accepted.

    Raises:
        AutomationError: Another extension, an unreadable or malformed file, or no
            table at the top.
    """
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise AutomationError(f"{path}: a {kind} ends in {' or '.join(suffixes)}, not {suffix!r}")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise AutomationError(f"{path}: cannot read the {kind} ({err.strerror or err})") from None
    as_json = suffix == ".json"
    try:
        data: object = json.loads(raw) if as_json else tomllib.loads(raw.decode())
    except (ValueError, RecursionError) as err:  # TOMLDecodeError, JSONDecodeError, UTF-8
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise AutomationError(
            f"{path}: not valid {'JSON' if as_json else 'TOML'} ({first})"
        ) from None
    if not isinstance(data, dict):
        raise AutomationError(f"{path}: the {kind} must hold a table at the top")
    return data


def check_keys(table: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    """Raise naming the first key of ``table`` that is not ``allowed``.

    Raises:
        AutomationError: An unknown key, with the keys expected.
    """
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            raise AutomationError(f"{where}: unknown key {key!r} (expected {', '.join(allowed)})")
