"""Renderers: fixed-width rich output keeps the whole name; sparkline; times."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from rich.console import Console

from qc.engine import measure_file
from qc.printable import printable
from qc.report._text import fmt_time
from qc.report.rich_report import THEME, file_panel, sparkline
from qc.units import count


def _render(panel: object, width: int) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, theme=THEME, color_system=None).print(panel)
    return buf.getvalue()


def test_long_path_is_folded_not_cut(tmp_path: object) -> None:
    deep = tmp_path / ("very_long_directory_name/" * 4)  # type: ignore[operator]
    deep.mkdir(parents=True)
    path = deep / "some_long_file_name_mix_v3_final.wav"
    sf.write(path, np.zeros((4800, 2)), 48000, subtype="PCM_16")
    out = _render(file_panel(measure_file(path)), width=60)
    flat = "".join(line.strip("│ ") for line in out.splitlines())
    assert str(path) in flat
    assert "some_long_file_name_mix_v3_final.wav" in out.splitlines()[0]


def test_error_panel_names_file() -> None:
    out = _render(file_panel(measure_file("/nonexistent/[bold]x[/bold].wav")), width=80)
    assert "[bold]x[/bold].wav" in out
    assert "no such file" in out


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "00:00.000"), (61.5, "01:01.500"), (3599.9994, "59:59.999"), (None, "-")],
)
def test_fmt_time(seconds: float | None, text: str) -> None:
    assert fmt_time(seconds) == text


def test_printable_escapes_control_characters() -> None:
    assert printable("a\x1b[31mb\n") == "a\\x1b[31mb\\n"
    assert printable("[red]ok[/red]") == "[red]ok[/red]"


def test_sparkline_shape() -> None:
    series = np.array([-np.inf, -30.0, -20.0, -10.0])
    line = sparkline(series, width=4, floor=-20.0)
    assert line == "▁▁▅█"  # -20 is half-way down a 20 LU range: bar 4 of 0..7
    assert sparkline(np.array([-np.inf])) == ""
    assert len(sparkline(np.linspace(-30, -10, 1000), width=60)) == 60


@pytest.mark.parametrize(
    ("n", "noun", "plural", "text"),
    [(0, "error", None, "0 errors"), (1, "error", None, "1 error"), (2, "file", None, "2 files"),
     (1, "analysis", "analyses", "1 analysis"), (3, "analysis", "analyses", "3 analyses")],
)  # fmt: skip
def test_count(n: int, noun: str, plural: str | None, text: str) -> None:
    assert count(n, noun, plural) == text
