"""Keep libmpg123's notes off the terminal: one line per bad file, not twenty.

libsndfile decodes MP3 with libmpg123, which prints ``Note: Trying to resync...``
and the like straight to file descriptor 2 from C, past Python's ``sys.stderr``.
On a damaged MP3 that is a screenful around mixdesk's one-line error, and in
``mixdesk watch`` it lands in the middle of the display.

:class:`DecoderNoise` points descriptor 2 at a temporary file while the decoder
runs, then writes back everything that is not a libmpg123 message (another
thread's output is delayed by one block read, never lost) and counts the
messages it kept back, so the caller can say what the decoder saw.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from types import TracebackType
from typing import IO, Self

__all__ = ["DecoderNoise", "split_decoder_lines"]

# libmpg123's own prefixes: "Note: ", "Warning: ", "Error: ", and "[src/libmpg123/x.c:12] ".
_MPG123_LINE = re.compile(rb"^(?:Note|Warning|Error): |^\[[^\]\n]*libmpg123[^\]\n]*\]")


def split_decoder_lines(captured: bytes) -> tuple[bytes, int]:
    """Separate libmpg123's messages from other output written to descriptor 2.

    Args:
        captured: Everything written to descriptor 2 while the decoder ran.

    Returns:
        The bytes to write back (every other line, unchanged and in order), and
        the number of libmpg123 lines dropped.
    """
    kept: list[bytes] = []
    dropped = 0
    for line in captured.splitlines(keepends=True):
        if _MPG123_LINE.match(line):
            dropped += 1
        else:
            kept.append(line)
    return b"".join(kept), dropped


class DecoderNoise:
    """Captures descriptor 2 around decoder calls; reusable, one temporary file.

    Use ``with noise:`` around each call into libsndfile, and :meth:`close` at
    the end. When ``enabled`` is False it does nothing (no file, no syscalls).

    Args:
        enabled: Capture at all (True for MPEG streams).
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.messages = 0
        """libmpg123 lines kept off the terminal so far."""
        self._file: IO[bytes] | None = None
        self._saved: int | None = None

    def __enter__(self) -> Self:
        if not self.enabled:
            return self
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile()  # closed in close()
            sys.stderr.flush()
            self._saved = os.dup(2)
            os.dup2(self._file.fileno(), 2)
        except (OSError, ValueError):  # no descriptor 2, or out of descriptors: let it print
            self._restore()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._saved is None or self._file is None:
            return
        self._restore()
        self._file.seek(0)
        captured = self._file.read()
        self._file.seek(0)
        self._file.truncate()
        rest, dropped = split_decoder_lines(captured)
        self.messages += dropped
        try:
            while rest:
                rest = rest[os.write(2, rest) :]
        except OSError:  # descriptor 2 closed: there was nowhere to print it anyway
            pass

    def _restore(self) -> None:
        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None

    def close(self) -> None:
        """Remove the temporary file. Idempotent."""
        self._restore()
        if self._file is not None:
            self._file.close()
            self._file = None
