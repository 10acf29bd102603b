"""The ``mixdesk.check/1`` JSON contract.

Keys may be added but never renamed: the watch log and CI consumers depend on
them. Infinite and NaN values are written as ``null``.

A document is ``{"schema", "files": [file object...], "summary"}``; the
``json-lines`` format writes the same file objects, one per line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from qc.codec.result import preview_object
from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.measure import Measurements, amplitude_to_db

__all__ = ["SCHEMA", "diagnostic_object", "file_object", "render_json", "summary_object"]

SCHEMA = "mixdesk.check/1"


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _when(level: float | None, time_s: float | None) -> float | None:
    """A time is only meaningful when its level is a number."""
    return _num(time_s) if _num(level) is not None else None


def measurement_object(m: Measurements) -> dict[str, Any]:
    """The ``measurements`` object of one file."""
    loud, tp, lv, clip = m.loudness, m.true_peak, m.levels, m.clipping
    dc = max(lv.channel_dc, key=abs, default=0.0)
    return {
        "integrated_lufs": _num(loud.integrated_lufs),
        "loudness_range_lu": _num(loud.loudness_range_lu),
        "max_momentary_lufs": _num(loud.max_momentary_lufs),
        "max_short_term_lufs": _num(loud.max_short_term_lufs),
        "sample_peak_dbfs": _num(amplitude_to_db(max(lv.channel_peak, default=0.0))),
        "true_peak_dbtp": _num(tp.dbtp),
        "true_peak_time_s": _num(tp.time_s),
        "clipped_runs": clip.runs,
        "clipped_samples": clip.samples,
        "longest_clip_run": clip.longest,
        "dc_offset": _num(dc),
        # Added keys (mixdesk.check/1 allows additions):
        "max_momentary_time_s": _when(loud.max_momentary_lufs, loud.max_momentary_time_s),
        "max_short_term_time_s": _when(loud.max_short_term_lufs, loud.max_short_term_time_s),
        "true_peak_method": tp.method,
        "true_peak_overs": sum(tp.channel_overs),
        "true_peak_over_threshold_dbtp": tp.over_threshold_dbtp,
        "clip_level_dbfs": _num(amplitude_to_db(clip.level)),
        "clip_full_scale": clip.full_scale,
        "bit_depth": _bit_depth_object(m),
        "dither": _dither_object(m),
        "lossy_history": _lossy_object(m),
        "channels": [
            {
                "integrated_lufs": _num(loud.channel_integrated_lufs[c]),
                "sample_peak_dbfs": _num(amplitude_to_db(lv.channel_peak[c])),
                "true_peak_dbtp": _num(tp.channel_dbtp[c]),
                "true_peak_time_s": _num(tp.channel_time_s[c]),
                "dc_offset": _num(lv.channel_dc[c]),
                "clipped_runs": clip.channel_runs[c],
            }
            for c in range(m.channels)
        ],
    }


def _bit_depth_object(m: Measurements) -> dict[str, Any]:
    bd = m.bit_depth
    return {
        "container_bits": bd.container_bits,
        "used_bits": bd.used_bits,
        "effective_bits": bd.effective_bits,
        "padded": bd.padded,
        "lattice_spacing": _num(bd.lattice_spacing),
    }


def _dither_object(m: Measurements) -> dict[str, Any]:
    d = m.dither
    ev = d.evidence
    return {
        "verdict": d.verdict,
        "kind": d.kind,
        "start_s": _num(ev.start_s) if ev is not None else None,
        "end_s": _num(ev.end_s) if ev is not None else None,
        "rho1": _num(ev.rho1) if ev is not None else None,
        "rms_lsb": _num(ev.rms_lsb) if ev is not None else None,
        "windows": ev.windows if ev is not None else 0,
    }


def _lossy_object(m: Measurements) -> dict[str, Any]:
    lossy = m.lossy
    grid = lossy.grid
    return {
        "verdict": lossy.verdict,
        "reason": lossy.reason,
        "cutoff_hz": _num(lossy.cutoff_hz),
        "shelf_db": _num(lossy.drop_db),
        "cutoff_steady": _num(lossy.steady),
        "grid_family": grid.family if grid is not None else None,
        "grid_z": _num(grid.z) if grid is not None else None,
    }


def diagnostic_object(d: Diagnostic) -> dict[str, Any]:
    """One entry of a file's ``diagnostics`` list.

    Args:
        d: The finding.

    Returns:
        ``{code, name, severity, message, measured, limit, unit, start_s, end_s,
        channel, profile}``, with ``severity`` as ``error``/``warning``/``info``
        and non-finite numbers as ``None``.
    """
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "measured": _num(d.measured),
        "limit": _num(d.limit),
        "unit": d.unit,
        "start_s": _num(d.start_s),
        "end_s": _num(d.end_s),
        "channel": d.channel,
        "profile": d.profile,
    }


def summary_object(results: Sequence[FileResult]) -> dict[str, int]:
    """The top-level ``summary`` of a run: counts of files and findings.

    Args:
        results: Every file of the run.

    Returns:
        ``{files, errors, warnings, infos, unreadable}``; ``errors`` counts
        error findings, ``unreadable`` counts files whose ``error`` is set.
    """
    found = [d.severity for r in results for d in r.diagnostics]
    return {
        "files": len(results),
        "errors": found.count(Severity.ERROR),
        "warnings": found.count(Severity.WARNING),
        "infos": found.count(Severity.INFO),
        "unreadable": sum(r.error is not None for r in results),
    }


def file_object(result: FileResult) -> dict[str, Any]:
    """The per-file object of the contract (also one line of the watch log)."""
    info = result.info
    fmt = None
    if info is not None:
        fmt = {
            "container": info.container,
            "codec": info.codec,
            "subtype": info.subtype,
            "bit_depth": info.bit_depth,
            "sample_rate": info.sample_rate,
            "channels": info.channels,
            "frames": info.frames,
            "duration_s": info.duration_s,
            "bit_rate": info.bit_rate,
            "priming_frames": info.priming_frames,
            "padding_frames": info.padding_frames,
        }
    m = result.measurements
    return {
        "path": result.path,
        "error": result.error,
        "format": fmt,
        "measurements": measurement_object(m) if m is not None else None,
        "diagnostics": [diagnostic_object(d) for d in result.diagnostics],
        "codec_preview": preview_object(result.codec_preview),
    }


def render_json(results: Sequence[FileResult]) -> str:
    """Render a whole run as one JSON document.

    Args:
        results: Every file of the run, in output order.

    Returns:
        The indented document ``{"schema", "files", "summary"}`` and a newline.
    """
    doc = {
        "schema": SCHEMA,
        "files": [file_object(r) for r in results],
        "summary": summary_object(results),
    }
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
