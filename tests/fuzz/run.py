"""Run one fuzz target under atheris (libFuzzer) for a set time.

    python -m tests.fuzz.run TARGET --seconds N [--corpus DIR] [--artifacts DIR]

Seeds come from ``tests/fuzz/corpus/<target>/`` (read only; each is replayed first,
and those that already crash are reported and left out, so the fuzzer can still
run from the others); new inputs go to
``--corpus`` (default: a fresh folder under ``$TMPDIR``), crashes to
``--artifacts``. The exit code is 0 when the run ended with no crash, 1 when
libFuzzer reported one (the crashing input is in the artifacts folder), 2 on a
usage error; a crashing seed counts as a crash. The last line printed is a JSON
summary (execs, exec/s, corpus size, crashes, crashing seeds, peak RSS) for
``benchmarks/bench_fuzz.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "corpus"
TARGET_NAMES = ("audio", "osc_bridge", "osc_virtual", "profile", "config", "lanes", "scene")
MAX_LEN = {
    "audio": 8192,
    "osc_bridge": 2048,
    "osc_virtual": 2048,
    "profile": 8192,
    "config": 8192,
    "lanes": 8192,
    "scene": 8192,
}
"""libFuzzer ``-max_len`` per target, in bytes: 8 KB for the text formats, so a seed with
an integer over Python's 4,300-digit limit or 600-deep nesting fits whole."""
_SUMMARY = "FUZZ-SUMMARY "

RSS_LIMIT_MB = {"audio": 6144}
"""libFuzzer's memory limit per target, MB (default 2048). The instrumented audio target
grows about 16 KB per input under atheris (2 GB after 120,000 inputs), while the same
final corpus replayed 10,000 times without instrumentation stays at 56 MB: the growth
is the fuzzer's, not the checker's."""


def _instrument(packages: tuple[str, ...]) -> tuple[int, int]:
    """Add coverage instrumentation to every loaded function of ``packages``.

    ``atheris.instrument_imports`` stops at the first function its bytecode
    patcher cannot handle (atheris 2.3 on Python 3.11 fails on a few), so
    functions are instrumented one by one and the failures skipped.

    Returns:
        ``(instrumented, skipped)`` function counts.
    """
    import gc
    import types

    import atheris

    done = skipped = 0
    for obj in gc.get_objects():
        if not isinstance(obj, types.FunctionType):
            continue
        if str(getattr(obj, "__module__", "") or "").split(".")[0] not in packages:
            continue
        try:
            atheris.instrument_func(obj)
            done += 1
        except Exception:
            skipped += 1
    return done, skipped


def _child(target: str, argv: list[str]) -> None:
    """Instrument the project's parsers, then hand over to libFuzzer (never returns)."""
    import atheris

    from tests.fuzz import targets

    targets.preload()
    # Not tomllib: atheris 2.3 miscompiles some of its bytecode on 3.11 (a `with` turns
    # into a TypeError, or the interpreter segfaults), so its crashes would be false.
    done, skipped = _instrument(("qc", "bridge", "pythonosc"))
    print(f"instrumented {done} functions ({skipped} skipped)", file=sys.stderr)
    one = targets.TARGETS[target]
    atheris.Setup([sys.argv[0], *argv], one)
    atheris.Fuzz()


def _parse_stats(log: str) -> dict[str, int]:
    """Execs, corpus size and peak RSS from libFuzzer's last status lines."""
    stats = {"execs": 0, "corpus": 0, "rss_mb": 0}
    for line in log.splitlines():
        if line.startswith("stat::number_of_executed_units:"):
            stats["execs"] = int(line.split()[-1])
        elif line.startswith("stat::peak_rss_mb:"):
            stats["rss_mb"] = int(line.split()[-1])
        elif line.startswith("#") and " corp: " in line:
            stats["corpus"] = int(line.split(" corp: ")[1].split("/")[0])
    return stats


