r"""JUnit XML: one test case per file per delivery profile.

A case is named after the file; its class is ``mixdesk.<profile>``, or
``mixdesk.measure`` for findings without a profile and for files checked
against no profile. Error findings make a ``<failure>``; warnings and infos
go to ``<system-out>``; an unreadable file is an ``<error>`` case.

The tree is built with :mod:`xml.etree.ElementTree`, which escapes markup.
Characters XML 1.0 forbids (control characters, lone surrogates) cannot be
escaped at all, so every text goes through :func:`~qc.printable.printable`
and such characters are written as ``\xNN`` text.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from qc.diagnostic import Diagnostic, Severity
from qc.engine import FileResult
from qc.printable import printable
from qc.report._text import fmt_time

__all__ = ["render_junit"]


def _line(d: Diagnostic, *, severity: bool) -> str:
    at = f" at {fmt_time(d.start_s)}" if d.start_s is not None and math.isfinite(d.start_s) else ""
    label = f"{d.severity.label} " if severity else ""
    return printable(f"{label}{d.code} {d.message}{at}")


def _profiles(r: FileResult) -> list[str]:
    """The file's profiles, plus any a finding names that is not among them."""
    names = list(r.profiles)
    if r.error is not None and names:
        return names  # its findings without a profile (FMT003) go into each case
    for d in r.diagnostics:
        if d.profile not in names:
            names.append(d.profile)
    return names or [""]


def _case(r: FileResult, profile: str, found: list[Diagnostic]) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=f"mixdesk.{printable(profile) or 'measure'}",
        name=printable(r.path),
        time="0",
    )
    if r.error is not None:
        reason = printable(r.error)
        ET.SubElement(case, "error", message=reason, type="FMT003").text = reason
    else:
        failed = [_line(d, severity=False) for d in found if d.severity is Severity.ERROR]
        if failed:
            text = "\n".join(failed)
            ET.SubElement(case, "failure", message=text, type="mixdesk").text = text
    rest = [
        _line(d, severity=True)
        for d in found
        if r.error is not None or d.severity is not Severity.ERROR
    ]
    if rest:
        ET.SubElement(case, "system-out").text = "\n".join(rest)
    return case


def render_junit(results: Sequence[FileResult]) -> str:
    """Render a run as a JUnit XML document with one ``mixdesk`` test suite.

    Args:
        results: Every file of the run, in output order.

    Returns:
        The XML document (UTF-8 declaration, indented) and a newline.
    """
    suite = ET.Element("testsuite", name="mixdesk")
    for r in results:
        for profile in _profiles(r):
            found = [
                d
                for d in r.diagnostics
                if d.profile == profile or (r.error is not None and not d.profile)
            ]
            suite.append(_case(r, profile, found))
    counts = {
        "tests": len(suite),
        "failures": sum(case.find("failure") is not None for case in suite),
        "errors": sum(case.find("error") is not None for case in suite),
        "skipped": 0,
    }
    root = ET.Element("testsuites", name="mixdesk")
    for key, value in counts.items():
        suite.set(key, str(value))
        root.set(key, str(value))
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
