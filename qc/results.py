"""Typed, frozen results of the Python API, named exactly as the JSON report's keys.

Each class mirrors one object of the ``mixdesk.check/1`` JSON contract
(:mod:`qc.report.json_report`) and is built from it (:meth:`CheckResult.from_json`),
so ``result.measurements.true_peak_dbtp`` is the JSON's
``files[i].measurements.true_peak_dbtp``, with the same value: levels in dB
(``_lufs``, ``_dbfs``, ``_dbtp``, ``_lu``), times in seconds (``_s``), and
``None`` where the JSON has ``null`` (silence, too short, not measured).
Lists become tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "BitDepth",
    "ChannelMeasurements",
    "CheckResult",
    "CodecPreview",
    "CodecResult",
    "Dither",
    "Finding",
    "Format",
    "LossyHistory",
    "Measurements",
]

SeverityLabel = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One finding (``diagnostics[i]``); see :class:`qc.diagnostic.Diagnostic`."""

    code: str
    name: str
    severity: SeverityLabel
    message: str
    measured: float | None
    limit: float | None
    unit: str
    start_s: float | None
    end_s: float | None
    channel: int | None
    profile: str


@dataclass(frozen=True)
class Format:
    """Stream facts (``format``): container, codec, subtype, bits, Hz, channels, frames, s.

    Also the coded bit rate (bit/s), and the encoder delay and padding (frames).
    """

    container: str
    codec: str
    subtype: str
    bit_depth: int | None
    sample_rate: int
    channels: int
    frames: int
    duration_s: float
    bit_rate: int | None = None
    priming_frames: int = 0
    padding_frames: int = 0


@dataclass(frozen=True)
class ChannelMeasurements:
    """One channel (``measurements.channels[i]``): LUFS, dBFS, dBTP, s, linear DC, runs."""

    integrated_lufs: float | None
    sample_peak_dbfs: float | None
    true_peak_dbtp: float | None
    true_peak_time_s: float | None
    dc_offset: float | None
    clipped_runs: int


@dataclass(frozen=True)
class BitDepth:
    """Effective bit depth (``measurements.bit_depth``), bits."""

    container_bits: int | None
    used_bits: int | None
    effective_bits: float | None
    padded: bool
    lattice_spacing: float | None


@dataclass(frozen=True)
class Dither:
    """The dither detector's verdict (``measurements.dither``).

    ``kind`` is its detail, or the reason of an ``inconclusive`` verdict.
    """

    verdict: str
    kind: str
    start_s: float | None
    end_s: float | None
    rho1: float | None
    rms_lsb: float | None
    windows: int


@dataclass(frozen=True)
class LossyHistory:
    """The lossy-history detector's verdict (``measurements.lossy_history``): Hz, dB, z."""

    verdict: str
    reason: str
    cutoff_hz: float | None
    shelf_db: float | None
    cutoff_steady: float | None
    grid_family: str | None
    grid_z: float | None


@dataclass(frozen=True)
class Measurements:
    """What one pass measured (``measurements``)."""

    integrated_lufs: float | None
    loudness_range_lu: float | None
    max_momentary_lufs: float | None
    max_short_term_lufs: float | None
    sample_peak_dbfs: float | None
    true_peak_dbtp: float | None
    true_peak_time_s: float | None
    clipped_runs: int
    clipped_samples: int
    longest_clip_run: int
    dc_offset: float | None
    max_momentary_time_s: float | None
    max_short_term_time_s: float | None
    true_peak_method: str
    true_peak_overs: int
    true_peak_over_threshold_dbtp: float
    clip_level_dbfs: float | None
    clip_full_scale: bool
    bit_depth: BitDepth
    dither: Dither
    lossy_history: LossyHistory
    channels: tuple[ChannelMeasurements, ...]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Measurements:
        """Build from the JSON report's ``measurements`` object."""
        nested = {
            "bit_depth": BitDepth(**obj["bit_depth"]),
            "dither": Dither(**obj["dither"]),
            "lossy_history": LossyHistory(**obj["lossy_history"]),
            "channels": tuple(ChannelMeasurements(**c) for c in obj["channels"]),
        }
        return cls(**{**obj, **nested})


@dataclass(frozen=True)
class CodecResult:
    """One codec of the preview (``codec_preview.codecs[i]``): dBTP, dBFS, LUFS, s, kbit/s."""

    spec: str
    codec: str
    encoder: str
    kbps: int
    coded_kbps: float | None
    sample_rate: int
    true_peak_dbtp: float | None
    true_peak_time_s: float | None
    channel: int | None
    sample_peak_dbfs: float | None
    clipped_samples: int
    integrated_lufs: float | None
    over_threshold_dbtp: float | None
    overs: int
    worst_times_s: tuple[float, ...]
    seconds: float | None
    note: str | None
    error: str | None


@dataclass(frozen=True)
class CodecPreview:
    """The codec preview (``codec_preview``): codecs asked for, a skipped note, results."""

    requested: tuple[str, ...]
    note: str | None
    seconds: float | None
    codecs: tuple[CodecResult, ...]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CodecPreview:
        """Build from the JSON's ``codec_preview`` object."""
        codecs = tuple(
            CodecResult(**{**c, "worst_times_s": tuple(c["worst_times_s"])}) for c in obj["codecs"]
        )
        return cls(tuple(obj["requested"]), obj["note"], obj["seconds"], codecs)


@dataclass(frozen=True)
class CheckResult:
    """The check of one file: the JSON report's file object, plus its settings' verdict.

    Attributes:
        path: The file as given.
        error: Why it could not be measured, else ``None``.
        format: Stream facts, or ``None`` when the header could not be read.
        measurements: The measurements, or ``None`` when it could not be measured.
        diagnostics: The findings, worst first, waivers applied.
        profiles: The profiles it was checked against.
        fail_level: ``error``, ``warning`` or ``info``: the file's config's fail level.
        codec_preview: The codec preview (`mixdesk check --codec-preview`), or None.
    """

    path: str
    error: str | None
    format: Format | None
    measurements: Measurements | None
    diagnostics: tuple[Finding, ...]
    profiles: tuple[str, ...] = ()
    fail_level: SeverityLabel = "error"
    codec_preview: CodecPreview | None = None

    @property
    def failed(self) -> bool:
        """True when ``mixdesk check`` would exit non-zero for this file alone."""
        order = ("info", "warning", "error")
        level = order.index(self.fail_level)
        return self.error is not None or any(
            order.index(d.severity) >= level for d in self.diagnostics
        )

    @classmethod
    def from_json(
        cls,
        obj: Mapping[str, Any],
        *,
        profiles: tuple[str, ...] = (),
        fail_level: SeverityLabel = "error",
    ) -> CheckResult:
        """Build from one file object of the JSON report (:func:`~qc.report.file_object`)."""
        fmt, m = obj["format"], obj["measurements"]
        return cls(
            path=obj["path"],
            error=obj["error"],
            format=Format(**fmt) if fmt is not None else None,
            measurements=Measurements.from_json(m) if m is not None else None,
            diagnostics=tuple(Finding(**d) for d in obj["diagnostics"]),
            profiles=profiles,
            fail_level=fail_level,
            codec_preview=CodecPreview.from_json(cp) if (cp := obj.get("codec_preview")) else None,
        )
