"""Hostile inputs: seeded mutants of every file kind mixdesk reads, each through the real CLI.

Usage::

    python benchmarks/bench_hostile.py [--audio 1500] [--text 200] [--workers 2]
        [--timeout 10] [--mem-mb 600] [--seed 17] [--keep DIR] [--no-write]

Deterministic mutants (``random.Random(f"{seed}:{kind}:{i}")``, one to three
operations each: byte flips, truncations, insertions of random bytes, zeroed or
duplicated ranges, header fields rewritten with 0, 1, 0x7FFFFFFF, 0xFFFFFFFF…;
for the text formats also values replaced by hostile tokens such as a
4,400-digit integer, ``1e400``, 600-deep nesting, a 5,000-character string or
terminal escapes) of:

* ``audio``: small (0.3 s) bounces written by ``examples.music`` through
  soundfile (WAV 16-bit, 24-bit and float, AIFF, FLAC) and ffmpeg (MP3), each
  run as ``python -m qc check FILE --format json``;
* ``profile``: the shipped profiles (``rules/``) and the fuzz seeds, each in its
  own folder with the files it extends, run as ``check GOOD.wav --profile MUTANT``;
* ``config``: ``mixdesk.toml`` / ``pyproject.toml`` from the fuzz seeds, each in a
  temp folder with a good WAV, run as ``check good.wav --format json`` there;
* ``lanes``: lane files (TOML and JSON) loaded through the public loader
  (``bridge.automation.lanefile.load_lanes``) in a fresh interpreter, which
  prints the error through the CLI's ``fail`` (one escaped line) and exits 2, as
  ``mixdesk automate`` does before it connects to a DAW;
* ``scene``: scene files, run as ``python -m qc scene diff SEED MUTANT``.

Each input runs in its own process on ``--workers`` parallel workers, with a
wall-clock timeout and an address-space limit (``RLIMIT_AS``, ``--mem-mb``) set
in ``preexec_fn``. Counted per kind: exit codes, tracebacks (``Traceback`` on
stderr), hangs (killed at the timeout), the memory limit hit (``MemoryError``,
``Unable to allocate`` or death by signal), invalid JSON on stdout (``check``
must print a JSON document, also for an unreadable file; a refused profile or
config prints nothing on stdout and one line on stderr), raw control characters
in the output, and peak RSS (``ru_maxrss`` of each child from ``os.wait4``). The
inputs that failed are copied to ``--keep`` (default: a folder under
``$TMPDIR``) and listed with their first and last stderr lines. The results go
to ``docs/benchmarks.md``, section "Hostile inputs".
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for `benchmarks.*`, `examples.*` and `tests.*`

from benchmarks.common import update_benchmarks_md  # noqa: E402

KINDS = ("audio", "profile", "config", "lanes", "scene")
AUDIO_FORMATS = ("wav16", "wav24", "wavfloat", "aiff", "flac", "mp3")
HOSTILE_VALUES = (0, 1, 2, 3, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x10000)

LANES_DRIVER = """\
import sys
from bridge.automation.errors import AutomationError
from bridge.automation.lanefile import load_lanes
from bridge.cli._common import fail  # the CLI's one escaped line on stderr
try:
    lanes = load_lanes(sys.argv[1])
except AutomationError as err:
    sys.exit(fail(str(err)))
if lanes:  # what mixdesk automate does before it connects
    start, end = min(la.start_s for la in lanes), max(la.end_s for la in lanes)
    for lane in lanes:
        lane.value_at(start), lane.value_at((start + end) / 2), lane.value_at(end)
