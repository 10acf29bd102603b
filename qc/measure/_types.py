"""Array type aliases shared by the meters."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["Block", "Floats"]

Floats = NDArray[np.float64]
"""A float64 array; shapes are documented where it is used."""

Block = NDArray[np.float64]
"""Audio samples, shape ``(frames, channels)``, float64, full scale = 1.0."""
