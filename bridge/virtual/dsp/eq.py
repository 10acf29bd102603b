"""The track EQ: RBJ cookbook biquads in cascade, streaming, float64.

Parameters follow :data:`bridge.dialects.virtual_fx.EQ` (per band ``<Band>
freq`` Hz, ``<Band> gain`` dB for shelves and peaking bands, ``<Band> BW``
octaves; then ``Output gain`` dB and ``Wet`` %). Coefficients come from
:func:`bridge.virtual.dsp.biquad.section` (the Audio EQ Cookbook).

Signal flow of one block ``x`` of shape ``(n, channels)``:

1. the bands that are in run in cascade order high-pass, low shelf, bands 1-4,
   notch, high shelf (``scipy.signal.sosfilt``, transposed direct form II; each
   band keeps its own state between blocks, and the state survives a
   coefficient change);
2. ``eq = 10^(Output gain/20) · cascade(x)`` and ``out = w·eq + (1 - w)·x`` with
   ``w = Wet/100``; both per frame when automated.

**Which bands are in.** :meth:`Eq.process` takes ``bands_on``, the band keys of
``EQ_BANDS`` (``"hipass"``, ``"band/1"`` …) that are in; ``None`` (the default)
means all of them. A band that is out is skipped and its state cleared, so it
starts from silence when it comes back in.

**Automation.** When a band's values are arrays of shape ``(n,)``, its
coefficients are recomputed at a control rate of :data:`CONTROL_FRAMES` frames,
on a grid counted from the first frame after :meth:`Eq.reset`, from the values
at each sub-block's first frame (a sub-block that straddles two blocks keeps
the coefficients it began with, so the result does not depend on block sizes);
runs of equal coefficients are filtered in one call. Constant values (floats)
take effect at once, at the block's first frame. Output gain and wet
are applied per frame.

**Digital silence.** A state that has rung out below :data:`FLUSH_LEVEL` is
set to zero at the next :data:`FLUSH_FRAMES` boundary of a block that holds
silence (see :func:`_silence_aware`): subnormal floats would make the filters
some 30x slower, and the change is below 1e-150 of full scale.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Final

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import EQ, EQ_BANDS
from bridge.virtual.dsp import Values
from bridge.virtual.dsp.biquad import section

__all__ = ["CONTROL_FRAMES", "FLUSH_FRAMES", "FLUSH_LEVEL", "Eq"]

Floats = npt.NDArray[np.float64]

CONTROL_FRAMES: Final = 32
"""Frames between coefficient updates of an automated band (0.67 ms at 48 kHz)."""

FLUSH_FRAMES: Final = 4096
"""Piece length, in frames, of the filtering of a block that holds digital silence."""

FLUSH_LEVEL: Final = 1e-150
"""A filter state below this (-3000 dBFS) is flushed to zero before a piece."""

_LN10_20: Final = np.log(10.0) / 20.0


def _index(name: str) -> int:
    number = EQ.number(name)
    if number is None:  # pragma: no cover - the table is fixed
        raise ValueError(f"EQ has no parameter {name!r}")
    return number - 1


# Per band: (key, kind, freq index, gain index or None, BW index), in cascade order.
_BANDS: Final = tuple(
    (
        b.key,
        b.kind,
        _index(f"{b.label} freq"),
        _index(f"{b.label} gain") if b.has_gain else None,
        _index(f"{b.label} BW"),
    )
    for b in EQ_BANDS
)
_OUT_GAIN: Final = _index("Output gain")
_WET: Final = _index("Wet")
_ALL_KEYS: Final = frozenset(b.key for b in EQ_BANDS)


class Eq:
    """The EQ plugin as a streaming processor (see the module docstring).

    Args:
        rate: Sample rate in Hz.
        channels: Channels of every block.
    """

    def __init__(self, rate: int, channels: int) -> None:
        if rate <= 0 or channels <= 0:
            raise ValueError(f"Eq needs a positive rate and channels, got {rate}, {channels}")
        self.rate = rate
        self.channels = channels
        self._zi = np.zeros((len(_BANDS), 2, channels))
        self._rows = np.full((len(_BANDS), 6), np.nan)  # coefficients in use (NaN: none)
        self._pos = 0

    def reset(self) -> None:
        """Clear every band's filter state and the control-rate grid."""
        self._zi[:] = 0.0
        self._rows[:] = np.nan
        self._pos = 0

    def process(self, x: Floats, values: Values, bands_on: Collection[str] | None = None) -> Floats:
        """Filter one block.

        Args:
            x: Audio, shape ``(n, channels)``, full scale 1.0.
            values: The ``EQ`` parameters in their units (floats or ``(n,)`` arrays).
            bands_on: Keys of the bands that are in (None: all).

        Returns:
            The processed block, shape ``(n, channels)``.

        Raises:
            ValueError: ``x`` or ``values`` have the wrong shape.
        """
        n = x.shape[0]
        if x.ndim != 2 or x.shape[1] != self.channels or len(values) != len(EQ.params):
            raise ValueError(
                f"Eq expects x of shape (n, {self.channels}) and {len(EQ.params)} values"
            )
        if n == 0:
            return x.copy()
        on = _ALL_KEYS if bands_on is None else bands_on
        active: list[int] = []
        for i, (key, _kind, _fi, gi, _bi) in enumerate(_BANDS):
            if key not in on:
                self._zi[i] = 0.0
                self._rows[i] = np.nan
                continue
            flat = gi is not None and _is_zero(values[gi])
            if flat and not self._zi[i].any():
                self._rows[i] = np.nan
                continue  # a 0 dB band with no pending state is exactly the identity
            active.append(i)
        start = self._pos
        self._pos += n
        y = self._cascade(x, values, active, start) if active else x
        gain = values[_OUT_GAIN]
        wet = values[_WET]
        if not active and _is_zero(gain):
            return x.copy()
        scale: Floats = np.exp(np.asarray(gain, dtype=np.float64) * _LN10_20)
        w: Floats = np.asarray(wet, dtype=np.float64) / 100.0
        if scale.ndim:
            scale = scale[:, None]
        if w.ndim:
            w = w[:, None]
        elif w == 1.0:
            out: Floats = y * scale
            return out
        mixed: Floats = w * (y * scale) + (1.0 - w) * x
        return mixed

    def _cascade(self, x: Floats, values: Values, active: list[int], start: int) -> Floats:
        """Run the active bands over ``x``, updating their states."""
        n = x.shape[0]
        cols = [(fi, gi, bi) for _k, _kind, fi, gi, bi in (_BANDS[i] for i in active)]
        automated = any(
            np.ndim(values[j]) > 0 for fi, gi, bi in cols for j in (fi, bi, gi) if j is not None
        )
        zi = self._zi[active]
        if not automated:
            sos = np.stack(
                [
                    section(
                        _BANDS[i][1],
                        self.rate,
                        float(values[fi]),
                        0.0 if gi is None else float(values[gi]),
                        float(values[bi]),
                    )
                    for i, (fi, gi, bi) in zip(active, cols, strict=True)
                ]
            )
            y, zi = _silence_aware(sos, x, zi)
            self._zi[active] = zi
            self._rows[active] = sos
            return y
        # Control-rate grid: sub-block boundaries at absolute multiples of CONTROL_FRAMES.
        first = (-start) % CONTROL_FRAMES
        edges = np.arange(first, n, CONTROL_FRAMES)
        if edges.size == 0 or edges[0] != 0:
            edges = np.concatenate([[0], edges])
        rows = np.stack(
            [
                section(
                    _BANDS[i][1],
                    self.rate,
                    _at(values[fi], edges),
                    0.0 if gi is None else _at(values[gi], edges),
                    _at(values[bi], edges),
                )
                * np.ones((edges.size, 1))
                for i, (fi, gi, bi) in zip(active, cols, strict=True)
            ],
            axis=1,
        )  # (sub-blocks, bands, 6)
        held = self._rows[active]
        if first and not np.isnan(held).any():
            rows[0] = held  # the sub-block begun in the previous block keeps its coefficients
        change = np.ones(edges.size, dtype=bool)
        change[1:] = np.any(rows[1:] != rows[:-1], axis=(1, 2))
        runs = np.flatnonzero(change)
        bounds = [*edges[runs].tolist(), n]
        out = np.empty_like(x)
        for r, (a, b) in enumerate(itertools.pairwise(bounds)):
            out[a:b], zi = _sosfilt(rows[runs[r]], x[a:b], zi)
        self._zi[active] = zi
        self._rows[active] = rows[-1]
        return out