print(f"{len(lanes)} lanes")
"""


# ---- mutations ----------------------------------------------------------------------------


def _pos(rng: random.Random, n: int, head: int = 512) -> int:
    """A position in ``0..n``, half the time in the first ``head`` bytes (the headers)."""
    if n <= 0:
        return 0
    return rng.randrange(min(n, head)) if rng.random() < 0.5 else rng.randrange(n)


def _audio_fields(data: bytes) -> list[tuple[int, int, str]]:
    """Header fields to rewrite: ``(offset, width, byte order)``, found by their markers."""
    out: list[tuple[int, int, str]] = []
    for marker, order in ((b"RIFF", "<"), (b"RF64", "<"), (b"FORM", ">")):
        if data.startswith(marker):
            out.append((4, 4, order))
    for cid in (b"fmt ", b"data", b"LIST", b"ds64", b"fact", b"bext"):
        at = data.find(cid)
        if 0 <= at < 4096:
            out.append((at + 4, 4, "<"))
            if cid == b"fmt ":  # tag, channels, rate, byte rate, block align, bits
                out += [
                    (at + 8 + o, w, "<")
                    for o, w in ((0, 2), (2, 2), (4, 4), (8, 4), (12, 2), (14, 2))
                ]
            if cid == b"ds64":
                out += [(at + 8 + o, 4, "<") for o in (0, 4, 8, 12, 16, 20)]
    for cid in (b"COMM", b"SSND", b"FVER"):
        at = data.find(cid)
        if 0 <= at < 4096:
            out.append((at + 4, 4, ">"))
            if cid == b"COMM":  # channels, frames, bits, the 80-bit rate's exponent and mantissa
                out += [(at + 8 + o, w, ">") for o, w in ((0, 2), (2, 4), (6, 2), (8, 2), (10, 4))]
            if cid == b"SSND":
                out += [(at + 8, 4, ">"), (at + 12, 4, ">")]
    if data.startswith(b"fLaC"):  # block header, STREAMINFO's block and frame sizes, rate...
        out += [(4, 4, ">"), (8, 2, ">"), (10, 2, ">"), (12, 4, ">"), (18, 4, ">"), (22, 4, ">")]
    if data.startswith(b"ID3"):
        out += [(6, 4, ">")]
    sync = next(
        (i for i in range(min(len(data) - 1, 8192)) if data[i] == 0xFF and data[i + 1] >= 0xE0), -1
    )
    if sync >= 0:  # an MPEG frame header
        out += [(sync, 4, ">"), (sync + 2, 2, ">")]
    return [f for f in out if f[0] + f[1] <= len(data)]


def _bytes_op(
    data: bytearray, rng: random.Random, op: str, fields: list[tuple[int, int, str]]
) -> str:
    n = len(data)
    if op == "flip" and n:
        count = rng.randint(1, 8)
        for _ in range(count):
            data[_pos(rng, n)] ^= rng.randint(1, 255)
        return f"flip{count}"
    if op == "cut":
        at = _pos(rng, n, 1024)
        del data[at:]
        return f"cut@{at}"
    if op == "insert":
        at, extra = _pos(rng, n), rng.randbytes(rng.randint(1, 64))
        data[at:at] = extra
        return f"insert{len(extra)}@{at}"
    if op == "zero" and n:
        at = _pos(rng, n)
        size = rng.randint(1, 512)
        data[at : at + size] = bytes(len(data[at : at + size]))
        return f"zero{size}@{at}"
    if op == "dup" and n:
        at = _pos(rng, n)
        piece = data[at : at + rng.randint(1, 256)]
        to = _pos(rng, n)
        data[to:to] = piece
        return f"dup{len(piece)}@{to}"
    if op == "field" and fields:
        at, width, order = rng.choice(fields)
        value = rng.choice((*HOSTILE_VALUES, rng.getrandbits(32)))
        value &= (1 << (8 * width)) - 1
        data[at : at + width] = value.to_bytes(width, "little" if order == "<" else "big")
        return f"field{width}@{at}={value:#x}"
    return _bytes_op(data, rng, "flip", fields) if n else "empty"


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One to three byte-level operations, field rewrites twice as likely as the others."""
    out = bytearray(data)
    fields = _audio_fields(data)
    ops = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(("flip", "cut", "insert", "zero", "dup", "field", "field"))
        ops.append(_bytes_op(out, rng, op, fields))
    return bytes(out), ops


