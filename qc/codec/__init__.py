"""Codec preview: what the platforms' encoders do to a master's peaks.

- `spec`: ``aac-256`` → codec, encoder names, rates, bit-rate range (pure).
- `result`: `CodecPreview` per codec and `PreviewRun` per file (pure values).
- `meter`: true peak (accurate), sample peak, clipped samples and loudness of
  the decoded audio, from the existing meters (pure).
- `roundtrip`: one codec, streamed through PyAV's encoder and decoder in memory.
- `preview`: which codecs a file's settings ask for, run in parallel processes.
"""

from qc.codec.result import SKIPPED_NOTE, CodecPreview, PreviewRun
from qc.codec.spec import CODECS, CodecSpec, parse_spec, parse_specs

__all__ = [
    "CODECS",
    "SKIPPED_NOTE",
    "CodecPreview",
    "CodecSpec",
    "PreviewRun",
    "parse_spec",
    "parse_specs",
]
