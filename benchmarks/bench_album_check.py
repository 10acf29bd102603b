"""The album check against checking its files, and the disc image's write speed.

    python benchmarks/bench_album_check.py [--runs 5] [--seconds 240] [--jobs 2]

Twelve deterministic tracks of ``--seconds`` (default 4 minutes) at 44.1 kHz/16-bit
(alternately loud and gentle masters) and their ``album.toml`` are written once
under ``benchmarks/_data``. Then, alternating run by run, the whole process of

* ``mixdesk album --profile cd-redbook --format json ALBUM/`` (every track checked,
  then the album: sequence, loudness, Red Book), against
* ``mixdesk check --profile cd-redbook --format json`` of the same 12 files,

with the medians and their ratio (target <= 1.1x). Then the disc image and CUE
sheet are written in process (:func:`qc.album.image.write_image`) ``--runs``
times, beside ``cp`` of the 12 files to the same folder (the disk's own speed
for the same bytes), and both are reported in MB/s. Writes the section
"Album check and disc image" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_check import mixdesk_cmd
from benchmarks.common import median, run_timed, update_benchmarks_md
from examples.music import write_master

ROOT = Path(__file__).resolve().parents[1]
TRACKS = 12
TARGET = 1.1


def make_album(seconds: float) -> Path:
    """Write (once) 12 CD-format tracks and their album.toml."""
    folder = ROOT / "benchmarks" / "_data" / f"cdalbum_{TRACKS}x{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['schema = "mixdesk.album/1"', 'title = "Bench"', 'catalog = "4006381333931"']
    for i in range(TRACKS):
        path = folder / f"{i + 1:02d}.wav"
        if not path.exists():
            write_master(path, seconds=seconds, rate=44100, subtype="PCM_16", seed=200 + i,
                         loud=i % 2 == 0)  # fmt: skip
        lines += ["[[tracks]]", f'file = "{path.name}"', f'isrc = "USRC1760{7800 + i:04d}"']
    (folder / "album.toml").write_text("\n".join(lines) + "\n")
    return folder


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process so far (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _image_speed(album: Path, runs: int) -> tuple[list[float], list[float], int]:
    """MB/s of the image and CUE writer, and of ``cp`` of the same tracks, per run."""
    from qc.album.image import write_image
    from qc.album.spec import load_album

    spec = load_album(album)
    out = album.parent / "image_out"
    out.mkdir(exist_ok=True)
    image, cue = out / "disc.wav", out / "disc.cue"
    ours, cp = [], []
    size = 0
    for _ in range(runs):
        for f in out.iterdir():
            f.unlink()
        began = time.perf_counter()
        write_image(spec, str(image), str(cue))
        os.sync()
        took = time.perf_counter() - began
        size = image.stat().st_size
        ours.append(size / 1e6 / took)
        for f in out.iterdir():
            f.unlink()
        began = time.perf_counter()
        subprocess.run(["cp", *(t.path for t in spec.tracks), str(out)], check=True)
        os.sync()
        copied = sum((out / Path(t.path).name).stat().st_size for t in spec.tracks)
        cp.append(copied / 1e6 / (time.perf_counter() - began))
    shutil.rmtree(out)
    return ours, cp, size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    album = make_album(args.seconds)
    files = sorted(str(p) for p in album.glob("*.wav"))
    common = ["--jobs", str(args.jobs), "--format", "json", "--profile", "cd-redbook"]
    cmds = {
        "album": [*mixdesk_cmd(), "album", *common, str(album)],
        "check": [*mixdesk_cmd(), "check", *common, *files],
    }
    times: dict[str, list[float]] = {"album": [], "check": []}
    cpu: dict[str, list[float]] = {"album": [], "check": []}
    for i in range(args.runs + 1):
        order = list(cmds.items())
        for name, cmd in order if i % 2 else reversed(order):
            before = _children_cpu()
            wall, _ = run_timed(cmd, ok_returncodes=(0, 1))
            if i:  # the first round warms the page cache
                times[name].append(wall)
                cpu[name].append(_children_cpu() - before)
                print(f"  run {i} {name}: {wall:.2f} s wall, {cpu[name][-1]:.2f} s CPU", flush=True)
    med = {k: median(v) for k, v in times.items()}
    ratio = med["album"] / med["check"]
    pairs = [a / c for a, c in zip(cpu["album"], cpu["check"], strict=True)]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    ours, cp, size = _image_speed(album, args.runs)
    load = os.getloadavg()[0]
    body = (
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python benchmarks/bench_album_check.py --runs {args.runs} --seconds "
        f"{args.seconds:g} --jobs {args.jobs}`: {TRACKS} deterministic {args.seconds:g} s "
        "stereo 44.1 kHz 16-bit tracks (alternately loud and gentle), whole-process wall "
        f"time, runs alternated; load average {load:.1f} at the end (other jobs shared the "
        "machine: the ratio is the figure to read).\n\n"
        "| command | wall s, median (min–max) | CPU s (user + sys), median |\n|---|---|---|\n"
        f"| `mixdesk album --profile cd-redbook ALBUM/` | {med['album']:.2f} "
        f"({min(times['album']):.2f}–{max(times['album']):.2f}) | {median(cpu['album']):.2f} |\n"
        f"| `mixdesk check --profile cd-redbook` of the 12 files | {med['check']:.2f} "
        f"({min(times['check']):.2f}–{max(times['check']):.2f}) | {median(cpu['check']):.2f} |\n\n"
        f"Wall ratio of the medians: **{ratio:.2f}x**; target <= {TARGET}x: **{verdict}**. "
        f"CPU ratio run by run (album / check, alternated pairs): median **{median(pairs):.2f}x** "
        f"({min(pairs):.2f}–{max(pairs):.2f}): the CPU figure is the one a loaded machine "
        "does not move.\n\n"
        f"Disc image and CUE sheet ({size / 1e6:.0f} MB, written and synced): "
        f"**{median(ours):.0f} MB/s** median ({min(ours):.0f}–{max(ours):.0f}); `cp` of the "
        f"12 tracks to the same folder, synced: {median(cp):.0f} MB/s "
        f"({min(cp):.0f}–{max(cp):.0f}).\n"
    )
    print(body)
    if not args.no_write:
        update_benchmarks_md("Album check and disc image", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
