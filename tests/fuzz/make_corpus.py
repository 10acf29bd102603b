"""Write the seed corpus of every fuzz target, byte for byte the same on every run.

``python -m tests.fuzz.make_corpus`` rewrites ``tests/fuzz/corpus/<target>/``.
Seeds are small (the whole corpus is about 43 KB, most of it the hostile shapes of
issue 17): a valid input of each shape a target parses, plus edge cases the fuzzer
would take long to find.
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

WAV, AIFF, FLAC, RF64 = b"\x00", b"\x01", b"\x02", b"\x03"  # audio_one's suffix byte
REAPER, ARDOUR, ABLETON = b"\x00", b"\x01", b"\x02"  # osc_bridge_one's dialect byte
LANES_TOML, LANES_JSON, LANES_TOML_TEMPO = b"\x00", b"\x01", b"\x02"  # lanes_one's first byte

DEEP = 600
"""Nesting depth of the deep-nesting seeds: past what a recursive parser takes with
Python's default recursion limit (tomllib fails from about 400 arrays)."""
HUGE_INT = b"9" * 4400
"""An integer over Python's 4,300-digit limit for converting text to int."""
BIG_INT = b"1" + b"0" * 400
"""An integer TOML and JSON read, too large for a float."""
LONG_NAME = "x" * 300
"""Longer than a file name may be (255 bytes on Linux)."""


def _pcm16(frames: int = 16, channels: int = 2) -> bytes:
    return b"".join(struct.pack("<h", (i * 997) % 20000 - 10000) for i in range(frames * channels))


def _chunk(cid: bytes, body: bytes, order: str = "<") -> bytes:
    pad = b"\x00" if len(body) % 2 else b""
    return cid + struct.pack(order + "I", len(body)) + body + pad


def _fmt(tag: int = 1, channels: int = 2, rate: int = 48000, bits: int = 16) -> bytes:
    align = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


def wav(data: bytes | None = None, fmt: bytes | None = None, riff: bytes = b"RIFF") -> bytes:
    body = (
        b"WAVE"
        + _chunk(b"fmt ", fmt or _fmt())
        + _chunk(b"data", _pcm16() if data is None else data)
    )
    return riff + struct.pack("<I", len(body)) + body


def rf64() -> bytes:
    data = _pcm16()
    ds64 = struct.pack("<QQQI", 0, len(data), 16, 0)
    body = b"WAVE" + _chunk(b"ds64", ds64) + _chunk(b"fmt ", _fmt())
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + data
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body


def _extended80(rate: int) -> bytes:
    exponent = rate.bit_length() - 1
    return struct.pack(">HQ", 16383 + exponent, rate << (63 - exponent))


def aiff(kind: bytes = b"AIFF") -> bytes:
    frames = 16
    comm = struct.pack(">hIh", 2, frames, 16) + _extended80(44100)
    if kind == b"AIFC":
        comm += b"NONE\x0enot compressed\x00"
    samples = b"".join(struct.pack(">h", (i * 997) % 20000 - 10000) for i in range(frames * 2))
    body = kind + _chunk(b"COMM", comm, ">") + _chunk(b"SSND", b"\x00" * 8 + samples, ">")
    return b"FORM" + struct.pack(">I", len(body)) + body


def flac_header() -> bytes:
    # STREAMINFO only (last-metadata-block flag set), 44.1 kHz stereo 16-bit, 16 frames.
    info = struct.pack(">HH", 4096, 4096) + b"\x00\x00\x00" * 2
    packed = (44100 << 44) | (1 << 41) | (15 << 36) | 16
    info += packed.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + b"\x80" + len(info).to_bytes(3, "big") + info


def audio_seeds() -> dict[str, bytes]:
    return {
        "wav16": WAV + wav(),
        "wav-float": WAV
        + wav(struct.pack("<8f", 0.5, -0.5, 0.25, 0, 1, -1, 0.1, 0.2), _fmt(3, 2, 48000, 32)),
        "wav-extensible": WAV
        + wav(
            fmt=_fmt(0xFFFE)
            + b"\x16\x00"
            + b"\x10\x00\x03\x00\x00\x00"
            + b"\x01\x00"
            + b"\x00" * 14
        ),
        "wav-short-data": WAV + wav()[:60],
        "rf64": RF64 + rf64(),
        "aiff": AIFF + aiff(),
        "aifc": AIFF + aiff(b"AIFC"),
        "flac-streaminfo": FLAC + flac_header(),
        **pyav_seeds(),
    }


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _adts(payload: bytes) -> bytes:
    """One ADTS frame: AAC LC, 48 kHz, stereo, no CRC (ISO/IEC 14496-3 1.A.2.2)."""
    length = 7 + len(payload)
    head = (0xFFF1 << 40) | (1 << 38) | (3 << 34) | (2 << 30) | (length << 13) | (0x7FF << 2)
    return head.to_bytes(7, "big") + payload


