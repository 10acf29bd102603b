"""The album's HTML page against the album's JSON (mixdesk.album/1), by the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

RATE = 44100
MAIN = "import sys; from qc.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _mixdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", MAIN, *args], check=False, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})  # fmt: skip


class _Cells(HTMLParser):
    """Cells with a data-key, per table class; svg count; row ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.svgs = 0
        self.ids: list[str] = []
        self._table = ""
        self._key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.svgs += 1
        if tag == "table":
            self._table = a.get("class", "")
        if tag == "tr":
            self.tables.setdefault(self._table, []).append({})
            if "id" in a:
                self.ids.append(a["id"])
        if tag == "td" and "data-key" in a:
            self._key = a["data-key"]
            self.tables[self._table][-1][self._key] = a.get("data-value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._key = None

    def handle_data(self, data: str) -> None:
        row = self.tables[self._table][-1] if self._key is not None else None
        if row is not None and self._key is not None and not row[self._key]:
            row[self._key] = data.strip()


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    folder = tmp_path_factory.mktemp("album")
    rng = np.random.default_rng(21)
    for i, (level, seconds) in enumerate([(0.1, 6), (0.3, 5), (0.05, 6)], start=1):
        t = np.arange(RATE * seconds) / RATE
        mono = level * np.sin(2 * np.pi * 220 * i * t) + 0.2 * level * rng.standard_normal(len(t))
        sf.write(folder / f"{i:02d} <b>song & \"x\" {i}.wav", np.stack([mono, 0.9 * mono], 1), RATE,
                 subtype="PCM_16")  # fmt: skip
    page = folder.parent / f"{folder.name}.html"
    done = _mixdesk("album", str(folder), "--format", "html", "--output-file", str(page))
    assert done.returncode in (0, 1), done.stderr
    js = _mixdesk("album", str(folder), "--format", "json")
    assert js.returncode == done.returncode, js.stderr
    return page.read_text(encoding="utf-8"), json.loads(js.stdout), page


def test_track_table_and_loudness_equal_the_json(album: tuple[str, dict[str, Any], Path]) -> None:
    text, doc, _ = album
    p = _Cells()
    p.feed(text)
    rows = [r for r in p.tables["tracks"] if r]
    assert len(rows) == len(doc["tracks"]) == 3
    for row, track in zip(rows, doc["tracks"], strict=True):
        for key in ("integrated_lufs", "offset_lu", "true_peak_dbtp", "loudness_range_lu"):
            assert json.loads(row[key]) == track[key], key  # the JSON's float, exactly
    # The offsets are the tracks' loudness minus the album's (independent arithmetic).
    album_lufs = doc["loudness"]["integrated_lufs"]
    for track in doc["tracks"]:
        assert track["offset_lu"] == pytest.approx(track["integrated_lufs"] - album_lufs, abs=1e-9)
    loud = {k: v for r in p.tables["album-loudness"] for k, v in r.items()}
    keys = ("integrated_lufs", "loudness_range_lu", "spread_lu", "max_true_peak_dbtp")
    assert set(loud) == {f"loudness.{k}" for k in keys}
    for k in keys:
        assert json.loads(loud[f"loudness.{k}"]) == doc["loudness"][k], k


def test_timeline_findings_and_tracks_are_there(album: tuple[str, dict[str, Any], Path]) -> None:
    text, doc, _ = album
    p = _Cells()
    p.feed(text)
    assert p.svgs == 1 + 4 * 3  # the album timeline, then four plots per track
    album_rows = [i for i in p.ids if i.startswith("album-d")]
    assert len(album_rows) == len(doc["diagnostics"])
    assert "&lt;b&gt;song &amp; &quot;x&quot;" in text  # a name with markup is text
    assert "<b>song" not in text
    assert "http:" not in text
    assert "https:" not in text


def test_album_page_renders_in_chromium(
    album: tuple[str, dict[str, Any], Path], chromium: str
) -> None:
    _, doc, page = album
    dom = subprocess.run(
        [chromium, "--headless", "--disable-gpu", "--no-sandbox",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", page.as_uri()],
        check=False, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 13
    assert dom.stdout.count('class="track"') == len(doc["tracks"])
