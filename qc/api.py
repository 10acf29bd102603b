"""The Python API: check files as ``mixdesk check`` does, get typed results back.

Example:
    >>> import qc
    >>> result = qc.check("master.wav", profile="spotify")  # doctest: +SKIP
    >>> result.measurements.true_peak_dbtp, [d.code for d in result.diagnostics]  # doctest: +SKIP
    (-0.42, ['TP001'])

Settings are resolved as for the command line (:mod:`qc.settings`): the
nearest ``mixdesk.toml`` (or ``pyproject.toml`` with ``[tool.mixdesk]``) above
each file applies, with its profiles, selection, per-file entries, waivers and
fail level, unless ``config`` says otherwise; ``profile``, ``select`` and
``ignore`` override it as ``--profile``, ``--select`` and ``--ignore`` do. The
engine applies the waivers, so the findings are those of ``mixdesk check
--format json`` on the same file and config. Results are
:class:`~qc.results.CheckResult` values named as that JSON's keys.

Bad input raises a :class:`~qc.errors.QCError` subclass: an unknown profile
or a bad config (:class:`~qc.errors.ProfileError`), a selector that matches no
rule (:class:`~qc.errors.SelectorError`), and, from :func:`check`, a file that
cannot be read (:class:`~qc.errors.AudioReadError`). :func:`check_files` goes
on past an unreadable file, as ``mixdesk check`` does: its result has ``error``
set and an ``FMT003`` finding.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from qc.codec.preview import with_preview
from qc.codec.spec import preview_words
from qc.config import Config, ConfigFinder
from qc.engine import check as check_one
from qc.errors import AudioReadError, UsageError
from qc.report.json_report import file_object
from qc.results import CheckResult
from qc.selection import parse_selectors
from qc.settings import SettingsResolver

__all__ = ["api_finder", "check", "check_files"]

PathLike = str | os.PathLike[str]


def check(
    path: PathLike,
    profile: str | Sequence[str] | None = None,
    config: PathLike | Literal[False] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    codec_preview: str | Sequence[str] = (),
) -> CheckResult:
    """Check one file against delivery profiles.

    Args:
        path: An audio file.
        profile: A shipped profile name (``"spotify"``), a ``.toml`` path, or
            a list of them; ``None`` keeps the config's (default: ``default``).
        config: ``None``: the nearest ``mixdesk.toml`` above the file; a path:
            that config file; ``False``: no config file, the built-in defaults.
        select: Rule codes, prefixes or names to run (as ``--select``).
        ignore: Rule codes, prefixes or names to skip (as ``--ignore``).
        codec_preview: Codecs to preview, as ``--codec-preview``: ``"aac-256,opus-160"``
            or ``["aac-256", "platform"]`` (needs the extra ``codecs``).

    Returns:
        The file's result.

    Raises:
        AudioReadError: The file cannot be read (missing, not audio, truncated).
        ProfileError: An unknown profile, or a bad config or profile file.
        SelectorError: A selector matches no rule.
        UsageError: A malformed codec spec, or PyAV missing for a preview.
    """
    [result] = check_files(
        [path], profile, config, select=select, ignore=ignore, codec_preview=codec_preview
    )
    if result.error is not None:
        raise AudioReadError(result.path, result.error)
    return result


def check_files(
    paths: Sequence[PathLike],
    profile: str | Sequence[str] | None = None,
    config: PathLike | Literal[False] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    codec_preview: str | Sequence[str] = (),
) -> tuple[CheckResult, ...]:
    """Check several files; each gets the settings of its own nearest config.

    Args:
        paths: Audio files (not folders).
        profile: As :func:`check`.
        config: As :func:`check`.
        select: As :func:`check`.
        ignore: As :func:`check`.
        codec_preview: As :func:`check`.

    Returns:
        One result per path, in order; an unreadable file's has ``error`` set.

    Raises:
        ProfileError: An unknown profile, or a bad config or profile file.
        SelectorError: A selector matches no rule.
        UsageError: A malformed codec spec, or PyAV missing for a preview.
    """
    preview = preview_words(codec_preview)
    resolver = SettingsResolver(api_finder(profile, config, select, ignore))
    out = []
    for raw in paths:
        path = os.fspath(raw)
        settings = with_preview(resolver.for_file(path), preview)
        result = check_one(path, settings)
        out.append(
            CheckResult.from_json(
                file_object(result),
                profiles=result.profiles,
                fail_level=settings.fail_level.label,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


def api_finder(
    profile: str | Sequence[str] | None,
    config: PathLike | Literal[False] | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
) -> ConfigFinder:
    """Each file's config with the arguments applied as the command-line flags are.

    The Python API's counterpart of the CLI's ``finder_for``, shared by :func:`check`,
    :func:`check_files` and :func:`qc.check_album`.
    """
    if isinstance(select, str) or isinstance(ignore, str):
        raise UsageError("select and ignore take a list of selectors, not a string")
    profiles = [profile] if isinstance(profile, str) else profile
    chosen = (
        parse_selectors(select) if select is not None else None,
        parse_selectors(ignore) if ignore is not None else None,
    )

    def overrides(loaded: Config) -> Config:
        return loaded.with_overrides(
            profiles=list(profiles) if profiles is not None else None,
            select=chosen[0],
            ignore=chosen[1],
        )

    if config is False:
        return ConfigFinder.fixed(overrides(Config(path=None, root=Path(os.getcwd()))))
    return ConfigFinder(Path(config) if config is not None else None, overrides)
