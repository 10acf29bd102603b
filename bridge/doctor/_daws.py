"""The DAW-specific checks, found through each dialect's ``doctor_probe``.

REAPER's and AbletonOSC's checks live here, Ardour's in :mod:`bridge.doctor._ardour`;
a DAW without checks of its own is asked only whether it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from bridge.dialects import import_spec
from bridge.doctor._base import Finding, Probe
from bridge.osc.message import message

__all__ = ["check_ableton", "check_reaper", "no_answer", "run_checks"]

Checks = Callable[[Probe], list[Finding]]


def no_answer(run: Probe, asked: str) -> Finding:
    """The DAW said nothing to ``asked``."""
    host, port = run.remote
    return Finding(
        "answer",
        "fail",
        f"{run.dialect.title} at {host}:{port} did not answer {asked} within {run.timeout:g} s",
        run.dialect.setup_hint,
    )


def run_checks(run: Probe) -> list[Finding]:
    """Run the checks the dialect's ``doctor_probe`` names (or ask whether it answers).

    Raises:
        ImportError: The checks' module is not in this installation.
    """
    spec = run.dialect.doctor_probe
    checks = _generic if spec is None else cast(Checks, import_spec(spec))
    return checks(run)


def check_reaper(run: Probe) -> list[Finding]:
    """REAPER: does feedback come to our port after a refresh, or to its device port?"""
    run.ours.send(run.dialect.hello())  # bank set-up, then "refresh all surfaces"
    run.ours.inbox.wait(lambda: run.heard() or run.stray() is not None, run.timeout)
    run.ours.inbox.settle(run.timeout)
    if run.heard():
        n = len(run.ours.inbox.items)
        sent = f"{n} feedback message{'s' if n != 1 else ''}"
        return [Finding("feedback", "ok", f"REAPER sent {sent} to our port")]
    stray = run.stray()
    if stray is not None:
        return [
            Finding(
                "reply port",
                "fail",
                f"REAPER sends feedback to port {stray.port}, but we listen on {run.ours.port}",
                f"pass --listen-port {stray.port}, or set the OSC surface's Device port to"
                f" {run.ours.port}",
            )
        ]
    host, port = run.remote
    device = "127.0.0.1" if host == "127.0.0.1" else "this machine's address"
    return [
        Finding(
            "feedback",
            "fail",
            f"REAPER at {host}:{port} sent no feedback within {run.timeout:g} s: it receives"
            " but does not send, or sends elsewhere",
            "in Preferences > Control/OSC/web edit the OSC surface: Mode 'Configure device"
            f" IP+local port', Device IP {device}, Device port {run.ours.port} (where REAPER"
            f" sends), Local listen port {port}",
        )
    ]


def check_ableton(run: Probe) -> list[Finding]:
    """AbletonOSC: does ``/live/test`` come back to us, or to its fixed reply port?"""
    run.ours.send([message("/live/test")])
    run.ours.inbox.wait(lambda: run.heard() or run.stray() is not None, run.timeout)
    if run.heard():
        return [Finding("answer", "ok", "AbletonOSC answered /live/test")]
    stray = run.stray()
    if stray is not None:
        return [
            Finding(
                "reply port",
                "fail",
                f"AbletonOSC replies to port {stray.port}, but we listen on {run.ours.port}",
                f"pass --listen-port {stray.port} (AbletonOSC always replies there)",
            )
        ]
    return [no_answer(run, "/live/test")]


def _generic(run: Probe) -> list[Finding]:
    run.ours.send(run.dialect.hello())
    if run.ours.inbox.wait(run.heard, run.timeout):
        return [Finding("answer", "ok", f"{run.dialect.title} answered")]
    return [no_answer(run, "our greeting")]