def pyav_seeds() -> dict[str, bytes]:
    """Containers decoded through PyAV (issue 23): what a hostile M4A, WebM or ADTS looks like."""
    ftyp = _box(b"ftyp", b"M4A \x00\x00\x02\x00M4A isomiso2")
    mdhd = _box(b"mdhd", b"\x00" * 12 + struct.pack(">II", 48000, 48000) + b"\x00" * 4)
    stsd = _box(
        b"stsd",
        b"\x00" * 8
        + _box(
            b"mp4a",
            b"\x00" * 16 + struct.pack(">HH", 2, 16) + b"\x00" * 4 + struct.pack(">I", 48000 << 16),
        ),
    )
    trak = _box(b"trak", _box(b"mdia", mdhd + _box(b"minf", _box(b"stbl", stsd))))
    return {
        "m4a-ftyp-only": WAV + ftyp,
        "m4a-moov-no-samples": WAV + ftyp + _box(b"moov", trak),
        "m4a-mdat-garbage": WAV + ftyp + _box(b"mdat", bytes(range(256)) * 4),
        "webm-opus-head": WAV + b"\x1a\x45\xdf\xa3" + b"\x9f\x42\x86\x81\x01webm\x86A_OPUS"
        + b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00",
        "adts-two-frames": WAV + _adts(b"\x21\x00" + b"\x00" * 30) * 2,
    }  # fmt: skip


def _osc_string(text: str) -> bytes:
    raw = text.encode()
    return raw + b"\x00" * (4 - len(raw) % 4)


def osc(address: str, *args: object) -> bytes:
    tags, payload = ",", b""
    for a in args:
        if isinstance(a, float):
            tags, payload = tags + "f", payload + struct.pack(">f", a)
        elif isinstance(a, int):
            tags, payload = tags + "i", payload + struct.pack(">i", a)
        else:
            tags, payload = tags + "s", payload + _osc_string(str(a))
    return _osc_string(address) + _osc_string(tags) + payload


def bundle(*messages: bytes) -> bytes:
    head = b"#bundle\x00" + struct.pack(">Q", 1)
    return head + b"".join(struct.pack(">i", len(m)) + m for m in messages)


def bridge_seeds() -> dict[str, bytes]:
    return {
        "reaper-bundle": REAPER
        + bundle(
            osc("/track/1/volume/str", "-6.00dB"),
            osc("/track/1/pan", 0.5),
            osc("/track/1/name", "drums"),
        ),
        "reaper-fx": REAPER + osc("/track/2/fx/1/fxparam/3/value", 0.25),
        "reaper-send": REAPER + osc("/track/2/send/1/volume/str", "-inf dB"),
        "reaper-marker": REAPER
        + bundle(osc("/marker/1/name", "verse"), osc("/marker/1/time", 12.5)),
        "reaper-select": REAPER
        + bundle(osc("/track/number/str", "2"), osc("/fx/1/fxparam/1/name", "Gain")),
        "ardour-reply": ARDOUR + osc("/reply", "AT", "drums", 2, 2, 0, 0, 1, 0),
        "ardour-end": ARDOUR + osc("#reply", "end_route_list", 48000, 0),
        "ardour-strip": ARDOUR + osc("/strip/gain", 1, -6.0),
        "ardour-position": ARDOUR + osc("/position/samples", "96000"),
        "ableton-names": ABLETON + osc("/live/song/get/track_names", "drums", "bass"),
        "ableton-volume": ABLETON + osc("/live/track/get/volume", 0, 0.85),
        "ableton-device": ABLETON + osc("/live/device/get/parameters/min", 0, 0, 0.0, 0.0),
        "ableton-cues": ABLETON + osc("/live/song/get/cue_points", "intro", 0.0, "verse", 16.0),
    }


