"""The batch progress bar: files done, failed, rate and ETA, on a terminal only.

Whether to draw it is decided by the CLI through :mod:`qc.cli.console`
(stderr a terminal, not ``CI=true``), which hands over the console to draw on;
without one every method only counts, and rich is not imported.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, Self

__all__ = ["Progress"]


class Progress:
    """A rich progress bar on stderr, or nothing.

    Args:
        total: Files in the run.
        console: A rich ``Console`` on stderr to draw on, or ``None`` to draw nothing.
    """

    def __init__(self, total: int, *, console: Any | None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self._t0 = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        if console is not None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )

    def rate(self) -> float:
        """Files finished per second since the start."""
        elapsed = time.monotonic() - self._t0
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, *, failed: bool) -> None:
        """Count one finished file (``failed``: it could not be read)."""
        self.done += 1
        self.failed += failed
        if self._bar is not None:
            self._bar.update(
                self._task, advance=1, failed=self.failed, rate=f"{self.rate():.1f} files/s"
            )

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.__enter__()
            self._task = self._bar.add_task("checking", total=self.total, failed=0, rate="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
