"""The re-check of a delivery file, metered on the samples as they are written.

``mixdesk fix`` proves its output with the same profiles ``mixdesk check`` uses.
Reading the file back would decode exactly the values the writer was given (the
rounded integers scaled by ``2^-(bits-1)``, or float32 values widened), so the
render pass feeds those values to a :class:`qc.measure.Analyzer` instead, cut
into the blocks :func:`qc.engine.measure_file` would read (every meter then sees
the same numbers in the same order: the measurements are identical, which
``tests/qc/fix/test_recheck.py`` checks against :func:`qc.engine.check_file` on
the written file). The header facts come from the written file itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qc.audio import read_info
from qc.audio.limits import block_frames
from qc.engine import BLOCK_FRAMES, FileResult, judge_measured, measure_options
from qc.measure import Analyzer
from qc.measure._types import Block
from qc.settings import Settings

if TYPE_CHECKING:
    from qc.profiles import Profile

__all__ = ["Recheck"]


class Recheck:
    """Streaming re-check of the samples written to one file.

    Args:
        rate: Sample rate of the output, Hz.
        channels: Channel count.
        bit_depth: Bits per sample of the output's subtype (32 for float, 64 for double),
            as :class:`qc.audio.StreamInfo` reports it.
        profiles: The delivery profiles (at least one).
    """

    def __init__(
        self, rate: int, channels: int, bit_depth: int | None, profiles: Sequence[Profile]
    ) -> None:
        self._settings = Settings(tuple(profiles))
        self._size = block_frames(channels, BLOCK_FRAMES)
        self._analyzer = Analyzer(
            rate, channels, measure_options(self._settings), bit_depth=bit_depth
        )
        self._parts: list[Block] = []
        self._held = 0

    def feed(self, block: Block) -> None:
        """Add written samples, shape ``(frames, channels)``, exactly as the file holds them."""
        if len(block) == 0:
            return
        self._parts.append(block)
        self._held += len(block)
        if self._held < self._size:
            return
        joined = np.concatenate(self._parts) if len(self._parts) > 1 else self._parts[0]
        full = self._held - self._held % self._size
        for start in range(0, full, self._size):
            self._analyzer.feed(joined[start : start + self._size])
        rest = joined[full:]
        self._parts = [rest] if len(rest) else []
        self._held = len(rest)

    def result(self, written: str) -> FileResult:
        """Finish the measurements and judge them with the profiles.

        Args:
            written: The file the samples were written to (closed): its header facts
                are read from it.

        Returns:
            What :func:`qc.engine.check_file` says of ``written``.

        Raises:
            AudioReadError: The written file's header cannot be read.
        """
        if self._held:
            self._analyzer.feed(np.concatenate(self._parts))
            self._parts, self._held = [], 0
        measurements = self._analyzer.result()
        return judge_measured(written, read_info(written), measurements, self._settings)

    def close(self) -> None:
        """Stop the analyzer's worker thread (also when the pass failed)."""
        self._analyzer.close()