def virtual_seeds() -> dict[str, bytes]:
    return {
        "volume": osc("/track/1/volume/db", -6.0),
        "bundle": bundle(
            osc("/track/2/pan", 0.25), osc("/track/2/mute", 1.0), osc("/master/volume", 0.7)
        ),
        "name": osc("/track/1/name", "kick"),
        "transport": bundle(
            osc("/play"), osc("/time", 3.5), osc("/track/1/autowrite"), osc("/stop")
        ),
        "touch": bundle(
            osc("/record"), osc("/track/1/volume/touch", 1.0), osc("/track/1/volume", 0.5)
        ),
        "refresh": osc("/action", 41743),
        "render": osc("/action", 42230),
    }


def profile_seeds() -> dict[str, bytes]:
    child = (
        b'description = "fuzz"\nextends = "parent.toml"\n[measure]\nover_dbtp = -1.0\n'
        b'[rules.true-peak-ceiling]\nmax_dbtp = -2.0\nseverity = "warning"\nstatus = "firm"\n'
    )
    parent = b'extends = "default"\n[measure]\ntrue_peak_method = "bs1770"\nclip_min_run = 2\n'
    return {
        "extends-parent": child + b"\n#parent\n" + parent,
        "extends-shipped": b'extends = "spotify"\n[rules.integrated-loudness]\nenabled = false\n',
        "loop": b'extends = "profile.toml"\n',
        "empty": b"",
        # The hostile shapes of issue 17: a long extends chain, deep nesting, huge numbers,
        # a name longer than a file name may be.
        "extends-chain": b'extends = "parent.toml"\n'
        + b"".join(b'\n#parent\nextends = "parent%d.toml"\n' % i for i in range(2, 41))
        + b'\n#parent\nextends = "default"\n[measure]\nclip_min_run = 3\n',
        "deep-array": b"[measure]\nover_dbtp = " + b"[" * DEEP + b"]" * DEEP + b"\n",
        "deep-table": b"[rules.x]\nmax = " + b"{a=" * DEEP + b"1" + b"}" * DEEP + b"\n",
        "huge-int": b"[measure]\nclip_min_run = " + HUGE_INT + b"\n",
        "huge-numbers": b"[measure]\nover_dbtp = 1e400\nclip_min_run = 99999999999999999999\n"
        b"[rules.true-peak-ceiling]\nmax_dbtp = -9223372036854775809\n",
        "long-name": b'extends = "' + LONG_NAME.encode() + b'"\n',
    }


def config_seeds() -> dict[str, bytes]:
    base = (
        b'profile = ["spotify", "rules/mine.toml"]\nselect = ["TP", "LUF001"]\nignore = ["SIL"]\n'
        b'fail-level = "warning"\n[[per-file]]\nglob = "stems/**"\nprofile = "mix-for-mastering"\n'
        b'[[waivers]]\nglob = "stems/*_fx.wav"\ncodes = ["TP001"]\nreason = "on purpose"\n'
    )
    return {
        "mixdesk": b"\x00" + base,
        "pyproject": b'\x01[project]\nname = "x"\n[tool.mixdesk]\n' + base,
        "globs": b'\x00[[per-file]]\nglob = "**/[!a-c]?*.wav"\nignore = ["CLP"]\n',
        "deep-array": b"\x00select = " + b"[" * DEEP + b"]" * DEEP + b"\n",
        "huge-int": b"\x00fail-level = " + HUGE_INT + b"\n",
        "long-name": b'\x00profile = ["' + LONG_NAME.encode() + b'.toml"]\n'
        b'[[per-file]]\nglob = "'
        + b"*/" * 300
        + b'*.wav"\nprofile = "'
        + LONG_NAME.encode()
        + b'"\n',
        "many-globs": b"\x00"
        + b"".join(
            b'[[per-file]]\nglob = "**/%d/**/*[!x]*.wav"\nignore = ["CLP"]\n' % i for i in range(60)
        ),
    }