def _silence_aware(sos: Floats, x: Floats, zi: Floats) -> tuple[Floats, Floats]:
    """:func:`_sosfilt`, flushing a decayed state to zero in digital silence.

    A filter ringing out into digital silence decays into subnormal floats,
    which are some 30x slower. A block with at least :data:`FLUSH_FRAMES`
    silent frames is filtered in pieces of that length; before each piece a
    state below :data:`FLUSH_LEVEL` (far below any audible or 24-bit level) is
    set to zero, and a silent piece with a zero state is silence out.
    """
    n = x.shape[0]
    if n < 2 * FLUSH_FRAMES or np.count_nonzero(x) > x.size - FLUSH_FRAMES * x.shape[1]:
        return _sosfilt(sos, x, zi)
    out = np.empty_like(x)
    for a in range(0, n, FLUSH_FRAMES):
        piece = x[a : a + FLUSH_FRAMES]
        if not np.any(np.abs(zi) >= FLUSH_LEVEL):
            zi = np.zeros_like(zi)
            if not piece.any():
                out[a : a + FLUSH_FRAMES] = 0.0
                continue
        out[a : a + FLUSH_FRAMES], zi = _sosfilt(sos, piece, zi)
    return out, zi


def _is_zero(v: float | Floats) -> bool:
    """True if ``v`` is 0 everywhere (a float or an array)."""
    return not np.any(np.asarray(v))


def _at(v: float | Floats, idx: npt.NDArray[np.intp]) -> float | Floats:
    """``v`` at the frames ``idx`` (a float stays a float)."""
    return v[idx] if isinstance(v, np.ndarray) and v.ndim else float(v)


def _sosfilt(sos: Floats, x: Floats, zi: Floats) -> tuple[Floats, Floats]:
    """``scipy.signal.sosfilt`` along frames with state ``zi`` of shape ``(sections, 2, ch)``."""
    from scipy.signal import sosfilt

    y, zf = sosfilt(sos, x, axis=0, zi=zi)
    return np.asarray(y, dtype=np.float64), np.asarray(zf, dtype=np.float64)
