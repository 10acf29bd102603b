"""Every ALB rule with a failing and a passing album (pure: AlbumContext in, findings out)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from qc.checks import ALL_RULES, get
from qc.checks.album_rule import AlbumContext, AlbumRule, TrackFacts, run_album_rules
from qc.diagnostic import Severity
from qc.profiles import load_profile


def facts(n: int = 1, **kw: Any) -> TrackFacts:
    base = TrackFacts(
        number=n, path=f"{n:02d}.wav", isrc="", gap_s=2.0, start_s=2.0 + 62.0 * (n - 1),
        duration_s=60.0, sample_rate=44100, bit_depth=16, channels=2, integrated_lufs=-14.0,
        leading_silence_s=0.0, trailing_silence_s=0.0, join_step=None, frames=60 * 44100,
    )  # fmt: skip
    return dataclasses.replace(base, **kw)


def album(*tracks: TrackFacts, catalog: str = "", total_s: float | None = None) -> AlbumContext:
    total = total_s if total_s is not None else sum(t.gap_s + (t.duration_s or 0) for t in tracks)
    return AlbumContext("album.toml", catalog, tuple(tracks), total)


def run(name: str, ctx: AlbumContext, **opts: Any) -> list[tuple[str, str]]:
    rule = get(name)
    assert isinstance(rule, AlbumRule)
    merged = {**rule.defaults(), **opts}
    return [(d.code, d.severity.label) for d in rule.check_album(ctx, merged, rule.severity)]


THREE = (facts(1), facts(2), facts(3))
CASES: list[tuple[str, str, AlbumContext, dict[str, Any], list[tuple[str, str]]]] = [
    ("format-pass", "album-format-consistency", album(*THREE), {}, []),
    ("format-rate-fail", "album-format-consistency",
     album(facts(1), facts(2, sample_rate=48000)), {}, [("ALB001", "error")]),
    ("format-depth-fail", "album-format-consistency",
     album(facts(1), facts(2, bit_depth=24)), {}, [("ALB001", "error")]),
    ("format-channels-fail", "album-format-consistency",
     album(facts(1), facts(2, channels=1)), {}, [("ALB001", "error")]),
    ("outlier-pass", "album-loudness-outlier",
     album(facts(1), facts(2, integrated_lufs=-16.0), facts(3)), {}, []),
    ("outlier-info", "album-loudness-outlier",
     album(facts(1), facts(2, integrated_lufs=-24.0), facts(3)), {},
     [("ALB002", "info"), ("ALB002", "info"), ("ALB002", "info")]),
    ("pause-pass", "album-pause",
     album(facts(1, trailing_silence_s=0.5), facts(2, leading_silence_s=0.4)), {}, []),
    ("pause-fail", "album-pause",  # 3 s of trailing silence before a 2 s gap: a 5 s pause
     album(facts(1, trailing_silence_s=3.0), facts(2)), {}, [("ALB003", "warning")]),
    ("click-pass", "join-click", album(facts(1), facts(2, gap_s=0.0, join_step=0.001)), {}, []),
    ("click-fail", "join-click",
     album(facts(1), facts(2, gap_s=0.0, join_step=0.5)), {}, [("ALB004", "warning")]),
    ("isrc-pass", "isrc-format",
     album(facts(1, isrc="USRC17607839"), facts(2, isrc="US-RC1-76-07840")), {}, []),
    ("isrc-fail", "isrc-format", album(facts(1, isrc="USRC1760783")), {}, [("ALB005", "error")]),
    ("isrc-required-fail", "isrc-format", album(facts(1)), {"required": True},
     [("ALB005", "error")]),
    ("isrc-dup-pass", "duplicate-isrc",
     album(facts(1, isrc="USRC17607839"), facts(2, isrc="USRC17607840")), {}, []),
    ("isrc-dup-fail", "duplicate-isrc",
     album(facts(1, isrc="USRC17607839"), facts(2, isrc="US-RC1-76-07839")), {},
     [("ALB006", "error")]),
    ("catalog-pass", "catalog-number", album(facts(1), catalog="4006381333931"), {}, []),
    ("catalog-upc-pass", "catalog-number", album(facts(1), catalog="036000291452"), {}, []),
    ("catalog-fail", "catalog-number", album(facts(1), catalog="4006381333932"), {},
     [("ALB007", "error")]),
    ("count-pass", "redbook-track-count", album(*(facts(i) for i in range(1, 100))), {}, []),
    ("count-fail", "redbook-track-count", album(*(facts(i) for i in range(1, 101))), {},
     [("ALB010", "error")]),
    ("length-pass", "redbook-track-length", album(facts(1, duration_s=4.0)), {}, []),
    ("length-fail", "redbook-track-length", album(facts(1, duration_s=3.99)), {},
     [("ALB011", "error")]),
    ("total-pass", "redbook-total-length", album(facts(1), total_s=4797.0), {}, []),
    ("total-fail", "redbook-total-length", album(facts(1), total_s=4797.5), {},
     [("ALB012", "error")]),
    ("pregap-pass", "redbook-first-pregap", album(facts(1, gap_s=2.0)), {}, []),
    ("pregap-fail", "redbook-first-pregap", album(facts(1, gap_s=1.5)), {},
     [("ALB013", "error")]),
    ("frames-pass", "redbook-frames", album(facts(1, gap_s=2.0), facts(2, gap_s=0.04)), {}, []),
    ("frames-gap-fail", "redbook-frames", album(facts(1), facts(2, gap_s=0.005)), {},
     [("ALB014", "warning")]),
    ("frames-padding-info", "redbook-frames", album(facts(1, frames=60 * 44100 + 100)), {},
     [("ALB014", "info")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "ctx", "opts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_album_rule_case(
    rule: str, ctx: AlbumContext, opts: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert run(rule, ctx, **opts) == expected


def test_every_album_rule_has_a_failing_and_a_passing_case() -> None:
    names = {r.name for r in ALL_RULES if isinstance(r, AlbumRule)}
    assert {c[1] for c in CASES if c[4]} >= names
    assert {c[1] for c in CASES if not c[4]} >= names


def test_pause_message_names_both_silences() -> None:
    rule = get("album-pause")
    assert isinstance(rule, AlbumRule)
    (d,) = rule.check_album(
        album(facts(1, trailing_silence_s=3.0), facts(2)), rule.defaults(), Severity.WARNING
    )
    assert d.measured == pytest.approx(5.0)
    assert "5.0 s, not the gap of 2.0 s" in d.message


def test_redbook_rules_run_only_where_a_profile_enables_them() -> None:
    short = album(facts(1, gap_s=0.0, duration_s=2.0), total_s=2.0)
    default = {d.code for d in run_album_rules(short, load_profile("default"))}
    cd = {d.code for d in run_album_rules(short, load_profile("cd-redbook"))}
    assert not default & {"ALB011", "ALB013"}
    assert {"ALB011", "ALB013"} <= cd


def test_a_profile_sets_album_rule_options_and_severity(tmp_path: Any) -> None:
    path = tmp_path / "strict.toml"
    path.write_text(
        'extends = "default"\n[rules.album-loudness-outlier]\nmax_offset_lu = 1.0\n'
        'severity = "warning"\n[rules.isrc-format]\nrequired = true\n'
    )
    profile = load_profile(str(path))
    ctx = album(facts(1), facts(2, integrated_lufs=-16.0), facts(3))
    found = run_album_rules(ctx, profile)
    assert ("ALB002", Severity.WARNING) in {(d.code, d.severity) for d in found}
    assert sum(d.code == "ALB005" for d in found) == 3
    assert all(d.profile == "strict" for d in found)


def test_a_crashing_album_rule_is_a_finding() -> None:
    ctx = dataclasses.replace(album(facts(1)), tracks=(facts(1, duration_s="x"),))  # type: ignore[arg-type]
    found = run_album_rules(ctx, load_profile("cd-redbook"))
    assert any("rule crashed" in d.message for d in found)
