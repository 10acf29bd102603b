"""Long-term average spectrum per channel and of the side signal, as a streaming accumulator.

Welch's method (P. D. Welch, "The use of fast Fourier transform for the
estimation of power spectra", IEEE Trans. Audio Electroacoust. 15(2), 1967):
the signal is cut into frames of ``nfft`` samples, each frame is multiplied by a
periodic Hann window and transformed, and the squared magnitudes are averaged.
Frames do not overlap and, by default, one frame in four (by absolute index) is
used, as the lossy-history detector does: a long-term spectrum of minutes of
music is still averaged over hundreds of frames, at a quarter of the cost (0.07 s
of CPU for 5 minutes of stereo at 48 kHz). With ``stride=1`` the result equals
``scipy.signal.welch(x, fs, window="hann", nperseg=nfft, noverlap=0,
detrend=False, scaling="density")``.

The side signal is ``S = (L - R) / 2`` of channels 0 and 1 (the mid/side
convention whose mid is ``(L + R) / 2``). Memory is the carry of at most
``nfft - 1`` frames plus one power sum per series: independent of the length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qc.measure._types import Floats

__all__ = ["SpectrumMeter", "SpectrumResult"]


@dataclass(frozen=True)
class SpectrumResult:
    """Long-term average power spectral density.

    Attributes:
        freqs_hz: Bin centre frequencies, Hz, shape ``(bins,)``, ``bins = nfft // 2 + 1``.
        psd: One-sided power spectral density, full scale squared per Hz
            (FS²/Hz; a full-scale sine has a mean square of 0.5 FS²), shape
            ``(bins, series)``; zeros when no frame was complete.
        labels: Name of each series: ``"ch1"``, ``"ch2"``... and ``"side"``
            for two or more channels.
        frames: Frames averaged.
        nfft: Frame length, samples.
    """

    freqs_hz: Floats
    psd: Floats
    labels: tuple[str, ...]
    frames: int
    nfft: int

    def psd_db(self) -> Floats:
        """The PSD in dB re 1 FS²/Hz, shape ``(bins, series)`` (-300 dB for zero power)."""
        out: Floats = 10.0 * np.log10(np.maximum(self.psd, 1e-30))
        return out

    def bands(self, fraction: int = 12, low_hz: float = 20.0) -> tuple[Floats, Floats]:
        """Mean PSD in fractional-octave bands, for a readable log-frequency plot.

        Band centres are ``low_hz * 2 ** (k / fraction)`` up to the highest bin;
        each band's edges are its centre times ``2 ** (+-1 / (2 * fraction))``
        (IEC 61260-1 base-2 bands). A band narrower than one bin takes the PSD
        interpolated at its centre.

        Args:
            fraction: Bands per octave.
            low_hz: Lowest centre, Hz.

        Returns:
            ``(centres_hz, psd)``, shapes ``(bands,)`` and ``(bands, series)``, FS²/Hz.
        """
        top = float(self.freqs_hz[-1]) if len(self.freqs_hz) else 0.0
        if top <= low_hz:
            return np.zeros(0), np.zeros((0, self.psd.shape[1]))
        count = int(np.floor(fraction * np.log2(top / low_hz))) + 1
        centres: Floats = low_hz * 2.0 ** (np.arange(count, dtype=np.float64) / fraction)
        half = 2.0 ** (0.5 / fraction)
        lo = np.searchsorted(self.freqs_hz, centres / half)
        hi = np.searchsorted(self.freqs_hz, centres * half)
        csum = np.vstack([np.zeros((1, self.psd.shape[1])), np.cumsum(self.psd, axis=0)])
        n = (hi - lo)[:, None]
        means = (csum[hi] - csum[lo]) / np.maximum(n, 1)
        for col in range(self.psd.shape[1]):
            interp = np.interp(centres, self.freqs_hz, self.psd[:, col])
            means[:, col] = np.where(n[:, 0] > 0, means[:, col], interp)
        out: Floats = means
        return centres, out


class SpectrumMeter:
    """Streaming Welch long-term average spectrum of every channel and the side signal.

    Args:
        rate: Sample rate, Hz.
        channels: Channel count of the blocks fed.
        nfft: Frame length, samples (4096: 11.7 Hz bins at 48 kHz).
        stride: Use one frame in ``stride`` (by absolute frame index).
    """

    def __init__(self, rate: int, channels: int, *, nfft: int = 4096, stride: int = 4) -> None:
        if nfft < 2 or stride < 1:
            raise ValueError(f"nfft must be at least 2 and stride at least 1, not {nfft}, {stride}")
        self._rate = rate
        self._nfft = nfft
        self._stride = stride
        self._side = channels >= 2
        self._labels = tuple(f"ch{c + 1}" for c in range(channels)) + (
            ("side",) if self._side else ()
        )
        # Periodic Hann (scipy.signal.get_window("hann", nfft), fftbins=True).
        self._window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(nfft) / nfft)
        self._carry = np.zeros((0, channels))
        self._index = 0  # absolute index of the next frame
        self._used = 0
        self._sum = np.zeros((nfft // 2 + 1, len(self._labels)))

    def feed(self, block: Floats) -> None:
        """Add one block of samples.

        Args:
            block: Samples, shape ``(frames, channels)``, full scale 1.0.
        """
        data = np.concatenate([self._carry, block]) if len(self._carry) else block
        n = len(data) // self._nfft
        self._carry = data[n * self._nfft :].copy()
        pick = np.flatnonzero((self._index + np.arange(n)) % self._stride == 0)
        self._index += n
        if not len(pick):
            return
        frames = data[: n * self._nfft].reshape(n, self._nfft, -1)[pick]  # (k, nfft, ch)
        k, ch = len(pick), frames.shape[2]
        sig = np.empty((k, len(self._labels), self._nfft))  # contiguous along time
        sig[:, :ch, :] = frames.transpose(0, 2, 1)
        if self._side:
            np.subtract(sig[:, 0], sig[:, 1], out=sig[:, ch])
            sig[:, ch] *= 0.5
        sig *= self._window
        spec = np.fft.rfft(sig, axis=2)  # (k, series, bins)
        self._sum += np.einsum("ksb,ksb->bs", spec.real, spec.real)
        self._sum += np.einsum("ksb,ksb->bs", spec.imag, spec.imag)
        self._used += k

    def result(self) -> SpectrumResult:
        """Return the averaged spectrum of every frame used so far."""
        # Density scaling: 1 / (fs * sum(w**2)); one-sided: double all but DC and Nyquist.
        scale = 1.0 / (self._rate * float(np.sum(self._window**2)) * max(self._used, 1))
        psd = self._sum * scale
        psd[1 : (self._nfft + 1) // 2] *= 2.0
        return SpectrumResult(
            freqs_hz=np.arange(len(psd), dtype=np.float64) * (self._rate / self._nfft),
            psd=psd,
            labels=self._labels,
            frames=self._used,
            nfft=self._nfft,
        )
