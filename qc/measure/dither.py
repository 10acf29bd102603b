"""Dither analysis: was the last word-length reduction dithered, rounded or truncated?

Only the quietest passages carry evidence (reference/detect/dither.md §2): in
loud music the quantisation error is buried. The meter cuts each channel into
1024-sample windows in LSB units of the file's own word length and keeps the
features of the quiet, non-silent ones (bounded: the quietest 4096 per
channel), so memory does not grow with the file:

* ``rho1``, the lag-1 autocorrelation: near +1 for the staircase an undithered
  fade leaves, near 0 for white (flat RPDF/TPDF) dither, -0.3 to -0.45 for
  high-pass TPDF and -0.77 to -0.94 for noise shaping;
* the innovation ``var(diff(x)) / 2``, LSB^2: at least 0.25 for TPDF and about
  0.1-0.17 for RPDF whatever the signal does, since independent dither adds its
  own variance to every step; a staircase has almost none;
* ``p_eq``, the share of equal neighbours (0.58 for TPDF, above 0.9 for a
  staircase) and the window mean (-0.5 LSB after floor truncation).

The verdict (:func:`classify`) is "undithered" only on positive evidence of a
signal-following error with no dither noise, "dithered" only on a dither
signature, and otherwise "inconclusive", with the reason: too little quiet
material, or a noise floor above the LSB that linearises the quantiser by
itself (self-dither), where missing dither is neither detectable nor audible.
The first and last 50 ms are ignored (edit clicks and fades live there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from qc.measure._types import Floats
from qc.measure.robust import median_of

__all__ = ["ChannelDither", "DitherMeter", "DitherResult", "DitherVerdict", "classify"]

DitherVerdict = Literal["dithered", "undithered", "inconclusive", "not-applicable"]

WINDOW = 1024
"""Samples per analysis window."""
QUIET_LSB = 2.0
"""Windows at or below this rms (LSB) are the quiet ones that carry evidence."""
MIN_WINDOWS = 8
"""Fewer quiet windows than this is not enough evidence."""
_KEEP = 4096  # quiet windows kept per channel (the quietest)
_CANDIDATE_LSB = 16.0  # windows up to this rms are kept for the noise-floor fallback
_FALLBACK = 16  # quietest windows examined when too few are quiet
_EDGE_S = 0.05
_FEATURES = 6  # start, rms, rho1, innovation, mean, p_eq


@dataclass(frozen=True)
class ChannelDither:
    """The verdict for one channel.

    Attributes:
        verdict: ``"dithered"``, ``"undithered"`` or ``"inconclusive"``.
        kind: Detail: ``"tpdf"``, ``"rpdf"``, ``"high-pass tpdf"``,
            ``"noise-shaped"``, ``"rounding"``, ``"truncation"``, or the reason
            for an inconclusive verdict (``"no quiet material"``, ``"noise floor"``,
            ``"no clear signature"``).
        windows: Quiet windows the verdict rests on.
        rms_lsb: Median rms of those windows, LSB.
        rho1: Median lag-1 autocorrelation.
        innovation_lsb2: Median ``var(diff(x)) / 2``, LSB^2.
        mean_lsb: Median window mean, LSB.
        p_eq: Median share of equal neighbouring samples.
        start_s: Start of the longest run of evidence windows, s (None if none).
        end_s: End of that run, s.
    """

    verdict: DitherVerdict
    kind: str
    windows: int
    rms_lsb: float
    rho1: float
    innovation_lsb2: float
    mean_lsb: float
    p_eq: float
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class DitherResult:
    """Dither analysis of a PCM file.

    Attributes:
        bits: Word length analysed (the container's), or None for float files.
        verdict: The file's verdict: undithered only when no channel shows
            dither and at least one shows its absence; ``"not-applicable"`` for
            float files.
        kind: Detail of the verdict (see :class:`ChannelDither`).
        channels: Per-channel verdicts.
        black_windows: Windows of exact digital zero after the first sound.
    """

    bits: int | None
    verdict: DitherVerdict
    kind: str
    channels: tuple[ChannelDither, ...]
    black_windows: int

    @property
    def evidence(self) -> ChannelDither | None:
        """The channel whose verdict the file's verdict rests on, if any."""
        for ch in self.channels:
            if ch.verdict == self.verdict:
                return ch
        return None


def _window_features(win: Floats) -> Floats:
    """Features of windows, shape ``(n, WINDOW)`` in LSB.

    Returns:
        Shape ``(n, 5)``: rms, rho1, innovation, mean, p_eq.
    """
    mean = win.mean(axis=1)
    y = win - mean[:, None]
    var = np.einsum("ij,ij->i", y, y) / WINDOW
    lag = np.einsum("ij,ij->i", y[:, 1:], y[:, :-1]) / WINDOW
    d = np.diff(win, axis=1)
    innov = np.einsum("ij,ij->i", d, d) / (2 * (WINDOW - 1))
    p_eq = np.count_nonzero(d == 0, axis=1) / (WINDOW - 1)
    rms = np.sqrt(np.einsum("ij,ij->i", win, win) / WINDOW)
    rho1 = lag / np.maximum(var, 1e-12)
    return np.stack([rms, rho1, innov, mean, p_eq], axis=1)


def _longest_run(starts: Floats, rate: int) -> tuple[float, float] | None:
    """Span (s) of the longest run of windows whose starts are at most 1 s apart."""
    if starts.size == 0:
        return None
    s = np.sort(starts)
    breaks = np.flatnonzero(np.diff(s) > rate) + 1
    bounds = np.split(s, breaks)
    best = max(bounds, key=len)
    return float(best[0]) / rate, float(best[-1] + WINDOW) / rate


def classify(feats: Floats, rate: int) -> ChannelDither:
    """Classify one channel from its kept windows.

    Args:
        feats: Shape ``(n, 6)``: start sample, rms (LSB), rho1, innovation
            (LSB^2), mean (LSB), p_eq; non-silent windows up to 16 LSB rms.
        rate: Sample rate, Hz (for the evidence times).

    Returns:
        The channel's verdict with the medians it rests on.
    """
    quiet = feats[feats[:, 1] <= QUIET_LSB]
    fallback = len(quiet) < MIN_WINDOWS
    if fallback:
        quiet = feats[np.argsort(feats[:, 1])[:_FALLBACK]]
    if len(quiet) == 0:
        return ChannelDither("inconclusive", "no quiet material", 0, *([float("nan")] * 5))
    _, rms, rho1, innov, mean, p_eq = (float(v) for v in median_of(quiet, axis=0))
    se_mean = float(np.std(quiet[:, 4]) / np.sqrt(len(quiet)))
    stats = (len(quiet), rms, rho1, innov, mean, p_eq)
    truncated = abs(mean + 0.5) < 0.12 and se_mean < 0.03 and rms < 4.0

    def found(
        verdict: DitherVerdict, kind: str, mask: npt.NDArray[np.bool_] | None = None
    ) -> ChannelDither:
        span = _longest_run(quiet[mask, 0] if mask is not None else quiet[:, 0], rate)
        return ChannelDither(verdict, kind, *stats, *(span or (None, None)))

    if fallback:
        if rho1 < -0.6 and rms <= _CANDIDATE_LSB:
            return found("dithered", "noise-shaped")
        if truncated:
            return found("undithered", "truncation")
        if len(quiet) < 4:
            return found("inconclusive", "no quiet material")
        return found("inconclusive", "noise floor")
    staircase = (quiet[:, 2] > 0.5) & (quiet[:, 3] < 0.08)
    if rho1 > 0.5 and innov < 0.08 and p_eq > 0.85:
        return found("undithered", "truncation" if truncated else "rounding", staircase)
    if truncated:
        return found("undithered", "truncation")
    if rho1 < -0.6:
        return found("dithered", "noise-shaped")
    if rho1 < -0.2 and innov > 0.25:
        return found("dithered", "high-pass tpdf")
    if abs(rho1) <= 0.3 and 0.18 <= innov <= 0.45 and rms >= 0.45:
        return found("dithered", "tpdf")
    if abs(rho1) <= 0.3 and 0.08 <= innov < 0.18 and 0.3 <= rms < 0.45:
        return found("dithered", "rpdf")
    return found("inconclusive", "no clear signature")


class DitherMeter:
    """Streaming dither analysis of integer PCM.

    Args:
        rate: Sample rate, Hz.
        channels: Channel count.
        bits: Word length of the file; None (float files) disables the meter.
    """

    def __init__(self, rate: int, channels: int, bits: int | None) -> None:
        self._rate = rate
        self._bits = bits if bits is not None and bits <= 24 else None
        self._scale = 2.0 ** (self._bits - 1) if self._bits else 1.0
        self._carry = np.zeros((0, channels))
        self._pos = 0  # absolute frame of the carry's first sample
        self._kept = [np.zeros((0, _FEATURES)) for _ in range(channels)]
        self._black = 0
        self._pending_black = 0
        self._sounded = False
        self._skip = round(_EDGE_S * rate)

    def feed(self, block: Floats) -> None:
        """Add one block, shape ``(frames, channels)``, full scale 1.0."""
        if self._bits is None:
            return
        data = np.concatenate([self._carry, block]) if len(self._carry) else block
        n = len(data) // WINDOW
        self._carry = data[n * WINDOW :].copy()
        if n == 0:
            return
        start = self._pos
        self._pos += n * WINDOW
        starts = start + WINDOW * np.arange(n, dtype=np.float64)
        body = data[: n * WINDOW]
        # Energy per window and channel in LSB^2, on the interleaved samples (the scale is
        # a power of two: the same sums as of the codes); codes only for the quiet windows.
        energies = np.add.reduceat(body * body, np.arange(0, n * WINDOW, WINDOW), axis=0)
        energies *= self._scale * self._scale
        silent = np.ones(n, dtype=bool)
        for ch in range(body.shape[1]):
            energy = energies[:, ch]
            nonzero = energy > 0
            silent &= ~nonzero
            keep = nonzero & (energy <= _CANDIDATE_LSB**2 * WINDOW) & (starts >= self._skip)
            if keep.any():
                win = body[:, ch].reshape(n, WINDOW)[keep] * self._scale  # integer-valued
                feats = np.column_stack([starts[keep], _window_features(win)])
                self._store(ch, feats)
        self._count_black(silent)

    def _store(self, ch: int, feats: Floats) -> None:
        kept = np.concatenate([self._kept[ch], feats])
        if len(kept) > _KEEP:
            kept = kept[np.argpartition(kept[:, 1], _KEEP)[:_KEEP]]
        self._kept[ch] = kept

    def _count_black(self, silent: np.ndarray) -> None:
        for is_black in silent:  # at most 64 per block
            if not is_black:
                self._black += self._pending_black if self._sounded else 0
                self._pending_black = 0
                self._sounded = True
            else:
                self._pending_black += 1

    def result(self) -> DitherResult:
        """Return the verdict for everything fed so far."""
        if self._bits is None:
            return DitherResult(None, "not-applicable", "float samples", (), 0)
        end = self._pos - self._skip - WINDOW
        per = tuple(classify(k[k[:, 0] <= end], self._rate) for k in self._kept)
        verdicts = {c.verdict for c in per}
        if "undithered" in verdicts and "dithered" not in verdicts:
            verdict: DitherVerdict = "undithered"
        elif "dithered" in verdicts and "undithered" not in verdicts:
            verdict = "dithered"
        else:
            verdict = "inconclusive"
        kind = next((c.kind for c in per if c.verdict == verdict), "channels disagree")
        return DitherResult(self._bits, verdict, kind, per, self._black + self._pending_black)
