"""The rule registry: one module per family, every rule listed here explicitly.

Codes are stable (family prefix plus three digits) and names are kebab-case;
profiles refer to rules by name.
"""

from __future__ import annotations

from qc.checks.album import AlbumFormatConsistency, AlbumLoudnessOutlier, AlbumPause, JoinClick
from qc.checks.channels import DCOffset, DualMono, PhaseCorrelation
from qc.checks.clipping import FlatTopClipping, FullScaleClipping
from qc.checks.codec import CodecTruePeak
from qc.checks.dither import MissingDither, PaddedBitDepth
from qc.checks.format import DeliveryFormat, LossySource, UnreadableFile
from qc.checks.headroom import LimitedMixBus, NoHeadroom
from qc.checks.lossy import LossyHistory
from qc.checks.loudness import (
    FarBelowTarget,
    IntegratedLoudness,
    LoudnessRange,
    MaxShortTerm,
    NormalizationPreview,
)
from qc.checks.redbook import (
    CatalogNumber,
    DuplicateIsrc,
    IsrcFormat,
    RedBookFirstPregap,
    RedBookFrames,
    RedBookTotalLength,
    RedBookTrackCount,
    RedBookTrackLength,
)
from qc.checks.rule import CODE_PATTERN, NAME_PATTERN, Context, Option, Rule
from qc.checks.silence import LeadingSilence, SilentChannel, SilentFile, TrailingSilence
from qc.checks.true_peak import TruePeakCeiling

__all__ = ["ALL_RULES", "RESERVED", "Context", "Option", "Rule", "get"]

ALL_RULES: tuple[Rule, ...] = (
    LossySource(),
    LossyHistory(),
    DeliveryFormat(),
    UnreadableFile(),
    FullScaleClipping(),
    FlatTopClipping(),
    TruePeakCeiling(),
    CodecTruePeak(),
    IntegratedLoudness(),
    MaxShortTerm(),
    LoudnessRange(),
    NormalizationPreview(),
    FarBelowTarget(),
    LeadingSilence(),
    TrailingSilence(),
    SilentChannel(),
    SilentFile(),
    DCOffset(),
    PhaseCorrelation(),
    DualMono(),
    NoHeadroom(),
    LimitedMixBus(),
    MissingDither(),
    PaddedBitDepth(),
    AlbumFormatConsistency(),
    AlbumLoudnessOutlier(),
    AlbumPause(),
    JoinClick(),
    IsrcFormat(),
    DuplicateIsrc(),
    CatalogNumber(),
    RedBookTrackCount(),
    RedBookTrackLength(),
    RedBookTotalLength(),
    RedBookFirstPregap(),
    RedBookFrames(),
)

RESERVED: dict[str, str] = {}
"""Codes reserved for rules still to come (none at present)."""


def _index() -> dict[str, Rule]:
    index: dict[str, Rule] = {}
    for rule in ALL_RULES:
        if not CODE_PATTERN.match(rule.code) or not NAME_PATTERN.match(rule.name):
            raise AssertionError(f"bad rule code or name: {rule.code} {rule.name}")
        for key in (rule.code, rule.name):
            if key in index:
                raise AssertionError(f"duplicate rule code or name: {key}")
            index[key] = rule
    return index


_BY_KEY = _index()


def get(code_or_name: str) -> Rule:
    """Find a rule by code (``TP001``, any case) or name (``true-peak-ceiling``).

    Raises:
        KeyError: No such rule; the message lists what exists.
    """
    key = code_or_name.strip()
    rule = _BY_KEY.get(key) or _BY_KEY.get(key.upper())
    if rule is None:
        raise KeyError(f"unknown rule {code_or_name!r} (see 'mixdesk rules')")
    return rule
