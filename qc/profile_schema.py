"""A delivery profile's TOML checked key by key: every error names the file and the key.

An unknown key (or rule) suggests the nearest valid one (``did you mean
max_dbtp?``); a wrong type, a value outside a rule option's declared choices,
item kind or bounds (:class:`~qc.checks.rule.Option`), NaN, an infinity or an
integer beyond 2**53 is a :class:`~qc.errors.ProfileError`. Used by
:mod:`qc.profiles` on every file of an ``extends`` chain as it loads.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from qc import checks
from qc.diagnostic import Severity
from qc.errors import ProfileError, did_you_mean, nearest

__all__ = ["validate_profile"]

_TOP_KEYS = {"description": str, "extends": str, "measure": dict, "rules": dict}
_RULE_KEYS = {"enabled": bool, "severity": str, "status": str, "source": str}
_STATUSES = {"firm", "typical"}
_MEASURE_KEYS: dict[str, tuple[type, ...]] = {
    "true_peak_method": (str,),
    "over_dbtp": (float, int),
    "clip_min_run": (int,),
    "clip_tolerance": (float, int),
}
_CHOICES = {"true_peak_method": {"accurate", "bs1770"}}
_RENAMED = {"clipping": "full-scale-clipping"}
"""Old rule names, for the error of a profile that still uses one (CLP001 until issue 19)."""
_MAX_INT = 2**53  # integers beyond this cannot all be represented as floats


def validate_profile(path: Path, data: dict[str, Any]) -> None:
    """Check a profile file's parsed TOML; every key, every rule and every option.

    Args:
        path: The file, for the messages.
        data: Its parsed TOML.

    Raises:
        ProfileError: The first problem, naming the file and the key.
    """
    for key, value in data.items():
        if key not in _TOP_KEYS:
            raise ProfileError(f"{path}: unknown key {key!r}{_hint(key, _TOP_KEYS)}")
        if not isinstance(value, _TOP_KEYS[key]):
            raise ProfileError(f"{path}: {key!r} must be a {_TOP_KEYS[key].__name__}")
    for key, value in data.get("measure", {}).items():
        if key not in _MEASURE_KEYS:
            hint = _hint(key, _MEASURE_KEYS)
            raise ProfileError(f"{path}: unknown key 'measure.{key}'{hint}")
        if isinstance(value, bool) or not isinstance(value, _MEASURE_KEYS[key]):
            raise ProfileError(f"{path}: 'measure.{key}' has the wrong type ({value!r})")
        _check_number(path, f"'measure.{key}'", value)
        if key in _CHOICES and value not in _CHOICES[key]:
            allowed = ", ".join(sorted(_CHOICES[key]))
            raise ProfileError(f"{path}: 'measure.{key}' is {value!r}; expected one of {allowed}")
    if data.get("measure", {}).get("clip_min_run", 1) < 1:
        raise ProfileError(f"{path}: 'measure.clip_min_run' must be at least 1")
    for name, table in data.get("rules", {}).items():
        _validate_rule(path, name, table)


def _validate_rule(path: Path, name: str, table: Any) -> None:
    try:
        rule = checks.get(name)
    except KeyError:
        hint = _hint(name, [r.name for r in checks.ALL_RULES]) or " (see 'mixdesk rules')"
        if name in _RENAMED:
            hint = f" (renamed: 'rules.{_RENAMED[name]}')"
        raise ProfileError(f"{path}: unknown rule 'rules.{name}'{hint}") from None
    if rule.name != name:
        raise ProfileError(f"{path}: 'rules.{name}': name rules by name ('rules.{rule.name}')")
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: 'rules.{name}' must be a table")
    options = {o.name: o for o in rule.options}
    for key, value in table.items():
        where = f"'rules.{name}.{key}'"
        if key in _RULE_KEYS:
            if not isinstance(value, _RULE_KEYS[key]):
                raise ProfileError(f"{path}: {where} has the wrong type ({value!r})")
            if key == "severity":
                try:
                    Severity.parse(str(value))
                except ValueError as err:
                    raise ProfileError(f"{path}: {where}: {err}") from None
            if key == "status" and value not in _STATUSES:
                raise ProfileError(f"{path}: {where} is {value!r}; expected firm or typical")
        elif key in options:
            _check_number(path, where, value)
            try:
                options[key].validate(value)
            except ValueError as err:  # "is 'sometimes'; expected one of never, ..."
                raise ProfileError(f"{path}: {where} {err}") from None
        else:
            hint = _hint(key, [*_RULE_KEYS, *options])
            raise ProfileError(f"{path}: unknown key {where}{hint}")


def _hint(key: str, valid: Any) -> str:
    """`` (did you mean max_dbtp?)`` for the nearest valid keys, or ``""``."""
    return did_you_mean(nearest(key, sorted(valid)))


def _check_number(path: Path, where: str, value: Any) -> None:
    """Refuse NaN, infinities and integers a float cannot hold, in lists too.

    Raises:
        ProfileError: Naming the file and the key.
    """
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ProfileError(f"{path}: {where} is {item}; expected a finite number")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > _MAX_INT:
            raise ProfileError(f"{path}: {where} is out of range (integers up to 2**53)")
