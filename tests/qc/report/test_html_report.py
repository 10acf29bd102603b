"""The HTML report, opened in a real headless Chromium, against the JSON report of the same file."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

RATE = 48000
MAIN = "import sys; from qc.cli.main import main; sys.exit(main(sys.argv[1:]))"
HOSTILE = "<img src=x onerror=alert(1)> \"quoted\" & 'single'.wav"


def _mixdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MAIN, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _bounce(path: Path) -> None:
    """6 s of stereo: tone and noise, hard-clipped from 2 to 3 s, the right side inverted late."""
    rng = np.random.default_rng(22)
    t = np.arange(RATE * 6) / RATE
    left = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(len(t))
    right = 0.4 * np.sin(2 * np.pi * 440 * t + 0.3) + 0.05 * rng.standard_normal(len(t))
    x = np.stack([left, right], axis=1)
    x[2 * RATE : 3 * RATE] *= 4.0
    x[5 * RATE :, 1] *= -1.0
    sf.write(path, np.clip(x, -1.0, 1.0), RATE, subtype="PCM_24")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The HTML and the JSON report of one hostile-named bounce, by the real CLI."""
    folder = tmp_path_factory.mktemp("html")
    audio = folder / HOSTILE
    _bounce(audio)
    page = folder / "report.html"
    done = _mixdesk("check", str(audio), "--profile", "spotify", "--format", "html",
                    "--output-file", str(page))  # fmt: skip
    assert done.returncode == 1, done.stderr  # the clipped bounce fails
    js = _mixdesk("check", str(audio), "--profile", "spotify", "--format", "json")
    assert js.returncode == 1, js.stderr
    return page, json.loads(js.stdout)


class _Tables(HTMLParser):
    """Collects the measurement cells (data-key -> text) and the findings rows' cells."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.findings: list[list[str]] = []
        self.svgs = 0
        self.h2: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str, str]] = []
        self._key: str | None = None
        self._in_findings = False
        self._in_h2 = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        if tag == "svg":
            self.svgs += 1
        if tag == "table":
            self._in_findings = a.get("class") == "findings"
        if tag == "tr" and self._in_findings:
            self.findings.append([])
        if tag == "td":
            self._key = a.get("data-key")
            self._cell = []
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._key is not None:
                self.values[self._key] = text
            elif self._in_findings and self.findings:
                self.findings[-1].append(text)
            self._cell, self._key = None, None
        if tag == "h2":
            self._in_h2 = False
        if tag == "table":
            self._in_findings = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h2:
            self.h2[-1] += data


def _flat(obj: Any, prefix: str) -> dict[str, Any]:
    """The JSON's scalars by dotted key (written here, independently of the report's code)."""
    if isinstance(obj, dict):
        return {k: v for key, val in obj.items() for k, v in _flat(val, f"{prefix}.{key}").items()}
    if isinstance(obj, list):
        return {k: v for i, val in enumerate(obj) for k, v in _flat(val, f"{prefix}[{i}]").items()}
    return {prefix: obj}


def _parse(page: Path) -> _Tables:
    p = _Tables()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def test_measurements_table_equals_the_json(report: tuple[Path, dict[str, Any]]) -> None:
    page, doc = report
    f = doc["files"][0]
    expected = {**_flat(f["format"], "format"), **_flat(f["measurements"], "measurements")}
    got = _parse(page).values
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert json.loads(got[key]) == value, key  # exact: the same float, bit for bit


def test_findings_list_every_diagnostic(report: tuple[Path, dict[str, Any]]) -> None:
    page, doc = report
    diags = doc["files"][0]["diagnostics"]
    rows = [r for r in _parse(page).findings if r]
    assert len(rows) == len(diags) >= 2
    for n, (row, d) in enumerate(zip(rows, diags, strict=True), start=1):
        assert row[0] == str(n)
        assert row[1:3] == [d["code"], d["severity"]]
        assert row[4] == d["message"]
    assert {d["code"] for d in diags} >= {"CLP001", "TP001"}


def test_self_contained_and_hostile_name_is_text(report: tuple[Path, dict[str, Any]]) -> None:
    page, _ = report
    text = page.read_text(encoding="utf-8")
    low = text.lower()
    for needle in ("http:", "https:", "@import"):
        assert needle not in low, needle
    assert "url(" not in low.replace("url(#", "")
    parsed = _parse(page)
    assert not parsed.tags & {"script", "img", "iframe", "object", "embed", "image"}
    for tag, key, value in parsed.attrs:  # the only references are to ids in the page
        assert key != "src", tag
        if key in ("href", "xlink:href"):
            assert value.startswith("#") or value == "data:,", (tag, value)
    assert parsed.h2 == [str(page.parent / HOSTILE)]
    assert "img" not in parsed.tags
    assert parsed.svgs == 4


class _Recorder(http.server.SimpleHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012

    def log_message(self, format: str, *args: Any) -> None:
        self.seen.append(self.path)


def test_chromium_renders_without_network(
    report: tuple[Path, dict[str, Any]], chromium: str, tmp_path: Path
) -> None:
    """Served from 127.0.0.1: the page is the only request; the DOM has the plots and rows."""
    page, doc = report
    handler = lambda *a: _Recorder(*a, directory=str(page.parent))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shot = tmp_path / "shot.png"
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/report.html"
        args = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
                "--enable-logging=stderr", "--v=0", "--window-size=1200,2600"]  # fmt: skip
        dom = subprocess.run([*args, "--dump-dom", url], check=False, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
        pic = subprocess.run([*args, f"--screenshot={shot}", url], check=False, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert pic.returncode == 0, pic.stderr[-2000:]
    assert sorted(set(_Recorder.seen)) == ["/report.html"]  # no asset, no favicon fetched
    for out in (dom.stderr, pic.stderr):
        assert "CONSOLE" not in out
        assert "Uncaught" not in out
    rendered = dom.stdout
    assert rendered.count("<svg") == 4
    assert rendered.count('<tr id="f0-d') == len(doc["files"][0]["diagnostics"])
    import matplotlib.image

    img = matplotlib.image.imread(shot)[:, :, :3]  # (2600, 1200, 3), 0..1
    dark = (img.mean(axis=2) < 0.6).mean(axis=1)  # fraction of dark pixels per row
    # The plots (below the header) fill the rows from about 250 px down: each 400-px band
    # there has drawn content (axes, curves, text), not a blank page.
    for top in range(250, 2250, 400):
        assert dark[top : top + 400].mean() > 0.01, top


def test_empty_run_renders() -> None:
    from qc.report import render_html

    text = render_html([])
    assert text.startswith("<!DOCTYPE html>")
    assert "0 files" in text
