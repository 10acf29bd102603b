"""What the plots of one file show, gathered from its result and its profiles (no matplotlib).

The plots draw measurements, never compute them: the series come from the one
measurement pass (:class:`~qc.measure.analyzer.Measurements`), the target band
and the true-peak ceiling from the profiles the file was checked against, and
the numbered markers from its findings (the HTML report's rows link to them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qc.checks import get
from qc.checks.runner import rule_options
from qc.engine import FileResult
from qc.errors import QCError
from qc.measure import Measurements
from qc.profiles import Profile, load_profile

__all__ = ["Marker", "PlotContext", "plot_context"]


@dataclass(frozen=True)
class Marker:
    """A finding with a time, drawn as a numbered vertical line.

    Attributes:
        number: The finding's row number in the report (1-based).
        time_s: Where it starts, s.
        code: Its rule code.
        severity: ``error``, ``warning`` or ``info``.
    """

    number: int
    time_s: float
    code: str
    severity: str


@dataclass(frozen=True)
class PlotContext:
    """Everything the plots of one file draw.

    Attributes:
        name: The file as given (shown as text, never markup).
        measurements: The one-pass measurements.
        target_lufs: The profile's integrated-loudness target, LUFS, or ``None``.
        tolerance_lu: Half-width of the target band, LU, or ``None`` (a line only).
        ceiling_dbtp: The true-peak ceiling, dBTP (the over threshold without a profile's).
        markers: Findings with a time, in report order.
    """

    name: str
    measurements: Measurements
    target_lufs: float | None
    tolerance_lu: float | None
    ceiling_dbtp: float
    markers: tuple[Marker, ...]


def _profiles(names: Sequence[str]) -> list[Profile]:
    out = []
    for name in names:
        try:
            out.append(load_profile(name))
        except QCError:  # a profile given as a path that moved: no band, still a plot
            continue
    return out


def _option(profiles: Sequence[Profile], rule_name: str, key: str) -> float | None:
    """The first profile's value of a rule option, when that profile runs the rule."""
    rule = get(rule_name)
    for p in profiles:
        settings = p.rules.get(rule_name)
        enabled = rule.enabled if settings is None or settings.enabled is None else settings.enabled
        if enabled:
            value = rule_options(rule, p)[0].get(key)
            if isinstance(value, int | float):
                return float(value)
    return None


def plot_context(
    result: FileResult, profiles: Sequence[Profile] | None = None
) -> PlotContext | None:
    """Gather what the plots of one file show.

    Args:
        result: The file's result.
        profiles: Its profiles; ``None`` loads them by the names in ``result``.

    Returns:
        The context, or ``None`` when the file was not measured.
    """
    m = result.measurements
    if m is None:
        return None
    found = list(profiles) if profiles is not None else _profiles(result.profiles)
    target = _option(found, "integrated-loudness", "target_lufs")
    tolerance = (
        _option(found, "integrated-loudness", "tolerance_lu") if target is not None else None
    )
    if target is None:
        target = _option(found, "normalization-preview", "target_lufs")
    ceiling = _option(found, "true-peak-ceiling", "max_dbtp")
    markers = tuple(
        Marker(i, d.start_s, d.code, d.severity.label)
        for i, d in enumerate(result.diagnostics, start=1)
        if d.start_s is not None
    )
    return PlotContext(
        name=result.path,
        measurements=m,
        target_lufs=target,
        tolerance_lu=tolerance,
        ceiling_dbtp=ceiling if ceiling is not None else m.true_peak.over_threshold_dbtp,
        markers=markers,
    )
