"""Audio input: container sniffing and streaming block reading.

- `sniff` / `header_consistent` / `Container`: identify container and codec from a
  file's first bytes (pure, no I/O) and check the declared data size against the file.
- `open_audio` / `AudioSource` / `StreamInfo`: open a file with soundfile and stream
  float64 blocks of shape ``(frames, channels)``; every failure is an
  `qc.errors.AudioReadError` naming the file.
- `read_info`: format and length of a file, opened and closed in one call.
- `av_reader`: what libsndfile cannot read (AAC/ALAC in MP4, Opus in WebM/MP4) through
  PyAV, the extra ``codecs``, imported only when a file needs it; `open_audio` picks it.
  `av_load` decides whether a file needs PyAV and loads it; `av_frames` turns decoded
  frames into blocks; `gapless` reads encoder delay and padding (edit list, Opus
  pre-skip, ``iTunSMPB``).
- `decoder_noise`: keeps libmpg123's notes, printed from C, off the terminal.
"""

from qc.audio.info import StreamInfo
from qc.audio.reader import AudioSource, open_audio, read_info
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
