"""Benchmark PyAV decoding and the codec preview.

Usage::

    python benchmarks/bench_codecs.py [--runs 3] [--no-write]

1. Takes the cached 5-minute stereo 48 kHz 24-bit loud master of
   ``benchmarks/bench_check.py`` (``examples/make_bounce.py``), encodes it to an
   AAC 256 kbit/s M4A with the ffmpeg CLI, and decodes that M4A back to a WAV.
2. Decoding: times, alternately run by run under GNU ``time`` (wall, peak RSS),
   ``mixdesk check --format json x.m4a`` (PyAV), the same check of its WAV decode
   (libsndfile), and the peer ``ffmpeg -i x.m4a -af ebur128=peak=true -f null -``.
   Target (issue 23): the M4A at most 1.2x the WAV.
3. Preview: ``mixdesk check --codec-preview aac-256,opus-160`` of the master,
   the same with ``aac-256:fast`` (FFmpeg's fast AAC coder), and the plain check,
   alternately, each under GNU ``time``: wall, and CPU (user + system, the
   worker processes included), which a loaded machine disturbs less. Target: at
   most 3x the plain check's wall time. Beside them, alternately too: the peer, the
   ffmpeg CLI doing the same job (each codec encoded, decoded and measured by
   ``ebur128=peak=true``, and the master measured, all three pipelines at once),
   and FFmpeg's two encoders alone (``-f null``). The encoders' CPU plus the plain
   check's, spread over every core, is the least wall time any preview of these
   two codecs can take here: the floor the 3x target is read against.
4. Preview cost of four codecs (aac-256, opus-160, vorbis-320, mp3-320) in one
   process, once: in parallel (two worker processes per codec) and one after the
   other.
5. Writes the section "Codecs: PyAV decoding and the codec preview" of
   ``docs/benchmarks.md`` with the load average before and after: the machine is
   shared, so only the side-by-side ratios mean much.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.bench_check import compile_bytecode, load, master, mixdesk_cmd
from benchmarks.common import GNU_TIME, median, run_timed, update_benchmarks_md

SECTION = "Codecs: PyAV decoding and the codec preview"
DECODE_TARGET = 1.2  # M4A check / WAV check (issue 23)
PREVIEW_TARGET = 3.0  # check --codec-preview aac-256,opus-160 / plain check
CHECK_OK = (0, 1)
FOUR = "aac-256,opus-160,vorbis-320,mp3-320"
PREVIEW = "aac-256,opus-160"
PREVIEW_FAST = "aac-256:fast,opus-160"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


SAME_WORK = ("--ignore", "LSY001,DTH001")
"""What makes the WAV's check do the M4A's work: the detectors do not run on a lossy file."""


def files(wav: Path) -> tuple[Path, Path]:
    """The master's AAC 256 kbit/s M4A and that M4A's own decode as WAV (cached)."""
    m4a = wav.with_name(wav.stem + "-aac256.m4a")
    dec = wav.with_name(wav.stem + "-aac256-decoded.wav")
    if not m4a.exists():
        ffmpeg("-i", str(wav), "-c:a", "aac", "-b:a", "256k", str(m4a))
    if not dec.exists():
        ffmpeg("-i", str(m4a), "-c:a", "pcm_s24le", str(dec))
    return m4a, dec


def check(path: Path, *extra: str) -> list[str]:
    return [*mixdesk_cmd(), "check", "--format", "json", *extra, str(path)]


def alternate(cmds: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, int]]]:
    """Each command once as a warm-up, then ``runs`` rounds, one of each per round."""
    for cmd in cmds.values():
        run_timed(cmd, ok_returncodes=CHECK_OK)
    out: dict[str, list[tuple[float, int]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            out[name].append(run_timed(cmd, ok_returncodes=CHECK_OK))
    return out


def run_cpu(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, waited-for children included) under GNU time."""
    fd, out = tempfile.mkstemp(prefix="bench-cpu-", suffix=".txt")
    os.close(fd)
    try:
        proc = subprocess.run(
            [GNU_TIME, "-o", out, "-f", "%e %U %S", *cmd],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            check=False,
        )  # fmt: skip
        if proc.returncode not in CHECK_OK:
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=proc.stderr)
        wall, user, system = (float(v) for v in Path(out).read_text().split()[-3:])
    finally:
        os.unlink(out)
    return wall, user + system


