"""The accurate true-peak search: crests found by a short 4x pass, read again where they matter.

A 4x pass with a short Kaiser-windowed sinc (16 taps a side, see
:mod:`qc.measure.oversample`) is cheap but reads a crest of clipped, full-band
material up to 1.2 dB low or 0.8 dB high (measured against a 32x FFT
reconstruction), because its response droops near Nyquist (-0.97 dB at 22 kHz
at 48 kHz) where clipping puts energy. :class:`CrestSearch` takes the crests of
that pass and reads those that can matter again with
:class:`~qc.measure.crest.CrestRefiner`:

* the maximum: the 8 highest crests of each batch with the far kernel (1024
  taps a side), then up to 128 more that can reach that level (highest short
  value first) with the near kernel (32 taps a side), and with the far kernel
  up to 32 of those the near one puts within 1.2 dB of the maximum (the widest
  near/far difference measured on a hard-clipped master was 1.04 dB);
* the overs: an over is a half-wave (between two changes of sign) whose highest
  crest is above the threshold, so the ripples of a clipped plateau count once.
  A half-wave is an over when a refined crest of it is above the threshold, or
  an unrefined one is more than the short pass's error above it; the near
  kernel decides the rest, the highest crest of each half-wave first. The
  error assumed is three times the largest the short pass made on the crests
  of the batch that were read again (at least 0.05 dB, at most the bounds
  measured), so tones and smooth music need no second look.

The work on the maximum per batch is bounded whatever the signal (a DC offset
has a crest at every sample, a steady tone one every period), and the long
kernels' windows are gathered a bounded number at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from qc.measure._types import Floats
from qc.measure.crest import CrestRefiner, fit_sinusoid
from qc.measure.overs import Crests, OverTally

__all__ = ["FACTOR", "CrestSearch"]

FACTOR = 4  # output steps per sample of the short pass
_UNDER_READ = 10.0 ** (-0.7 / 20.0)  # worst 4x grid under-read at Nyquist is 0.69 dB
# How far a crest read by the short pass may be from the ideal one: the widest
# errors measured were -1.21 dB (hard-clipped white noise) and +0.80 dB (a
# hard-clipped master); the margins leave room on both sides.
_SHORT_LOW = 10.0 ** (-1.5 / 20.0)
_SHORT_HIGH = 10.0 ** (1.0 / 20.0)
_NEAR = (32, 8.0)  # half width (samples) and Kaiser beta deciding the overs
_NEAR_LOW = 10.0 ** (-1.2 / 20.0)  # crests this close to the maximum get the far kernel
_FAR = (1024, 10.0)  # the kernel of the reported maximum
_FIRST_LOOK = 8  # crests of each batch read by the far kernel before any other
_NEAR_CAP = 128  # at most so many more crests of a batch read for the maximum (highest first)
_FAR_CAP = 32  # and at most so many of those again by the far kernel
_MIN_ERROR_DB = 0.05  # the least error assumed for the short pass when deciding overs


class CrestSearch:
    """Streaming accurate true peak from the short pass's 4x values.

    Feed the input with :meth:`add_input` and the 4x values with :meth:`scan`,
    then call :meth:`settle` after each block and ``settle(final=True)`` at the end.

    Args:
        channels: Number of channels.
        tally: Where the overs are counted.
    """

    def __init__(self, channels: int, tally: OverTally) -> None:
        self.tally = tally
        self.peak = np.zeros(channels)
        self.peak_pos = np.full(channels, np.nan)  # output steps
        self.sample_peak = np.zeros(channels)
        self.sample_pos = np.full(channels, np.nan)  # samples
        self._near = CrestRefiner(*_NEAR, dtype=np.float32)
        self._far = CrestRefiner(*_FAR)
        self._hist = np.zeros((channels, self._far.margin))  # input; zero before the start
        self._hist32 = self._hist.astype(np.float32)  # the same for the near kernel
        self._hist_start = -self._far.margin
        self._fed = 0
        self._pending: list[list[Floats]] = [[] for _ in range(channels)]  # (3, n) each
        self._wave_id = np.zeros(channels)  # half-wave counter
        self._wave_sign = np.zeros(channels)  # sign of the last crest
        self._wave_crossed = np.zeros(channels, dtype=bool)  # zero crossed since it
        self._counted_wave = np.full(channels, -1.0)  # the last half-wave counted as an over
        self.guarded: Callable[[int, Floats], NDArray[np.bool_]] | None = None
        """Positions (channel, samples) whose maximum another meter reads
        (:class:`~qc.measure.nyquist.NyquistGuard`); their crests still count as overs."""

    def add_input(self, block: Floats) -> None:
        """Keep the input the long kernels will need, shape ``(frames, channels)``."""
        self._hist = np.concatenate([self._hist, block.T], axis=1)
        self._hist32 = np.concatenate([self._hist32, block.T], axis=1, dtype=np.float32)
        self._fed += len(block)

    @property
    def fed(self) -> int:
        """Input samples added so far (per channel)."""
        return self._fed

    def input32(self, c: int, start: int, stop: int) -> NDArray[np.float32]:
        """Input samples ``start .. stop - 1`` of channel ``c``, float32, shape ``(stop - start,)``.

        A view; ``start`` must not be older than the history kept (:meth:`settle`
        keeps the long kernel's margin before the oldest crest still to come).
        """
        at = self._hist_start
        out: NDArray[np.float32] = self._hist32[c, start - at : stop - at]
        return out

    def recent(self, frames: int) -> NDArray[np.float32]:
        """The last ``frames`` input samples in float32, shape ``(channels, frames)``."""
        out: NDArray[np.float32] = self._hist32[:, self._hist32.shape[1] - frames :]
        return out

    def _look_level(self, c: int) -> np.float64:
        """The least short-pass crest value of channel ``c`` that is queued, linear."""
        return np.float64(min(self.tally.over, self.peak[c]) * _SHORT_LOW)

    def threshold(self, c: int) -> np.float64:
        """The least 4x value a crest of channel ``c`` is taken from, linear.

        The queued level lowered by the 4x grid's largest under-read. A float64,
        so that both passes compare in float64 (a Python float would be compared
        with float32 values in float32).
        """
        return self._look_level(c) * _UNDER_READ

    def scan(self, c: int, sig: NDArray[np.float32], base: int) -> None:
        """Queue the crests of one channel's 4x values that could matter.

        Args:
            c: Channel index.
            sig: The values from output index ``base``, shape ``(n,)``, float32.
            base: Output index of ``sig[0]``; negative on the first block.
        """
        mag = np.abs(sig)
        rising = mag[1:] >= mag[:-1]
        crest = rising[:-1] & ~rising[1:] & (mag[1:-1] >= self.threshold(c))
        idx = np.flatnonzero(crest) + 1
        bounds = np.concatenate([[0], idx])
        down = np.logical_or.reduceat(sig <= 0.0, bounds)
        up = np.logical_or.reduceat(sig >= 0.0, bounds)
        around = np.stack([sig[idx - 1], sig[idx], sig[idx + 1]], axis=1)
        crests = Crests(idx, around, down, up)
        if base < 0 and len(sig) > 3:
            crests = crests.with_first_value(float(sig[2]), float(sig[3]))
        self.queue(c, base, crests)

    def queue(self, c: int, base: int, crests: Crests) -> None:
        """Queue crests found in one channel's 4x values (by :meth:`scan` or the compiled pass).

        Args:
            c: Channel index.
            base: Output index of value 0; negative on the first block.
            crests: The crests.
        """
        idx, around, down, up = crests
        if idx.size == 0:
            # No crest: the half-wave open since the last one may still have ended here.
            self._wave_crossed[c] |= bool(down[0] if self._wave_sign[c] > 0 else up[0])
            return
        raw = np.abs(around[:, 1]).astype(np.float64)
        self._sample_peak_in(c, base + idx, raw)
        sign = np.where(around[:, 1] < 0, -1.0, 1.0)
        vals, offsets = fit_sinusoid(sign * around[:, 0], raw, sign * around[:, 2])
        # The first value has no left neighbour (NaN): its short value stands, and the long
        # kernels read it (it used to be dropped, so a lone sample at frame 0 above the
        # threshold was the true peak but no over).
        vals = np.where(np.isnan(vals), raw, vals)
        offsets = np.where(np.isnan(offsets), 0.0, offsets)
        pos = (base + idx + offsets) / FACTOR
        wave = self._half_waves(c, idx, sign, down, up)
        look = vals >= self._look_level(c)
        if look.any():
            self._pending[c].append(np.stack([pos[look], wave[look], vals[look]]))

    def add_end(self, c: int, pos: float, value: float) -> None:
        """Queue the last value of a channel, which still rises, at ``pos`` samples."""
        wave = self._wave_id[c] + 1.0  # alone: its half-wave may have been counted
        self._pending[c].append(np.array([[pos], [wave], [value]]))

    def _half_waves(
        self,
        c: int,
        idx: NDArray[np.int64],
        sign: Floats,
        down: NDArray[np.bool_],
        up: NDArray[np.bool_],
    ) -> Floats:
        """Number the half-waves of crests ``idx``: a new one after every change of sign.

        ``down[k]`` and ``up[k]`` tell whether the stretch before crest ``k``
        (after the last, for ``k = len(idx)``) reaches zero from above or below
        (NaN, before the start, reaches neither).
        """
        prev = np.concatenate([[self._wave_sign[c]], sign[:-1]])
        crossed = np.where(prev > 0, down[:-1], up[:-1])
        crossed[0] |= self._wave_crossed[c]
        wave = self._wave_id[c] + np.cumsum(crossed | (sign != prev))
        self._wave_id[c] = wave[-1]
        self._wave_sign[c] = sign[-1]
        self._wave_crossed[c] = bool(down[-1]) if sign[-1] > 0 else bool(up[-1])
        out: Floats = wave.astype(np.float64)
        return out

    def _sample_peak_in(self, c: int, at: NDArray[np.int64], raw: Floats) -> None:
        """Update the sample peak from the scanned values at phase 0 (the samples)."""
        on_sample = at % FACTOR == 0
        k = int(np.argmax(np.where(on_sample, raw, -1.0)))
        if on_sample[k] and raw[k] >= self.sample_peak[c]:
            n = int(at[k]) // FACTOR
            self.sample_peak[c] = abs(self._hist[c, n - self._hist_start])  # exact, float64
            self.sample_pos[c] = n

    def settle(self, oldest: float, *, final: bool = False) -> None:
        """Evaluate the queued crests whose input has arrived (all of them when final).

        Args:
            oldest: No crest queued later lies before this position, samples.
            final: The input has ended (samples after it are zero).
        """
        margin = self._far.margin
        if final:
            pad = np.zeros((self._hist.shape[0], margin + 1))
            self._hist = np.concatenate([self._hist, pad], axis=1)
            self._hist32 = np.concatenate([self._hist32, pad], axis=1, dtype=np.float32)
        end = self._hist_start + self._hist.shape[1]
        for c, queue in enumerate(self._pending):
            if not queue:
                continue
            rows = np.concatenate(queue, axis=1)  # positions, half-wave numbers, short values
            ready = np.floor(rows[0]) + margin < end
            self._pending[c] = [rows[:, ~ready]] if not ready.all() else []
            if ready.any():
                self._evaluate(c, *rows[:, ready])
            if not ready.all():
                oldest = min(oldest, float(rows[0, ~ready].min()))
        cut = 0 if final else int(np.floor(oldest)) - margin - self._hist_start
        if cut > 0:
            self._hist = self._hist[:, cut:]
            self._hist32 = self._hist32[:, cut:]
            self._hist_start += cut

    def _evaluate(self, c: int, pos: Floats, wave: Floats, short: Floats) -> None:
        """Refine queued crests of channel ``c`` (in time order) and count their overs.

        Args:
            c: Channel index.
            pos: Estimated crest positions, samples, shape ``(n,)``.
            wave: Their half-wave numbers, shape ``(n,)``.
            short: Their short-pass values, linear, shape ``(n,)``.
        """
        x, x32, start = self._hist[c], self._hist32[c], self._hist_start
        amp, at = short.copy(), pos.copy()
        # The maximum: the highest few short crests first, with the far kernel, for a
        # level that every other crest must be able to reach to be looked at.
        rank = np.argsort(short)[::-1]
        done = np.zeros(amp.size, dtype=bool)
        done[rank[:_FIRST_LOOK]] = True
        amp[done], at[done] = self._far.refine(x, start, pos[done])
        reach = max(self.peak[c], float(amp[done].max())) * _SHORT_LOW
        near = np.zeros(amp.size, dtype=bool)
        near[rank[_FIRST_LOOK : _FIRST_LOOK + _NEAR_CAP]] = True
        near &= short >= reach
        if near.any():
            amp[near], at[near] = self._near.refine(x32, start, pos[near])
            far = np.flatnonzero(near & (amp >= reach / _SHORT_LOW * _NEAR_LOW))
            far = far[np.argsort(amp[far])[::-1][:_FAR_CAP]]
            amp[far], at[far] = self._far.refine(x, start, at[far])
            done |= near
        mine = done if self.guarded is None else done & ~self.guarded(c, at)
        j = int(np.argmax(np.where(mine, amp, -1.0)))
        if mine[j] and amp[j] > self.peak[c]:
            self.peak[c], self.peak_pos[c] = amp[j], at[j] * FACTOR
        # How far the short pass was off on the crests read again in this batch: on
        # tones and smooth music a few thousandths of a dB, so their overs need no look.
        ratio = np.maximum(amp[done], 1e-300) / np.maximum(short[done], 1e-300)
        seen = float(np.max(np.abs(np.log10(ratio)))) * 20.0
        error = 10.0 ** (max(3.0 * seen, _MIN_ERROR_DB) / 20.0)
        high, low = min(_SHORT_HIGH, error), max(_SHORT_LOW, 1.0 / error)
        over = self.tally.over
        first = np.flatnonzero(np.diff(wave, prepend=-1.0))
        sizes = np.diff(np.append(first, amp.size))
        for everyone in (False, True):
            sure = np.where(done, amp > over, amp > over * high)
            todo = ~np.repeat(np.logical_or.reduceat(sure, first), sizes) & ~done
            todo &= amp >= over * low
            if not everyone:  # the highest short crest of each open half-wave first
                key = np.where(todo, amp, -1.0)
                todo &= key == np.repeat(np.maximum.reduceat(key, first), sizes)
            if todo.any():
                amp[todo], at[todo] = self._near.refine(x32, start, pos[todo])
                done |= todo
        top = np.maximum.reduceat(amp, first)
        hits = np.flatnonzero(amp == np.repeat(top, sizes))
        _, pick = np.unique(np.searchsorted(first, hits, side="right"), return_index=True)
        if wave[0] == self._counted_wave[c]:  # its over was counted with the last batch
            top[0] = 0.0
        self.tally.add(c, top, at[hits[pick]] * FACTOR)
        counted = np.flatnonzero(top > over)
        if counted.size:
            self._counted_wave[c] = wave[first[counted[-1]]]
