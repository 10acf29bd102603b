"""One track's channel strip: its plugins in slot order, then width, pan, volume and mute.

A :class:`Chain` runs a track's plugins (:mod:`bridge.virtual.dsp`) block by
block on the track's own channels (a mono stem stays mono through EQ and
compressor; it is panned after), with each parameter's values from a
:class:`~bridge.virtual.sources.ParamSource`: the state's constant, or an
automation lane giving one value per frame (the DSP applies those at its own
control rate). A slot is skipped, at no cost, when it is bypassed or cannot
change the signal for the whole render:

* ``EQ``: no band in (neither switched in nor automated) and a constant
  ``Output gain`` of 0 dB (then ``Wet`` mixes the input with itself);
* ``Compressor``: a constant ``Ratio`` of 1 and a constant ``Makeup`` of 0 dB
  (Giannoulis et al. 2012: the static curve is then ``y = x``);
* a return's effect that is bypassed passes its input on dry.

An automated EQ band is in, whatever its button says.

:func:`place` is the fader section after the plugins (REAPER's order: FX, then
volume and pan), formulas in :mod:`bridge.virtual.engine`; :func:`balance` is
the master's pan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bridge.dialects.virtual_fx import COMPRESSOR, DELAY, EQ, EQ_BANDS, REVERB, FxPlugin
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.panlaw import PanLaw, pan_gains
from bridge.virtual.sources import Constant, ParamSource, SlotSources, TrackParams, db_to_gain
from bridge.virtual.state import PluginSnapshot

if TYPE_CHECKING:
    from bridge.virtual.dsp import Processor

__all__ = ["Chain", "balance", "eq_band_of", "make_processor", "place"]

Floats = npt.NDArray[np.float64]


def eq_band_of(number: int) -> str | None:
    """The key of the EQ band that parameter ``number`` (1-based) belongs to, or None.

    ``Output gain`` and ``Wet`` belong to no band.
    """
    spec = EQ.param(number)
    if spec is None:
        return None
    return next((b.key for b in EQ_BANDS if spec.name.startswith(b.label + " ")), None)


def make_processor(plugin: FxPlugin, rate: int, channels: int) -> Processor:
    """A fresh processor for ``plugin`` at ``rate`` Hz on ``channels`` channels.

    The DSP modules (numpy, scipy) are imported here, when a render needs them.

    Raises:
        VirtualDawError: ``plugin`` is not a virtual plugin.
    """
    if plugin == EQ:
        from bridge.virtual.dsp.eq import Eq

        return Eq(rate, channels)
    if plugin == COMPRESSOR:
        from bridge.virtual.dsp.compressor import Compressor

        return Compressor(rate, channels)
    if plugin == REVERB:
        from bridge.virtual.dsp.reverb import Reverb

        return Reverb(rate)
    if plugin == DELAY:
        from bridge.virtual.dsp.delay import Delay

        return Delay(rate, channels)
    raise VirtualDawError(f"no DSP for the plugin {plugin.name!r}")


class _Slot:
    """One plugin that can change the signal: its processor and its value sources."""

    def __init__(
        self, snap: PluginSnapshot, sources: Sequence[ParamSource], proc: Processor
    ) -> None:
        self.sources = sources
        self.proc = proc
        self.eq = snap.plugin == EQ
        self.bands = _bands_in(snap, sources) if self.eq else frozenset()

    def process(self, x: Floats, start: int) -> Floats:
        values = [s.values(start, len(x)) for s in self.sources]
        if self.eq:
            return self.proc.process(x, values, self.bands)  # type: ignore[call-arg]
        return self.proc.process(x, values)


def _bands_in(snap: PluginSnapshot, sources: Sequence[ParamSource]) -> frozenset[str]:
    """The EQ bands that are in: switched in, or automated (a lane on one of their values)."""
    automated = {eq_band_of(i) for i, s in enumerate(sources, start=1) if _varies(s)}
    return frozenset(snap.bands_on | {b for b in automated if b is not None})


def _varies(source: ParamSource) -> bool:
    return not isinstance(source, Constant)


def _constant(sources: Sequence[ParamSource], number: int) -> float | None:
    s = sources[number - 1]
    return s.value if isinstance(s, Constant) else None


class Chain:
    """A track's plugins in slot order, streaming; slots that cannot sound are left out.

    Args:
        plugins: The track's plugin snapshots, slot 1 first.
        rate: Sample rate in Hz.
        channels: The track's channels (1 or 2).
        lanes: Per-slot, per-parameter sources overriding the snapshot's values.
    """

    def __init__(
        self,
        plugins: Sequence[PluginSnapshot],
        rate: int,
        channels: int,
        lanes: SlotSources | None = None,
    ) -> None:
        given = lanes or {}
        self.slots: list[_Slot] = []
        for number, snap in enumerate(plugins, start=1):
            mine = given.get(number, {})
            sources = [mine.get(i) or Constant(v) for i, v in enumerate(snap.values, start=1)]
            if snap.active and not _is_identity(snap, sources):
                proc = make_processor(snap.plugin, rate, channels)
                self.slots.append(_Slot(snap, sources, proc))

    def process(self, x: Floats, start: int) -> Floats:
        """Run the block ``x`` (shape ``(n, channels)``, from frame ``start``) through the slots."""
        for slot in self.slots:
            x = slot.process(x, start)
        return x


def _is_identity(snap: PluginSnapshot, sources: Sequence[ParamSource]) -> bool:
    """True if the plugin leaves every block as it is, whatever comes in."""
    if snap.plugin == EQ:
        gain = _constant(sources, _number(EQ, "Output gain"))
        return not _bands_in(snap, sources) and gain == 0.0
    if snap.plugin == COMPRESSOR:
        ratio, makeup = _number(COMPRESSOR, "Ratio"), _number(COMPRESSOR, "Makeup")
        return _constant(sources, ratio) == 1.0 and _constant(sources, makeup) == 0.0
    return False


def _number(plugin: FxPlugin, name: str) -> int:
    n = plugin.number(name)
    if n is None:  # the table in bridge.dialects.virtual_fx changed
        raise VirtualDawError(f"{plugin.name} has no parameter {name!r}")
    return n


def place(x: Floats, params: TrackParams, start: int, law: PanLaw) -> Floats:
    """Width (stereo only), pan, volume and mute of a processed track block.

    Args:
        x: The track after its plugins, shape ``(n, 1)`` or ``(n, 2)``.
        params: The track's sources (volume dB, pan, width, mute).
        start: The block's first frame.
        law: The project's pan law.

    Returns:
        The track on the stereo bus, shape ``(n, 2)`` (a new array).
    """
    n = len(x)
    gain = db_to_gain(params.volume_db.values(start, n))
    if params.mute is not None:
        gain = gain * _gate(params.mute.values(start, n))
    gl, gr = pan_gains(params.pan.values(start, n), law)
    width = params.width.values(start, n) if x.shape[1] == 2 else 1.0
    if np.ndim(gl) == 0 and np.ndim(width) == 0:  # pan and width constant: a matrix product
        scalar = np.ndim(gain) == 0
        left_gain, right_gain = (gain * gl, gain * gr) if scalar else (gl, gr)
        a, b = (1.0 + width) / 2.0, (1.0 - width) / 2.0  # L' = M + w S = a L + b R
        rows = [[left_gain, right_gain]]  # mono
        if x.shape[1] == 2:
            rows = [[a * left_gain, b * right_gain], [b * left_gain, a * right_gain]]
        y: Floats = x @ np.array(rows, dtype=np.float64)
        if not scalar:  # per-sample volume, in place (a new (n, 2) array costs 3x)
            y *= np.asarray(gain)[:, None]
        return y
    left, right = x[:, 0], x[:, -1]
    if x.shape[1] == 2:
        mid, side = (left + right) / 2.0, (left - right) / 2.0 * width
        left, right = mid + side, mid - side
    out = np.empty((n, 2), dtype=np.float64)
    out[:, 0] = left * (gain * gl)
    out[:, 1] = right * (gain * gr)
    return out


def balance(x: Floats, pan: float | Floats) -> None:
    """The master's pan, in place: a plain balance (REAPER's master balance).

    ``gL = min(1, 1 - p)``, ``gR = min(1, 1 + p)``: the centre is unity on both
    sides (so a centred master is untouched whatever the project's pan law),
    and turning towards one side only attenuates the other, to silence at -1/+1.

    Args:
        x: The master block, shape ``(n, 2)``; scaled in place.
        pan: Balance -1 (left) to +1 (right), one value or shape ``(n,)``.
    """
    if isinstance(pan, np.ndarray):
        x[:, 0] *= np.minimum(1.0, 1.0 - pan)
        x[:, 1] *= np.minimum(1.0, 1.0 + pan)
    elif pan != 0.0:
        x[:, 0] *= min(1.0, 1.0 - pan)
        x[:, 1] *= min(1.0, 1.0 + pan)


def _gate(mute: Floats | float) -> Floats | float:
    """Return the gain of mute value(s): 0.0 where at least 0.5 (muted), else 1.0."""
    if isinstance(mute, np.ndarray):
        gate: Floats = np.where(mute >= 0.5, 0.0, 1.0)
        return gate
    return 0.0 if mute >= 0.5 else 1.0
