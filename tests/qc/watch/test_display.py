"""Verdict output: the linter's panel on a terminal, plain lines in a pipe."""

from __future__ import annotations

import io
from pathlib import Path

from qc.cli.console import make_console
from qc.engine import FileResult, check_file
from qc.profiles import load_profile
from qc.watch.display import Counts, PlainDisplay, RichDisplay, verdict
from qc.watch.record import Outcome, Record, Trigger
from tests.qc.watch.writers import tone, wav_bytes


def record(tmp_path: Path) -> Record:
    path = tmp_path / "mix.wav"
    path.write_bytes(wav_bytes(tone(0.5)))
    result = check_file(str(path), [load_profile("default")])
    return Record(result, Outcome.CHECKED, Trigger.CLOSED, 0.0, queued_s=0.01, check_s=0.25)


def test_rich_display_prints_the_linter_panel_and_a_status_line(tmp_path: Path) -> None:
    out = io.StringIO()
    display = RichDisplay(make_console(out, width=100))
    display.start("watching /renders (inotify)")
    display.started(str(tmp_path / "mix.wav"), Trigger.CLOSED)
    display.show(record(tmp_path), Counts(done=1))
    display.note("something odd")
    display.stop("stopped: 1 done (0 failed)")
    text = out.getvalue()
    assert "watching /renders (inotify)" in text
    assert "╭" in text
    assert " mix.wav " in text  # the panel's title
    assert "Integrated" in text
    assert "pass · closed · queued 0.01 s · checked in 0.25 s" in text
    assert "something odd" in text
    assert text.rstrip().endswith("stopped: 1 done (0 failed)")


def test_plain_display_prints_text_report_and_status_lines(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    display = PlainDisplay(out, err)
    rec = record(tmp_path)
    display.start("watching /renders (inotify)")
    display.started(rec.path, Trigger.CLOSED)
    display.show(rec, Counts(queued=3, running=1, done=5, failed=1))
    assert out.getvalue().startswith(f"{rec.path}: wav/pcm PCM_16 16-bit 8000 Hz 1 ch")
    assert err.getvalue().splitlines() == [
        "mixdesk watch: watching /renders (inotify)",
        f"mixdesk watch: checking {rec.path} (closed)",
        f"mixdesk watch: {rec.path}: pass (closed · queued 0.01 s · checked in 0.25 s); "
        "0 being written · 3 queued · 1 running · 5 done (1 failed)",
    ]


def test_deleted_and_duplicate_records_are_notes_not_verdicts() -> None:
    out, err = io.StringIO(), io.StringIO()
    gone = Record(
        FileResult("/r/a.wav", None, None, "deleted before its check"), Outcome.DELETED, None, 0.0
    )
    PlainDisplay(out, err).show(gone, Counts())
    assert out.getvalue() == ""
    assert "/r/a.wav: deleted (never finished)" in err.getvalue()


def test_verdict_words(tmp_path: Path) -> None:
    rec = record(tmp_path)
    assert verdict(rec) == "pass"
    bad = Record(
        FileResult("/r/x.wav", None, None, "no such file"), Outcome.CHECKED, Trigger.CLOSED, 0.0
    )
    assert verdict(bad) == "unreadable"
    assert verdict(Record(rec.result, Outcome.INCOMPLETE, Trigger.CLOSED, 0.0)) == "incomplete"
