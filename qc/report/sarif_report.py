"""SARIF 2.1.0: findings as static-analysis results (GitHub code scanning, IDEs).

Audio has no lines, so every location is ``{"startLine": 1}`` and the time
range, channel and values travel in the result's ``properties``. Rules are
the distinct codes seen in the run, sorted; a rule's default level is the
worst severity seen for it. An unreadable file is an ``FMT003`` error.

Relative paths are written as given with ``/`` separators; characters that
are not allowed in a URI (space, ``#``, ``%``, ...) are percent-encoded.
Absolute paths become ``file://`` URIs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from qc._version import __version__
from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.report.json_report import diagnostic_object

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "UNREADABLE_CODE", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
UNREADABLE_CODE = "FMT003"
UNREADABLE_NAME = "unreadable-file"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROPERTIES = ("start_s", "end_s", "channel", "measured", "limit", "unit", "profile")


def artifact_uri(path: str) -> str:
    """The SARIF ``artifactLocation.uri`` of a path.

    Args:
        path: The path as given by the user.

    Returns:
        A relative URI reference with ``/`` separators, or a ``file://`` URI
        for an absolute path.
    """
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix(), safe="/", errors="surrogateescape")


def _result(d: Diagnostic, path: str) -> dict[str, Any]:
    return {
        "ruleId": d.code,
        "level": _LEVELS[d.severity],
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(path)},
                    "region": {"startLine": 1},
                }
            }
        ],
    }


def _findings(r: FileResult) -> list[tuple[Diagnostic, dict[str, Any]]]:
    """Each finding of a file with its SARIF result (an unreadable file is one)."""
    out = []
    if r.error is not None:
        d = Diagnostic(UNREADABLE_CODE, UNREADABLE_NAME, Severity.ERROR, r.error)
        out.append((d, _result(d, r.path)))
    for d in r.diagnostics:
        res = _result(d, r.path)
        values = diagnostic_object(d)
        res["properties"] = {key: values[key] for key in _PROPERTIES}
        out.append((d, res))
    return out


def _rule(code: str, found: list[Diagnostic]) -> dict[str, Any]:
    name = found[0].name
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": name.replace("-", " ").capitalize()},
        "defaultConfiguration": {"level": _LEVELS[max(d.severity for d in found)]},
    }


def render_sarif(results: Sequence[FileResult]) -> str:
    """Render a run as one SARIF 2.1.0 log with a single run.

    Args:
        results: Every file of the run, in output order.

    Returns:
        The indented JSON document and a newline.
    """
    pairs = [pair for r in results for pair in _findings(r)]
    by_code: dict[str, list[Diagnostic]] = {}
    for d, _ in pairs:
        by_code.setdefault(d.code, []).append(d)
    codes = sorted(by_code)
    for d, res in pairs:
        res["ruleIndex"] = codes.index(d.code)
    driver = {
        "name": "mixdesk",
        "version": __version__,
        "rules": [_rule(code, by_code[code]) for code in codes],
    }
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": [res for _, res in pairs]}],
    }
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
