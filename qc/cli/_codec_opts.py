"""The ``--codec-preview`` option, shared by ``mixdesk check`` and ``mixdesk watch``."""

from __future__ import annotations

import argparse

from qc.codec.spec import cli_specs

__all__ = ["add_codec_preview"]


def add_codec_preview(parser: argparse.ArgumentParser) -> None:
    """Add ``--codec-preview CODECS`` (checked words; default none) to a subcommand."""
    parser.add_argument(
        "--codec-preview",
        type=cli_specs,
        default=(),
        metavar="CODECS",
        help="also encode each file in memory with these codecs and judge the decoded "
        "true peak (TP002), e.g. aac-256,opus-160 (aac, opus, vorbis, mp3; aac-256:fast "
        "for FFmpeg's fast AAC coder; 'platform' for the profiles' own codecs; needs "
        "mixdesk[codecs]; costs seconds per codec; default: what the profiles list)",
    )