HOSTILE_TOKENS = (
    "9" * 25,
    "9" * 4400,  # over Python's 4,300-digit limit for int()
    "1" + "0" * 400,  # an int too large for a float
    "-9223372036854775809",
    "1e400",
    "-1e400",
    "nan",
    "-inf",
    "0",
    "-0.0",
    "true",
    "[]",
    "{}",
    '""',
    '"' + "x" * 5000 + '"',
    '"\\u001b[31mred\\u001b[0m\\u0007"',
    '"\\u0000"',
    '"../../../../etc/passwd"',
    '"/dev/zero"',
    "[" * 600 + "]" * 600,
    "{a=" * 300 + "1" + "}" * 300,
    "[" + ", ".join(["1.0"] * 500) + "]",
)
JSON_TOKENS = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "9" * 4400,
    "1" + "0" * 400,
    "null",
    "[]",
    "{}",
    '"\\u001b]0;title\\u0007"',
    '"' + "x" * 5000 + '"',
    "[" * 1200 + "]" * 1200,
    '{"a":' * 600 + "1" + "}" * 600,
    "[" + ", ".join(["[0, 0]"] * 500) + "]",
)
HOSTILE_KEYS = (
    "x" * 300,
    "\x1b[2J",
    "extends",
    "extends",
    "profile",
    "tracks",
    "lane",
    "a.b.c.d.e",
)
_TOML_VALUES = (
    re.compile(rb'(?:=|\[|,)[ \t]*(-?[0-9][\w.+:-]*|"[^"\n]*"|true|false|[+-]?inf|nan)'),
    re.compile(rb"(?m)^[^=\n#\[]+=[ \t]*(.+)$"),  # a whole right-hand side
)
_JSON_VALUES = (
    re.compile(rb'(?:[:\[,])[ \t]*(-?[0-9][\w.+-]*|"[^"\n]*"(?![ \t]*:)|true|false|null)'),
    re.compile(rb":[ \t]*(\[[^\]]*\]+)"),  # an array of scalars, or the end of a nested one
)


def mutate_text(
    data: bytes, rng: random.Random, *, json_text: bool = False
) -> tuple[bytes, list[str]]:
    """One to three operations, mostly ones that keep the syntax.

    So the reader's checks of the values are reached: a value replaced by a hostile one,
    a key added, a line repeated, a few syntax characters inserted; sometimes a byte-level
    flip, cut or insertion.
    """
    out = bytearray(data)
    ops = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choice(("value",) * 5 + ("key", "key", "line", "syntax", "flip", "cut", "insert"))
        values = [m for r in (_JSON_VALUES if json_text else _TOML_VALUES) for m in r.finditer(out)]
        if op == "value" and values:
            m = rng.choice(values)
            token = rng.choice(JSON_TOKENS if json_text else HOSTILE_TOKENS).encode()
            out[m.start(1) : m.end(1)] = token
            ops.append(
                f"value={token[:12].decode(errors='replace')!r}{'...' if len(token) > 12 else ''}"
            )
        elif op == "key" and not json_text:
            key = rng.choice(HOSTILE_KEYS)
            quoted = json.dumps(key).encode()
            lines = out.split(b"\n")
            at = rng.randrange(len(lines) + 1)
            value = rng.choice(HOSTILE_TOKENS[:14]).encode()
            lines.insert(at, bytearray(quoted + b" = " + value))
            out = bytearray(b"\n".join(lines))
            ops.append(f"key {key[:10]!r}@line{at}")
        elif op == "line":
            lines = out.split(b"\n")
            i = rng.randrange(len(lines))
            times = rng.choice((2, 3, 200))
            lines[i:i] = [lines[i]] * (times - 1)
            out = bytearray(b"\n".join(lines))
            ops.append(f"line{i}x{times}")
        elif op == "syntax":  # a few characters that matter to the parser, keeping it UTF-8
            at = _pos(rng, len(out))
            extra = "".join(rng.choice("[]{}=\"'.,#:\\\n -+e0_") for _ in range(rng.randint(1, 4)))
            out[at:at] = extra.encode()
            ops.append(f"syntax{extra!r}@{at}")
        else:
            ops.append(_bytes_op(out, rng, op if op in ("flip", "cut", "insert") else "flip", []))
    return bytes(out), ops


# ---- inputs -----------------------------------------------------------------------------


@dataclass
class Job:
    """One input: its kind, a name saying how it was made, and the command that reads it."""

    kind: str
    name: str
    cmd: list[str]
    cwd: Path
    files: list[Path]
    expects_json: bool


