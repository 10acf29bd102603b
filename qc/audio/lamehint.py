"""Does an MP3's LAME tag say it was transcoded? Its recorded lowpass against LAME's default.

`expected_lowpass_hz` gives the lowpass LAME picks for a CBR/ABR bit rate (the
``optimum_bandwidth()`` table in LAME's ``lame.c``), and `transcode_hint` flags a
CBR file whose tag (:mod:`qc.audio.lametag`) records a lowpass well below that.
Pure functions.
"""

from __future__ import annotations

from qc.audio.lametag import CBR_METHODS, LameTag

__all__ = ["expected_lowpass_hz", "transcode_hint"]

# LAME's optimum_bandwidth() (lame.c): CBR/ABR kbps -> lowpass Hz, one row per entry
# of nearestBitrateFullIndex()'s full_bitrate_table.
_LOWPASS_BY_KBPS = (
    (8, 2000),
    (16, 3700),
    (24, 3900),
    (32, 5500),
    (40, 7000),
    (48, 7500),
    (56, 10000),
    (64, 11000),
    (80, 13500),
    (96, 15100),
    (112, 15600),
    (128, 17000),
    (160, 17500),
    (192, 18600),
    (224, 19400),
    (256, 19700),
    (320, 20500),
)
_LOWPASS_CAP_HZ = 20500  # lame_init_params caps CBR/ABR lowpass here (after mono's x1.5)
_HINT_MARGIN_HZ = 1500  # how far below LAME's choice a recorded lowpass must be to hint


def expected_lowpass_hz(
    bitrate_kbps: int, *, channels: int = 2, sample_rate: int | None = None
) -> int | None:
    """The lowpass LAME 3.100 picks by default for a CBR or ABR bit rate.

    LAME snaps the bit rate to the nearest row of its ``optimum_bandwidth()`` table
    (ties go up), multiplies by 1.5 for mono, caps at 20.5 kHz and at half the
    output sample rate. E.g. 128 -> 17000, 192 -> 18600, 320 -> 20500.

    Args:
        bitrate_kbps: CBR bit rate or ABR target, in kbit/s.
        channels: 1 for mono (LAME widens the band by half), else 2.
        sample_rate: Output sample rate in Hz, if known, for the Nyquist cap.

    Returns:
        The lowpass in Hz, or None for a bit rate that is not positive.
    """
    if bitrate_kbps <= 0:
        return None
    index = len(_LOWPASS_BY_KBPS) - 1
    for i in range(len(_LOWPASS_BY_KBPS) - 1):
        lower, upper = _LOWPASS_BY_KBPS[i][0], _LOWPASS_BY_KBPS[i + 1][0]
        if upper > bitrate_kbps:
            index = i if upper - bitrate_kbps > bitrate_kbps - lower else i + 1
            break
    lowpass = float(_LOWPASS_BY_KBPS[index][1])
    if channels == 1:
        lowpass *= 1.5
    lowpass = min(lowpass, _LOWPASS_CAP_HZ)
    if sample_rate is not None and sample_rate > 0:
        lowpass = min(lowpass, sample_rate / 2)
    return int(lowpass)


def transcode_hint(tag: LameTag) -> str | None:
    """A one-line hint when a CBR file's recorded lowpass is well below LAME's default.

    The tag records the lowpass the encoder was set to, not what the audio holds,
    so a low value at a high CBR rate means a cutoff was forced on purpose, which
    is what re-encoding a lower-bit-rate source with matched settings looks like.

    Args:
        tag: A parsed tag, as from `read_lame_tag`.

    Returns:
        E.g. ``"320 kbps MP3 with a 16.0 kHz lowpass (LAME's default at that rate
        is 20.5 kHz): probably transcoded from a lower bit rate"``, or None when
        the file is not CBR, records no lowpass, or is within 1.5 kHz of LAME's choice.
    """
    if tag.vbr_method not in CBR_METHODS or tag.lowpass_hz is None or not tag.bitrate_kbps:
        return None
    expected = expected_lowpass_hz(
        tag.bitrate_kbps, channels=tag.channels, sample_rate=tag.sample_rate
    )
    if expected is None or tag.lowpass_hz > expected - _HINT_MARGIN_HZ:
        return None
    return (
        f"{tag.bitrate_kbps} kbps MP3 with a {tag.lowpass_hz / 1000:.1f} kHz lowpass "
        f"(LAME's default at that rate is {expected / 1000:.1f} kHz): "
        "probably transcoded from a lower bit rate"
    )
