"""K-weighting (ITU-R BS.1770-4, Annex 1) and channel weights.

The two stages are a high-frequency shelf (+4 dB above about 1.7 kHz, modelling
the head) and the revised low-frequency B-curve high-pass at about 38 Hz. The
48 kHz coefficients of BS.1770 Table 1 and 2 are the bilinear transform of one
analog prototype; designing from the prototype (as libebur128 does) gives the
same filter at every sample rate.
"""

from __future__ import annotations

import math

import numpy as np

from qc.measure._types import Floats

__all__ = ["channel_weights", "k_weighting_sos"]

_SHELF_F0 = 1681.974450955533  # Hz
_SHELF_GAIN_DB = 3.999843853973347  # dB
_SHELF_Q = 0.7071752369554196
_HP_F0 = 38.13547087602444  # Hz
_HP_Q = 0.5003270373238773

SURROUND_WEIGHT = 1.41
"""BS.1770-4 Table 3: weight of the left and right surround channels (+1.5 dB)."""


def k_weighting_sos(rate: int) -> Floats:
    """Return the K-weighting filter as second-order sections.

    Args:
        rate: Sample rate in Hz.

    Returns:
        Array of shape ``(2, 6)``: rows ``[b0, b1, b2, 1, a1, a2]`` for the
        shelf then the high-pass. At 48 kHz they equal BS.1770-4 Tables 1-2.
    """
    k = math.tan(math.pi * _SHELF_F0 / rate)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * _HP_F0 / rate)
    a0 = 1.0 + k / _HP_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HP_Q + k * k) / a0]
    return np.array([shelf, highpass])


def channel_weights(channels: int) -> Floats:
    """Return the BS.1770-4 channel weights ``G_i`` for a channel count.

    Channel order follows WAV/SMPTE: 4 channels are L R Ls Rs; 5 are
    L R C Ls Rs; 6 are L R C LFE Ls Rs (5.1), where the LFE weight is 0
    (BS.1770 excludes it). Other counts weight every channel 1.0.

    Args:
        channels: Number of channels in the file.

    Returns:
        Weights, shape ``(channels,)``.
    """
    s = SURROUND_WEIGHT
    table = {4: [1.0, 1.0, s, s], 5: [1.0, 1.0, 1.0, s, s], 6: [1.0, 1.0, 1.0, 0.0, s, s]}
    return np.array(table.get(channels, [1.0] * channels), dtype=np.float64)