def _audio_bases(folder: Path) -> dict[str, list[Path]]:
    """Two small bounces per format (a loud stereo 48 kHz one, a gentle 44.1 kHz one)."""
    import soundfile as sf

    from examples.music import master_chunks

    folder.mkdir(parents=True, exist_ok=True)
    bases: dict[str, list[Path]] = {f: [] for f in AUDIO_FORMATS}
    formats = {
        "wav16": (".wav", "WAV", "PCM_16"),
        "wav24": (".wav", "WAV", "PCM_24"),
        "wavfloat": (".wav", "WAV", "FLOAT"),
        "aiff": (".aiff", "AIFF", "PCM_16"),
        "flac": (".flac", "FLAC", "PCM_16"),
    }
    for variant, (rate, loud) in enumerate(((48000, True), (44100, False))):
        chunks = list(master_chunks(seconds=0.3, rate=rate, seed=1770 + variant, loud=loud))
        import numpy as np

        audio = np.concatenate(chunks)
        for name, (suffix, fmt, subtype) in formats.items():
            path = folder / f"{name}-{variant}{suffix}"
            sf.write(path, audio, rate, format=fmt, subtype=subtype)
            bases[name].append(path)
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg:
            wav = folder / f"wav16-{variant}.wav"
            mp3 = folder / f"mp3-{variant}.mp3"
            subprocess.run(
                [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(wav), "-b:a", "128k", str(mp3)],
                check=True,
                capture_output=True,
            )
            bases["mp3"].append(mp3)
    return {k: v for k, v in bases.items() if v}


def _good_wav(path: Path) -> Path:
    import numpy as np
    import soundfile as sf

    t = np.arange(14400) / 48000
    x = 0.25 * np.sin(2 * np.pi * 440 * t)
    sf.write(path, np.stack([x, 0.8 * x], axis=1), 48000, subtype="PCM_24")
    return path


def _profile_seeds() -> list[tuple[str, bytes, dict[str, bytes]]]:
    """``(name, profile text, {sibling file: text})``: shipped profiles and fuzz seeds."""
    from tests.fuzz.make_corpus import profile_seeds
    from tests.fuzz.targets import PARENT_MARK

    out: list[tuple[str, bytes, dict[str, bytes]]] = [
        (p.stem, p.read_bytes(), {}) for p in sorted((ROOT / "rules").glob("*.toml"))
    ]
    for name, data in profile_seeds().items():
        child, *parents = data.split(PARENT_MARK)
        files = {"parent.toml": parents[0]} if parents else {}
        files.update({f"parent{i}.toml": t for i, t in enumerate(parents[1:], start=2)})
        out.append((f"seed-{name}", child, files))
    return out


def _config_seeds() -> list[tuple[str, str, bytes]]:
    """``(name, file name, text)`` from the fuzz seeds (their first byte picks the name)."""
    from tests.fuzz.make_corpus import config_seeds

    return [
        (name, "pyproject.toml" if data[:1] and data[0] & 1 else "mixdesk.toml", data[1:])
        for name, data in config_seeds().items()
    ]


