"""The render writer: mixes a project into a new take, written as it is mixed.

Like a DAW's bounce, the file is created at its final path and written block by
block; libsndfile finalises the WAV header sizes when the file is closed, so a
watcher sees a growing file whose header does not yet agree with its size
until the render is done. A render that fails part-way removes its file.

**Format.** WAV, signed PCM, 24-bit by default or 16-bit. A sample ``x``
(full scale = 1.0) becomes the integer ``round(x · 2**(bits-1) + d)``
(ties to even), saturated to ``[-2**(bits-1), 2**(bits-1) - 1]``: the same
scale libsndfile uses to read it back, so a read gives ``q / 2**(bits-1)``.
Values beyond full scale are clipped by that saturation, as a fixed-point
render clips, never limited; :attr:`RenderResult.peak_dbfs` and
:attr:`RenderResult.clipped_samples` let the caller warn.

**Dither.** 16-bit renders add TPDF dither ``d = u1 - u2`` LSB, with ``u1``,
``u2`` independent and uniform on ``[0, 1)``: triangular on ``(-1, +1)`` LSB,
variance 1/6 LSB²; with the rounding, the total error has variance 1/4 LSB²
whatever the signal. The generator is seeded (``seed``), so a render is
reproducible. 24-bit renders are not dithered: their rounding error, at
-144.5 dBFS RMS, lies far below any stem's own noise floor.

**Takes.** The file is ``<project>-take<NN>.wav`` in ``out_dir``, ``NN`` (at
least two digits) one above the highest take of that project already there;
the name is claimed with an exclusive create that never follows a link
(:func:`qc.safe_io.create_new`), so an existing take or link is never
overwritten, even by two renders at once, and the take is written through the
descriptor of that create, never reopened by name: a link planted at its path
while it renders is never written through (the render then fails, and leaves
the link alone).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf

from bridge.virtual.automation import Automation, mixer_sources
from bridge.virtual.engine import BLOCK_FRAMES, Mixer
from bridge.virtual.errors import VirtualDawError
from bridge.virtual.state import MixSnapshot, MixState
from bridge.virtual.stems import Stem
from qc.safe_io import create_new

__all__ = ["Progress", "RenderResult", "next_take", "render"]

Progress = Callable[[int, int], None]  # (frames written, frames in total)
Floats = npt.NDArray[np.float64]

_SUBTYPES: Final[dict[int, str]] = {16: "PCM_16", 24: "PCM_24"}
_PROJECT = re.compile(r"[^/\\\x00]+")


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote.

    Attributes:
        path: The new take.
        frames: Frames written (the longest stem).
        rate: Sample rate in Hz.
        bits: PCM bits per sample, 16 or 24.
        peak_dbfs: Sample peak of the float mix before dither and conversion,
            dBFS; above 0.0 means clipped; ``-inf`` for digital silence.
        clipped_samples: Samples (over both channels) saturated by the PCM
            conversion.
        seconds: Duration in s.
        elapsed_s: Wall-clock time of the render in s.
    """

    path: Path
    frames: int
    rate: int
    bits: int
    peak_dbfs: float
    clipped_samples: int
    seconds: float
    elapsed_s: float

    @property
    def realtime_factor(self) -> float:
        """Seconds of audio rendered per second of wall-clock time."""
        return self.seconds / self.elapsed_s if self.elapsed_s > 0 else float("inf")


def next_take(out_dir: str | os.PathLike[str], project: str) -> Path:
    """Return the path the next take of ``project`` would get (nothing is created).

    Args:
        out_dir: The render folder.
        project: Project name, the file name's prefix.

    Returns:
        ``out_dir / f"{project}-take{NN:02d}.wav"``, ``NN`` one above the
        highest existing take of ``project`` (1 when there is none).
    """
    pattern = re.compile(re.escape(project) + r"-take(\d+)\.wav")
    folder = Path(out_dir)
    numbers = [
        int(m.group(1)) for p in folder.iterdir() if (m := pattern.fullmatch(p.name)) is not None
    ]
    return folder / f"{project}-take{max(numbers, default=0) + 1:02d}.wav"


def _claim_take(out_dir: Path, project: str) -> tuple[Path, int]:
    """Create the next take's file empty, exclusively; return its path and a write descriptor."""
    while True:
        path = next_take(out_dir, project)
        try:
            fd = create_new(path)
        except FileExistsError:  # another render claimed it first, or a link is there
            continue
        except OSError as e:
            raise VirtualDawError(f"{path}: cannot create the take ({e.strerror})") from e
        return path, fd


