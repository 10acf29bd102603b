"""Audio input: container sniffing and streaming block reading.

- `sniff` / `header_consistent` / `Container`: identify container and codec from a
  file's first bytes (pure, no I/O) and check the declared data size against the file.
- `open_audio` / `AudioSource` / `StreamInfo`: open a file with soundfile and stream
  float64 blocks of shape ``(frames, channels)``; every failure is an
  `qc.errors.AudioReadError` naming the file.
- `read_info`: format and length of a file, opened and closed in one call.
- `decoder_noise`: keeps libmpg123's notes, printed from C, off the terminal.
"""

from qc.audio.reader import AudioSource, StreamInfo, open_audio, read_info
from qc.audio.sniff import Container, header_consistent, sniff

__all__ = [
    "AudioSource",
    "Container",
    "StreamInfo",
    "header_consistent",
    "open_audio",
    "read_info",
    "sniff",
]
