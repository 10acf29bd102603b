"""Ride the vocal against the band, and fade the song out: automation a script does best.

    python examples/vocal_ride.py STEMS_DIR [--out renders] [--lanes ride.toml]
                                  [--live [--offline-master]]

1. Measures the band (every stem but the lead) in 0.5 s windows, from the files.
2. Rides the lead so it sits a steady distance above the band: up where the band
   is loud, down where it thins out (half the band's change, within ±6 dB), each
   move an s-curve.
3. Fades the master out over the last 6 s.
4. Saves the lanes (``mixdesk.lanes/1``) for ``mixdesk automate --daw X ride.toml``
   (which refuses the master fade unless given ``--mode none``: see below).
5. Renders a take on the embedded virtual DAW with the lanes applied sample by
   sample, or, with ``--live``, writes them over OSC in real time (touch mode,
   as into REAPER) and renders what the virtual DAW recorded.

The master fade cannot be written live: the virtual DAW speaks REAPER's stock
``Default.ReaperOSC``, which has no master automation mode. So ``--live`` alone
stops before the pass with one line (exit 2) saying so, as ``mixdesk automate``
does; ``--live --offline-master`` writes the vocal ride live and applies the
master fade in an offline render of what the virtual DAW recorded, and says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.automation import Lane, fade_out, ride, save_lanes
from bridge.automation.player import LanePlayer
from bridge.errors import BridgeError
from bridge.virtual.automation import by_track
from bridge.virtual.render import render
from bridge.virtual.session import start_virtual
from bridge.virtual.state import MixState
from bridge.virtual.stems import load_stems

VOCAL = "lead"
WINDOW_S = 0.5
STEP_S = 1.0
FADE_S = 6.0
VOCAL_DB = -3.5  # where the vocal sits when the band is at its median level


def band_level(stems_dir: Path, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The band's level in dB per 0.5 s window (every stem but the vocal, summed)."""
    window = int(WINDOW_S * rate)
    total: np.ndarray | None = None
    for path in sorted(stems_dir.glob("*.wav")):
        if path.stem == VOCAL:
            continue
        energy = []
        with sf.SoundFile(path) as f:
            for block in f.blocks(blocksize=window, dtype="float64", always_2d=True):
                energy.append(float(np.mean(np.sum(block, axis=1) ** 2)))
        e = np.array(energy)
        total = e if total is None else total[: e.size] + e[: total.size]
    if total is None:
        raise SystemExit(f"{stems_dir}: no band stems next to {VOCAL}.wav")
    times = (np.arange(total.size) + 0.5) * WINDOW_S
    return times, 10 * np.log10(np.maximum(total, 1e-10))


def make_lanes(stems_dir: Path, seconds: float, rate: int) -> list[Lane]:
    """The vocal ride and the master fade."""
    times, level = band_level(stems_dir, rate)
    playing = level > level.max() - 30  # ignore the silent lead-in and tail
    median = float(np.median(level[playing]))
    moves = []
    for t in np.arange(0.0, seconds - FADE_S, STEP_S):
        near = np.abs(times - t) <= STEP_S / 2
        band = float(np.mean(level[near])) if near.any() else median
        offset = float(np.clip(0.5 * (band - median), -6.0, 6.0)) if band > median - 30 else 0.0
        moves.append((float(t), round(VOCAL_DB + offset, 2)))
    vocal = ride(VOCAL, moves, curve="s_curve")
    fade = fade_out("master", seconds - FADE_S, seconds, floor_db=-60.0, from_db=-2.0)
    return [vocal, fade]


def main() -> int:
    """Make the lanes, save them, render a take; print where everything went."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("stems", type=Path, help="stems folder (python examples/stems.py DIR)")
    ap.add_argument("--out", type=Path, default=Path("renders"), help="render folder")
    ap.add_argument("--lanes", type=Path, default=Path("ride.toml"), help="lane file to write")
    ap.add_argument("--live", action="store_true", help="write the lanes over OSC in real time")
    ap.add_argument(
        "--offline-master",
        action="store_true",
        help="with --live: write the vocal ride live, render the master fade offline on top",
    )
    args = ap.parse_args()
    if args.offline_master and not args.live:
        ap.error("--offline-master goes with --live")

    rate = 48000
    stems = load_stems(args.stems, rate)
    seconds = max(s.seconds for s in stems)
    lanes = make_lanes(args.stems, seconds, rate)
    save_lanes(lanes, args.lanes, force=True)  # the example's own output: a rerun replaces it
    print(f"{lanes[0].label}: {len(lanes[0].points)} points; {lanes[1].label}: fade out")
    print(f"saved {args.lanes} (its master fade: mixdesk automate --mode none; docs/automation.md)")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.live:
        live = [la for la in lanes if la.track != "master"] if args.offline_master else lanes
        with start_virtual(args.stems, render_dir=args.out, rate=rate) as mixer:
            try:  # refuses the master fade before anything is sent, without --offline-master
                player = LanePlayer(mixer, live, rate_hz=50)
            except BridgeError as err:
                print(f"mixdesk: {err} (vocal_ride.py: --offline-master)", file=sys.stderr)
                return 2
            report = player.run()
            print(f"wrote {report.messages} values live, p99 {report.percentile_ms(0.99):.2f} ms")
            if not args.offline_master:
                take = mixer.render_and_wait()
            else:
                recorded = mixer.daw.recorder.lane(VOCAL, "volume_db")
                played = [la for la in (recorded, lanes[1]) if la is not None]
                names = [s.name for s in stems]
                take = render(
                    stems, mixer.daw.state, args.out, rate=rate, automation=by_track(played, names)
                )
                print("master fade: rendered offline (no master automation mode over OSC)")
    else:
        state = MixState.for_stems(stems)
        take = render(
            stems, state, args.out, rate=rate, automation=by_track(lanes, [s.name for s in stems])
        )
    print(f"rendered {take.path}: {take.seconds:.1f} s, peak {take.peak_dbfs:.1f} dBFS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
