"""Which codecs a file's settings ask for, and their round trips run in parallel.

The preview is opt-in: ``mixdesk check --codec-preview aac-256,opus-160`` or a
profile's ``codecs`` under ``[rules.codec-true-peak]`` (TP002). Each codec costs
an encode, a decode and a true-peak pass over the whole file (about 1.5 to 3 s
of CPU for a 5-minute stereo master), so it is not run unless asked; a file
whose preview was not asked for carries `SKIPPED_NOTE`.

`start_preview` starts the codecs in worker processes before the engine
measures the master, so the master's own pass and the round trips share the
cores from the start; each codec is two processes (`qc.codec.stages`: the
encoder and decoder in one, the meters in the other), so that no core waits
idle for the slowest encoder. `Pending.result` collects them.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from qc.audio.av_load import AV_HINT, load_av
from qc.checks.runner import rule_options, will_run
from qc.codec.result import SKIPPED_NOTE, CodecPreview, PreviewRun
from qc.codec.spec import PLATFORM, CodecSpec, parse_specs
from qc.errors import UsageError

if TYPE_CHECKING:
    from qc.codec.stages import Stages
    from qc.settings import Settings

__all__ = [
    "RULE_CODE",
    "Pending",
    "requested",
    "require_av",
    "run_preview",
    "start_preview",
    "with_preview",
]

RULE_CODE = "TP002"
"""The rule that judges the preview (``codec-true-peak``)."""


_CODER_CPU_S_PER_MIN = {"aac": 1.7, "aac:fast": 0.6, "opus": 0.7, "vorbis": 1.4, "mp3": 2.5}
"""CPU of one codec's coder process (read, encode, decode) per minute of 48 kHz stereo, s:
measured with `qc.codec.roundtrip.Transcoder` alone on examples/make_bounce.py's loud
60-second master (2-core Xeon, PyAV 18.1). Only the order matters here."""
_FILL_NICE = 10
"""Niceness of every codec but the costliest: they fill the cores around its chain and the
master's pass (Linux gives a nice-10 process about a tenth of a contended core's time)."""


def _costliest(specs: tuple[CodecSpec, ...]) -> CodecSpec:
    """The spec whose coder takes the most CPU (its chain bounds the preview's wall time)."""

    def cost(spec: CodecSpec) -> float:
        key = f"{spec.codec}:{spec.variant}" if spec.variant else spec.codec
        return _CODER_CPU_S_PER_MIN.get(key, 1.0)

    return max(specs, key=cost)


def requested(settings: Settings) -> tuple[tuple[CodecSpec, ...], float]:
    """The codecs a file's settings ask for and the lowest ceiling among them.

    The command line's ``--codec-preview`` (``settings.codec_preview``) comes
    first, then each profile's ``codecs`` of TP002 where that rule runs, and its
    ``platform_codecs`` when the command line says ``platform``.

    Returns:
        ``(specs, ceiling_dbtp)``: specs in order without duplicates; the
        ceiling (dBTP) at which the decoded overs are counted.

    Raises:
        UsageError: A spec is malformed (the message names it).
    """
    from qc.checks import get

    rule = get(RULE_CODE)
    platform = PLATFORM in settings.codec_preview
    texts: list[str] = [t for t in settings.codec_preview if t != PLATFORM]
    ceilings: list[float] = []
    for profile in settings.profiles:
        opts, _ = rule_options(rule, profile)
        ceilings.append(float(opts["max_dbtp"]))
        if will_run(RULE_CODE, profile, settings.select, settings.ignore):
            texts.extend(opts["codecs"])
            texts.extend(opts["platform_codecs"] if platform else ())
    return parse_specs(texts), min(ceilings, default=-1.0)


def require_av() -> None:
    """Check that PyAV can be imported.

    Raises:
        UsageError: It cannot (one line naming the extra ``codecs``).
    """
    if load_av() is None:
        raise UsageError(f"codec preview needs PyAV: {AV_HINT}")


def with_preview(settings: Settings, specs: tuple[str, ...]) -> Settings:
    """A file's settings with the command line's ``--codec-preview`` specs.

    Args:
        settings: The file's resolved settings.
        specs: Checked words (`qc.codec.spec.preview_words`): specs and ``platform``.

    Raises:
        UsageError: Specs were given but PyAV is not installed (one line naming the extra).
    """
    if not specs:
        return settings
    require_av()
    return dataclasses.replace(settings, codec_preview=specs)


def _one(job: tuple[str, CodecSpec, float]) -> CodecPreview:
    from qc.codec.roundtrip import round_trip

    path, spec, ceiling = job
    return round_trip(path, spec, ceiling)


class Pending:
    """A preview under way; `result` waits for it. Use as a context manager.

    Args:
        path: The master.
        specs: Codecs to run.
        forced: Specs from the command line (every profile judges them).
        ceiling_dbtp: Over threshold of the decoded true peak, dBTP.
        parallel: Run the codecs in worker processes, two per codec (False: one
            after the other in this process, when `result` is called).
    """

    def __init__(
        self,
        path: str,
        specs: tuple[CodecSpec, ...],
        forced: tuple[str, ...],
        ceiling_dbtp: float,
        *,
        parallel: bool = True,
    ) -> None:
        self._jobs = [(path, spec, ceiling_dbtp) for spec in specs]
        self._forced = forced
        self._started = time.perf_counter()
        self._parallel = parallel
        self._stages: list[Stages] = []
        if parallel and self._jobs:
            from qc.codec.stages import Stages  # the coders and meters: only when asked

            first = _costliest(specs)
            self._stages = [
                Stages(*job, nice=0 if job[1] == first else _FILL_NICE) for job in self._jobs
            ]

    def result(self) -> PreviewRun:
        """Wait for every codec; the run in the order asked."""
        if not self._jobs:
            return PreviewRun((), note=SKIPPED_NOTE)
        if self._parallel:
            codecs = tuple(stage.result() for stage in self._stages)
        else:
            codecs = tuple(_one(job) for job in self._jobs)
        self.close()
        return PreviewRun(
            requested=tuple(spec.text for _, spec, _ in self._jobs),
            forced=self._forced,
            codecs=codecs,
            seconds=time.perf_counter() - self._started,
        )

    def close(self) -> None:
        """Stop the workers (also when the master could not be read). Idempotent."""
        for stage in self._stages:
            stage.close()

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_preview(path: str, settings: Settings, *, parallel: bool = True) -> Pending:
    """Start the codec preview a file's settings ask for (nothing when none).

    Raises:
        UsageError: A requested spec is malformed, or PyAV is not installed.
    """
    specs, ceiling = requested(settings)
    forced = settings.codec_preview
    if specs:
        require_av()
    return Pending(path, specs, forced, ceiling, parallel=parallel)


def run_preview(
    path: str, specs: tuple[CodecSpec, ...], ceiling_dbtp: float, *, parallel: bool = True
) -> PreviewRun:
    """Run a preview of ``specs`` on one file and wait for it (the benchmark's entry).

    Args:
        path: The master.
        specs: Codecs to run.
        ceiling_dbtp: Over threshold, dBTP.
        parallel: Two worker processes per codec (False: one after the other, here).
    """
    with Pending(path, specs, (), ceiling_dbtp, parallel=parallel) as pending:
        return pending.result()
