"""Every rule has a failing and a passing case, built from synthesized signals.

Each case measures a numpy signal with the real one-pass analyzer, runs one
rule with its defaults plus the case's options, and compares the codes and
severities it yields with the expected ones.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from qc.audio import StreamInfo
from qc.checks import ALL_RULES, get
from qc.checks.rule import Context
from qc.diagnostic import Diagnostic, Severity
from qc.measure import analyze
from tests.qc.measure.test_detectors import _codec_like, decaying_tail, quantise

FS = 48000


def _rounded_tail(how: str) -> np.ndarray:
    return quantise(decaying_tail(), how)


def _decoded(shelf_hz: float | None = None) -> np.ndarray:
    """White noise through a KBD MDCT codec stand-in (few coefficients kept), or low-passed."""
    x = 0.1 * np.random.default_rng(5).standard_normal(int(3 * FS))
    if shelf_hz is not None:
        spec = np.fft.rfft(x)
        spec[np.fft.rfftfreq(len(x), 1 / FS) > shelf_hz] = 0
        return np.rint(np.fft.irfft(spec, len(x)) * 2**23) / 2**23
    return _codec_like(x, 1024, "kbd", keep=120, offset=333)


def tone(seconds: float, db: float = -20.0, freq: float = 997.0, phase: float = 0.0) -> np.ndarray:
    n = np.arange(round(seconds * FS))
    return 10 ** (db / 20) * np.sin(2 * np.pi * freq * n / FS + phase)


def stereo(left: np.ndarray, right: np.ndarray | None = None) -> np.ndarray:
    return np.stack([left, left if right is None else right], axis=1)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * FS))


def run(
    name: str, x: np.ndarray, info: dict[str, Any] | None = None, **opts: Any
) -> list[Diagnostic]:
    facts = {
        "path": "t.wav", "container": "wav", "codec": "pcm", "lossy": False, "subtype": "PCM_24",
        "bit_depth": 24, "sample_rate": FS, "channels": x.shape[1], "frames": len(x),
        "duration_s": len(x) / FS,
    }  # fmt: skip
    facts.update(info or {})
    blocks = (x[i : i + 65536] for i in range(0, len(x), 65536))
    m = analyze(blocks, FS, x.shape[1], bit_depth=facts["bit_depth"])
    rule = get(name)
    options = {**rule.defaults(), **opts}
    ctx = Context("t.wav", StreamInfo(**facts), m, "test")
    return list(rule.check(ctx, options, rule.severity))


def codes(found: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(d.code, d.severity.label) for d in found]


def clipped(level: float = 1.0, seconds: float = 1.0) -> np.ndarray:
    return np.clip(2.0 * tone(seconds, 0.0, 100.0, 0.1), -1, 1) * level


def bursts(seconds: float = 4.0) -> np.ndarray:
    """Decaying noise hits every 0.5 s: a high peak-to-loudness ratio."""
    rng = np.random.default_rng(5)
    x = np.zeros(round(seconds * FS))
    hit = rng.standard_normal(2400) * np.exp(-np.arange(2400) / 300) * 0.5
    for start in range(0, len(x) - 2400, FS // 2):
        x[start : start + 2400] += hit
    return x


def fade(seconds: float = 4.0) -> np.ndarray:
    """A 24-bit-quantised 997 Hz note decaying 60 dB: plenty of quiet samples."""
    n = np.arange(round(seconds * FS))
    x = 0.5 * np.sin(2 * np.pi * 997 * n / FS) * 10 ** (-3 * n / len(n))
    return np.rint(x * 2**23) / 2**23


def as_16bit(x: np.ndarray, gain_db: float = 0.0) -> np.ndarray:
    """16-bit audio padded into 24 bits, optionally with a gain change afterwards."""
    y = np.rint(x * 2**15) / 2**15 * 10 ** (gain_db / 20)
    return np.rint(y * 2**23) / 2**23


CASES: list[tuple[str, str, Any, dict[str, Any], dict[str, Any], list[tuple[str, str]]]] = [
    # (id, rule, signal, info overrides, options, expected)
    ("lossy-fail", "lossy-source", stereo(tone(1)), {"lossy": True, "codec": "mp3"}, {}, [("FMT001", "error")]),
    ("lossy-pass", "lossy-source", stereo(tone(1)), {}, {}, []),
    ("format-fail", "delivery-format", stereo(tone(1)), {}, {"sample_rates": (44100,), "bit_depths": (16,)},
     [("FMT002", "error"), ("FMT002", "error")]),
    ("format-pass", "delivery-format", stereo(tone(1)), {}, {"sample_rates": (48000,), "channels": (2,)}, []),
    ("clip-fail", "full-scale-clipping", stereo(clipped()), {}, {}, [("CLP001", "error")]),
    ("clip-pass", "full-scale-clipping", stereo(tone(1, -1.0)), {}, {}, []),
    ("flat-top-fail", "flat-top-clipping", stereo(clipped(0.5)), {}, {}, [("CLP002", "error")]),
    ("flat-top-pass-full-scale", "flat-top-clipping", stereo(clipped(1.0)), {}, {}, []),
    ("tp-fail", "true-peak-ceiling", stereo(tone(1, 0.0, FS / 4, np.pi / 4)), {}, {}, [("TP001", "error")]),
    ("tp-warn", "true-peak-ceiling", stereo(tone(1, -1.2, FS / 4, np.pi / 4)), {}, {}, [("TP001", "warning")]),
    ("tp-pass", "true-peak-ceiling", stereo(tone(1, -6.0, FS / 4, np.pi / 4)), {}, {}, []),
    ("loudness-fail", "integrated-loudness", stereo(tone(5, -23.0)), {}, {"target_lufs": -16.0}, [("LUF001", "error")]),
    ("loudness-pass", "integrated-loudness", stereo(tone(5, -23.0)), {}, {"target_lufs": -23.0}, []),
    ("loudness-silent", "integrated-loudness", stereo(silence(2)), {}, {}, [("LUF001", "error")]),
    ("short-term-fail", "max-short-term", stereo(tone(5, -10.0)), {}, {"max_lufs": -18.0}, [("LUF002", "error")]),
    ("short-term-pass", "max-short-term", stereo(tone(5, -25.0)), {}, {"max_lufs": -18.0}, []),
    ("lra-fail", "loudness-range", stereo(np.concatenate([tone(20, -20), tone(20, -30)])), {}, {"max_lu": 5.0},
     [("LUF003", "error")]),
    ("lra-pass", "loudness-range", stereo(np.concatenate([tone(20, -20), tone(20, -30)])), {}, {"max_lu": 12.0}, []),
    # A stereo 997 Hz sine reads its peak level in LUFS within 0.1 LU (BS.1770: K-weighting
    # +0.69 dB at 1 kHz cancels the -0.691 offset; two channels make up the sine's -3 dB).
    ("far-below-fail", "far-below-target", stereo(tone(5, -36.0)), {}, {}, [("LUF005", "warning")]),
    ("far-below-pass", "far-below-target", stereo(tone(5, -28.0)), {}, {}, []),
    ("far-below-silent", "far-below-target", stereo(silence(2)), {}, {}, []),
    ("preview-down", "normalization-preview", stereo(tone(5, -5.0)), {}, {"target_lufs": -14.0},
     [("LUF004", "info"), ("LUF004", "warning")]),
    ("preview-boost", "normalization-preview", stereo(tone(5, -20.0)), {}, {"boost": "headroom"}, [("LUF004", "info")]),
    ("leading-fail", "leading-silence", stereo(np.concatenate([silence(3), tone(2)])), {}, {}, [("SIL001", "warning")]),
    ("leading-pass", "leading-silence", stereo(np.concatenate([silence(1), tone(2)])), {}, {}, []),
    ("trailing-fail", "trailing-silence", stereo(np.concatenate([tone(2), silence(6)])), {}, {}, [("SIL002", "warning")]),
    ("trailing-pass", "trailing-silence", stereo(np.concatenate([tone(2), silence(1)])), {}, {}, []),
    ("silent-channel-fail", "silent-channel", stereo(tone(2), silence(2)), {}, {}, [("SIL003", "error")]),
    ("silent-channel-pass", "silent-channel", stereo(tone(2)), {}, {}, []),
    ("silent-file-fail", "silent-file", stereo(silence(2)), {}, {}, [("SIL004", "error")]),
    ("silent-file-pass", "silent-file", stereo(tone(2, -50)), {}, {}, []),
    ("dc-fail", "dc-offset", stereo(tone(2) + 0.01), {}, {}, [("CH001", "warning"), ("CH001", "warning")]),
    ("dc-pass", "dc-offset", stereo(tone(2)), {}, {}, []),
    ("phase-fail", "phase-correlation", stereo(tone(2), -tone(2)), {}, {}, [("CH002", "error")]),
    ("phase-pass", "phase-correlation", stereo(tone(2), 0.5 * tone(2)), {}, {}, []),
    ("phase-passage", "phase-correlation",
     stereo(tone(6), np.concatenate([tone(4), -tone(2)[: round(2 * FS)]])), {}, {}, [("CH002", "warning")]),
    ("dual-mono-info", "dual-mono", stereo(tone(2)), {}, {}, [("CH003", "info")]),
    ("dual-mono-pass", "dual-mono", stereo(tone(2), tone(2, -21)), {}, {}, []),
    ("headroom-fail", "no-headroom", stereo(tone(2, -0.5)), {}, {}, [("HDR001", "error")]),
    ("headroom-pass", "no-headroom", stereo(tone(2, -6.0)), {}, {}, []),
    ("limited-fail", "limited-mix-bus", stereo(clipped(0.9, 4.0)), {}, {}, [("HDR002", "error")]),
    ("limited-pass", "limited-mix-bus", stereo(bursts()), {}, {}, []),
    ("padded-fail", "padded-bit-depth", stereo(as_16bit(fade())), {}, {}, [("DTH002", "warning")]),
    ("padded-gain-fail", "padded-bit-depth", stereo(as_16bit(fade(), -1.0)), {}, {}, [("DTH002", "warning")]),
    ("padded-tone-pass", "padded-bit-depth", stereo(np.rint(tone(4, -60.0, 1000.0) * 2**23) / 2**23), {}, {}, []),
    ("padded-low-tone-pass", "padded-bit-depth", stereo(np.rint(tone(4, -48.0, 50.0) * 2**23) / 2**23), {}, {}, []),
    ("padded-pass", "padded-bit-depth", stereo(fade()), {}, {}, []),
    ("dither-fail", "missing-dither", _rounded_tail("round"), {"bit_depth": 16}, {}, [("DTH001", "error")]),
    ("dither-truncated-fail", "missing-dither", _rounded_tail("floor"), {"bit_depth": 16}, {}, [("DTH001", "error")]),
    ("dither-pass", "missing-dither", _rounded_tail("tpdf"), {"bit_depth": 16}, {}, []),
    ("dither-24bit-pass", "missing-dither", quantise(decaying_tail(), "round", 24), {}, {}, []),
    ("lossy-history-fail", "lossy-history", stereo(_decoded()), {"bit_depth": 16}, {}, [("LSY001", "error")]),
    ("lossy-history-suspect", "lossy-history", stereo(_decoded(15000.0)), {}, {}, [("LSY001", "warning")]),
    ("lossy-history-pass", "lossy-history", stereo(_decoded(23500.0)), {}, {}, []),
    ("lossy-history-mp3-hint", "lossy-history", stereo(tone(2)), {"lossy": True, "codec": "mp3",
     "transcode_hint": "320 kbps MP3 with a 16.0 kHz lowpass"}, {}, [("LSY001", "warning")]),
    ("padded-16bit-container", "padded-bit-depth", stereo(as_16bit(fade())), {"bit_depth": 16}, {}, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "x", "info", "opts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_case(rule: str, x: np.ndarray, info: dict[str, Any], opts: dict[str, Any], expected: list[tuple[str, str]]) -> None:  # fmt: skip
    assert codes(run(rule, x, info, **opts)) == expected


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    engine_only = {"unreadable-file"}  # reported by the engine, tested in test_cli_check
    engine_only |= {r.name for r in ALL_RULES if r.code.startswith("ALB")}  # tests/qc/album
    engine_only |= {"codec-true-peak"}  # judges a codec preview: tests/qc/codec
    covered_fail = {c[1] for c in CASES if c[5]}
    covered_pass = {c[1] for c in CASES if not c[5]}
    names = {r.name for r in ALL_RULES} - engine_only
    assert names <= covered_fail
    assert names - {"normalization-preview", "dual-mono"} <= covered_pass  # info-only rules


def test_messages_carry_value_limit_and_place() -> None:
    (d,) = run("true-peak-ceiling", stereo(tone(1, 0.0, FS / 4, np.pi / 4)))
    assert d.measured == pytest.approx(0.0, abs=0.15)  # the abrupt start adds Gibbs overshoot
    assert d.limit == -1.0
    assert d.unit == "dBTP"
    assert d.start_s is not None
    assert 0 < d.start_s < 1
    (c,) = run("full-scale-clipping", stereo(clipped()))
    assert "mastering cannot repair clipping" in c.message


def test_preview_applies_spotify_headroom_rule() -> None:
    # -20 LUFS sine peaking at -20 dBTP: Spotify raises it 6 dB to -14 (peak -14 <= -1).
    (d,) = run("normalization-preview", stereo(tone(5, -20.0)), boost="headroom")
    assert d.measured == pytest.approx(6.0, abs=0.1)
    # Peaking at -2 dBTP and quieter than -14: only 1 dB of headroom to -1 dBTP.
    burst = tone(0.1, -2.0) * np.hanning(round(0.1 * FS))  # smooth: no overshoot
    quiet_peaky = stereo(np.concatenate([burst, tone(5, -20.0)]))
    (e,) = run("normalization-preview", quiet_peaky, boost="headroom")
    assert e.measured == pytest.approx(1.0, abs=0.1)


def test_crashing_rule_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from qc.checks import runner
    from qc.profiles import load_profile

    rule = get("dc-offset")

    def boom(*_: object) -> None:
        raise ZeroDivisionError("x")

    monkeypatch.setattr(type(rule), "check", boom)
    x = stereo(tone(1))
    m = analyze([x], FS, 2)
    info = StreamInfo("t.wav", "wav", "pcm", False, "PCM_24", 24, FS, 2, len(x), len(x) / FS)
    found = runner.run_rules(Context("t.wav", info, m, ""), load_profile("default"))
    crash = [d for d in found if d.code == "CH001"]
    assert crash
    assert crash[0].severity is Severity.ERROR
    assert "crashed" in crash[0].message
    assert any(d.code == "CH003" for d in found)  # the run went on


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("TP001", [], [], True),
        ("TP001", ["TP"], [], True),
        ("TP001", ["LUF"], [], False),
        ("TP001", [], ["TP"], False),
        ("TP001", ["TP001"], ["TP"], True),  # longest prefix wins
        ("TP001", ["T"], ["TP0"], False),
    ],
)
def test_select_ignore_prefixes(
    code: str, select: list[str], ignore: list[str], expected: bool
) -> None:
    from qc.checks.runner import is_selected

    assert is_selected(code, select, ignore) is expected


def test_dataclass_replace_keeps_findings_frozen() -> None:
    (d,) = run("silent-file", stereo(silence(1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.code = "X"  # type: ignore[misc]
