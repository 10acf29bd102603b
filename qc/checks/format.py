"""FMT: container, codec and delivery format."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from qc.checks.rule import Context, Option, Rule, Unreadable
from qc.diagnostic import Diagnostic, Severity

__all__ = ["DeliveryFormat", "LossySource", "UnreadableFile"]


class LossySource(Rule):
    """The file is, or contains, lossy-coded audio.

    Fails when the bytes show a lossy codec, whatever the extension: MP3, AAC/M4A,
    Ogg Vorbis, Opus, WMA, or MP3, ADPCM, A-law or mu-law inside a WAV. Passes for
    PCM, float, FLAC and ALAC. A lossy file is never fit for mastering: its
    artifacts only get worse with EQ, compression and limiting.

    Options: none.

    Example:
        ``mix.wav: error FMT001 lossy codec mp3 inside a wav container``
    """

    code = "FMT001"
    name = "lossy-source"

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        info = ctx.info
        if info.lossy:
            where = "" if info.container == info.codec else f" inside a {info.container} container"
            yield self.finding(
                ctx,
                severity,
                f"lossy codec {info.codec}{where}: never send lossy audio to mastering; "
                "export lossless WAV or AIFF from the session",
            )

    def check_unreadable(  # noqa: D102
        self, ctx: Unreadable, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        if ctx.codec is not None:
            where = "" if ctx.container in (None, ctx.codec) else f" in a {ctx.container} container"
            yield self.finding(
                ctx,
                severity,
                f"lossy codec {ctx.codec}{where}: never send lossy audio to mastering",
            )


class DeliveryFormat(Rule):
    """Sample rate, bit depth or channel count differ from what the delivery requires.

    Fails when the file's rate, depth or channel count is not in the profile's
    allowed list; an empty list allows anything. Passes otherwise.

    Options:
        sample_rates (list of int, Hz): allowed rates, e.g. ``[44100]`` for CD.
        bit_depths (list of int, bits): allowed depths, e.g. ``[16]``.
        channels (list of int): allowed channel counts, e.g. ``[2]``.

    Example:
        ``master.wav: error FMT002 sample rate 48000 Hz; cd-redbook requires 44100 Hz``
    """

    code = "FMT002"
    name = "delivery-format"
    options = (
        Option(
            "sample_rates", list, [], "Hz", "allowed sample rates (empty: any)", item=int, minimum=1
        ),
        Option(
            "bit_depths", list, [], "bits", "allowed bit depths (empty: any)", item=int, minimum=1
        ),
        Option(
            "channels", list, [], "", "allowed channel counts (empty: any)", item=int, minimum=1
        ),
    )

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        info = ctx.info
        facts = (
            ("sample rate", info.sample_rate, opts["sample_rates"], " Hz"),
            ("bit depth", info.bit_depth, opts["bit_depths"], "-bit"),
            ("channel count", info.channels, opts["channels"], ""),
        )
        for label, value, allowed, unit in facts:
            if allowed and value not in allowed:
                wanted = " or ".join(f"{a}{unit}" for a in allowed)
                yield self.finding(
                    ctx,
                    severity,
                    f"{label} {value}{unit}; {ctx.profile} requires {wanted}",
                    measured=float(value) if value is not None else None,
                )


class UnreadableFile(Rule):
    """The file cannot be read, or is truncated.

    Fails when the header is not audio, lies about its sizes (a truncated or
    aborted render, or a file still being written), or the samples cannot be
    decoded (NaN or Inf included). The run goes on with the other files. It is
    the one finding of an unreadable file (with FMT001 when its first bytes
    show a lossy codec); a profile may set its severity, or disable it.

    Options: none.

    Example:
        ``bounce.wav: error FMT003 truncated: header declares 14,400,000 frames ...``
    """

    code = "FMT003"
    name = "unreadable-file"

    def check(  # noqa: D102
        self, ctx: Context, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        return iter(())  # a file that was measured was read

    def check_unreadable(  # noqa: D102
        self, ctx: Unreadable, opts: Mapping[str, Any], severity: Severity
    ) -> Iterator[Diagnostic]:
        yield self.finding(ctx, severity, ctx.reason)
