"""Codec preview: decoded true peaks against an independent round trip.

The reference round trip is the ffmpeg CLI (encode to M4A, decode to float WAV),
and the reference true peak is an ideal band-limited reconstruction: the whole
decoded file upsampled 16x in the frequency domain (scipy.signal.resample), which
is independent of mixdesk's meters. Masters are seeded, a few seconds long.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample

from qc.codec import parse_specs
from qc.codec.preview import run_preview
from qc.engine import check
from qc.profiles import ProfileCache
from qc.settings import Settings

RATE = 48000
AAC_256 = ("-c:a", "aac", "-aac_pns", "0", "-b:a", "256k")
"""The preview's AAC: FFmpeg's encoder without perceptual noise substitution (its decoded
noise, and so the peaks, would depend on the decoder)."""
SCHEMA = Path(__file__).parents[3] / "docs" / "mixdesk.check-1.schema.json"


def ideal_peak_db(x: np.ndarray, factor: int = 16) -> float:
    """Ideal true peak (dBTP) of ``x`` (frames, channels): FFT upsampling by ``factor``."""
    up = resample(x, len(x) * factor, axis=0)
    return float(20 * np.log10(np.max(np.abs(up))))


def dense_master(rng: np.random.Generator, peak_dbtp: float, seconds: float = 3.0) -> np.ndarray:
    """Dense, bright stereo material (kicks, noise, a saw) scaled to an ideal true peak."""
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-((t % 0.5) * 12))
    saw = 2 * ((t * 220) % 1.0) - 1
    noise = rng.standard_normal((n, 2)) * 0.3
    x = noise + 0.6 * kick[:, None] + 0.25 * saw[:, None]
    x = np.tanh(1.5 * x)  # a soft clipper: flat-ish tops, as a limited master has
    return x * 10 ** ((peak_dbtp - ideal_peak_db(x)) / 20)


def ffmpeg_round_trip(ffmpeg: str, master: Path, *args: str) -> np.ndarray:
    coded = master.with_suffix(".m4a")
    decoded = master.with_suffix(".dec.wav")
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(master), *args, str(coded)], check=True)
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(coded), "-c:a", "pcm_f32le", str(decoded)],
        check=True,
    )
    x, _ = sf.read(decoded, dtype="float64")
    return x


def settings(*specs: str) -> Settings:
    return Settings(ProfileCache().resolve(("default",)), codec_preview=specs)


def test_aac_preview_agrees_with_an_ffmpeg_round_trip(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "hot.wav"
    sf.write(master, dense_master(rng, -1.0), RATE, subtype="FLOAT")
    reference = ideal_peak_db(ffmpeg_round_trip(ffmpeg, master, *AAC_256))
    assert reference > -1.0  # the premise: AAC takes a -1.0 dBTP master over -1 dBTP
    result = check(master, settings("aac-256"))
    assert result.codec_preview is not None
    (aac,) = result.codec_preview.codecs
    assert aac.error is None
    # Two builds of FFmpeg's AAC encoder (the CLI's and PyAV's): within 0.3 dB.
    assert aac.true_peak_dbtp == pytest.approx(reference, abs=0.3)
    flagged = [d for d in result.diagnostics if d.code == "TP002"]
    assert len(flagged) == 1
    assert flagged[0].measured == pytest.approx(aac.true_peak_dbtp)
    assert "aac-256 decodes to" in flagged[0].message
    assert "lower the master's ceiling by" in flagged[0].message


def test_a_master_at_minus_3_dbtp_is_not_flagged(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "safe.wav"
    sf.write(master, dense_master(rng, -3.0), RATE, subtype="FLOAT")
    reference = ideal_peak_db(ffmpeg_round_trip(ffmpeg, master, *AAC_256))
    assert reference < -1.0
    result = check(master, settings("aac-256"))
    assert result.codec_preview is not None
    assert result.codec_preview.codecs[0].true_peak_dbtp == pytest.approx(reference, abs=0.3)
    assert not [d for d in result.diagnostics if d.code == "TP002"]


def test_a_master_at_minus_0_1_dbtp_clips_after_aac(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    master = tmp_path / "hotter.wav"
    sf.write(master, dense_master(rng, -0.1), RATE, subtype="FLOAT")
    result = check(master, settings("aac-256"))
    (d,) = [d for d in result.diagnostics if d.code == "TP002"]
    assert d.severity.label == "error"  # above 0 dBFS: a fixed-point player clips
    assert "above 0 dBFS" in d.message
    assert result.codec_preview is not None
    assert result.codec_preview.codecs[0].true_peak_dbtp > 0.0


@pytest.mark.parametrize("spec", ["aac-256", "opus-160", "vorbis-320", "mp3-320"])
def test_decoded_times_line_up_with_the_master(tmp_path: Path, spec: str) -> None:
    x = np.zeros((2 * RATE, 2))
    click_s = 1.2345
    x[round(click_s * RATE)] = 0.5
    master = tmp_path / "click.wav"
    sf.write(master, x, RATE, subtype="PCM_24")
    run = run_preview(str(master), parse_specs(spec), -1.0, parallel=False)
    (c,) = run.codecs
    assert c.error is None, c.error
    assert c.true_peak_time_s is not None
    assert abs(c.true_peak_time_s - click_s) <= 0.001  # priming dropped: within 1 ms


def test_parallel_and_serial_previews_agree(tmp_path: Path, rng: np.random.Generator) -> None:
    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -1.0, 2.0), RATE, subtype="FLOAT")
    specs = parse_specs("aac-256,mp3-320")
    serial = run_preview(str(master), specs, -1.0, parallel=False)
    parallel = run_preview(str(master), specs, -1.0, parallel=True)
    for a, b in zip(serial.codecs, parallel.codecs, strict=True):
        assert (a.spec, a.true_peak_dbtp, a.integrated_lufs) == (b.spec, b.true_peak_dbtp,
                                                                  b.integrated_lufs)  # fmt: skip
    # The decoded loudness stays near the master's (a codec does not change the level).
    for c in serial.codecs:
        assert c.integrated_lufs is not None
        assert c.coded_kbps == pytest.approx(c.kbps, rel=0.25)


def test_platform_word_previews_the_profiles_codecs(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -0.1, 1.0), RATE, subtype="FLOAT")
    s = Settings(ProfileCache().resolve(("apple-music",)), codec_preview=("platform",))
    result = check(master, s)
    assert result.codec_preview is not None
    assert result.codec_preview.requested == ("aac-256",)
    assert [d.profile for d in result.diagnostics if d.code == "TP002"] == ["apple-music"]
    # Without the word, the shipped profile runs no preview and says so.
    quiet = check(master, Settings(ProfileCache().resolve(("apple-music",))))
    assert quiet.codec_preview is not None
    assert quiet.codec_preview.codecs == ()
    assert quiet.codec_preview.note.startswith("codec preview skipped: not asked for")


def test_json_validates_against_the_schema(tmp_path: Path, rng: np.random.Generator) -> None:
    import jsonschema

    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -0.1, 1.0), RATE, subtype="FLOAT")
    proc = subprocess.run(
        [sys.executable, "-m", "qc", "check", "--format", "json", "--codec-preview",
         "aac-256,opus-96,aac-96:fast", "m.wav"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    preview = doc["files"][0]["codec_preview"]
    assert [c["spec"] for c in preview["codecs"]] == ["aac-256", "opus-96", "aac-96:fast"]
    assert preview["codecs"][1]["sample_rate"] == 48000
    assert preview["codecs"][0]["true_peak_dbtp"] > 0


def test_text_report_shows_each_codec_only_when_asked(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -3.0, 1.0), RATE, subtype="FLOAT")

    def text(*extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "qc", "check", "--format", "text", *extra, "m.wav"],
            capture_output=True, text=True, cwd=tmp_path, check=False,
        ).stdout  # fmt: skip

    shown = [ln for ln in text("--codec-preview", "mp3-320").splitlines() if "codec preview" in ln]
    assert len(shown) == 1
    assert shown[0].startswith("  codec preview mp3-320: true peak ")
    assert "kbit/s, libmp3lame)" in shown[0]
    assert "codec preview" not in text()


def test_fast_aac_agrees_with_the_same_ffmpeg_settings(
    tmp_path: Path, ffmpeg: str, rng: np.random.Generator
) -> None:
    master = tmp_path / "hot.wav"
    sf.write(master, dense_master(rng, -1.0), RATE, subtype="FLOAT")
    reference = ideal_peak_db(ffmpeg_round_trip(ffmpeg, master, *AAC_256, "-aac_coder", "fast"))
    run = run_preview(str(master), parse_specs("aac-256:fast"), -1.0, parallel=False)
    (aac,) = run.codecs
    assert aac.error is None, aac.error
    assert aac.spec == "aac-256:fast"
    assert "fast coder" in aac.note
    assert aac.true_peak_dbtp == pytest.approx(reference, abs=0.3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("opus-160:fast", "opus has no variant 'fast' (known: none)"),
        ("aac-256:hq", "aac has no variant 'hq' (known: aac-256:fast)"),
        ("aac-256:", "expected codec-kbps"),
    ],
)
def test_variants_are_checked(text: str, message: str) -> None:
    from qc.codec import parse_spec
    from qc.errors import UsageError

    with pytest.raises(UsageError, match=re.escape(message)):
        parse_spec(text)


def test_a_killed_encoder_is_an_error_not_a_hang(tmp_path: Path, rng: np.random.Generator) -> None:
    import os
    import signal

    from qc.codec.stages import Stages

    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -1.0, 20.0), RATE, subtype="FLOAT")
    stage = Stages(str(master), parse_specs("aac-256")[0], -1.0)
    os.kill(stage._coder.pid, signal.SIGKILL)  # its coder process, as the OOM killer would
    result = stage.result()
    assert result.error is not None
    assert "process" in result.error


@pytest.mark.parametrize(
    ("specs", "first"),
    [("opus-160,aac-256", "aac-256"), ("aac-256:fast,opus-160", "opus-160"),
     ("aac-256,mp3-320,vorbis-320", "mp3-320")],
)  # fmt: skip
def test_the_costliest_coder_keeps_its_priority(specs: str, first: str) -> None:
    """Measured coder costs (s of CPU per minute): mp3 2.5 > aac 1.7 > opus 0.7 > aac fast 0.6."""
    from qc.codec.preview import _costliest

    assert _costliest(parse_specs(specs)).text == first


def _hang(*_args: object) -> None:
    import time

    time.sleep(3600)  # a coder stuck without using CPU, as in pthread_join on a lost thread


def test_a_hung_encoder_is_an_error_not_a_hang(
    tmp_path: Path, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from qc.codec import stages
    from qc.codec.result import CodecPreview

    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc: the stall watchdog reads CPU times there")
    master = tmp_path / "m.wav"
    sf.write(master, dense_master(rng, -1.0, 2.0), RATE, subtype="FLOAT")
    monkeypatch.setattr(stages, "STALL_S", 1.0)
    monkeypatch.setattr(stages, "_coder", _hang)
    stage = stages.Stages(str(master), parse_specs("aac-256")[0], -1.0)
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(stage.result()), daemon=True)
    waiter.start()
    waiter.join(30)
    if not got:
        stage.close()
        pytest.fail("no result in 30 s: the hung round trip was not stopped")
    result = got[0]
    assert isinstance(result, CodecPreview)
    assert result.error is not None
    assert "made no progress for 1 s" in result.error
    assert not any(p.is_alive() for p in stage._procs)
