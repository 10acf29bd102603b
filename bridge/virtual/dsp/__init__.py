"""The virtual DAW's plugins as DSP: pure, streaming, float64, numpy/scipy vectorised.

Every processor keeps its own state between blocks, so a render streams block by
block with memory bounded by the block (and the effect's delay lines):

* :class:`~bridge.virtual.dsp.eq.Eq`: the RBJ Audio EQ Cookbook biquad cascade;
* :class:`~bridge.virtual.dsp.compressor.Compressor`: Giannoulis, Massberg and
  Reiss (JAES 60(6), 2012), feed-forward, stereo-linked, log domain;
* :class:`~bridge.virtual.dsp.reverb.Reverb` and
  :class:`~bridge.virtual.dsp.delay.Delay`: the return tracks' effects.

The contract (:class:`Processor`): ``process(x, values)`` takes a block ``x`` of
shape ``(n, channels)`` (full scale = 1.0) and the plugin's parameter values in
their units, in the order of its :class:`~bridge.dialects.virtual_fx.FxPlugin`,
each a float (constant over the block) or an array of shape ``(n,)`` (one value
per frame: automation). It returns the processed block, shape ``(n, channels)``.

Importing this package imports neither numpy nor scipy; the modules do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats: TypeAlias = npt.NDArray[np.float64]

__all__ = ["Processor", "Values"]

Values: TypeAlias = "Sequence[float | Floats]"
"""A plugin's parameter values, in its parameter order and units: each a float or shape ``(n,)``."""


class Processor(Protocol):
    """A streaming plugin: state kept between blocks."""

    def process(self, x: Floats, values: Values) -> Floats:
        """Process one block.

        Args:
            x: Audio of shape ``(n, channels)``, float64, full scale = 1.0.
            values: The plugin's parameter values in their units (see the
                module docstring).

        Returns:
            The processed block, shape ``(n, channels)``, float64.
        """
        ...

    def reset(self) -> None:
        """Forget all state (filters, detectors, delay lines), as before the first block."""
        ...
