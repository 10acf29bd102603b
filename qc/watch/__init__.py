"""The watch daemon: check every bounce the moment its writer has finished.

One concept per module, pure layers first:

- `ignore`: which names are bounces; temp, hidden and DAW side files are not (pure).
- `finished`: header sizes against the file size (pure), plus the one cheap `probe`.
- `tracker`: the per-file state machine: debounce, the close/rename/settle rules,
  files in flight, the bounded dedup table of content hashes (pure; time is passed in).
- `decision`: what the tracker concludes (`Wait`, `Ready`, `Incomplete`, `Gone`, `Taken`).
- `record`: `Record`, `Trigger`, `Outcome`: what the daemon decided about a file.
- `job`: the worker side: streaming BLAKE2b hash, `check_file`, look again.
- `pool`: the worker processes (forkserver, warm start, rebuilt if one dies).
- `scheduler`: the thread that probes due files, feeds the pool with backpressure
  and turns results into records.
- `events`: watchdog events → scheduler notifications (observer thread, no I/O).
- `observers`: the observer (inotify or polling), its event filter, the start-up scan.
- `log`: the NDJSON log and the ``NAME.qc.json`` sidecars.
- `resume`: the log read back at start-up; which present bounces it does not record.
- `display`: a rich panel per bounce and a live status line, or plain lines.
- `outputs`: records → log, sidecar, display; a failing log is reported once.
- `daemon`: the wiring, the start-up errors and the signals.

Import what you need from the module (``from qc.watch.tracker import Tracker``):
this package imports nothing itself, so ``mixdesk check`` never pays for
watchdog or the daemon's modules.
"""

__all__ = [
    "daemon",
    "decision",
    "display",
    "events",
    "finished",
    "ignore",
    "job",
    "log",
    "observers",
    "outputs",
    "pool",
    "record",
    "resume",
    "scheduler",
    "tracker",
]
