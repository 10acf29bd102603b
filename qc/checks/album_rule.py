"""What an album rule looks at, the base of the album rules, and their runner.

A single file has no album, so an :class:`AlbumRule`'s ``check`` finds nothing
there; :func:`run_album_rules` runs its ``check_album`` on an
:class:`AlbumContext` (:mod:`qc.album.check` builds one from the tracks'
measurements). The rules are in :mod:`qc.checks.album` and :mod:`qc.checks.redbook`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qc.checks.rule import Context, Rule
from qc.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["AlbumContext", "AlbumRule", "TrackFacts", "run_album_rules"]


@dataclass(frozen=True)
class TrackFacts:
    """What an album rule may look at for one track (``None``: it could not be read).

    Attributes:
        number: Track number, from 1.
        path: The file.
        isrc: ISRC as written (``""`` if none).
        gap_s: The pause set before it, s.
        start_s: Start of its audio on the album timeline, s.
        duration_s: Length, s.
        sample_rate: Hz.
        bit_depth: Bits (``None`` for float).
        channels: Channel count.
        integrated_lufs: Its integrated loudness, LUFS.
        leading_silence_s: Silence at its start (below -60 dBFS), s.
        trailing_silence_s: Silence at its end, s.
        join_step: With no gap before it: the step from the previous track's
            last samples to its first, linear full scale (``None`` with a gap).
        frames: Its length, samples per channel.
    """

    number: int
    path: str
    isrc: str
    gap_s: float
    start_s: float
    duration_s: float | None
    sample_rate: int | None
    bit_depth: int | None
    channels: int | None
    integrated_lufs: float | None
    leading_silence_s: float | None
    trailing_silence_s: float | None
    join_step: float | None
    frames: int | None


@dataclass(frozen=True)
class AlbumContext:
    """Everything an album rule may look at.

    Attributes:
        path: The album file (or folder).
        catalog: UPC/EAN as written (``""`` if none).
        tracks: The tracks in sequence.
        total_s: Running time, s.
        profile: Name of the profile being applied.
    """

    path: str
    catalog: str
    tracks: tuple[TrackFacts, ...]
    total_s: float
    profile: str = ""


class AlbumRule(Rule):
    """Base of the album rules: nothing to say about one file alone."""

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        del ctx, opts, severity
        return iter(())

    def check_album(
        self, ctx: AlbumContext, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        """Yield the findings for an album (pure).

        Args:
            ctx: The album.
            opts: The rule's options, with the profile's values.
            severity: The severity the profile gives this rule.
        """
        raise NotImplementedError  # pragma: no cover

    def album_finding(
        self, ctx: AlbumContext, severity: Severity, message: str, **where: Any
    ) -> Diagnostic:
        """A diagnostic of this rule; ``start_s``/``end_s`` are on the album timeline."""
        return Diagnostic(self.code, self.name, severity, message, profile=ctx.profile, **where)


def run_album_rules(
    ctx: AlbumContext,
    profile: Profile | None,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Diagnostic]:
    """Run every enabled, selected album rule of a profile on an album.

    Args:
        ctx: The album; its ``profile`` is replaced by the profile's name.
        profile: The resolved profile (``None``: the rules' defaults).
        select: Code prefixes to run (empty: all enabled).
        ignore: Code prefixes to skip.

    Returns:
        The findings, unsorted; a crashing rule becomes an error finding.
    """
    from dataclasses import replace

    from qc.checks import ALL_RULES
    from qc.checks.runner import rule_options, will_run

    name = profile.name if profile is not None else ""
    ctx = replace(ctx, profile=name)
    out: list[Diagnostic] = []
    for rule in ALL_RULES:
        if not isinstance(rule, AlbumRule) or not will_run(rule.code, profile, select, ignore):
            continue
        opts, severity = rule_options(rule, profile)
        try:
            out.extend(rule.check_album(ctx, opts, severity))
        except Exception as err:
            message = f"rule crashed ({type(err).__name__}: {err}); please report it"
            out.append(rule.album_finding(ctx, Severity.ERROR, message))
    return out