def build_jobs(work: Path, n_audio: int, n_text: int, seed: int) -> list[Job]:
    py = sys.executable
    jobs: list[Job] = []
    good = _good_wav(work / "good.wav")

    bases = _audio_bases(work / "bases")
    folder = work / "audio"
    folder.mkdir()
    names = sorted(bases)
    for i in range(n_audio):
        fmt = names[i % len(names)]
        rng = random.Random(f"{seed}:audio:{i}")
        base = rng.choice(bases[fmt])
        data, ops = mutate_bytes(base.read_bytes(), rng)
        path = folder / f"{i:04d}-{fmt}{base.suffix}"
        path.write_bytes(data)
        cmd = [py, "-m", "qc", "check", str(path), "--format", "json"]
        jobs.append(
            Job("audio", f"{path.name} ({base.name}: {', '.join(ops)})", cmd, work, [path], True)
        )

    seeds = _profile_seeds()
    for i in range(n_text):
        rng = random.Random(f"{seed}:profile:{i}")
        sname, text, siblings = rng.choice(seeds)
        data, ops = mutate_text(text, rng)
        where = work / "profile" / f"{i:03d}"
        where.mkdir(parents=True)
        for fname, ftext in siblings.items():
            (where / fname).write_bytes(ftext)
        path = where / "profile.toml"
        path.write_bytes(data)
        cmd = [py, "-m", "qc", "check", str(good), "--profile", str(path), "--format", "json"]
        jobs.append(
            Job(
                "profile", f"profile/{i:03d} ({sname}: {', '.join(ops)})", cmd, where, [where], True
            )
        )

    configs = _config_seeds()
    mine = b'extends = "default"\n[rules.true-peak-ceiling]\nmax_dbtp = -1.5\n'
    for i in range(n_text):
        rng = random.Random(f"{seed}:config:{i}")
        sname, fname, text = rng.choice(configs)
        data, ops = mutate_text(text, rng)
        where = work / "config" / f"{i:03d}"
        (where / "rules").mkdir(parents=True)
        (where / "rules" / "mine.toml").write_bytes(mine)
        os.link(good, where / "good.wav")
        (where / fname).write_bytes(data)
        cmd = [py, "-m", "qc", "check", "good.wav", "--format", "json"]
        jobs.append(
            Job(
                "config",
                f"config/{i:03d} ({sname} {fname}: {', '.join(ops)})",
                cmd,
                where,
                [where],
                True,
            )
        )

    from tests.fuzz.make_corpus import lanes_seeds, scene_seeds
    from tests.fuzz.targets import SCENE_MARK

    lane_seeds = sorted(lanes_seeds().items())
    folder = work / "lanes"
    folder.mkdir()
    for i in range(n_text):
        rng = random.Random(f"{seed}:lanes:{i}")
        sname, raw = rng.choice(lane_seeds)
        as_json = bool(raw[0] & 1)
        data, ops = mutate_text(raw[1:], rng, json_text=as_json)
        path = folder / f"{i:03d}-{sname}{'.json' if as_json else '.toml'}"
        path.write_bytes(data)
        cmd = [py, "-c", LANES_DRIVER, str(path)]
        jobs.append(Job("lanes", f"{path.name} ({', '.join(ops)})", cmd, work, [path], False))

    scenes: list[tuple[str, bytes]] = []
    for sname, raw in sorted(scene_seeds().items()):
        a, mark, b = raw.partition(SCENE_MARK)
        scenes.append((sname, a))
        if mark:
            scenes.append((f"{sname}-b", b))
    folder = work / "scene"
    folder.mkdir()
    for i in range(n_text):
        rng = random.Random(f"{seed}:scene:{i}")
        sname, text = rng.choice(scenes)
        data, ops = mutate_text(text, rng)
        original = folder / f"{i:03d}-seed.toml"
        original.write_bytes(text)
        path = folder / f"{i:03d}-{sname}.toml"
        path.write_bytes(data)
        cmd = [py, "-m", "qc", "scene", "diff", str(original), str(path)]
        jobs.append(
            Job("scene", f"{path.name} ({', '.join(ops)})", cmd, work, [original, path], False)
        )
    return jobs


# ---- running ------------------------------------------------------------------------------


@dataclass
class Result:
    """What one input's process did."""

    job: Job
    code: int  # exit code; -N for a signal
    seconds: float
    rss_kb: int
    hang: bool
    traceback: bool
    memory: bool
    bad_json: bool
    control: bool
    first: str = ""
    last: str = ""
    extra: dict[str, str] = field(default_factory=dict)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _limits(mem_bytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_one(job: Job, timeout: float, mem_bytes: int, env: dict[str, str]) -> Result:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            job.cmd,
            cwd=job.cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=_limits(mem_bytes),  # noqa: PLW1509 (setrlimit only)
            start_new_session=True,
        )
        hang = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                hang = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped here, by wait4
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    bad_json = False
    if job.expects_json and not hang:
        try:
            doc = json.loads(stdout) if stdout.strip() else None
        except ValueError:
            bad_json = True
        else:
            bad_json = (doc is None and code in (0, 1)) or (
                doc is not None
                and not (isinstance(doc, dict) and doc.get("schema") == "mixdesk.check/1")
            )
    memory = (
        "MemoryError" in stderr
        or "Unable to allocate" in stderr
        or "Cannot allocate memory" in stderr
        or (code < 0 and not hang)
    )
    return Result(
        job,
        code,
        seconds,
        usage.ru_maxrss,
        hang,
        "Traceback" in stderr,
        memory,
        bad_json,
        bool(_CONTROL.search(stderr) or _CONTROL.search(stdout)),
        lines[0][:200] if lines else "",
        lines[-1][:200] if lines else "",
    )


