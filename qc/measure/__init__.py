"""Pure streaming DSP: blocks in, frozen results out. No I/O, no config, no printing.

Meters (each ``feed(block)`` then ``result()``):

* :class:`~qc.measure.loudness.LoudnessMeter`: BS.1770-4 integrated loudness,
  momentary/short-term series and maxima, Tech 3342 loudness range.
* :class:`~qc.measure.truepeak.TruePeakMeter`: true peak, dBTP.
* :class:`~qc.measure.clipping.ClipDetector`: plateaus at the maximum magnitude.
* :class:`~qc.measure.levels.LevelMeter`: sample peak and DC offset.

:func:`~qc.measure.analyzer.analyze` runs all of them in one pass.
"""

from qc.measure.analyzer import Analyzer, Measurements, MeasureOptions, analyze
from qc.measure.clipping import ClipDetector, ClippingResult, ClipRun
from qc.measure.gating import power_to_lufs
from qc.measure.levels import LevelMeter, LevelResult
from qc.measure.loudness import LoudnessMeter, LoudnessResult
from qc.measure.truepeak import Over, TruePeakMeter, TruePeakResult, amplitude_to_db

__all__ = [
    "Analyzer",
    "ClipDetector",
    "ClipRun",
    "ClippingResult",
    "LevelMeter",
    "LevelResult",
    "LoudnessMeter",
    "LoudnessResult",
    "MeasureOptions",
    "Measurements",
    "Over",
    "TruePeakMeter",
    "TruePeakResult",
    "amplitude_to_db",
    "analyze",
    "power_to_lufs",
]
