"""One file's settings, resolved once: profiles, selection, waivers and fail level.

``mixdesk check``, ``mixdesk watch`` and the Python API (:mod:`qc.api`) resolve
each file's config (:class:`~qc.config.ConfigFinder`) and profiles
(:class:`~qc.profiles.ProfileCache`) into one :class:`Settings` through a
:class:`SettingsResolver`, and hand that value to the engine
(:func:`qc.engine.check`), which applies the rules and the waivers. So the
three agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from qc.checks.runner import will_run
from qc.config import ConfigFinder
from qc.diagnostic import Severity
from qc.profiles import Profile, ProfileCache
from qc.waivers import Waiver

__all__ = ["Settings", "SettingsResolver"]


@dataclass(frozen=True)
class Settings:
    """Everything that decides how one file is judged.

    Attributes:
        profiles: Resolved delivery profiles (at least one).
        select: Code prefixes to run (empty: all enabled rules).
        ignore: Code prefixes to skip.
        waivers: Waivers whose glob matches the file, in config order.
        fail_level: Findings at least this severe fail the file.
        codec_preview: Codec previews asked for on the command line (``aac-256``),
            judged by TP002 in every profile, besides the profiles' own.
    """

    profiles: tuple[Profile, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    fail_level: Severity = Severity.ERROR
    codec_preview: tuple[str, ...] = ()

    @property
    def profile_names(self) -> tuple[str, ...]:
        """The profiles' names, in order."""
        return tuple(p.name for p in self.profiles)

    def will_run(self, code: str) -> bool:
        """True if some profile enables the rule with ``code`` and it is selected."""
        return any(will_run(code, p, self.select, self.ignore) for p in self.profiles)


class SettingsResolver:
    """Resolves each file's :class:`Settings`; configs and profiles are loaded once each.

    Args:
        finder: Each file's config (command-line overrides already applied).
        profiles: The profile cache (e.g. with the ``--true-peak-method`` override).
    """

    def __init__(self, finder: ConfigFinder, profiles: ProfileCache | None = None) -> None:
        self.finder = finder
        self.profiles = profiles or ProfileCache()

    def for_file(self, path: str) -> Settings:
        """The settings of the file at ``path``.

        Raises:
            ProfileError: Its config or one of its profiles is invalid.
        """
        config = self.finder.for_path(path)
        found = config.for_file(path)
        return Settings(
            profiles=self.profiles.resolve(found.profiles),
            select=found.select,
            ignore=found.ignore,
            waivers=found.waivers,
            fail_level=Severity.parse(config.fail_level),
        )
