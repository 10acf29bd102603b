"""Delivery profiles: TOML files in ``rules/``, resolved into frozen values at load.

A profile names its parent with ``extends`` and lists only what differs. Every
key is validated when the file loads: an unknown key (or rule), a wrong type,
a value outside a rule option's declared choices, item kind or bounds
(:class:`~qc.checks.rule.Option`), NaN, an infinity or an integer beyond 2**53
is a :class:`~qc.errors.ProfileError` naming the file and the key, with the
allowed values or the nearest valid key (``did you mean max_dbtp?``), so a bad
profile fails before any audio is read.
An ``extends`` chain holds at most 32 profiles (a longer one is "depth
exceeded", not a loop). The file is read as :mod:`qc._toml` reads configs (a
regular file of at most 1 MiB, nested at most 32 deep), and names are checked
by :mod:`qc.profile_names` (at most 255 characters, no separator or NUL).

Schema::

    description = "..."          # one line
    extends = "default"          # optional: a shipped profile name or a path
    [measure]                    # options of qc.measure.MeasureOptions
    true_peak_method = "accurate" | "bs1770"
    over_dbtp = -1.0             # dBTP
    clip_min_run = 3             # samples
    clip_tolerance = 1e-6        # linear; omit for 1 LSB of the bit depth
    [rules.true-peak-ceiling]    # one table per rule, by name (see `mixdesk rules`)
    enabled = true               # optional: rules have their own default
    severity = "error"           # optional: error | warning | info
    max_dbtp = -1.0              # the rule's options, with their units
    status = "firm"              # firm (published by the platform or body) or typical
    source = "Spotify for Artists, Loudness normalization"
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qc import checks
from qc._toml import read_toml
from qc.diagnostic import Severity
from qc.errors import ProfileError, nearest
from qc.measure import MeasureOptions
from qc.profile_names import check_profile_name, is_profile_path
from qc.profile_schema import validate_profile

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "Profile",
    "ProfileCache",
    "RuleSettings",
    "available_profiles",
    "load_profile",
    "rules_dir",
]

MAX_EXTENDS_DEPTH = 32
"""Most profiles in one ``extends`` chain, the profile itself included."""


@dataclass(frozen=True)
class RuleSettings:
    """What a profile says about one rule (``None``: the rule's own default).

    Attributes:
        enabled: Run the rule.
        severity: Severity of its main finding.
        options: Option values, already validated and converted.
        status: ``firm`` when the platform or standards body publishes the
            threshold, ``typical`` for common practice.
        source: Where the threshold comes from.
    """

    enabled: bool | None = None
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    status: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Profile:
    """A resolved delivery profile.

    Attributes:
        name: The profile's name (file stem).
        description: One line describing it.
        path: The TOML file it was loaded from.
        measure: Measurement options after inheritance.
        rules: Per-rule settings after inheritance, keyed by rule name.
    """

    name: str
    description: str
    path: Path
    measure: MeasureOptions
    rules: Mapping[str, RuleSettings] = field(default_factory=dict)


def rules_dir() -> Path:
    """Folder of the shipped profiles: ``qc/rules`` in a wheel, ``rules/`` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise ProfileError(f"{here / 'rules'}: shipped profiles not found (broken install?)")


def available_profiles() -> list[str]:
    """Names of the shipped profiles, sorted."""
    return sorted(p.stem for p in rules_dir().glob("*.toml"))


def _resolve_path(name_or_path: str, base: Path | None) -> Path:
    """The file of a shipped name or a path (relative to ``base``).

    Raises:
        ProfileError: A bad name (no file prefix: callers add the file that named it).
    """
    check_profile_name(name_or_path)
    if is_profile_path(name_or_path):
        path = Path(name_or_path)
        return path if path.is_absolute() or base is None else base / path
    path = rules_dir() / f"{name_or_path}.toml"
    try:
        found = path.is_file()
    except OSError:  # a name near 255 characters plus ".toml" is too long a file name
        found = False
    if not found:
        shipped = available_profiles()
        close = nearest(name_or_path, shipped)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise ProfileError(
            f"unknown profile {name_or_path!r} ({hint}shipped: {', '.join(shipped)})"
        )
    return path


def _read(path: Path) -> dict[str, Any]:
    data = read_toml(path, "profile")
    validate_profile(path, data)
    return data


def _rule_settings(chain: list[tuple[Path, dict[str, Any]]]) -> dict[str, RuleSettings]:
    merged: dict[str, dict[str, Any]] = {}
    for _, data in reversed(chain):
        for name, table in data.get("rules", {}).items():
            merged.setdefault(name, {}).update(table)
    out: dict[str, RuleSettings] = {}
    for name, table in merged.items():
        rule = checks.get(name)
        opts = {o.name: o.validate(table[o.name]) for o in rule.options if o.name in table}
        sev = table.get("severity")
        out[name] = RuleSettings(
            enabled=table.get("enabled"),
            severity=Severity.parse(sev) if sev else None,
            options=opts,
            status=table.get("status"),
            source=table.get("source"),
        )
    return out


def load_profile(name_or_path: str) -> Profile:
    """Load a shipped profile by name, or a profile file by path, resolving ``extends``.

    Args:
        name_or_path: ``"default"``, ``"spotify"``, or a path to a ``.toml`` file.

    Returns:
        The resolved profile.

    Raises:
        ProfileError: The name is bad or unknown, the file is missing, is not
            valid TOML, has an unknown key or a bad value, or its ``extends``
            chain loops or is longer than :data:`MAX_EXTENDS_DEPTH`.
    """
    chain: list[tuple[Path, dict[str, Any]]] = []
    path = _resolve_path(name_or_path, None)
    seen: set[Path] = set()
    while True:
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError) as err:  # symlink loop: RuntimeError on 3.11
            raise ProfileError(f"{path}: cannot resolve the path ({err})") from None
        if real in seen:
            raise ProfileError(f"{path}: 'extends' loops back on itself")
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise ProfileError(f"{chain[-1][0]}: 'extends' chain is deeper than "
                               f"{MAX_EXTENDS_DEPTH} profiles (depth exceeded)")  # fmt: skip
        seen.add(real)
        data = _read(path)
        chain.append((path, data))
        parent = data.get("extends")
        if parent is None:
            break
        try:
            path = _resolve_path(parent, path.parent)
        except ProfileError as err:
            raise ProfileError(f"{path}: 'extends': {err}") from None
    measure: dict[str, Any] = {}
    for _, data in reversed(chain):
        measure.update(data.get("measure", {}))
    if "over_dbtp" in measure:
        measure["over_dbtp"] = float(measure["over_dbtp"])
    top = chain[0][1]
    return Profile(
        name=chain[0][0].stem,
        description=str(top.get("description", "")),
        path=chain[0][0],
        measure=dataclasses.replace(MeasureOptions(), **measure),
        rules=_rule_settings(chain),
    )


class ProfileCache:
    """Profiles loaded once each by name, optionally adjusted after loading.

    ``mixdesk check`` and ``mixdesk watch`` resolve every file's profile names
    through one cache, so a profile named by many files is parsed once.

    Args:
        adjust: Applied to each profile once, after loading (e.g. the
            ``--true-peak-method`` override); ``None`` keeps profiles as loaded.
    """

    def __init__(self, adjust: Callable[[Profile], Profile] | None = None) -> None:
        self._adjust = adjust
        self._loaded: dict[str, Profile] = {}

    def get(self, name: str) -> Profile:
        """Return the profile called ``name`` (a shipped name or a path).

        Raises:
            ProfileError: As :func:`load_profile`.
        """
        if name not in self._loaded:
            loaded = load_profile(name)
            self._loaded[name] = self._adjust(loaded) if self._adjust else loaded
        return self._loaded[name]

    def resolve(self, names: Sequence[str]) -> tuple[Profile, ...]:
        """Return the profiles called ``names``, in order."""
        return tuple(self.get(n) for n in names)
