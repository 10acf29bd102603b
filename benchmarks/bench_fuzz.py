"""Fuzz every target for a set time, then replay the corpora through the peers.

    python benchmarks/bench_fuzz.py [--seconds 600] [--targets audio,osc_bridge] [--no-write]

Each target runs under atheris (``tests/fuzz/run.py``) for ``--seconds``, one
after another, and the table records executions, exec/s, corpus size, crashes
and peak RSS. Then, side by side on the same generated inputs (the final
corpus and the seeds): the audio corpus goes through ``soundfile.info`` and
``soundfile.read`` directly, and the bridge's OSC corpus through python-osc's
``OscPacket``; exceptions other than each library's documented error are
counted by type (ours must be 0), and per-input times give the rate ratio.
python-osc loops forever on a bundle element of negative size, so each peer
parse runs under a 1 s interval timer and a timeout counts as a hang.
The section is written into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for `benchmarks.*` and `tests.*`

from benchmarks.common import update_benchmarks_md  # noqa: E402

_HANG_S = 1.0
_SUFFIXES = (".wav", ".aiff", ".flac", ".rf64")  # as tests.fuzz.targets.AUDIO_SUFFIXES


class _HangError(Exception):
    """A peer parse ran past its time limit."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _HangError


def _inputs(*folders: Path) -> list[bytes]:
    out: list[bytes] = []
    for folder in folders:
        if folder.is_dir():
            out += [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]
    return out


def _replay(
    inputs: Iterable[bytes], one: Callable[[bytes], None], fine: tuple[type[BaseException], ...]
) -> tuple[collections.Counter[str], float, int]:
    """Run ``one`` on every input: unexpected exception types, seconds, count."""
    bad: collections.Counter[str] = collections.Counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    n, spent = 0, 0.0
    try:
        for data in inputs:
            n += 1
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, _HANG_S)
            try:
                one(data)
            except _HangError:
                bad["hang (> 1 s)"] += 1
            except fine:
                pass
            except BaseException as err:  # counting them is the point
                bad[type(err).__name__] += 1
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            spent += time.perf_counter() - started
    finally:
        signal.signal(signal.SIGALRM, previous)
    return bad, spent, n


def _soundfile_one(folder: Path) -> Callable[[bytes], None]:
    import soundfile as sf

    def one(data: bytes) -> None:
        path = folder / f"peer{_SUFFIXES[data[0] % len(_SUFFIXES)] if data else '.wav'}"
        path.write_bytes(data[1:8192])
        sf.info(str(path))
        sf.read(str(path))

    return one


def _python_osc_one(data: bytes) -> None:
    from pythonosc.osc_packet import OscPacket

    OscPacket(data[1:])


def _peers(corpora: dict[str, Path]) -> list[str]:
    import soundfile as sf
    from pythonosc.osc_packet import ParseError

    from qc.errors import QCError
    from tests.fuzz import targets

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-peer-") as tmp:
        pairs: list[tuple[str, str, Callable[[bytes], None], tuple[type[BaseException], ...]]] = [
            ("audio", "soundfile.info + read", _soundfile_one(Path(tmp)), (sf.SoundFileError,)),
            ("osc_bridge", "python-osc OscPacket", _python_osc_one, (ParseError,)),
        ]
        for target, peer, peer_one, peer_fine in pairs:
            if target not in corpora:
                continue
            inputs = _inputs(corpora[target], ROOT / "tests" / "fuzz" / "corpus" / target)
            ours_bad, ours_s, n = _replay(inputs, targets.TARGETS[target], (QCError,))
            peer_bad, peer_s, _ = _replay(inputs, peer_one, peer_fine)
            shown = ", ".join(f"{k} {v}" for k, v in peer_bad.most_common()) or "none"
            mine = ", ".join(f"{k} {v}" for k, v in ours_bad.most_common()) or "none"
            ratio = (n / ours_s) / (n / peer_s) if ours_s and peer_s else float("nan")
            rows.append(
                f"| {target} | {n} | {peer} | {shown} | {mine} | "
                f"{n / peer_s:,.0f} | {n / ours_s:,.0f} | {ratio:.2f} |"
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.run import TARGET_NAMES, run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600, help="per target (default 600)")
    parser.add_argument("--targets", default=",".join(TARGET_NAMES))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    names = [n for n in args.targets.split(",") if n]
    results: list[dict[str, Any]] = []
    for name in names:
        print(f"fuzzing {name} for {args.seconds} s ...", flush=True)
        results.append(run(name, args.seconds, quiet=True))
        r = results[-1]
        print(f"  {r['execs']:,} execs, {r['exec_per_s']:,.0f}/s, crashes {r['crashes']}")
    lines = [
        f"`python benchmarks/bench_fuzz.py --seconds {args.seconds}`: each target under atheris "
        f"{_atheris_version()} (libFuzzer, `tests/fuzz/run.py`) for {args.seconds} s, one after "
        "another, starting from the committed seeds (`tests/fuzz/corpus/`). exec/s counts "
        "the whole run, start-up included. A crash is any exception other than the package's "
        "documented error (see `docs/fuzzing.md`).",
        "",
        "| target | s | execs | exec/s | corpus | crashes | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['target']} | {r['seconds']:.0f} | {r['execs']:,} | {r['exec_per_s']:,.0f} | "
            f"{r['corpus']} | {r['crashes']} | {r['peak_rss_mb']} |"
        )
    corpora = {str(r["target"]): Path(str(r["corpus_dir"])) for r in results}
    lines += [
        "",
        "The same inputs (final corpus plus seeds) through the peers directly and through our "
        "target: exceptions other than the library's documented error (`soundfile.SoundFileError`,"
        " python-osc's `ParseError`; ours: `QCError`, or a dropped datagram), and inputs per "
        "second over the replay. Ours does more per input (sniffing, header checks, the whole "
        "measurement and every rule for audio; validation, python-osc parsing, dialect decoding "
        "and the mirror for OSC), so the ratio is the cost of that, not of parsing alone.",
        "",
        "| target | inputs | peer | peer: unhandled | ours: unhandled | peer inputs/s "
        "| ours inputs/s | ours/peer rate |",
        "|---|---:|---|---|---|---:|---:|---:|",
        *_peers(corpora),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        print(f"wrote {update_benchmarks_md('Fuzzing', body)}")
    crashed = sum(int(r["crashes"]) for r in results)
    return 1 if crashed else 0


def _atheris_version() -> str:
    from importlib.metadata import version

    return version("atheris")


if __name__ == "__main__":
    sys.exit(main())
