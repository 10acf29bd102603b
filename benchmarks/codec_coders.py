"""Decoded AAC peaks: FFmpeg's default twoloop coder against its fast coder.

Usage::

    python benchmarks/codec_coders.py [--out DIR]

The codec preview's AAC could use FFmpeg's ``fast`` coder, which costs about a
third of the default ``twoloop`` coder's CPU. This measures whether the two
agree on what matters, the decoded true peak, on several masters made by
``examples/make_bounce.py`` (60 s: gentle, loud, and each made ready for a
platform by ``mixdesk fix``, so limited near -1 dBTP) and the 5-minute loud
master of ``benchmarks/bench_check.py``. Each master is encoded at 256 kbit/s
without PNS by both coders, twice: through PyAV (the preview itself,
``aac-256`` and ``aac-256:fast``) and by the ffmpeg command line (its own
FFmpeg build), decoded, and measured by mixdesk's ``accurate`` true peak.
Prints a Markdown table (dBTP) and the CPU seconds of each PyAV round trip
(one process: encode, decode and the decoded meters).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for `benchmarks.*`

from benchmarks.bench_check import master
from qc.codec import parse_spec
from qc.codec.roundtrip import round_trip
from qc.engine import measure_file

ROOT = Path(__file__).resolve().parents[1]
CODERS = ("twoloop", "fast")


def run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL)


def true_peak(path: Path) -> float:
    result = measure_file(path)
    assert result.measurements is not None, result.error
    return result.measurements.true_peak.dbtp


def masters(out: Path) -> list[tuple[str, Path]]:
    """The masters: made once into ``out``, then reused."""
    py, mixdesk = sys.executable, [sys.executable, "-m", "qc"]
    made = []
    for name, extra in (("gentle", ["--gentle"]), ("loud", []), ("gentle-seed7", ["--gentle",
                        "--seed", "7"])):  # fmt: skip
        wav = out / f"{name}.wav"
        if not wav.exists():
            run(py, ROOT / "examples" / "make_bounce.py", wav, "--seconds", "60", *extra)
        made.append((f"{name} 60 s", wav))
    for name, profile in (("gentle", "spotify"), ("loud", "spotify"), ("gentle-seed7",
                          "spotify")):  # fmt: skip
        fixed = out / f"{name}.{profile}.wav"
        if not fixed.exists():
            subprocess.run([*mixdesk, "fix", str(out / f"{name}.wav"), "--profile", profile,
                            "-o", str(fixed)], check=False, stdout=subprocess.DEVNULL)  # fmt: skip
        made.append((f"{name} 60 s, fixed for {profile}", fixed))
    made.append(("bench_check's loud 300 s", master(300.0)[0]))
    return made


def cli_peak(wav: Path, coder: str, out: Path) -> float:
    """The ffmpeg CLI's encode with ``coder``, decoded to float WAV, its true peak."""
    m4a, dec = out / "cli.m4a", out / "cli.dec.wav"
    run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", wav, "-c:a", "aac", "-aac_pns", "0",
        "-aac_coder", coder, "-b:a", "256k", m4a)  # fmt: skip
    run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", m4a, "-c:a", "pcm_f32le", dec)
    return true_peak(dec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="folder for the masters (default: temp)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print("| master | master dBTP | PyAV twoloop | PyAV fast | CLI twoloop | CLI fast "
              "| CPU s twoloop / fast |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for name, wav in masters(out):
            peaks, cpu = [], []
            for spec in ("aac-256", "aac-256:fast"):
                t = time.process_time()
                peaks.append(round_trip(str(wav), parse_spec(spec), -1.0).true_peak_dbtp)
                cpu.append(time.process_time() - t)
            cli = [cli_peak(wav, c, out) for c in CODERS]
            cells = " | ".join(f"{v:+.2f}" for v in (*peaks, *cli))
            print(f"| {name} | {true_peak(wav):+.2f} | {cells} | {cpu[0]:.1f} / {cpu[1]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
