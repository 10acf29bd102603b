"""The whole loop in one script: stems → mix over OSC → render → QC of the bounce.

    python examples/render_and_check.py [--seconds 30] [--out renders]

It generates the example stems, starts the embedded virtual DAW on them, sets
the balance of ``examples/mix_song.py`` over OSC, renders a 24-bit take
(REAPER's action 42230), then runs ``mixdesk check`` on the bounce against
``mix-for-mastering`` (what a mastering engineer needs) and ``spotify``
(delivery). Exit status: that of ``mixdesk check`` (0 clean, 1 findings).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.virtual.session import start_virtual
from examples import mix_song, stems


def main() -> int:
    """Run the loop; returns ``mixdesk check``'s exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=30.0, help="song length in s (30)")
    ap.add_argument("--out", default="renders", help="render folder (./renders)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mixdesk-stems-") as stem_dir:
        stems.generate(stem_dir, seconds=args.seconds)
        with start_virtual(stem_dir, render_dir=args.out) as mixer:
            for line in mix_song.apply(mixer):
                print(line)
            take = mixer.render_and_wait()
    print(f"rendered {take.path} ({take.seconds:.1f} s, peak {take.peak_dbfs:.1f} dBFS)")
    cmd = [sys.executable, "-m", "qc", "check", "--profile", "mix-for-mastering,spotify"]
    return subprocess.call([*cmd, str(take.path)])


if __name__ == "__main__":
    sys.exit(main())
