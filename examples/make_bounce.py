"""Write a deterministic music-like stereo master for trying ``mixdesk check``.

Usage::

    python examples/make_bounce.py OUT.wav [--seconds S] [--rate R] [--gentle]

The default is a loud, hard-clipped 24-bit master (-0.20 dBFS sample peak,
true peak above 0 dBTP) that should fail QC; ``--gentle`` writes one at about
-16 LUFS and -3 dBFS that should pass.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from examples.music import write_master


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and write the master.

    Args:
        argv: Command-line arguments without the program name; None for ``sys.argv``.

    Returns:
        The process exit code: 0, or 2 when the file cannot be written.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", help="output file (.wav, .flac, ...)")
    parser.add_argument("--seconds", type=float, default=300.0, help="duration in s (300)")
    parser.add_argument("--rate", type=int, default=48000, help="sample rate in Hz (48000)")
    parser.add_argument("--subtype", default="PCM_24", help="libsndfile subtype (PCM_24)")
    parser.add_argument("--seed", type=int, default=1770, help="random seed (1770)")
    parser.add_argument("--gentle", action="store_true", help="gentle mix that passes QC")
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_master(
            out,
            seconds=args.seconds,
            rate=args.rate,
            subtype=args.subtype,
            seed=args.seed,
            loud=not args.gentle,
        )
    except (OSError, RuntimeError, ValueError) as err:  # soundfile errors are RuntimeErrors
        print(f"make_bounce: cannot write {out}: {err}", file=sys.stderr)
        return 2
    kind = "gentle" if args.gentle else "loud"
    print(f"wrote {args.out}: {args.seconds:g} s, {args.rate} Hz, {args.subtype}, {kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
