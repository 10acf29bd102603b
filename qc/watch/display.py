"""The daemon's human output: one verdict per bounce and a status line.

:class:`RichDisplay` (a terminal) prints the linter's panel
(:func:`qc.report.rich_report.file_panel`) per bounce above a live status line
with the waiting/queued/running/done counts. :class:`PlainDisplay` (a pipe, a
log file, journald) prints the ``text`` report lines on stdout and one plain
status line per event on stderr. Both are called from one thread only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from qc.diagnostic import Severity
from qc.printable import printable
from qc.report.text_report import render_text
from qc.watch.record import Outcome, Record, Trigger

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

__all__ = ["Counts", "Display", "PlainDisplay", "RichDisplay", "verdict"]


@dataclass(frozen=True)
class Counts:
    """The daemon's state at a glance.

    Attributes:
        waiting: Files being written (or settling).
        queued: Files finished and waiting for a worker.
        running: Files being checked.
        done: Records made so far (checked, incomplete, deleted).
        failed: Of those, the ones with an error-level finding or no audio.
    """

    waiting: int = 0
    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    def line(self) -> str:
        """``2 being written · 3 queued · 2 running · 15 done (1 failed)``."""
        return (
            f"{self.waiting} being written · {self.queued} queued · {self.running} running · "
            f"{self.done} done ({self.failed} failed)"
        )


def verdict(rec: Record) -> str:
    """One word for a record: pass, warn, fail, unreadable, incomplete, deleted, duplicate."""
    if rec.outcome is not Outcome.CHECKED:
        return rec.outcome.value
    r = rec.result
    if r.error is not None:
        return "unreadable"
    worst = max((d.severity for d in r.diagnostics), default=None)
    if worst is Severity.ERROR:
        return "fail"
    return "warn" if worst is Severity.WARNING else "pass"


def _caption(rec: Record) -> str:
    parts = [rec.trigger.value if rec.trigger is not None else "never finished"]
    if rec.queued_s is not None:
        parts.append(f"queued {rec.queued_s:.2f} s")
    if rec.check_s is not None:
        parts.append(f"checked in {rec.check_s:.2f} s")
    return " · ".join(parts)


class Display(Protocol):
    """Where the daemon shows what it does."""

    def start(self, banner: str) -> None:
        """Show the start-up line and begin the status line."""

    def started(self, path: str, trigger: Trigger) -> None:
        """A check began."""

    def show(self, rec: Record, counts: Counts) -> None:
        """Show one record (a verdict, or a note for deleted and duplicate files)."""

    def note(self, text: str) -> None:
        """Show a one-line remark (a warning, a refused file)."""

    def status(self, counts: Counts) -> None:
        """Update the status line."""

    def stop(self, summary: str) -> None:
        """End the status line and show the final summary."""


class PlainDisplay:
    """Plain lines: the ``text`` report on ``out``, status and notes on ``err``.

    Args:
        out: Verdict stream (stdout).
        err: Status stream (stderr).
    """

    def __init__(self, out: IO[str], err: IO[str]) -> None:
        self._out = out
        self._err = err

    def _say(self, text: str) -> None:
        self._err.write(f"mixdesk watch: {text}\n")
        self._err.flush()

    def start(self, banner: str) -> None:  # noqa: D102
        self._say(banner)

    def started(self, path: str, trigger: Trigger) -> None:  # noqa: D102
        self._say(f"checking {printable(path)} ({trigger.value})")

    def show(self, rec: Record, counts: Counts) -> None:  # noqa: D102
        if rec.outcome in (Outcome.CHECKED, Outcome.INCOMPLETE):
            self._out.write(render_text([rec.result]))
            self._out.flush()
        what = verdict(rec)
        self._say(f"{printable(rec.path)}: {what} ({_caption(rec)}); {counts.line()}")

    def note(self, text: str) -> None:  # noqa: D102
        self._say(text)

    def status(self, counts: Counts) -> None:  # noqa: D102
        del counts  # a pipe gets a line per record, not per change

    def stop(self, summary: str) -> None:  # noqa: D102
        self._say(summary)


class RichDisplay:
    """A panel per bounce above a live status line, on one rich console.

    Args:
        console: The terminal's console (the panels and the status share it).
    """

    def __init__(self, console: Console) -> None:
        self._console = console
        self._live: Live | None = None
        self._counts = Counts()
        self._current = ""

    def _status_text(self) -> Spinner:
        from rich.spinner import Spinner

        c = self._counts
        last = f" · last started {self._current}" if self._current and c.running else ""
        return Spinner("dots", text=f"watching · {c.line()}{last}", style="qc.info")

    def start(self, banner: str) -> None:  # noqa: D102
        from rich.live import Live
        from rich.text import Text

        self._console.print(Text(banner, style="qc.dim"))
        self._live = Live(
            self._status_text(),
            console=self._console,
            refresh_per_second=8,
            transient=True,
        )
        self._live.start()

    def started(self, path: str, trigger: Trigger) -> None:  # noqa: D102
        del trigger
        self._current = printable(path).rsplit("/", 1)[-1]
        self.status(self._counts)

    def show(self, rec: Record, counts: Counts) -> None:  # noqa: D102
        from rich.text import Text

        from qc.report.rich_report import file_panel

        name = printable(rec.path)
        if rec.outcome in (Outcome.CHECKED, Outcome.INCOMPLETE):
            self._console.print(file_panel(rec.result))
            self._console.print(Text(f"  {verdict(rec)} · {_caption(rec)}", style="qc.dim"))
        else:
            self._console.print(Text(f"{name}: {verdict(rec)}: {rec.result.error}", style="qc.dim"))
        self.status(counts)

    def note(self, text: str) -> None:  # noqa: D102
        from rich.text import Text

        self._console.print(Text(text, style="qc.warning"))

    def status(self, counts: Counts) -> None:  # noqa: D102
        self._counts = counts
        if self._live is not None:
            self._live.update(self._status_text())

    def stop(self, summary: str) -> None:  # noqa: D102
        from rich.text import Text

        if self._live is not None:
            self._live.stop()
            self._live = None
        self._console.print(Text(summary, style="qc.dim"))
