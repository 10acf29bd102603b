"""Plots of a checked file: loudness, peaks, spectrum and stereo over time.

Importing this package does not import matplotlib (the extra ``report``); it is
imported when a figure is drawn (:mod:`qc.plot.render`).
"""

from qc.plot.context import Marker, PlotContext, plot_context
from qc.plot.render import MISSING, figure, require_matplotlib, to_png, to_svg

__all__ = [
    "KINDS",
    "MISSING",
    "Marker",
    "PlotContext",
    "figure",
    "plot_context",
    "require_matplotlib",
    "to_png",
    "to_svg",
]

KINDS = ("loudness", "peaks", "spectrum", "stereo")
"""The plots, in the report's order (the same as :data:`qc.plot.figures.KINDS`)."""
