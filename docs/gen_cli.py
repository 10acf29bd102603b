"""Regenerate ``docs/cli.md``: every ``mixdesk`` command, its ``--help`` and real runs.

Usage::

    python docs/gen_cli.py            # rewrite docs/cli.md
    python docs/gen_cli.py --check    # regenerate, compare, exit 1 when docs/cli.md is stale
    python docs/gen_cli.py --output F # write somewhere else

Every example is run for real, on this machine, with no DAW installed: the audio
comes from ``examples/make_bounce.py`` and ``examples/stems.py`` in a temporary
folder, and the bridge commands talk to the embedded virtual DAW (``mixdesk daw``)
on a free UDP port on 127.0.0.1. Output is captured with ``NO_COLOR=1``,
``COLUMNS=100`` and stdout and stderr merged (unbuffered, so in the order a terminal
shows them). What changes from run to run is normalised (:func:`normalise`): the
temporary folder becomes ``/tmp/demo``, the repository ``~/mixdesk``, ports the
defaults, process ids ``12345``, timings ``#.##`` and the version ``X.Y.Z``.
``tests/test_cli_docs.py`` checks that the page is current.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "cli.md"
COLUMNS = 100
SHOWN_PORTS = {"daw": 8000, "dead": 8999}
"""The UDP ports the page shows: the virtual DAW's, and one where nothing listens."""

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# ---------------------------------------------------------------- the parser


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The (name, parser) pairs of ``parser``'s sub-commands, in registration order."""
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # aliases share one parser
                    seen.add(id(sub))
                    found.append((name, sub))
    return found