def alternate_cpu(cmds: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """As `alternate`, recording ``(wall_s, cpu_s)`` per run."""
    for cmd in cmds.values():
        run_cpu(cmd)
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            out[name].append(run_cpu(cmd))
    return out


def cpu_row(name: str, shown: str, res: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in res], [c for _, c in res]
    return (
        f"| {name} | `{shown}` | {median(walls):.2f} | {min(walls):.2f}-{max(walls):.2f} "
        f"| {median(cpus):.2f} |"
    )


def ratios(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> tuple[float, float]:
    """Medians of the pairwise wall and CPU ratios a/b."""
    pairs = list(zip(a, b, strict=True))
    return median([x[0] / y[0] for x, y in pairs]), median([x[1] / y[1] for x, y in pairs])


def peer_preview(wav: Path) -> list[str]:
    """The ffmpeg CLI doing the preview's job: both codecs round-tripped and metered, at once."""
    f = f"ffmpeg -nostdin -v error -i '{wav}'"
    meter = "ffmpeg -nostdin -v error -i - -af ebur128=peak=true -f null -"
    return ["bash", "-c", (
        f"{f} -c:a aac -b:a 256k -f adts - | {meter} & "
        f"{f} -c:a libopus -b:a 160k -f ogg - | {meter} & "
        f"{f} -af ebur128=peak=true -f null - & wait"
    )]  # fmt: skip


def encoder(wav: Path, *codec: str) -> list[str]:
    """One FFmpeg encoder alone on the master, output discarded."""
    return ["ffmpeg", "-nostdin", "-v", "error", "-i", str(wav), *codec, "-f", "null", "-"]


def preview_cost(wav: Path, parallel: bool) -> float:
    """Wall time of the four-codec preview in a fresh process, s."""
    code = (
        "import sys, time\nfrom qc.codec import parse_specs\nfrom qc.codec.preview import "
        "run_preview\nt = time.perf_counter()\n"
        f"run_preview(sys.argv[1], parse_specs({FOUR!r}), -1.0, parallel={parallel})\n"
        "print(time.perf_counter() - t)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(wav)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"preview run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return float(proc.stdout.strip())


def row(name: str, shown: str, res: list[tuple[float, int]]) -> str:
    walls = [w for w, _ in res]
    rss = max(r for _, r in res) / 1024
    return (
        f"| {name} | `{shown}` | {median(walls):.2f} | {min(walls):.2f}-{max(walls):.2f} "
        f"| {rss:.0f} |"
    )


def ratio(a: list[tuple[float, int]], b: list[tuple[float, int]]) -> float:
    """Median of the pairwise wall-time ratios a/b (one pair per round)."""
    return median([x[0] / y[0] for x, y in zip(a, b, strict=True)])


def verdict(value: float, target: float) -> str:
    """``met`` or ``NOT met``."""
    return "met" if value <= target else "NOT met"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    compile_bytecode()
    wav, _ = master(300.0)
    m4a, dec = files(wav)
    before = load()
    dec_res = alternate(
        {
            "m4a": check(m4a),
            "wav": check(dec),
            "m4a_same": check(m4a, *SAME_WORK),
            "wav_same": check(dec, *SAME_WORK),
            "ffmpeg": ["ffmpeg", "-nostdin", "-nostats", "-hide_banner", "-i", str(m4a),
                       "-af", "ebur128=peak=true", "-f", "null", "-"],
        },
        args.runs,
    )  # fmt: skip
    prev_res = alternate_cpu(
        {
            "preview": check(wav, "--codec-preview", PREVIEW),
            "fast": check(wav, "--codec-preview", PREVIEW_FAST),
            "plain": check(wav),
            "peer": peer_preview(wav),
            "aac": encoder(wav, "-c:a", "aac", "-b:a", "256k"),
            "opus": encoder(wav, "-c:a", "libopus", "-b:a", "160k"),
        },
        args.runs,
    )
    par, ser = preview_cost(wav, True), preview_cost(wav, False)
    after = load()
    r_dec = ratio(dec_res["m4a"], dec_res["wav"])
    r_same = ratio(dec_res["m4a_same"], dec_res["wav_same"])
    r_ff = ratio(dec_res["m4a"], dec_res["ffmpeg"])
    w_prev, c_prev = ratios(prev_res["preview"], prev_res["plain"])
    w_fast, c_fast = ratios(prev_res["fast"], prev_res["plain"])
    plain_cpu = median([c for _, c in prev_res["plain"]])
    extra = {k: median([c for _, c in prev_res[k]]) - plain_cpu for k in ("preview", "fast")}
    w_peer, c_peer = ratios(prev_res["preview"], prev_res["peer"])
    cores = os.cpu_count() or 1
    encoders = sum(median([c for _, c in prev_res[k]]) for k in ("aac", "opus"))
    plain_wall = median([w for w, _ in prev_res["plain"]])
    floor = (plain_cpu + encoders) / cores / plain_wall
    body = "\n".join([
        f"`python benchmarks/bench_codecs.py --runs {args.runs}`, {time.strftime('%Y-%m-%d')}, "
        f"load average {before} before and {after} after (the machine is shared with other "
        "jobs: the ratios, taken pair by pair from alternated runs, mean more than the "
        "seconds). The 5-minute loud master of bench_check, its AAC 256 kbit/s M4A (ffmpeg's "
        "native encoder) and that M4A decoded to a 24-bit WAV by the ffmpeg CLI.",
        "",
        "| run | command | wall s (median) | wall s (min-max) | peak RSS MiB |",
        "|---|---|---|---|---|",
        row("M4A through PyAV", "mixdesk check --format json x.m4a", dec_res["m4a"]),
        row("its WAV decode", "mixdesk check --format json x.wav", dec_res["wav"]),
        row("M4A, same work", f"mixdesk check --format json {' '.join(SAME_WORK)} x.m4a",
            dec_res["m4a_same"]),
        row("WAV, same work", f"mixdesk check --format json {' '.join(SAME_WORK)} x.wav",
            dec_res["wav_same"]),
        row("peer", "ffmpeg -i x.m4a -af ebur128=peak=true -f null -", dec_res["ffmpeg"]),
        "",
        "| run | command | wall s (median) | wall s (min-max) | CPU s (median) |",
        "|---|---|---|---|---|",
        cpu_row("preview", f"mixdesk check --codec-preview {PREVIEW} master.wav",
                prev_res["preview"]),
        cpu_row("preview, fast AAC", f"mixdesk check --codec-preview {PREVIEW_FAST} master.wav",
                prev_res["fast"]),
        cpu_row("plain", "mixdesk check master.wav", prev_res["plain"]),
        cpu_row("peer", "ffmpeg: aac and opus encoded, decoded and metered, and the master "
                "metered, all at once", prev_res["peer"]),
        cpu_row("AAC encoder alone", "ffmpeg -i master.wav -c:a aac -b:a 256k -f null -",
                prev_res["aac"]),
        cpu_row("Opus encoder alone", "ffmpeg -i master.wav -c:a libopus -b:a 160k -f null -",
                prev_res["opus"]),
        "",
        f"* M4A / WAV with the same work (the dither and lossy-history detectors, which do "
        f"not run on a lossy file, ignored on both): **{r_same:.2f}x** (target <= "
        f"{DECODE_TARGET}x: {verdict(r_same, DECODE_TARGET)}); the default checks: "
        f"{r_dec:.2f}x (the WAV's includes the detectors); M4A / ffmpeg ebur128: {r_ff:.2f}x.",
        f"* `--codec-preview {PREVIEW}` / plain check: **{w_prev:.2f}x** wall (target <= "
        f"{PREVIEW_TARGET}x: {verdict(w_prev, PREVIEW_TARGET)}), {c_prev:.2f}x CPU; the "
        f"preview's extra CPU {extra['preview']:.1f} s.",
        f"* The floor: FFmpeg's AAC and Opus encoders alone take {encoders:.1f} s of CPU; with "
        f"the plain check's {plain_cpu:.1f} s, spread over all {cores} cores, no preview of "
        f"these two codecs can take less than **{floor:.2f}x** the plain check's wall time "
        "here, even if decoding and measuring the decoded audio cost nothing.",
        f"* Preview / peer (the ffmpeg CLI doing the same job): **{w_peer:.2f}x** wall, "
        f"{c_peer:.2f}x CPU.",
        f"* `--codec-preview {PREVIEW_FAST}` / plain check: **{w_fast:.2f}x** wall "
        f"({verdict(w_fast, PREVIEW_TARGET)}), {c_fast:.2f}x CPU; extra CPU "
        f"{extra['fast']:.1f} s.",
        f"* Four codecs ({FOUR}) on the 5-minute master, in one process, once: "
        f"{par:.1f} s in parallel (two worker processes per codec, 2 cores) vs "
        f"{ser:.1f} s one after the other ({ser / par:.2f}x).",
    ])  # fmt: skip
    print(body)
    if not args.no_write:
        update_benchmarks_md(SECTION, body, Path(__file__).resolve().parents[1] / "docs" /
                             "benchmarks.md")  # fmt: skip
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main())