def campaign(jobs: list[Job], workers: int, timeout: float, mem_mb: int) -> list[Result]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="100")
    env.pop("FORCE_COLOR", None)
    results: list[Result] = []
    lock = threading.Lock()
    started = time.monotonic()

    def one(job: Job) -> Result:
        r = run_one(job, timeout, mem_mb << 20, env)
        with lock:
            results.append(r)
            n = len(results)
            if n % 100 == 0 or n == len(jobs):
                print(f"  {n}/{len(jobs)} inputs, {time.monotonic() - started:.0f} s", flush=True)
        return r

    with ThreadPoolExecutor(max_workers=workers) as pool:
        ordered = list(pool.map(one, jobs))
    return ordered


# ---- report -------------------------------------------------------------------------------


def _failed(r: Result) -> bool:
    return r.traceback or r.hang or r.memory or r.bad_json


def report(results: list[Result], args: argparse.Namespace, wall: float, keep: Path) -> str:
    by_kind: dict[str, list[Result]] = collections.defaultdict(list)
    for r in results:
        by_kind[r.job.kind].append(r)
    how = {
        "audio": "`qc check FILE --format json`",
        "profile": "`qc check GOOD.wav --profile MUTANT --format json`",
        "config": "`qc check good.wav --format json` in the config's folder",
        "lanes": "`load_lanes` in a fresh interpreter",
        "scene": "`qc scene diff SEED MUTANT`",
    }
    lines = [
        f"`python benchmarks/bench_hostile.py --audio {args.audio} --text {args.text} "
        f"--seed {args.seed}`: {len(results):,} seeded mutants (byte flips, truncations, "
        "insertions, zeroed and duplicated ranges, header fields rewritten with 0, 1, "
        "0x7FFFFFFF, 0xFFFFFFFF…; in the text formats also values and keys replaced by hostile "
        "ones: a 4,400-digit integer, a 400-digit one, `1e400`, 600-deep nesting, a "
        "5,000-character string, terminal escapes, `/dev/zero`), each in its own process on "
        f"{args.workers} workers, with a {args.timeout:g} s timeout and a {args.mem_mb} MB "
        "address-space limit (`RLIMIT_AS`). Audio: 0.3 s bounces from `examples/music.py` "
        "(WAV 16/24/float, AIFF, FLAC by soundfile, MP3 by ffmpeg), two per format. "
        "Profiles: the shipped ones and the fuzz seeds; configs, lane and scene files: the "
        f"fuzz seeds (`tests/fuzz/corpus/`). Wall time {wall:.0f} s.",
        "",
        "A traceback is `Traceback` on stderr; a hang, a process killed at the timeout; "
        "memory, `MemoryError` or `Unable to allocate` on stderr or death by a signal; bad "
        "JSON, stdout that is not a `mixdesk.check/1` document where `check` prints one "
        "(a refused profile or config prints only one line on stderr, which is correct); "
        "control, a raw control character (other than newline and tab) in stdout or stderr. "
        "Peak RSS is the largest `ru_maxrss` of one child.",
        "",
        "| kind | run as | inputs | exit codes | tracebacks | hangs | memory | bad JSON "
        "| control | peak RSS (MB) | median s |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        rs = by_kind.get(kind, [])
        if not rs:
            continue
        codes = collections.Counter("hang" if r.hang else str(r.code) for r in rs)
        shown = ", ".join(f"{c}: {n}" for c, n in sorted(codes.items()))
        secs = sorted(r.seconds for r in rs)
        lines.append(
            f"| {kind} | {how[kind]} | {len(rs):,} | {shown} | {sum(r.traceback for r in rs)} | "
            f"{sum(r.hang for r in rs)} | {sum(r.memory for r in rs)} | "
            f"{sum(r.bad_json for r in rs) if rs[0].job.expects_json else 'n/a'} | "
            f"{sum(r.control for r in rs)} | {max(r.rss_kb for r in rs) / 1024:.0f} | "
            f"{secs[len(secs) // 2]:.2f} |"
        )
    tb = sum(r.traceback for r in results)
    hangs = sum(r.hang for r in results)
    peak = max(r.rss_kb for r in results) / 1024
    verdict = (
        f"Targets (issue 17): 0 tracebacks, 0 hangs, peak RSS under {args.mem_mb} MB. "
        f"Measured: {tb} traceback{'s' if tb != 1 else ''}, "
        f"{hangs} hang{'s' if hangs != 1 else ''}, "
        f"peak RSS {peak:.0f} MB: "
        + ("met." if not tb and not hangs and peak < args.mem_mb else "**not met**.")
    )
    lines += ["", verdict]
    failed = [r for r in results if _failed(r)]
    if failed:
        lines += [
            "",
            "Failing inputs, grouped by kind and the last stderr line (the exception); the inputs "
            f"were kept under `{keep}` for replay, not in the repository:",
            "",
            "| kind | count | what | example input (seed: operations) |",
            "|---|---:|---|---|",
        ]
        groups: dict[tuple[str, str], list[Result]] = collections.defaultdict(list)
        for r in failed:
            what = (
                "hang"
                if r.hang
                else ("bad JSON: " if r.bad_json and not r.traceback else "") + r.last
            )
            groups[(r.job.kind, re.sub(r"/tmp/\S+", "FILE", what)[:140])].append(r)
        for (kind, what), rs in sorted(
            groups.items(), key=lambda kv: (KINDS.index(kv[0][0]), -len(kv[1]))
        ):
            name = rs[0].job.name.replace("|", "\\|")
            lines.append(f"| {kind} | {len(rs)} | `{what.replace('|', '/')}` | {name[:160]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=int, default=1500, help="audio mutants (default 1500)")
    parser.add_argument("--text", type=int, default=200, help="mutants per text kind (200)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0, help="s per input (10)")
    parser.add_argument("--mem-mb", type=int, default=600, help="RLIMIT_AS per input (600)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--keep", type=Path, help="where failing inputs go (default: under $TMPDIR)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    keep = args.keep or Path(tempfile.mkdtemp(prefix="mixdesk-hostile-failing-"))
    keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mixdesk-hostile-") as tmp:
        work = Path(tmp)
        jobs = build_jobs(work, args.audio, args.text, args.seed)
        counts = collections.Counter(j.kind for j in jobs)
        print(
            f"{len(jobs)} inputs ({', '.join(f'{k} {n}' for k, n in counts.items())}) ...",
            flush=True,
        )
        started = time.monotonic()
        results = campaign(jobs, args.workers, args.timeout, args.mem_mb)
        wall = time.monotonic() - started
        failed = [r for r in results if _failed(r)]
        for i, r in enumerate(failed):
            dest = keep / f"{i:03d}-{r.job.kind}"
            dest.mkdir(exist_ok=True)
            for f in r.job.files:
                if f.is_dir():
                    shutil.copytree(f, dest / f.name, dirs_exist_ok=True)
                else:
                    shutil.copy2(f, dest / f.name)
            (dest / "README.txt").write_text(
                f"{r.job.name}\ncmd: {' '.join(r.job.cmd)}\ncwd: {r.job.cwd}\nexit: {r.code}\n"
                f"first stderr line: {r.first}\nlast stderr line: {r.last}\n"
            )
    body = report(results, args, wall, keep)
    print(body)
    if failed:
        print("\nfailing inputs (kind, input, first stderr line | last stderr line):")
        for r in failed:
            print(f"  {r.job.kind}: {r.job.name}\n      {r.first}\n      {r.last}")
    if not args.no_write:
        print(f"wrote {update_benchmarks_md('Hostile inputs', body)}")
    return 1 if any(r.traceback or r.hang for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