def _crashing_seeds(target: str, into: Path) -> list[str]:
    """Replay the committed seeds here, uninstrumented; copy those that pass into ``into``.

    libFuzzer stops at its first crash, and a seed that crashes would end the run before
    it starts. The seeds that crash are returned (by name) and counted as crashes; the
    fuzzer starts from the others.
    """
    import signal
    import traceback

    from tests.fuzz import targets

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError("seed ran over 10 s")

    crashed = []
    previous = signal.signal(signal.SIGALRM, hang)
    try:
        for seed in sorted((SEEDS / target).iterdir()):
            data = seed.read_bytes()
            signal.alarm(10)
            try:
                targets.TARGETS[target](data)
            except BaseException as err:  # the point is to list them
                last = traceback.format_exception_only(err)[-1].strip()
                crashed.append(f"{seed.name}: {last[:200]}")
                continue
            finally:
                signal.alarm(0)
            (into / seed.name).write_bytes(data)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return crashed


def run(
    target: str,
    seconds: int,
    *,
    corpus: Path | None = None,
    artifacts: Path | None = None,
    rss_limit_mb: int | None = None,
    timeout_s: int = 10,
    quiet: bool = False,
) -> dict[str, object]:
    """Fuzz ``target`` for ``seconds`` in a child process and return the summary."""
    scratch = Path(tempfile.mkdtemp(prefix=f"mixdesk-fuzz-{target}-"))
    corpus = corpus or scratch / "corpus"
    artifacts = artifacts or scratch / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    seeds = scratch / "seeds"
    seeds.mkdir()
    seed_crashes = _crashing_seeds(target, seeds)
    if seed_crashes and not quiet:
        sys.stderr.write(f"{target}: {len(seed_crashes)} seed(s) crash, fuzzing from the rest:\n")
        sys.stderr.write("".join(f"  {line}\n" for line in seed_crashes))
    args = [
        f"-max_total_time={seconds}",
        f"-rss_limit_mb={rss_limit_mb or RSS_LIMIT_MB.get(target, 2048)}",
        f"-timeout={timeout_s}",
        f"-max_len={MAX_LEN[target]}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        str(corpus),
        str(seeds),
    ]
    cmd = [sys.executable, "-m", "tests.fuzz.run", "--child", target, "--", *args]
    started = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=HERE.parents[1], capture_output=True, text=True, errors="replace", check=False
    )
    wall = time.monotonic() - started
    log = proc.stdout + proc.stderr
    if not quiet:
        sys.stderr.write(
            log[-4000:] if proc.returncode else "\n".join(log.splitlines()[-6:]) + "\n"
        )
    (scratch / "fuzz.log").write_text(log)
    crashes = sorted(str(p) for p in artifacts.iterdir())
    stats = _parse_stats(log)
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return {
        "target": target,
        "seconds": round(wall, 1),
        "execs": stats["execs"],
        "exec_per_s": round(stats["execs"] / wall, 1) if wall else 0.0,
        "corpus": stats["corpus"],
        "corpus_dir": str(corpus),
        "crashes": (len(crashes) if crashes else int(proc.returncode != 0)) + len(seed_crashes),
        "crash_files": crashes,
        "seed_crashes": seed_crashes,
        "peak_rss_mb": stats["rss_mb"] or child_rss,
        "returncode": proc.returncode,
        "log": str(scratch / "fuzz.log"),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        target, rest = argv[1], argv[3:] if argv[2:3] == ["--"] else argv[2:]
        _child(target, rest)
        return 0
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__)
    parser.add_argument("target", choices=(*TARGET_NAMES, "all"))
    parser.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    parser.add_argument("--corpus", type=Path, help="where new inputs go (default: under $TMPDIR)")
    parser.add_argument("--artifacts", type=Path, help="where crashes go (default: under $TMPDIR)")
    parser.add_argument("--rss-limit-mb", type=int, default=None, help="default: 2048, audio 6144")
    parser.add_argument("--timeout", type=int, default=10, help="per input, in s")
    opts = parser.parse_args(argv)
    names = TARGET_NAMES if opts.target == "all" else (opts.target,)
    failed = 0
    for name in names:
        corpus = opts.corpus / name if opts.corpus and len(names) > 1 else opts.corpus
        summary = run(
            name,
            opts.seconds,
            corpus=corpus,
            artifacts=opts.artifacts,
            rss_limit_mb=opts.rss_limit_mb,
            timeout_s=opts.timeout,
        )
        failed += int(summary["crashes"] != 0)  # type: ignore[call-overload]
        print(_SUMMARY + json.dumps(summary), flush=True)
        if summary["crashes"]:
            print(f"{name}: CRASH, see {summary['crash_files']} and {summary['log']}")
            for line in summary["seed_crashes"]:  # type: ignore[attr-defined]
                print(f"{name}: seed {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
