"""The loudness target and true-peak ceiling a set of profiles asks for, and the gain to reach it.

Where the numbers come from:

* ``integrated-loudness`` (LUF001) ``target_lufs``: a delivery target, met both
  ways (broadcast, podcasts);
* ``normalization-preview`` (LUF004) ``target_lufs``: the platform's playback
  reference. With ``boost = "never"`` the platform only turns loud masters
  down, so the target is a ceiling: a quieter master is left as it is. With
  ``"headroom"`` or ``"always"`` the platform plays every master at the
  reference, and ``fix`` brings it there;
* ``true-peak-ceiling`` (TP001) and ``no-headroom`` (HDR001) ``max_dbtp``.

With several profiles the quietest target and the lowest ceiling win: every
platform turns a loud master down anyway, none restores the peaks of one that
was limited for a louder platform. The target is exact if any profile's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qc.checks import get as get_rule

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = [
    "DEFAULT_CEILING_DBTP",
    "DEFAULT_MAX_GR_DB",
    "GainPlan",
    "LoudnessTarget",
    "ceiling_of",
    "plan_gain",
    "target_of",
]

DEFAULT_MAX_GR_DB = 3.0
"""Most gain reduction the true-peak limiter may apply to reach the loudness target, dB.

A look-ahead peak limiter is transparent while it shaves the few crests of a
mastered track, about 1 to 3 dB of them; past that it flattens every drum hit,
which is the mastering engineer's compressor's job, not a delivery fix's.
Beyond it ``fix`` stops short of the target and says how far.
"""

DEFAULT_CEILING_DBTP = -1.0
"""Ceiling when no profile names one: the streaming platforms' -1 dBTP."""


@dataclass(frozen=True)
class LoudnessTarget:
    """Where the integrated loudness should land.

    Attributes:
        lufs: Target integrated loudness, LUFS.
        turn_down_only: The target is a ceiling (quieter masters are left as they are).
        source: Where it comes from (``"spotify normalization-preview"``, ``"--target-lufs"``).
    """

    lufs: float
    turn_down_only: bool
    source: str


@dataclass(frozen=True)
class GainPlan:
    """The first gain to try.

    Attributes:
        gain_db: Gain before the limiter, dB.
        wanted_db: Gain that would reach the target, dB.
        limit_db: Most gain ``max_gr`` allows, dB.
        stopped_short: Why the gain stops short of the target, else ``None``.
    """

    gain_db: float
    wanted_db: float
    limit_db: float
    stopped_short: str | None


def _options(profile: Profile, name: str) -> dict[str, Any] | None:
    """The options of rule ``name`` in ``profile`` if the profile enables it, else None."""
    rule = get_rule(name)
    settings = profile.rules.get(name)
    enabled = rule.enabled if settings is None or settings.enabled is None else settings.enabled
    if not enabled:
        return None
    return rule.defaults() | (dict(settings.options) if settings is not None else {})


def target_of(profiles: Sequence[Profile]) -> LoudnessTarget | None:
    """The loudness target of ``profiles`` (the quietest), or None if none sets one."""
    found: list[LoudnessTarget] = []
    for p in profiles:
        opts = _options(p, "integrated-loudness")
        if opts is not None:
            found.append(LoudnessTarget(float(opts["target_lufs"]), False, f"{p.name} LUF001"))
        opts = _options(p, "normalization-preview")
        if opts is not None:
            down = opts["boost"] == "never"
            found.append(LoudnessTarget(float(opts["target_lufs"]), down, f"{p.name} LUF004"))
    if not found:
        return None
    lowest = min(t.lufs for t in found)
    at = [t for t in found if t.lufs == lowest]
    exact = [t for t in at if not t.turn_down_only]
    return exact[0] if exact else at[0]


def ceiling_of(profiles: Sequence[Profile]) -> tuple[float, str]:
    """The lowest true-peak ceiling of ``profiles``, dBTP, and where it comes from."""
    found: list[tuple[float, str]] = []
    for p in profiles:
        for name, code in (("true-peak-ceiling", "TP001"), ("no-headroom", "HDR001")):
            opts = _options(p, name)
            if opts is not None:
                found.append((float(opts["max_dbtp"]), f"{p.name} {code}"))
    return min(found) if found else (DEFAULT_CEILING_DBTP, "default")


def plan_gain(
    loudness_lufs: float,
    true_peak_dbtp: float,
    target: LoudnessTarget,
    ceiling_dbtp: float,
    max_gr_db: float,
) -> GainPlan:
    """The gain to the target, unless it needs more than ``max_gr_db`` of limiting.

    Args:
        loudness_lufs: Integrated loudness before, LUFS.
        true_peak_dbtp: True peak before, dBTP.
        target: Where to land.
        ceiling_dbtp: True-peak ceiling, dBTP.
        max_gr_db: Most gain reduction allowed, dB.

    Returns:
        The plan: the gain, and why it stops short if it does.
    """
    wanted = target.lufs - loudness_lufs
    if target.turn_down_only:
        wanted = min(wanted, 0.0)
    # The limiter's largest gain reduction is (gain + true peak) - ceiling.
    limit = ceiling_dbtp + max_gr_db - true_peak_dbtp
    if wanted <= limit:
        return GainPlan(wanted, wanted, limit, None)
    need = wanted + true_peak_dbtp - ceiling_dbtp
    why = (
        f"reaching {target.lufs:.1f} LUFS needs {need:.1f} dB of limiting; "
        f"--max-gr allows {max_gr_db:.1f} dB"
    )
    return GainPlan(limit, wanted, limit, why)
