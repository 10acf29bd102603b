"""The album's loudness object: album loudness, LRA, spread, loudest peak, album-mode previews.

The numbers come from the tracks' own measurements (:mod:`qc.measure.album`).
The album-mode normalisation preview applies each streaming profile's
``normalization-preview`` options (LUF004) to the album as a whole: one gain
for every track, from the album's loudness, limited for a boost by the
loudest true peak, as Spotify's album mode (and Apple's Sound Check on an
album) play it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qc.checks import get as get_rule
from qc.checks.runner import rule_options, will_run
from qc.measure import Measurements
from qc.measure.album import album_loudness, album_loudness_range

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["album_loudness_object", "album_preview_gain"]


def album_preview_gain(
    album_lufs: float, peak_dbtp: float, target_lufs: float, boost: str, ceiling_dbtp: float
) -> float:
    """The one gain a platform applies to every track of an album in album mode, dB.

    Args:
        album_lufs: The album's loudness, LUFS.
        peak_dbtp: Its loudest true peak, dBTP.
        target_lufs: The platform's playback reference, LUFS.
        boost: ``"never"``, ``"headroom"`` (a boost only as far as the peak
            stays under ``ceiling_dbtp``) or ``"always"`` (LUF004's options).
        ceiling_dbtp: Highest true peak after a boost, dBTP.

    Returns:
        The gain, dB (negative: turned down).
    """
    gain = target_lufs - album_lufs
    if gain > 0 and boost == "never":
        return 0.0
    if gain > 0 and boost == "headroom":
        return max(min(gain, ceiling_dbtp - peak_dbtp), 0.0)
    return gain


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def album_loudness_object(
    measured: Sequence[Measurements | None],
    profiles: Sequence[Profile],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``loudness`` object of the ``mixdesk.album/1`` document.

    Args:
        measured: Each track's measurements in order (``None``: unreadable).
        profiles: The album's profiles (those running LUF004 get a preview).
        select: Code prefixes selected (empty: all enabled), as for the findings.
        ignore: Code prefixes ignored: ``--ignore LUF004`` drops the previews too.

    Returns:
        The object; ``None`` values where no track could be measured.
    """
    ok = [(i + 1, m) for i, m in enumerate(measured) if m is not None]
    if not ok:
        return dict.fromkeys(
            (
                "integrated_lufs",
                "loudness_range_lu",
                "spread_lu",
                "loudest_track",
                "quietest_track",
                "max_true_peak_dbtp",
                "max_true_peak_track",
            ),
            None,
        ) | {"previews": []}
    album = _finite(album_loudness([m.loudness.momentary_lufs for _, m in ok]))
    lra = _finite(album_loudness_range([m.loudness.short_term_lufs for _, m in ok]))
    own = [(n, m.loudness.integrated_lufs) for n, m in ok]
    own_ok = [(n, v) for n, v in own if v is not None and math.isfinite(v)]
    loudest = max(own_ok, key=lambda x: x[1], default=None)
    quietest = min(own_ok, key=lambda x: x[1], default=None)
    peak_n, peak_m = max(ok, key=lambda x: x[1].true_peak.dbtp)
    peak = _finite(peak_m.true_peak.dbtp)
    previews = []
    rule = get_rule("normalization-preview")
    for profile in profiles:
        if album is None or peak is None or not will_run(rule.code, profile, select, ignore):
            continue
        opts, _ = rule_options(rule, profile)
        gain = album_preview_gain(
            album, peak, opts["target_lufs"], opts["boost"], opts["boost_ceiling_dbtp"]
        )
        previews.append(
            {
                "profile": profile.name,
                "target_lufs": opts["target_lufs"],
                "gain_db": gain,
                "album_after_lufs": album + gain,
                "true_peak_after_dbtp": peak + gain,
            }
        )
    return {
        "integrated_lufs": album,
        "loudness_range_lu": lra,
        "spread_lu": loudest[1] - quietest[1] if loudest and quietest else None,
        "loudest_track": loudest[0] if loudest else None,
        "quietest_track": quietest[0] if quietest else None,
        "max_true_peak_dbtp": peak,
        "max_true_peak_track": peak_n if peak is not None else None,
        "previews": previews,
    }