def iter_commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Yield ``(path, parser)`` for the top-level parser and every (sub-)sub-command."""
    yield path, parser
    for name, sub in _subcommands(parser):
        yield from iter_commands(sub, (*path, name))


def short_help(parser: argparse.ArgumentParser, name: str) -> str:
    """The one-line help ``parser`` lists for its sub-command ``name`` ('' if none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name:
                    return " ".join((choice.help or "").split())
    return ""


def build_parser() -> argparse.ArgumentParser:
    """The ``mixdesk`` parser with every plugin command, as the console script builds it."""
    from qc.cli.main import build_parser as build

    return build()


def help_text(parser: argparse.ArgumentParser) -> str:
    """What ``--help`` prints at ``COLUMNS`` columns, lines right-stripped."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(COLUMNS)
    try:
        text = parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


# ---------------------------------------------------------------- running commands

_TIMINGS = [
    (re.compile(r"\b(queued|checked in) \d+\.\d+ s"), r"\1 #.## s"),
    (re.compile(r", in \d+\.\d+ s\b"), ", in #.## s"),
    (re.compile(r"\bdone in \d+\.\d+ s\b"), "done in #.# s"),
    (re.compile(r"(dBFS), \d+\.\d+ s\)"), r"\1, #.## s)"),
    (re.compile(r"\bp99 \d+\.\d+ ms\b"), "p99 #.## ms"),
    (re.compile(r"\b\d+ MB/s\b"), "### MB/s"),
    (re.compile(r"\bdone: \d+ ticks, \d+ values sent"), "done: ### ticks, ### values sent"),
    (
        re.compile(r"\b\d+ position reports \(last off by [+-]?\d+\.\d+ ms\)"),
        "# position reports (last off by #.# ms)",
    ),
    (re.compile(r"\bsent \d+ feedback messages\b"), "sent # feedback messages"),
    (re.compile(r"\(pid \d+\)"), "(pid 12345)"),
    (re.compile(r"\breplying to port \d+\b"), "replying to port #####"),
    (re.compile(r"\bmixdesk-demo-[A-Za-z0-9_]+"), "mixdesk-demo-XXXXXXXX"),
    (re.compile(r"\bmixdesk \d+\.\d+\S*"), "mixdesk X.Y.Z"),
    (
        re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"),
        "2025-01-01T00:00:00Z",
    ),
]


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Session:
    """A temporary working folder, the environment, the ports, and the background jobs."""

    work: Path
    ports: dict[str, int] = field(default_factory=dict)
    jobs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """The environment every command runs in: no colour, 100 columns, unbuffered."""
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
        path = env.get("PYTHONPATH")
        env.update(
            NO_COLOR="1",
            COLUMNS=str(COLUMNS),
            LINES="50",
            TERM="dumb",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(REPO) if not path else f"{REPO}{os.pathsep}{path}",
        )
        return env

    def normalise(self, text: str) -> str:
        """Make ``text`` the same on every run (see the module docstring)."""
        text = text.replace(str(self.work), "/tmp/demo").replace(str(REPO), "~/mixdesk")
        for name, real in self.ports.items():
            text = re.sub(rf"(?<![\d.]){real}(?!\d|\.\d)", str(SHOWN_PORTS[name]), text)
        text = re.sub(r"127\.0\.0\.1:(\d{5})\b", "127.0.0.1:#####", text)
        for pattern, repl in _TIMINGS:
            text = pattern.sub(repl, text)
        return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())

    def argv(self, command: str) -> list[str]:
        """The real argv of a shown command line (``{daw}`` etc. are real ports)."""
        argv = shlex.split(command.format(**self.ports))
        if argv[0] == "mixdesk":
            script = Path(sys.executable).parent / "mixdesk"  # the console script, if installed
            prefix = [str(script)] if script.exists() else [sys.executable, "-m", "qc"]
            return [*prefix, *argv[1:]]
        if argv[0] == "python":
            return [sys.executable, *argv[1:]]
        return argv

    def shown(self, command: str) -> str:
        """The command line as the page shows it."""
        return command.format(**SHOWN_PORTS)

    def run(
        self, command: str, *, rc: bool = False, head: int | None = None, stdout_only: bool = False
    ) -> str:
        """Run ``command`` in the work folder; return ``$ command`` and its output.

        Args:
            command: The command line as shown, ``mixdesk`` or ``python`` first; ``{daw}``
                and ``{dead}`` stand for ports.
            rc: Show the exit status (``; echo $?``).
            head: Show only the first lines (``| head -n N``).
            stdout_only: Drop stderr (``2>/dev/null``).
        """
        proc = subprocess.run(
            self.argv(command),
            cwd=self.work,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if stdout_only else subprocess.STDOUT,
            timeout=180,
            check=False,
        )
        out = proc.stdout.decode("utf-8", "replace")
        shown = self.shown(command) + (" 2>/dev/null" if stdout_only else "")
        if head is not None:
            out = "\n".join(out.splitlines()[:head])
            shown += f" | head -n {head}"
        out = self.normalise(out)
        if rc:
            shown += "; echo $?"
            out = f"{out}\n{proc.returncode}" if out else str(proc.returncode)
        return f"$ {shown}\n{out}" if out else f"$ {shown}"

    def write(self, name: str, text: str) -> str:
        """Write a file into the work folder; return ``$ cat name`` and its text."""
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return self.cat(name)

    def cat(self, name: str) -> str:
        """``$ cat name`` and the file's (normalised) text."""
        return f"$ cat {name}\n{self.normalise((self.work / name).read_text(encoding='utf-8'))}"

    def start(self, command: str, log: str) -> subprocess.Popen[bytes]:
        """Start ``command`` in the background, its stdout and stderr into ``log``."""
        with (self.work / log).open("wb") as out:
            job = subprocess.Popen(
                self.argv(command),
                cwd=self.work,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.jobs.append(job)
        return job

    def wait_log(self, log: str, text: str, timeout: float = 60.0) -> None:
        """Wait until the background log contains ``text``."""
        deadline = time.monotonic() + timeout
        while text not in (self.work / log).read_text(encoding="utf-8", errors="replace"):
            if time.monotonic() > deadline:
                body = (self.work / log).read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"gen_cli: {text!r} never appeared in {log}:\n{body}")
            time.sleep(0.05)

    def stop(self, job: subprocess.Popen[bytes], log: str) -> str:
        """SIGTERM a background job, wait for it; return its normalised output."""
        job.send_signal(signal.SIGTERM)
        job.wait(timeout=60)
        return self.normalise((self.work / log).read_text(encoding="utf-8", errors="replace"))

    def close(self) -> None:
        """Stop whatever still runs."""
        for job in self.jobs:
            if job.poll() is None:
                job.send_signal(signal.SIGTERM)
                try:
                    job.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    job.kill()
                    job.wait()


def block(*parts: str) -> str:
    """A fenced block of command runs, one blank line between them, and a blank line."""
    return "```\n" + "\n\n".join(parts) + "\n```\n\n"


def para(text: str) -> str:
    """A paragraph of prose, wrapped, and a blank line."""
    return textwrap.fill(" ".join(text.split()), 92, break_on_hyphens=False) + "\n\n"


# ---------------------------------------------------------------- what each command is for

PURPOSE: dict[tuple[str, ...], str] = {
    (): "The one command of mixdesk: QC of bounces (`check`, `watch`, `rules`, `explain`, "
    "`config`) and the mixer over OSC (`daw`, `mix`, `run`, `automate`, `scene`, `doctor`). "
    "With no command it prints its help to stderr and exits 2.",
    ("check",): "Measures each bounce in one pass (loudness, loudness range, true peak, clipping, "
    "DC offset, format, dither, lossy history) and judges it against delivery profiles like a "
    "linter: one line per finding, and an exit code for scripts and CI (0 clean, 1 findings at "
    "the fail level, 2 usage error or unreadable file).",
    ("fix",): "Writes a delivery file per bounce that passes the profiles' fixable rules: gain "
    "to the loudness target (iterated with the limiter, within --max-gr), a look-ahead "
    "true-peak limiter to the ceiling, soxr resampling, TPDF dither when the word length is "
    "reduced. Then it re-checks the output with the same profiles and names what it cannot "
    "mend, with why (exit 0 passes, 1 findings remain, 2 bad input). See docs/fix.md.",
    ("plot",): "Draws the plots of the HTML report (`check --format html`) as one image: "
    "loudness over time with the profile's target band, the integrated level and LRA's P10/P95; "
    "the per-channel peak envelope with the true-peak ceiling, the clipped segments and the "
    "highest overs; the long-term spectrum per channel and of the side; the L/R correlation "
    "over time. One check pass, as `check` measures; PNG or SVG by the suffix; an existing "
    "file is never replaced without --force. Needs the extra `report` (matplotlib).",
    ("album",): "Checks an album as a whole, on one measurement pass per track: the sequence "
    "(start times, lengths, gaps, running time), the album loudness (BS.1770 gating over all "
    "tracks, gaps excluded) with each track's offset, the spread and LRA, album-mode "
    "normalisation, one format across the album, silence against the gaps and clicks at "
    "gapless joins, and with `--profile cd-redbook` the Red Book rules (ISRC, UPC/EAN, 99 "
    "tracks, 4 s, 79:57, 2 s pre-gap, CD frames). `--image`/`--cue` write a 44.1 kHz/16-bit "
    "disc image and its CUE sheet. See docs/album.md.",
    ("rules",): "Lists every QC rule: code, name, default severity, whether the `default` "
    "profile turns it on, and what it catches. The codes are what `--select`, `--ignore` and "
    "waivers take.",
    ("explain",): "Prints the full documentation of one rule: what it measures, when it fails "
    "or warns, its options and their defaults. Takes a code or a name.",
    ("config",): "Shows which settings apply: the `mixdesk.toml` (or `[tool.mixdesk]` in "
    "`pyproject.toml`) that was found, its profiles, rule selection, fail level, per-file "
    "overrides and waivers.",
    ("config", "show"): "Prints the resolved settings as TOML, for the project or for one "
    "file: why a stem was judged against `mix-for-mastering`, why a finding was waived.",
    ("watch",): "Watches render folders and checks every bounce the moment the DAW has "
    "finished writing it, with the same report as `check`. Leave it running next to the DAW; "
    "SIGINT or SIGTERM finish the checks in flight and exit 0.",
    ("daw",): "Runs the embedded virtual DAW: a mixer over the stem files of a folder, "
    "driven over OSC in REAPER's dialect, that renders real 24- or 16-bit takes. Use it to try "
    "mix scripts, automation and the whole loop with no DAW installed.",
    ("mix",): "Reads and sets a DAW's mixer from the shell over OSC: REAPER, Ardour, Ableton "
    "Live (AbletonOSC) or the virtual DAW. Connection options go before or after the "
    "sub-command.",
    ("mix", "status"): "Lists every track and the master: volume, pan, mute, solo.",
    ("mix", "set"): "Sets one or more parameters of one track, then waits until the DAW "
    "confirms each value.",
    ("mix", "get"): "Prints one parameter of one track: a bare value for shell scripts, or JSON.",
    ("mix", "plugins"): "Lists a track's plugins and every parameter with its value, unit and "
    "range, as the DAW reports them now (Ardour: real units; REAPER: normalised 0..1).",
    ("run",): "Runs a Python mix script with a connected `mixer` handed in, so the script "
    "sets levels, pans, sends, plugin parameters, transport and renders with no connection code.",
    ("automate",): "Writes a lane file (`mixdesk.lanes/1`, TOML or JSON) into the DAW's "
    "automation in one real-time pass: it checks every lane first (plugin lanes against the "
    "DAW's ranges), sets the automation mode, rolls the transport, streams the moves, then "
    "stops and leaves the written lanes in read mode (REAPER Read, Ardour Play) so the DAW "
    "plays them; `--restore-modes` puts the previous modes back instead.",
    ("scene",): "Snapshots of the whole mixer (every track's level, pan, width, mute, solo): "
    "save one, recall it later, compare two.",
    ("scene", "save"): "Captures the DAW's mixer into a scene file (`mixdesk.scene/1`, TOML).",
    ("scene", "recall"): "Sets the DAW's mixer from a scene file, or only some of its tracks "
    "and parameters.",
    ("scene", "diff"): "Prints what changes from scene A to scene B. Offline: no DAW needed.",
    ("doctor",): "Probes a DAW's OSC set-up from this machine (our port, its port, answers, "
    "reply port, feedback, value types, Ardour's plugin queries) and explains each problem "
    "with its fix. It only reads, and puts back what it touches. Warnings exit 0; exit 1 "
    "means a check failed.",
    ("demo",): "The whole loop on a fresh machine with no DAW: it generates stems, starts the "
    "virtual DAW and the watch daemon, mixes over OSC, renders a take and checks it.",
    ("completion",): "Prints a shell completion script for bash, zsh or fish: every "
    "sub-command, option, choice and shipped profile name.",
}

ORDER = (
    "check",
    "plot",
    "fix",
    "album",
    "rules",
    "explain",
    "config",
    "watch",
    "daw",
    "mix",
    "run",
    "automate",
    "scene",
    "doctor",
    "demo",
    "completion",
)
"""The order of the page; commands not listed here follow, help only."""

# ---------------------------------------------------------------- the examples

Examples = dict[str, str]
"""Top-level command name -> markdown of its examples."""


def make_bounces(s: Session) -> str:
    """Write the loud, the gentle and the broken bounce; return the runs as shown."""
    runs = [
        s.run("python examples/make_bounce.py loud.wav --seconds 20"),
        s.run("python examples/make_bounce.py gentle.wav --seconds 20 --gentle"),
    ]
    data = (s.work / "gentle.wav").read_bytes()[:2000]
    (s.work / "broken.wav").write_bytes(data)
    runs.append("$ head -c 2000 gentle.wav > broken.wav     # a truncated copy")
    return block(*runs)


def ex_top(s: Session) -> Examples:
    """``mixdesk`` on its own."""
    return {"": block(s.run("mixdesk --version"), s.run("mixdesk", rc=True, stdout_only=True))}


def ex_check(s: Session) -> Examples:
    """``mixdesk check``."""
    md = [
        para(
            "A gentle master passes, a loud hard-clipped one fails (exit 1). Out of a terminal "
            "the report is `text`: the measurements, then one line per finding, "
            "`path:time: severity CODE message [profiles]`."
        ),
        block(s.run("mixdesk check gentle.wav", rc=True), s.run("mixdesk check loud.wav", rc=True)),
        para("On a terminal the default is `rich`; here it is asked for, at 100 columns:"),
        block(s.run("mixdesk check --format rich loud.wav")),
        para(
            "Several profiles in one pass, some rule families only, and a summary line after "
            "several files; `--fail-level` and `--exit-zero` decide the exit status:"
        ),
        block(
            s.run(
                "mixdesk check --profile spotify,mix-for-mastering --select TP,LUF,HDR"
                " gentle.wav loud.wav",
                rc=True,
            ),
            s.run("mixdesk check --ignore CLP,TP --fail-level warning loud.wav", rc=True),
            s.run("mixdesk check --exit-zero --select TP loud.wav", rc=True),
        ),
        para("For CI: GitHub annotations, and the `mixdesk.check/1` JSON (its first lines):"),
        block(
            s.run("mixdesk check --format github loud.wav"),
            s.run("mixdesk check --format json gentle.wav", head=16),
        ),
        para(
            "A file that cannot be read is one line on stderr, an `FMT003` finding and exit 2; "
            "the other files are still checked:"
        ),
        block(s.run("mixdesk check broken.wav gentle.wav", rc=True)),
        para(
            "Selectors are rule codes, code prefixes, rule names or family names (`--select "
            "clipping` is `--select CLP`). One that matches no rule is an error naming it, with "
            "the nearest codes, before any audio is read: a typo never passes a clipped master."
        ),
        block(
            s.run("mixdesk check --select TPP,CLIP loud.wav", rc=True),
            s.run("mixdesk check --select clipping loud.wav", rc=True),
        ),
        para(
            "`--codec-preview` also encodes the file in memory with each codec at its bit rate "
            "(PyAV, the extra `codecs`), decodes it and judges the decoded true peak (`TP002`, "
            "see docs/codecs.md); the JSON carries each codec's numbers under `codec_preview`:"
        ),
        block(
            s.run("mixdesk check --codec-preview aac-256,opus-160 --select TP loud.wav", rc=True)
        ),
        para(
            "`--cluster` sends one task per file to a Dask scheduler (`tcp://HOST:PORT`), or to "
            "`local:N` worker processes started for the run (the extra `cluster`); the report "
            "and exit status are the local run's, files in the same order. An unreachable "
            "scheduler is one line and exit 2 (see docs/cluster.md):"
        ),
        block(
            s.run("mixdesk check --cluster local:2 --select TP,LUF gentle.wav loud.wav", rc=True),
            s.run("mixdesk check --cluster tcp://127.0.0.1:8999 gentle.wav", rc=True),
        ),
    ]
    return {"check": "".join(md)}


def ex_plot(s: Session) -> Examples:
    """``mixdesk plot`` and ``mixdesk check --format html``."""
    page = s.run("mixdesk check --profile spotify --format html --output-file loud.html loud.wav",
                 rc=True)  # fmt: skip
    size = (s.work / "loud.html").stat().st_size
    svgs = (s.work / "loud.html").read_text(encoding="utf-8").count("<svg")
    md = [
        para(
            "All four plots in one PNG, then two of them in one SVG; an existing file is refused "
            "without `--force`:"
        ),
        block(
            s.run("mixdesk plot loud.wav --profile spotify -o loud.png", rc=True),
            s.run("mixdesk plot loud.wav --kind loudness --kind peaks -o loud.svg", rc=True),
            s.run("mixdesk plot loud.wav --kind loudness -o loud.png", rc=True),
        ),
        para(
            "The same plots in the self-contained HTML report of `check` (inline SVG, no "
            "network; without `--output-file` the page goes to stdout). The exit status is "
            "check's: 1, the loud bounce fails:"
        ),
        block(page, f"$ grep -o '<svg' loud.html | wc -l\n{svgs}"),
        para(f"The page is {size // 1000} kB for this 20-second bounce."),
    ]
    return {"plot": "".join(md)}


def ex_fix(s: Session) -> Examples:
    """``mixdesk fix``."""
    md = [
        para(
            "The gentle master made ready for Spotify and Apple Music (the quieter target, "
            "Apple's -16 LUFS, only turns loud masters down: nothing to do), then for CD: "
            "resampled to 44.1 kHz and reduced to 16 bits with TPDF dither. The loud one "
            "is turned down to -14 LUFS, but its clipping was made in the mix: listed with "
            "why, exit 1."
        ),
        block(
            s.run(
                "mixdesk fix gentle.wav --profile spotify,apple-music -o gentle.stream.wav",
                rc=True,
            ),
            s.run("mixdesk fix gentle.wav --profile cd-redbook -o gentle.cd.wav", rc=True),
            s.run("mixdesk fix loud.wav --profile spotify -o loud.spotify.wav", rc=True),
        ),
        para(
            "A louder target than the master's crest factor allows stops short at --max-gr "
            "and says so; the output file is never replaced without --force:"
        ),
        block(
            s.run(
                "mixdesk fix gentle.wav --target-lufs -8 -o gentle.loud.wav --profile spotify",
                rc=True,
            ),
            s.run("mixdesk fix gentle.wav --profile cd-redbook -o gentle.cd.wav", rc=True),
        ),
    ]
    return {"fix": "".join(md)}


def ex_album(s: Session) -> Examples:
    """``mixdesk album``: three short bounces, made CD-ready, checked, imaged."""
    for name in ("album", "cd"):
        (s.work / name).mkdir(exist_ok=True)
    made = [
        s.run(f"python examples/make_bounce.py album/0{i}.wav --seconds 8 --seed {i} --gentle")
        for i in (1, 2, 3)
    ]
    cd = [
        s.run(f"mixdesk fix album/0{i}.wav --profile cd-redbook -o cd/0{i}.wav", rc=True)
        for i in (1, 2, 3)
    ]
    md = [
        para("Three 8-second bounces at 48 kHz/24-bit; a CD image of them is refused:"),
        block(*made, s.run("mixdesk album album --image disc.wav --cue disc.cue", rc=True)),
        para("Made CD-ready by `mixdesk fix`, an album file written for them, then checked:"),
        block(*cd, s.run("mixdesk album init cd", rc=True), s.cat("cd/album.toml")),
        block(s.run("mixdesk album cd --profile cd-redbook,spotify", rc=True)),
        para("The disc image and its CUE sheet:"),
        block(
            s.run(
                "mixdesk album cd --profile cd-redbook --format json --output-file album.json "
                "--image disc.wav --cue disc.cue",
                rc=True,
            ),
            s.cat("disc.cue"),
        ),
    ]
    return {"album": "".join(md)}


def ex_rules(s: Session) -> Examples:
    """``mixdesk rules`` and ``mixdesk explain``."""
    return {
        "rules": block(s.run("mixdesk rules")),
        "explain": block(
            s.run("mixdesk explain TP001"), s.run("mixdesk explain no-such-rule", rc=True)
        ),
    }


MIXDESK_TOML = """\
profile = "spotify"
fail-level = "warning"

[[per-file]]
glob = "stems/**"
profile = "mix-for-mastering"
ignore = ["LUF"]

[[waivers]]
glob = "master.wav"
codes = ["CH001"]
reason = "the DC offset is in the source"
"""


def ex_config(s: Session) -> Examples:
    """``mixdesk config show``, with and without a config file."""
    (s.work / "album" / "stems").mkdir(parents=True)
    shutil.copyfile(s.work / "loud.wav", s.work / "album" / "master.wav")
    shutil.copyfile(s.work / "gentle.wav", s.work / "album" / "stems" / "keys.wav")
    md = [
        para("With no config file the built-in defaults apply:"),
        block(s.run("mixdesk config show")),
        para(
            "An album folder with its own `mixdesk.toml`: streaming delivery for the master, "
            "`mix-for-mastering` for the stems, and a waiver. Each file's config is the nearest "
            "`mixdesk.toml` (or `pyproject.toml` with `[tool.mixdesk]`) in its folder or above, "
            "as ruff finds its config; `config show FILE` says what applies to that file:"
        ),
        block(
            s.write("album/mixdesk.toml", MIXDESK_TOML),
            s.run("mixdesk config show album/stems/keys.wav"),
            s.run("mixdesk config show album/master.wav"),
        ),
        para(
            "`check` and `watch` find it the same way, from wherever they run: the album's "
            "settings apply to `album/master.wav` (and its waiver), so this bounce fails. "
            "`--config FILE` uses one file for every file checked, and flags such as "
            "`--select` override each file's config:"
        ),
        block(
            s.run("mixdesk check album/master.wav", rc=True),
            s.run("mixdesk check --select CH album/master.wav", rc=True),
        ),
        para(
            "`config show --profile NAME` prints a profile as TOML: every rule with its state, "
            "severity and thresholds (with units; `rule default` where the profile sets none), "
            "and the status (`firm`: published by the platform or body; `typical`) and source "
            "of its thresholds. The first lines:"
        ),
        block(s.run("mixdesk config show --profile spotify", head=58)),
    ]
    return {"config": "".join(md)}


def ex_watch(s: Session) -> Examples:
    """``mixdesk watch`` over a folder while two bounces are dropped in."""
    (s.work / "incoming").mkdir()
    cmd = "mixdesk watch incoming --profile mix-for-mastering --jobs 1 --log qc.ndjson"
    job = s.start(cmd, "watch.log")
    s.wait_log("watch.log", "Ctrl-C stops")
    time.sleep(0.5)
    shutil.copyfile(s.work / "gentle.wav", s.work / "incoming" / "gentle.wav")
    s.wait_log("watch.log", "1 done")
    shutil.copyfile(s.work / "loud.wav", s.work / "incoming" / "loud.wav")
    s.wait_log("watch.log", "2 done")
    out = s.stop(job, "watch.log")
    lines = len((s.work / "qc.ndjson").read_text(encoding="utf-8").splitlines())
    md = [
        para(
            "Started in the background on an empty folder; two bounces are copied in, one "
            "after the other; then it is stopped with SIGTERM. Out of a terminal the verdict "
            "is the `text` report on stdout, and each event is one status line on stderr "
            "(both shown here, in order). `--log` gets one JSON line per check:"
        ),
        block(
            f"$ {cmd} &\n$ cp gentle.wav incoming/\n$ cp loud.wav incoming/\n$ kill -TERM %1"
            f"\n{out}",
            f"$ wc -l < qc.ndjson\n{lines}",
        ),
    ]
    return {"watch": "".join(md)}


RENDER_PY = """\
\"\"\"Pull one track (argument 1) down to -6 dB, wait for the DAW to confirm, render a take.\"\"\"
import sys

track = mixer.tracks[sys.argv[1]]
track.volume_db = -6.0
track.wait_for("volume_db", -6.0)
print(f"{track.name} at {track.volume_db:.1f} dB in {mixer.dialect.title}")
mixer.render()  # REAPER's action 42230; the virtual DAW renders a take
print("render started")
"""

RIDE_TOML = """\
schema = "mixdesk.lanes/1"

[[lane]]
track = "lead"
param = "volume_db"
points = [[0.0, -6.0], [1.0, -3.0, "s_curve"], [2.0, -4.5]]

[[lane]]
track = "keys"
param = "pan"
points = [[0.0, -0.35], [2.0, 0.0]]
"""


def ex_bridge(s: Session) -> Examples:
    """The virtual DAW in the background, and every bridge command against it."""
    s.ports.update(daw=free_udp_port(), dead=free_udp_port())
    stems = s.run("python examples/stems.py stems --seconds 10")
    con = "--daw reaper --port {daw} --listen-port 0"
    daw_cmd = "mixdesk daw --stems stems --port {daw} --feedback-port 0"
    daw = s.start(daw_cmd, "daw.log")
    s.wait_log("daw.log", "Ctrl-C stops")

    mix = [
        para(
            "Against the virtual DAW started under [`mixdesk daw`](#mixdesk-daw), in REAPER's "
            "dialect (the connection options may come before or after the sub-command, as in "
            "`get` here):"
        ),
        block(
            s.run(f"mixdesk mix {con} status"),
            s.run(f"mixdesk mix {con} set lead volume -3.5 pan 5R"),
            s.run(f"mixdesk mix get lead volume {con}"),
            s.run(f"mixdesk mix {con} get lead pan --format json"),
            s.run(f"mixdesk mix {con} plugins lead"),
            s.run(f"mixdesk mix {con} status --format json", head=12),
        ),
        para("Bad input is one line and exit 2; nothing is sent:"),
        block(
            s.run(f"mixdesk mix {con} set vox volume -3", rc=True),
            s.run(f"mixdesk mix {con} set lead pan 120L", rc=True),
            s.run(f"mixdesk mix {con} set lead fx:1:1 0.5", rc=True),
            s.run("mixdesk mix --daw cubase --port {daw} status", rc=True),
        ),
        para(
            "`--daw virtual --stems DIR` starts a fresh virtual DAW for the one command, so "
            "it shows the stems at their defaults, not the values set above:"
        ),
        block(s.run("mixdesk mix --daw virtual --stems stems status")),
    ]

    s.write("render.py", RENDER_PY)
    run = [
        para(
            "A script that takes a track name, sets its fader, and renders a take in the "
            "virtual DAW (`renders/mix-take01.wav`):"
        ),
        block(s.cat("render.py"), s.run(f"mixdesk run render.py {con} keys", rc=True)),
    ]
    s.wait_log("daw.log", "rendered ")
    run += [
        para("The take, checked as a mix for mastering:"),
        block(s.run("mixdesk check --profile mix-for-mastering renders/mix-take01.wav", rc=True)),
        para("When the DAW does not answer, the script is not run (exit 2):"),
        block(
            s.run("mixdesk run render.py --daw reaper --port {dead} --timeout 0.5 keys", rc=True)
        ),
    ]

    s.write("ride.toml", RIDE_TOML)
    automate = [
        para(
            "A two-second pass: the lead rides up and back down, the keys pan to the centre. "
            "The timing figures change from run to run."
        ),
        block(s.cat("ride.toml"), s.run(f"mixdesk automate {con} --to 2 ride.toml", rc=True)),
        para(
            "With `--daw virtual` the lane file is rendered offline instead, sample-accurately, "
            "into a new take in `--render-dir` (the current folder by default):"
        ),
        block(
            s.run(
                "mixdesk automate --daw virtual --stems stems --render-dir offline ride.toml",
                rc=True,
            )
        ),
    ]

    scene = [
        para(
            "Save the verse, change the lead for the chorus, save that, compare the two, go "
            "back to the verse, then take only the lead's mute from the chorus:"
        ),
        block(
            s.run(f"mixdesk scene save {con} verse.toml"),
            s.cat("verse.toml"),
            s.run(f"mixdesk mix {con} set lead volume -1 mute on"),
            s.run(f"mixdesk scene save {con} --name chorus chorus.toml"),
            s.run("mixdesk scene diff verse.toml chorus.toml", rc=True),
            s.run(f"mixdesk scene recall {con} verse.toml", rc=True),
            s.run(f"mixdesk scene recall {con} --tracks lead --params mute chorus.toml"),
            s.run(f"mixdesk mix {con} status"),
        ),
    ]

    doctor = [
        para("A healthy set-up, the same as JSON, and a port where no DAW listens (exit 1):"),
        block(
            s.run(f"mixdesk doctor {con}", rc=True),
            s.run(f"mixdesk doctor {con} --format json", stdout_only=True),
            s.run(
                "mixdesk doctor --daw reaper --port {dead} --listen-port 0 --timeout 0.5", rc=True
            ),
        ),
    ]

    log = s.stop(daw, "daw.log")
    daw_md = [
        para(
            "The examples of `mix`, `run`, `automate`, `scene` and `doctor` below all talk to "
            "one virtual DAW, started in the background on four 10-second stems. With "
            "`--feedback-port 0` it answers whoever sent, so each client can take any free "
            "port (`--listen-port 0`). Its own output over the whole session, up to SIGTERM "
            "(the render is the one `mixdesk run` asks for):"
        ),
        block(stems, f"$ {s.shown(daw_cmd)} &\n...\n$ kill -TERM %1\n{log}"),
        para("A stems folder that is not there is one line and exit 2:"),
        block(s.run("mixdesk daw --stems nowhere --port {daw}", rc=True)),
    ]
    return {
        "daw": "".join(daw_md),
        "mix": "".join(mix),
        "run": "".join(run),
        "automate": "".join(automate),
        "scene": "".join(scene),
        "doctor": "".join(doctor),
    }


def ex_demo(s: Session) -> Examples:
    """``mixdesk demo`` (stdout only: the watch daemon's status lines race with it)."""
    return {
        "demo": para(
            "A 10-second song. The watch daemon's status lines go to stderr and fall between "
            "the steps at random, so they are left out here:"
        )
        + block(s.run("mixdesk demo --seconds 10", rc=True, stdout_only=True))
    }


def ex_completion(s: Session) -> Examples:
    """``mixdesk completion``: the first lines of each script."""
    return {
        "completion": para(
            "Install: `source <(mixdesk completion bash)` in `~/.bashrc`, `source <(mixdesk "
            "completion zsh)` in `~/.zshrc`, or `mixdesk completion fish > "
            "~/.config/fish/completions/mixdesk.fish`. The first lines of each script:"
        )
        + block(
            s.run("mixdesk completion bash", head=12),
            s.run("mixdesk completion zsh", head=8),
            s.run("mixdesk completion fish", head=6),
            s.run("mixdesk completion tcsh", rc=True),
        )
    }


EXAMPLES: tuple[tuple[frozenset[str], Callable[[Session], Examples]], ...] = (
    (frozenset({""}), ex_top),
    (frozenset({"check"}), ex_check),
    (frozenset({"plot"}), ex_plot),
    (frozenset({"fix"}), ex_fix),
    (frozenset({"album"}), ex_album),
    (frozenset({"rules", "explain"}), ex_rules),
    (frozenset({"config"}), ex_config),
    (frozenset({"watch"}), ex_watch),
    (frozenset({"daw", "mix", "run", "automate", "scene", "doctor"}), ex_bridge),
    (frozenset({"demo"}), ex_demo),
    (frozenset({"completion"}), ex_completion),
)
"""Example makers, in the order they run, with the commands each documents."""

# ---------------------------------------------------------------- the page

HEADER = """\
# The `mixdesk` command line

Every command and sub-command, with what it is for, its `--help`, and real runs.

<!-- Generated by `python docs/gen_cli.py`; do not edit by hand. -->

**How this page is made.** `python docs/gen_cli.py` runs every example below on a machine
with no DAW and rewrites this page; `tests/test_cli_docs.py` fails when a command's
`--help` here is not the current one. The audio is made with the repository's own
deterministic generators in a temporary folder (shown as `/tmp/demo`, the working folder of
every example); the bridge commands talk to the embedded virtual DAW (`mixdesk daw`) on
127.0.0.1. Output is captured out of a terminal (`NO_COLOR=1`, `COLUMNS=100`), so the
default report is `text`; stdout and stderr are shown together, in order, and
`echo $?` shows the exit status where it matters. What changes from run to run is
normalised: the repository is `~/mixdesk`, the DAW's UDP port `8000` (a port where nothing
listens `8999`), other ports `#####`, process ids `12345`, timings `#.##`, counts that
depend on timing `#` and the version `X.Y.Z`.

The bounces used by the QC examples:

"""


def section(
    path: tuple[str, ...],
    parser: argparse.ArgumentParser,
    parent: argparse.ArgumentParser | None,
    examples: Examples,
    *,
    recurse: bool = True,
) -> str:
    """One command's markdown: heading, purpose, ``--help``, sub-commands, examples."""
    name = " ".join(("mixdesk", *path))
    level = "#" * max(2, len(path) + 1)
    purpose = PURPOSE.get(path) or (
        short_help(parent, path[-1]).capitalize() + "." if parent and path else ""
    )
    parts = [f"{level} `{name}`\n\n"]
    if purpose:
        parts.append(para(purpose))
    parts.append(block(f"$ {name} --help\n{help_text(parser)}"))
    subs = _subcommands(parser) if recurse else []
    for sub_name, sub in subs:
        parts.append(section((*path, sub_name), sub, parser, {}))
    key = path[0] if path else ""
    if len(path) <= 1:
        if key in examples:
            if path:
                parts.append(f"{level}# Examples{f' of `{name}`' if subs else ''}\n\n")
            parts.append(examples[key])
        elif path:
            parts.append(para("No example yet: this command is newer than the page's examples."))
    return "".join(parts)


def generate(only: set[str] | None = None) -> tuple[str, dict[str, str]]:
    """Run the examples and build the page.

    Args:
        only: Run only the examples of these top-level commands (``""`` is ``mixdesk``
            itself); ``None`` runs them all.

    Returns:
        The whole page, and each top-level command's section by name.
    """
    parser = build_parser()
    examples: Examples = {}
    work_root = Path(tempfile.mkdtemp(prefix="mixdesk-cli-"))
    session = Session(work_root / "demo")
    session.work.mkdir()
    for folder in ("examples",):  # the generators, run as python examples/NAME.py
        (session.work / folder).symlink_to(REPO / folder)
    try:
        bounces = make_bounces(session)
        for covers, make in EXAMPLES:
            if only is None or covers & only:
                examples.update(make(session))
    finally:
        session.close()
        shutil.rmtree(work_root, ignore_errors=True)
    sections: dict[str, str] = {}
    commands = dict(_subcommands(parser))
    names = [n for n in ORDER if n in commands] + [n for n in commands if n not in ORDER]
    for name in names:
        sections[name] = section((name,), commands[name], parser, examples)
    top = section((), parser, None, examples, recurse=False)
    toc = "\n".join(f"* [`mixdesk {n}`](#mixdesk-{n})" for n in names)
    page = (
        HEADER
        + bounces
        + "Commands:\n\n"
        + toc
        + "\n\n"
        + top
        + "".join(sections[n] for n in names)
    )
    return page.rstrip("\n") + "\n", sections


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` compare) the page; returns the exit status."""
    ap = argparse.ArgumentParser(description="Regenerate docs/cli.md by running every example.")
    ap.add_argument("--output", type=Path, default=DOC, help="where to write (docs/cli.md)")
    ap.add_argument("--check", action="store_true", help="compare with the page; 1 if stale")
    args = ap.parse_args(argv)
    started = time.monotonic()
    page, _ = generate()
    took = time.monotonic() - started
    if args.check:
        old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if old == page:
            print(f"{args.output} is current ({took:.1f} s)")
            return 0
        import difflib

        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                page.splitlines(keepends=True),
                str(args.output),
                "regenerated",
            )
        )
        print(f"{args.output} is stale: run python docs/gen_cli.py", file=sys.stderr)
        return 1
    args.output.write_text(page, encoding="utf-8")
    print(f"wrote {args.output} in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
