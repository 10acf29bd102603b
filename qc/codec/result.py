"""What a codec preview found: one `CodecPreview` per codec, in a `PreviewRun`.

Pure values (no PyAV), so the rules, the engine and the reports use them
without importing an encoder.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from qc.codec.spec import CodecSpec
from qc.units import fmt_time

__all__ = [
    "SKIPPED_NOTE",
    "CodecPreview",
    "PreviewRun",
    "failed",
    "preview_lines",
    "preview_object",
]

SKIPPED_NOTE = (
    "codec preview skipped: not asked for (mixdesk check --codec-preview aac-256,opus-160, "
    "or codecs = [...] under [rules.codec-true-peak] in a profile)"
)
"""The note of a file whose preview was not asked for."""


@dataclass(frozen=True)
class CodecPreview:
    """The decoded audio of one codec round trip, measured.

    Attributes:
        spec: The spec as asked, e.g. ``aac-256``.
        codec: ``aac``, ``opus``, ``vorbis`` or ``mp3``.
        encoder: The FFmpeg encoder used (``aac`` is FFmpeg's native AAC).
        kbps: Target bit rate, kbit/s.
        coded_kbps: Bit rate of the packets the encoder produced, kbit/s.
        sample_rate: Rate of the decoded audio, Hz (Opus is always 48 kHz).
        true_peak_dbtp: Decoded true peak (``accurate`` method), dBTP.
        true_peak_time_s: Time of that peak in the master's timeline, s.
        channel: Zero-based channel of the true peak.
        sample_peak_dbfs: Decoded sample peak, dBFS.
        clipped_samples: Decoded samples at or beyond full scale (they clip in a
            fixed-point player), counted over every channel.
        integrated_lufs: Decoded integrated loudness, LUFS (None: all gated out).
        over_threshold_dbtp: Level above which crests are counted as overs, dBTP.
        overs: Half-waves whose crest is above the threshold, every channel.
        worst_times_s: Times of the highest overs, highest first, s.
        seconds: Wall time of this codec's round trip and measurement, s.
        note: What to know about this encoder (e.g. a fallback), or ``""``.
        error: Why the round trip failed, else None (the other fields are then
            meaningless).
    """

    spec: str
    codec: str
    encoder: str
    kbps: int
    coded_kbps: float
    sample_rate: int
    true_peak_dbtp: float
    true_peak_time_s: float | None
    channel: int | None
    sample_peak_dbfs: float
    clipped_samples: int
    integrated_lufs: float | None
    over_threshold_dbtp: float
    overs: int
    worst_times_s: tuple[float, ...]
    seconds: float
    note: str = ""
    error: str | None = None


def failed(spec: CodecSpec, reason: str, started: float, encoder: str = "") -> CodecPreview:
    """A `CodecPreview` that says why the round trip failed (``started``: perf_counter, s)."""
    nan = float("nan")
    return CodecPreview(
        spec.text, spec.codec, encoder, spec.kbps, nan, 0, nan, None, None, nan, 0, None,
        nan, 0, (), time.perf_counter() - started, error=reason,
    )  # fmt: skip


@dataclass(frozen=True)
class PreviewRun:
    """The codec preview of one file.

    Attributes:
        requested: The specs asked for (command line or profiles), in order.
        forced: The specs asked for on the command line: every profile judges them.
        codecs: One result per requested spec, in order.
        seconds: Wall time of the whole preview (codecs run in parallel), s.
        note: Why the preview did not run (`SKIPPED_NOTE`), else ``""``.
    """

    requested: tuple[str, ...]
    forced: tuple[str, ...] = ()
    codecs: tuple[CodecPreview, ...] = ()
    seconds: float = 0.0
    note: str = ""


def _num(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def preview_object(run: PreviewRun | None) -> dict[str, Any] | None:
    """The ``codec_preview`` object of a file in the ``mixdesk.check/1`` JSON.

    Args:
        run: The file's preview, or None (an unreadable file).

    Returns:
        ``{requested, note, seconds, codecs: [...]}`` with one object per codec
        (levels in dBTP/dBFS/LUFS, times in s, non-finite numbers as None), or None.
    """
    if run is None:
        return None
    return {
        "requested": list(run.requested),
        "note": run.note or None,
        "seconds": _num(run.seconds),
        "codecs": [
            {
                "spec": c.spec,
                "codec": c.codec,
                "encoder": c.encoder,
                "kbps": c.kbps,
                "coded_kbps": _num(c.coded_kbps),
                "sample_rate": c.sample_rate,
                "true_peak_dbtp": _num(c.true_peak_dbtp),
                "true_peak_time_s": _num(c.true_peak_time_s),
                "channel": c.channel,
                "sample_peak_dbfs": _num(c.sample_peak_dbfs),
                "clipped_samples": c.clipped_samples,
                "integrated_lufs": _num(c.integrated_lufs),
                "over_threshold_dbtp": _num(c.over_threshold_dbtp),
                "overs": c.overs,
                "worst_times_s": [float(t) for t in c.worst_times_s],
                "seconds": _num(c.seconds),
                "note": c.note or None,
                "error": c.error,
            }
            for c in run.codecs
        ],
    }


def preview_lines(run: PreviewRun | None) -> list[str]:
    """One line per codec previewed, for the text and rich reports (none when skipped).

    Example: ``codec preview aac-256: true peak -0.57 dBTP at 00:48.502, sample peak
    -0.63 dBFS, 0 samples >= 0 dBFS, -14.06 LUFS (274 kbit/s, aac)``.
    """
    if run is None:
        return []
    lines = []
    for c in run.codecs:
        if c.error is not None:
            lines.append(f"codec preview {c.spec}: failed: {c.error}")
            continue
        lufs = f"{c.integrated_lufs:.2f} LUFS" if c.integrated_lufs is not None else "n/a LUFS"
        at = fmt_time(c.true_peak_time_s, missing="--:--.---")
        lines.append(
            f"codec preview {c.spec}: true peak {c.true_peak_dbtp:+.2f} dBTP at {at}, "
            f"sample peak {c.sample_peak_dbfs:+.2f} dBFS, {c.clipped_samples} samples >= 0 dBFS, "
            f"{lufs} ({c.coded_kbps:.0f} kbit/s, {c.encoder})"
        )
    return lines
