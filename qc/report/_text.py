"""Formatting helpers shared by the renderers: times and levels (names: :mod:`qc.printable`)."""

from __future__ import annotations

from qc.units import fmt_db, fmt_time

__all__ = ["fmt_db", "fmt_time"]