def lanes_seeds() -> dict[str, bytes]:
    toml = (
        b'schema = "mixdesk.lanes/1"\n[tempo]\nbpm = 120.0\nbeats_per_bar = 4\n'
        b'[[lane]]\ntrack = "Vocals"\nparam = "volume_db"\n'
        b'points = [[0.0, -inf, "s_curve"], ["3:1", -3.0, "hold"], [8.0, -6.0]]\n'
        b'[[lane]]\ntrack = 2\nparam = "pan"\npoints = [[0.0, -1.0, "linear_amp"], [4.0, 1.0]]\n'
        b'[[lane]]\ntrack = "master"\nparam = "mute"\npoints = [[0.0, false], [2.5, true]]\n'
    )
    json = (
        b'{"schema": "mixdesk.lanes/1", "tempo": {"bpm": 90},'
        b' "lane": [{"track": "Bass", "param": "volume_db",'
        b' "points": [[0, "-inf", "exponential"], ["2:1.5", -12.5], [6, 0.0, "hold"]]},'
        b' {"track": 1, "param": "solo", "points": [[0, 0], [1, 1]]}]}'
    )
    return {
        "toml": LANES_TOML + toml,
        "json": LANES_JSON + json,
        "toml-given-tempo": LANES_TOML_TEMPO
        + b'schema = "mixdesk.lanes/1"\n[[lane]]\ntrack = "Keys"\nparam = "width"\n'
        b'points = [["1:1", 0.5], ["2:3.25", 1.0, "s_curve"]]\n',
        "empty-lanes": LANES_JSON + b'{"schema": "mixdesk.lanes/1", "lane": []}',
        "deep-json": LANES_JSON
        + b'{"schema": "mixdesk.lanes/1", "lane": '
        + b"[" * DEEP * 2
        + b"]" * DEEP * 2
        + b"}",
        "deep-toml": LANES_TOML + b"lane = " + b"[" * DEEP + b"]" * DEEP + b"\n",
        "huge-int": LANES_JSON
        + b'{"schema": "mixdesk.lanes/1", "lane": [{"track": '
        + HUGE_INT
        + b', "param": "volume_db", "points": [[0, 0]]}]}',
        "huge-numbers": LANES_TOML_TEMPO + b'schema = "mixdesk.lanes/1"\n[[lane]]\n'
        b'track = 99999999999999999999\nparam = "fx/1/param/2"\n'
        b"points = [[0, 1e308], [1e300, -1e308]]\n"
        b'[[lane]]\ntrack = 1\nparam = "volume_db"\npoints = [[0, ' + BIG_INT + b"]]\n",
        "long-name": LANES_TOML
        + b'schema = "mixdesk.lanes/1"\n[[lane]]\ntrack = "'
        + LONG_NAME.encode() * 4
        + b'"\nparam = "fx/'
        + LONG_NAME.encode()
        + b'/param/1"\npoints = [[0.0, 0.5]]\n',
    }


def scene_seeds() -> dict[str, bytes]:
    a = (
        b'schema = "mixdesk.scene/1"\nname = "verse"\n'
        b'[tracks."Vocals"]\nvolume_db = -4.5\npan = -0.3\nmute = false\nwidth = 1.0\n'
        b'[tracks."master"]\nvolume_db = -1.0\nsolo = true\n'
    )
    b = (
        b'schema = "mixdesk.scene/1"\nname = "chorus"\n'
        b'[tracks."Vocals"]\nvolume_db = -inf\npan = 0.25\nmute = true\n'
        b'[tracks."Gtr \\u00e9 \\"L\\""]\n"volume_db" = 3.0\n"fx/1/param/2" = 0.5\n'
    )
    return {
        "one": a,
        "diff": a + b"\n#b\n" + b,
        "empty": b'schema = "mixdesk.scene/1"\n',
        "deep": b'schema = "mixdesk.scene/1"\nname = ' + b"[" * DEEP + b"]" * DEEP + b"\n",
        "huge-int": b'schema = "mixdesk.scene/1"\n[tracks.a]\nvolume_db = ' + HUGE_INT + b"\n",
        "huge-numbers": b'schema = "mixdesk.scene/1"\n[tracks.a]\nvolume_db = '
        + BIG_INT
        + b"\n[tracks.b]\npan = 1e400\n[tracks.c]\nmute = 99999999999999999999\n",
        "long-name": b'schema = "mixdesk.scene/1"\nname = "'
        + LONG_NAME.encode() * 4
        + b'"\n[tracks."'
        + LONG_NAME.encode() * 4
        + b'"]\nvolume_db = 0.0\n',
    }


SEEDS = {
    "audio": audio_seeds,
    "osc_bridge": bridge_seeds,
    "osc_virtual": virtual_seeds,
    "profile": profile_seeds,
    "config": config_seeds,
    "lanes": lanes_seeds,
    "scene": scene_seeds,
}


def main() -> int:
    total = 0
    for target, make in SEEDS.items():
        folder = CORPUS / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, data in make().items():
            (folder / name).write_bytes(data)
            total += len(data)
    print(f"wrote {sum(len(m()) for m in SEEDS.values())} seeds, {total} bytes, in {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
