"""Measuring on both cores: a meter fed in a forked child, and a map over forked processes.

Not DSP: the process plumbing :mod:`qc.measure.analyzer` uses to run its meters
beside each other (:mod:`qc.parallel.offload`) and its end-of-stream searches
in several processes (:mod:`qc.parallel.forking`).
"""

from qc.parallel.forking import can_fork, fork_is_safe, fork_map, freeze_inherited
from qc.parallel.offload import FORK_AFTER_FRAMES, Beside

__all__ = [
    "FORK_AFTER_FRAMES",
    "Beside",
    "can_fork",
    "fork_is_safe",
    "fork_map",
    "freeze_inherited",
]
