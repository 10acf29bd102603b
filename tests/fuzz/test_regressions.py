"""Every crash the fuzzers found, with its input inline, through the target that found it."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest

from bridge.osc.message import well_formed
from bridge.osc.transport import valid_datagram
from qc.audio.header import extended80 as _extended
from qc.config import load_config
from qc.errors import ProfileError
from tests.fuzz import targets
from tests.fuzz.make_corpus import aiff, bundle, osc


def test_virtual_daw_rename_sends_feedback_under_the_new_name() -> None:
    # KeyError 'bass': the feedback after /track/1/name looked up the old name.
    # The fuzz DAW is shared by the process's tests, so its state is whatever they
    # left (a fuzzed datagram may have set track 1's automation mode): compare with it.
    daw, _ = targets._virtual()
    old = daw.names[0]
    mode = daw.automation_mode(old)
    targets.osc_virtual_one(osc("/track/1/name", "kick-renamed"))
    assert daw.names[0] == "kick-renamed"
    assert daw.automation_mode("kick-renamed") == mode
    targets.osc_virtual_one(osc("/track/1/name", old))
    assert daw.names[0] == old


def test_virtual_daw_refuses_a_name_another_track_has() -> None:
    # Two tracks named alike shared one state entry; renaming either then raised KeyError.
    daw, _ = targets._virtual()
    before = list(daw.names)
    targets.osc_virtual_one(osc("/track/1/name", before[1]))
    assert daw.names == before
    targets.osc_virtual_one(bundle(osc("/track/2/name", "x"), osc("/track/2/name", before[1])))
    assert daw.names == before


def test_osc_address_that_is_not_utf8_is_malformed() -> None:
    # python-osc raised UnicodeDecodeError on a datagram valid_datagram had accepted.
    data = b"\x00/trac\xa4/2/fx/1/fxparam/3/value\x00\x00\x00,f\x00\x00>\x80\x00\x00"
    assert not well_formed(data[1:])
    assert not valid_datagram(data[1:])
    targets.osc_bridge_one(data)


def test_aiff_sample_rate_at_the_float_limit_is_refused_not_raised() -> None:
    # OverflowError (math range error): exponent 960 with a full 64-bit mantissa is 2**1024.
    raw = struct.pack(">HQ", 16383 + 63 + 960, 0xFFFFFFFFFFFFFFFF)
    assert math.isinf(_extended(raw))
    data = aiff(b"AIFC")
    at = data.index(b"COMM") + 8 + 8  # channels, frames, bits, then the 80-bit rate
    targets.audio_one(b"\x01" + data[:at] + raw + data[at + 10 :])


def test_osc_type_tags_with_an_unclosed_array_are_malformed() -> None:
    # python-osc raised ParseError (missing closing bracket) on what valid_datagram accepted.
    data = bytes.fromhex("022f6c6d2f332f76656d6942002c6969665b62" + "00" * 17)
    assert not valid_datagram(data[1:])
    assert not well_formed(b"/a\x00\x00,]\x00\x00")
    assert well_formed(b"/a\x00\x00,[i]\x00\x00\x00\x00" + b"\x00\x00\x00\x01")
    targets.osc_bridge_one(data)


def test_track_numbers_longer_than_int_accepts_are_ignored() -> None:
    # ValueError: int() refuses more than 4300 digits (/track/<5000 digits>/name, REAPER
    # dialect and virtual DAW; /strip/<5000 digits>/gain, Ardour). Above libFuzzer's max_len.
    huge = "7" * 5000
    for dialect in (b"\x00", b"\x01", b"\x02"):
        targets.osc_bridge_one(dialect + osc(f"/track/{huge}/name", "x"))
        targets.osc_bridge_one(dialect + osc(f"/strip/{huge}/gain", -6.0))
    targets.osc_virtual_one(osc(f"/track/{huge}/volume/db", -6.0))


def test_config_glob_with_a_reversed_range_is_a_profile_error(tmp_path: Path) -> None:
    # re.error (bad character range r-/) escaped Config.for_file; now load_config refuses it.
    targets.config_one(b'\x00[[per-file]]\nglob = "**[per-/[!a-c]?*.wa$v"\nignore = ["CLP"]\n')
    path = tmp_path / "mixdesk.toml"
    path.write_text('[[waivers]]\nglob = "[z-a].wav"\ncodes = ["TP"]\nreason = "x"\n')
    with pytest.raises(ProfileError, match=r"'waivers\[0\]\.glob' is not a valid glob"):
        load_config(path)


def test_osc_type_tags_python_osc_does_not_parse_are_malformed() -> None:
    """Found by 10 minutes of the osc_bridge target: ``,S...`` with a non-UTF-8 string after.

    python-osc skips tags it does not know (c, S, I) without consuming their bytes, so
    it read the following strings at offsets the checker never looked at, and raised
    UnicodeDecodeError. Such datagrams are now malformed before python-osc sees them.
    """
    from bridge.osc.transport import valid_datagram
    from tests.fuzz.targets import osc_bridge_one

    crash = bytes.fromhex(
        "012f735e5e5e5e5e5e000000002c53667373737373737373000072006ee974022f6f000000"
        "0000040028000000006c3b690000002b002f6d69000000100000022f"
    )
    assert not valid_datagram(crash[1:])
    osc_bridge_one(crash)
    for tag, payload in (("c", b"\x00\x00\x00A"), ("S", b"sym\x00"), ("I", b"")):
        assert not valid_datagram(b"/a\x00\x00," + tag.encode() + b"\x00\x00" + payload)
    assert valid_datagram(b"/a\x00\x00,s\x00\x00ok\x00\x00")


def test_a_nan_or_inf_where_a_whole_number_is_expected_is_ignored() -> None:
    """Found by the osc_bridge target: ``/live/track/get/para/ ,f NaN`` (AbletonOSC dialect).

    ``as_int`` compared ``f != int(f)``, and ``int()`` raises on NaN and Inf.
    """
    from bridge.dialects.base import as_int
    from tests.fuzz.targets import osc_bridge_one

    assert as_int(float("nan")) is None
    assert as_int(float("inf")) is None
    assert as_int(-float("inf")) is None
    assert as_int(3.0) == 3
    assert as_int(3.5) is None
    osc_bridge_one(
        bytes.fromhex("022f6c6976652f747261636b2f6765742f706172612f0000002c6600ffffffff00")
    )


def test_a_literal_at_sign_in_a_reaper_address_is_no_pattern() -> None:
    """Found by the osc_bridge target (CI, issue 18): ``/track/2/send/@/volume/str "-inf dB"``.

    The shared REAPER address parser kept a literal ``@`` segment as the pattern's
    placeholder, so the word matched ``send/@/volume/str`` with no send number, and
    decoding raised IndexError. A literal ``@`` or ``BAND`` now makes no pattern.
    """
    from tests.fuzz.targets import osc_bridge_one

    crash = bytes.fromhex(
        "002f747261636b2f322f73656e642f402f766f6c756d652f73747200002c7300002d696e6620644200"
    )
    osc_bridge_one(crash)
