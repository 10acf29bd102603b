"""CI output formats: json, json-lines, text, junit, sarif and github, on fixed input."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from qc._version import __version__
from qc.audio import StreamInfo
from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.measure import analyze
from qc.report import (
    RENDERERS,
    SCHEMA,
    render_github,
    render_json,
    render_json_lines,
    render_junit,
    render_sarif,
    render_text,
)
from qc.report.github_report import escape_data, escape_property

RATE = 48000
WEIRD = 'we<&>"ird\x1b.wav'

TP = Diagnostic(
    "TP001",
    "true-peak-ceiling",
    Severity.ERROR,
    "true peak +0.3 dBTP above the ceiling -1.0 dBTP",
    measured=0.3,
    limit=-1.0,
    unit="dBTP",
    start_s=83.456,
    end_s=83.457,
    channel=1,
    profile="spotify",
)
LUF = Diagnostic(
    "LUF002",
    "integrated-target",
    Severity.WARNING,
    "integrated -9.0 LUFS is 5.0 LU above the target -14.0 LUFS",
    measured=-9.0,
    limit=-14.0,
    unit="LUFS",
    profile="spotify",
)
CLP = Diagnostic(
    "CLP003",
    "clipped-runs",
    Severity.INFO,
    "2 clipped runs",
    measured=math.inf,
    unit="runs",
    start_s=0.5,
    end_s=math.nan,
)


def _measured(path: str) -> FileResult:
    t = np.arange(RATE) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 997 * t)
    block = np.stack([tone, tone], axis=1)
    info = StreamInfo(path, "wav", "pcm", False, "PCM_24", 24, RATE, 2, RATE, 1.0)
    return FileResult(path, info, analyze([block], RATE, 2, bit_depth=24), None)


@pytest.fixture(scope="module")
def results() -> list[FileResult]:
    mix = replace(_measured("mix.wav"), diagnostics=(TP, LUF, CLP), profiles=("spotify",))
    broken = FileResult("broken.wav", None, None, "not an audio file", profiles=("spotify",))
    weird = replace(_measured(WEIRD), diagnostics=(replace(TP, message="bad\x07 <peak>"),))
    return [mix, broken, weird]


def _strict(text: str) -> Any:
    def reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON constant {token!r}")

    return json.loads(text, parse_constant=reject)


def test_renderers_mapping_and_empty_input() -> None:
    assert set(RENDERERS) == {"json", "json-lines", "text", "junit", "sarif", "github", "html"}
    for name, render in RENDERERS.items():
        out = render([])
        assert isinstance(out, str), name
    assert render_text([]) == render_json_lines([]) == render_github([]) == ""


def test_json_diagnostics_and_summary(results: list[FileResult]) -> None:
    doc = _strict(render_json(results))
    assert doc["schema"] == SCHEMA
    assert doc["summary"] == {"files": 3, "errors": 2, "warnings": 1, "infos": 1, "unreadable": 1}
    diags = doc["files"][0]["diagnostics"]
    assert [d["severity"] for d in diags] == ["error", "warning", "info"]
    assert diags[0] == {
        "code": "TP001",
        "name": "true-peak-ceiling",
        "severity": "error",
        "message": "true peak +0.3 dBTP above the ceiling -1.0 dBTP",
        "measured": 0.3,
        "limit": -1.0,
        "unit": "dBTP",
        "start_s": 83.456,
        "end_s": 83.457,
        "channel": 1,
        "profile": "spotify",
    }
    assert diags[2]["measured"] is None  # inf
    assert diags[2]["end_s"] is None  # nan
    assert diags[1]["start_s"] is None
    assert doc["files"][1]["error"] == "not an audio file"
    assert doc["files"][1]["diagnostics"] == []


def test_json_lines_one_object_per_file(results: list[FileResult]) -> None:
    out = render_json_lines(results)
    lines = out.splitlines()
    assert out.endswith("\n")
    assert len(lines) == 3
    objs = [_strict(line) for line in lines]
    assert [o["path"] for o in objs] == ["mix.wav", "broken.wav", WEIRD]
    assert objs == _strict(render_json(results))["files"]


def test_text_finding_lines(results: list[FileResult]) -> None:
    lines = render_text(results).splitlines()
    assert lines[0] == "mix.wav: wav/pcm PCM_24 24-bit 48000 Hz 2 ch 00:01.000"
    assert lines[1].startswith("  integrated ")
    assert lines[3].startswith("  clipping: ")
    assert lines[4:8] == [
        "mix.wav:01:23.456: error TP001 true peak +0.3 dBTP above the ceiling -1.0 dBTP [spotify]",
        "mix.wav: warning LUF002 integrated -9.0 LUFS is 5.0 LU above the target -14.0 LUFS"
        " [spotify]",
        "mix.wav:00:00.500: info CLP003 2 clipped runs",
        "broken.wav: error: not an audio file",
    ]
    assert lines[8].startswith('we<&>"ird\\x1b.wav: wav/pcm')
    assert lines[-1] == 'we<&>"ird\\x1b.wav:01:23.456: error TP001 bad\\x07 <peak> [spotify]'
    assert len(lines) == 13


def test_junit_counts_and_escaping(results: list[FileResult]) -> None:
    out = render_junit(results)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert "\x1b" not in out
    assert "\x07" not in out
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.get("name") == "mixdesk"
    cases = suite.findall("testcase")
    # mix.wav: spotify + measure (the info has no profile); broken: spotify; weird: spotify
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("mixdesk.spotify", "mix.wav"),
        ("mixdesk.measure", "mix.wav"),
        ("mixdesk.spotify", "broken.wav"),
        ("mixdesk.spotify", 'we<&>"ird\\x1b.wav'),
    ]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "TP001 true peak +0.3 dBTP above the ceiling -1.0 dBTP at 01:23.456"
    )
    assert cases[0].findtext("system-out") == (
        "warning LUF002 integrated -9.0 LUFS is 5.0 LU above the target -14.0 LUFS"
    )
    assert cases[1].find("failure") is None
    assert cases[1].findtext("system-out") == "info CLP003 2 clipped runs at 00:00.500"
    error = cases[2].find("error")
    assert error is not None
    assert error.get("message") == "not an audio file"
    weird = cases[3].find("failure")
    assert weird is not None
    assert weird.get("message") == "TP001 bad\\x07 <peak> at 01:23.456"


def test_junit_failure_lists_each_error_on_its_own_line(results: list[FileResult]) -> None:
    two = replace(TP, code="TP002", message="second\nline")
    mix = replace(results[0], diagnostics=(TP, two))
    root = ET.fromstring(render_junit([mix]))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    message = failure.get("message")
    assert message is not None
    assert message.splitlines() == [
        "TP001 true peak +0.3 dBTP above the ceiling -1.0 dBTP at 01:23.456",
        "TP002 second\\nline at 01:23.456",
    ]


def test_sarif_structure(results: list[FileResult]) -> None:
    doc = _strict(render_sarif(results))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("mixdesk", __version__)
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(set(ids)) == ["CLP003", "FMT003", "LUF002", "TP001"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert rules["FMT003"]["name"] == "unreadable-file"
    assert rules["TP001"]["defaultConfiguration"]["level"] == "error"
    assert rules["CLP003"]["defaultConfiguration"]["level"] == "note"
    assert rules["TP001"]["shortDescription"]["text"]
    got = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert got == [
        ("TP001", "error"),
        ("LUF002", "warning"),
        ("CLP003", "note"),
        ("FMT003", "error"),
        ("TP001", "error"),
    ]
    for r in run["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    first = run["results"][0]
    assert first["message"]["text"] == TP.message
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mix.wav"
    assert first["properties"] == {
        "start_s": 83.456,
        "end_s": 83.457,
        "channel": 1,
        "measured": 0.3,
        "limit": -1.0,
        "unit": "dBTP",
        "profile": "spotify",
    }
    assert run["results"][2]["properties"]["measured"] is None
    assert run["results"][3]["message"]["text"] == "not an audio file"


def test_sarif_uris() -> None:
    files = [FileResult(p, None, None, "bad") for p in ("masters/a b#1.wav", "/abs/x.wav")]
    doc = _strict(render_sarif(files))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    ]
    assert uris == ["masters/a%20b%231.wav", "file:///abs/x.wav"]


MINIMAL_SARIF = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_minimal_schema(results: list[FileResult]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(_strict(render_sarif(results)), MINIMAL_SARIF)


def test_github_commands(results: list[FileResult]) -> None:
    assert render_github(results).splitlines() == [
        "::error file=mix.wav,title=TP001 true-peak-ceiling::"
        "true peak +0.3 dBTP above the ceiling -1.0 dBTP at 01:23.456 [spotify]",
        "::warning file=mix.wav,title=LUF002 integrated-target::"
        "integrated -9.0 LUFS is 5.0 LU above the target -14.0 LUFS [spotify]",
        "::notice file=mix.wav,title=CLP003 clipped-runs::2 clipped runs at 00:00.500",
        "::error file=broken.wav,title=FMT003 unreadable-file::not an audio file",
        '::error file=we<&>"ird\\x1b.wav,title=TP001 true-peak-ceiling::'
        "bad\\x07 <peak> at 01:23.456 [spotify]",
    ]


def test_github_escaping() -> None:
    assert escape_data("50% over\r\nnext: a,b") == "50%25 over%0D%0Anext: a,b"
    assert escape_property("dir/a:b,c%.wav") == "dir/a%3Ab%2Cc%25.wav"
    finding = replace(CLP, message="100% full\nreally", start_s=None, profile="a:b")
    out = render_github([FileResult("x:y,z.wav", None, None, None, diagnostics=(finding,))])
    expected = "::notice file=x%3Ay%2Cz.wav,title=CLP003 clipped-runs::"
    assert out == expected + "100%25 full%0Areally [a:b]\n"