def _still_ours(path: Path, ours: os.stat_result) -> bool:
    """True if ``path`` is still the file this render created (not replaced, not a link)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (ours.st_dev, ours.st_ino)


class _Quantiser:
    """float64 → left-justified int32 PCM codes, with optional TPDF dither."""

    def __init__(self, bits: int, rng: np.random.Generator | None) -> None:
        self.scale = float(2 ** (bits - 1))
        self.low, self.high = -self.scale, self.scale - 1.0
        self.shift = 32 - bits
        self.rng = rng
        self.peak = 0.0
        self.clipped = 0

    def __call__(self, block: Floats) -> npt.NDArray[np.int32]:
        """Return PCM codes for ``block`` (shape ``(n, 2)``), left-justified in int32."""
        if block.size:
            self.peak = max(self.peak, float(np.max(np.abs(block))))
        v = block * self.scale
        if self.rng is not None:
            u = self.rng.random((*block.shape, 2))
            v += u[..., 0] - u[..., 1]
        np.rint(v, out=v)
        self.clipped += int(np.count_nonzero((v < self.low) | (v > self.high)))
        np.clip(v, self.low, self.high, out=v)
        return np.left_shift(v.astype(np.int32), self.shift)


def render(
    stems: Sequence[Stem],
    state: MixState | MixSnapshot,
    out_dir: str | os.PathLike[str],
    *,
    rate: int,
    project: str = "mix",
    bits: Literal[16, 24] = 24,
    dither: bool = True,
    seed: int = 0,
    block_frames: int = BLOCK_FRAMES,
    progress: Progress | None = None,
    automation: Automation | None = None,
    workers: int | None = None,
) -> RenderResult:
    """Mix ``stems`` with ``state`` and write a new take into ``out_dir``.

    Args:
        stems: The stems, from :func:`bridge.virtual.stems.load_stems`.
        state: The mixer state; a live :class:`MixState` is snapshotted once,
            at the start, so later changes do not reach this render.
        out_dir: Render folder; it must exist.
        rate: Project sample rate in Hz; every stem must have it.
        project: Take name prefix: ``<project>-take<NN>.wav``. Defaults to "mix".
        bits: 24 (default) or 16 PCM bits per sample.
        dither: Add seeded TPDF dither to a 16-bit render. Defaults to True.
            24-bit renders are never dithered.
        seed: Seed of the dither generator. Defaults to 0.
        block_frames: Frames per block. Defaults to 65536.
        progress: Called after each block with ``(frames written, total frames)``,
            while the file grows at its final path.
        automation: Lanes, track name (or ``"master"``) → parameter → lane,
            rendered sample-accurately (see :mod:`bridge.virtual.automation`);
            a lane replaces the state's value of its parameter.
        workers: Threads running the tracks' plugins at once (see
            :class:`~bridge.virtual.engine.Mixer`); the take is the same
            whatever the number.

    Returns:
        The render's path, length, format, peak and timing.

    Raises:
        VirtualDawError: Bad arguments, a stem at another rate, a state or a
            lane naming a track without a stem, a lane value out of range, or an
            unreadable stem or unwritable file.
    """
    started = time.perf_counter()
    if bits not in _SUBTYPES:
        raise VirtualDawError(f"bits must be 16 or 24, got {bits}")
    if not _PROJECT.fullmatch(project) or project in (".", ".."):
        raise VirtualDawError(f"project name {project!r} cannot be a file name prefix")
    for stem in stems:
        if stem.rate != rate:
            raise VirtualDawError(
                f"{stem.path}: sample rate {stem.rate} Hz differs from the project rate {rate} Hz"
            )
    folder = Path(out_dir)
    if not folder.is_dir():
        raise VirtualDawError(f"{folder}: the render folder does not exist")
    snapshot = state.snapshot() if isinstance(state, MixState) else state
    params, master = mixer_sources(stems, snapshot, automation or {}, rate)
    mixer = Mixer(
        stems,
        snapshot,
        block_frames=block_frames,
        params=params,
        master=master,
        rate=rate,
        workers=workers,
    )
    rng = np.random.default_rng(seed) if dither and bits == 16 else None
    quantise = _Quantiser(bits, rng)
    path, fd = _claim_take(folder, project)
    ours = os.fstat(fd)
    done = 0
    try:
        try:  # the descriptor of the exclusive create: the path is never reopened
            out = sf.SoundFile(
                fd, "w", samplerate=rate, channels=2, subtype=_SUBTYPES[bits], format="WAV",
                closefd=True,
            )  # fmt: skip
        except BaseException:
            os.close(fd)
            raise
        with out:
            for block in mixer.blocks():
                out.write(quantise(block))
                done += len(block)
                if progress is not None:
                    progress(done, mixer.frames)
        if not _still_ours(path, ours):
            raise VirtualDawError(f"{path}: replaced while it was rendered; the take is lost")
    except BaseException as e:
        if _still_ours(path, ours):  # never remove what another process put there
            path.unlink(missing_ok=True)
        if isinstance(e, (RuntimeError, OSError)) and not isinstance(e, VirtualDawError):
            raise VirtualDawError(f"{path}: render failed ({' '.join(str(e).split())})") from e
        raise
    peak_dbfs = 20.0 * float(np.log10(quantise.peak)) if quantise.peak > 0 else float("-inf")
    return RenderResult(
        path=path,
        frames=done,
        rate=rate,
        bits=bits,
        peak_dbfs=peak_dbfs,
        clipped_samples=quantise.clipped,
        seconds=done / rate if rate else 0.0,
        elapsed_s=time.perf_counter() - started,
    )
