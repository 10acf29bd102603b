"""The virtual DAW's channel-strip OSC surface, driven by a plain python-osc client.

Every message goes over real UDP on 127.0.0.1 in ``Default.ReaperOSC``'s
addresses (``FX_EQ_*``, ``FX_PARAM_VALUE``, ``FX_BYPASS``, ``TRACK_SEND_VOLUME``,
``MASTER_PAN``); the test checks the server's state and the feedback it sends.
Expected values come from the formulas written out here (the normalised
mappings ``min + v (max - min)`` and ``min (max / min) ** v``), not from the
module under test; floats sent as float32 are compared to the float32 of the
value sent.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bridge.virtual.server import VirtualDaw
from bridge.virtual.stems import load_stems
from tests.bridge.virtual.osc_client import Client, f32

RATE = 48000


def eq_values(daw: VirtualDaw, track: str) -> dict[str, float]:
    p = daw.state.tracks[track].plugins[0]
    return {spec.name: v for spec, v in zip(p.plugin.params, p.values, strict=True)}


# ---- the track EQ on REAPER's FX_EQ addresses ----


def test_eq_bands_in_units_turn_bands_on(daw: VirtualDaw, client: Client) -> None:
    lead = daw.state.tracks["Lead"].plugins[0]
    assert lead.plugin.name == "EQ"
    assert lead.bands_on == set()
    client.send("/track/2/fxeq/band/1/freq/hz", 1234.5)
    client.send("/track/2/fxeq/band/1/gain/db", 3.0)
    client.send("/track/2/fxeq/band/1/q/oct", 0.7)
    client.send("/track/2/fxeq/hipass/freq/hz", 80.0)
    client.send("/track/2/fxeq/hishelf/gain/db", -4.5)
    client.send("/track/2/fxeq/gain/db", -2.0)
    v = eq_values(daw, "Lead")
    assert v["Band 1 freq"] == f32(1234.5)
    assert v["Band 1 gain"] == 3.0
    assert v["Band 1 BW"] == f32(0.7)
    assert v["High-pass freq"] == 80.0
    assert v["High shelf gain"] == -4.5
    assert v["Output gain"] == -2.0
    assert lead.bands_on == {"band/1", "hipass", "hishelf"}
    assert daw.state.tracks["Bass"].plugins[0].bands_on == set()  # only the addressed track


def test_eq_normalised_forms_follow_the_log_and_linear_maps(
    daw: VirtualDaw, client: Client
) -> None:
    client.send("/track/1/fxeq/band/3/freq", 0.5)  # log 20..20000 Hz
    client.send("/track/1/fxeq/band/3/gain", 0.75)  # linear -24..+24 dB
    client.send("/track/1/fxeq/band/3/q", 0.25)  # log 0.05..4 oct
    client.send("/track/1/fxeq/wetdry", 0.5)  # linear 0..100 %
    v = eq_values(daw, "Bass")
    assert v["Band 3 freq"] == pytest.approx(20.0 * 1000.0**0.5, rel=1e-12)
    assert v["Band 3 gain"] == pytest.approx(-24.0 + 0.75 * 48.0, abs=1e-12)
    assert v["Band 3 BW"] == pytest.approx(0.05 * 80.0**0.25, rel=1e-12)
    assert v["Wet"] == pytest.approx(50.0, abs=1e-12)
    assert daw.state.tracks["Bass"].plugins[0].bands_on == {"band/3"}


def test_band_and_eq_bypass(daw: VirtualDaw, client: Client) -> None:
    eq = daw.state.tracks["Lead"].plugins[0]
    client.send("/track/2/fxeq/loshelf/gain/db", 2.0)
    client.send("/track/2/fxeq/notch/freq/hz", 60.0)
    assert eq.bands_on == {"loshelf", "notch"}
    client.send("/track/2/fxeq/loshelf/bypass", 1)
    assert eq.bands_on == {"notch"}
    client.send("/track/2/fxeq/loshelf/bypass", 0)
    client.send("/track/2/fxeq/band/4/bypass", 0)  # un-bypassing turns a band on too
    assert eq.bands_on == {"loshelf", "notch", "band/4"}
    client.send("/track/2/fxeq/bypass", 1)
    assert eq.active is False
    client.send("/track/2/fxeq/bypass", 0)
    assert eq.active is True


@pytest.mark.parametrize(
    ("address", "value"),
    [
        ("/track/2/fxeq/band/1/freq/hz", 5.0),  # below 20 Hz
        ("/track/2/fxeq/band/1/gain/db", 30.0),  # above +24 dB
        ("/track/2/fxeq/band/1/q/oct", 9.0),  # above 4 octaves
        ("/track/2/fxeq/hipass/gain/db", 3.0),  # the high-pass has no gain
        ("/track/2/fxeq/notch/gain/db", 3.0),  # nor the notch
        ("/track/2/fxeq/band/1/freq", 1.5),  # a normalised value above 1
        ("/track/2/fxeq/band/5/gain/db", 1.0),  # there are four bands
        ("/track/2/fxeq/band/1/gain/db", float("nan")),
        ("/track/2/fxeq/band/1/bypass", 0.5),
        ("/track/3/fxeq/band/1/gain/db", 1.0),  # a return track has no EQ
        ("/track/2/fx/3/fxparam/1/value", 0.5),  # no slot 3
        ("/track/2/fx/2/fxparam/7/value", 0.5),  # the compressor has 6 parameters
        ("/track/2/fx/1/name", "Mine"),  # names are feedback only
        ("/track/2/send/3/volume/db", -6.0),  # two sends
        ("/track/3/send/1/volume/db", -6.0),  # a return has no sends
        ("/master/send/1/volume/db", -6.0),
    ],
)
def test_bad_values_are_refused_and_counted(
    daw: VirtualDaw, client: Client, address: str, value: object
) -> None:
    before_state = daw.state.snapshot()
    before = daw.ignored
    client.send(address, value)
    assert daw.ignored == before + 1
    assert daw.state.snapshot() == before_state
    assert daw.state.tracks["Lead"].plugins[0].bands_on == set()


# ---- FX slots ----


def test_fx_slots_take_normalised_values_and_bypass(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/2/fx/1/fxparam/7/value", 0.5625)  # EQ parameter 7: Band 1 gain
    client.send("/track/2/fx/2/fxparam/2/value", 0.5)  # Compressor Ratio, log 1..20
    client.send("/track/2/fx/2/fxparam/1/value", 0.25)  # Threshold, linear -60..0 dB
    client.send("/track/3/fx/1/fxparam/1/value", 1.0)  # Reverb Decay: its maximum, 10 s
    client.send("/track/4/fx/1/fxparam/2/value", 0.5)  # Delay Feedback, linear 0..95 %
    lead = daw.state.tracks["Lead"]
    assert lead.plugins[0].values[6] == pytest.approx(-24.0 + 0.5625 * 48.0, abs=1e-12)
    assert lead.plugins[0].bands_on == {"band/1"}
    assert lead.plugins[1].values[1] == pytest.approx(20.0**0.5, rel=1e-12)
    assert lead.plugins[1].values[0] == pytest.approx(-45.0, abs=1e-12)
    assert daw.state.tracks["Reverb"].plugins[0].values[0] == pytest.approx(10.0, rel=1e-12)
    assert daw.state.tracks["Delay"].plugins[0].values[1] == pytest.approx(47.5, abs=1e-12)
    client.send("/track/2/fx/2/bypass", 1)
    assert lead.plugins[1].active is False
    client.send("/track/2/fx/2/bypass", 0)
    assert lead.plugins[1].active is True


def test_plugin_feedback_names_values_and_texts(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/2/fxeq/band/1/gain/db", 3.0)
    got = client.feedback()
    assert got["/track/2/fx/1/name"] == "EQ"
    assert "/track/2/fx/2/name" not in got  # only the plugin that changed is reported
    assert got["/track/2/fx/1/fxparam/7/value"] == pytest.approx(27.0 / 48.0, abs=1e-7)
    assert got["/track/2/fx/1/fxparam/7/value/str"] == "3.00 dB"
    assert got["/track/2/fxeq/band/1/gain/str"] == "3.00 dB"
    assert got["/track/2/fxeq/band/1/bypass"] == 0.0
    assert got["/track/2/fxeq/band/2/bypass"] == 1.0
    assert "/track/2/fxeq/band/1/gain/db" not in got  # anti-echo: not the address processed
    client.send("/action", 41743)  # refresh: every value, returns' effects included
    got = client.feedback()
    assert got["/track/3/fx/1/name"] == "Reverb"
    assert got["/track/4/fx/1/name"] == "Delay"
    assert got["/track/2/fx/2/name"] == "Compressor"
    assert got["/track/3/name"] == "Reverb"
    assert got["/track/0/fx/1/name"] == "EQ"  # the master's strip
    assert got["/track/4/fx/1/fxparam/1/value/str"] == "375.0 ms"


def test_parameter_names_on_the_device_selected_track(daw: VirtualDaw, client: Client) -> None:
    client.send("/device/track/select", 4)
    got = client.feedback()
    assert got["/track/number/str"] == "4"
    assert got["/fx/1/name"] == "Delay"
    assert got["/fx/1/fxparam/1/name"] == "Time"
    assert got["/fx/1/fxparam/2/name"] == "Feedback"
    assert got["/fx/1/fxparam/2/value/str"] == "30.0 %"
    client.send("/device/track/select", 1)
    got = client.feedback()
    assert got["/fx/1/fxparam/1/name"] == "High-pass freq"
    assert got["/fx/1/fxparam/7/name"] == "Band 1 gain"
    assert got["/fx/2/fxparam/2/name"] == "Ratio"


# ---- sends, returns and the master ----


def test_sends_in_db_and_normalised(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/1/send/1/volume/db", -12.0)
    got = client.feedback()
    assert got["/track/1/send/1/volume/str"] == "-12.00dB"
    assert got["/track/1/send/1/name"] == "Reverb"
    assert got["/track/1/send/2/name"] == "Delay"
    assert got["/track/1/send/2/volume/str"] == "-inf dB"
    client.send("/track/2/send/2/volume", 0.716)  # REAPER's 0 dB fader position
    client.send("/track/2/send/1/volume/db", -200.0)  # below REAPER's floor: silent
    assert daw.state.tracks["Bass"].sends_db == [-12.0, -math.inf]
    assert daw.state.tracks["Lead"].sends_db[1] == pytest.approx(0.0, abs=1e-5)
    assert daw.state.tracks["Lead"].sends_db[0] == -math.inf


def test_return_tracks_are_ordinary_tracks(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/3/volume/db", -6.0)
    client.send("/track/3/pan", 0.25)
    client.send("/track/4/mute", 1)
    client.send("/track/4/solo", 1)
    reverb, delay = daw.state.tracks["Reverb"], daw.state.tracks["Delay"]
    assert (reverb.volume_db, reverb.pan) == (-6.0, -0.5)
    assert delay.mute is True
    assert delay.solo is True
    assert reverb.is_return
    assert delay.is_return


def test_master_pan_and_master_strip(daw: VirtualDaw, client: Client) -> None:
    client.send("/master/pan", 0.25)
    got = client.feedback()
    assert daw.state.master_pan == -0.5
    assert got["/master/pan/str"] == "50%L"
    client.send("/track/0/pan", 0.5)
    assert daw.state.master_pan == 0.0
    assert client.feedback()["/master/pan/str"] == "C"
    client.send("/track/0/fxeq/hishelf/gain/db", 1.5)
    client.send("/master/fx/2/fxparam/6/value", 0.5)  # Makeup, linear 0..24 dB
    master = daw.state.master_plugins
    assert master[0].values[master[0].plugin.number("High shelf gain") - 1] == 1.5  # type: ignore[operator]
    assert master[0].bands_on == {"hishelf"}
    assert master[1].values[5] == pytest.approx(12.0, abs=1e-12)


# ---- renames ----


def test_a_rename_keeps_position_sends_plugins_and_lanes(daw: VirtualDaw, client: Client) -> None:
    client.send("/track/1/send/1/volume/db", -9.0)
    client.send("/track/1/fxeq/band/2/gain/db", 4.0)
    client.send("/track/1/autowrite")
    client.send("/play")
    client.send("/track/1/volume/db", -3.0)
    client.send("/stop")
    lanes_before = daw.automation("Bass")
    assert "volume_db" in lanes_before
    client.send("/track/1/name", "Bass DI")
    assert list(daw.state.tracks) == ["Bass DI", "Lead", "Reverb", "Delay"]
    assert daw.names == ["Bass DI", "Lead", "Reverb", "Delay"]
    t = daw.state.tracks["Bass DI"]
    assert t.sends_db[0] == -9.0
    assert t.plugins[0].bands_on == {"band/2"}
    assert daw.automation("Bass DI") == lanes_before
    assert daw.automation_mode("Bass DI") == "write"
    before = daw.ignored
    client.send("/track/2/name", "bass di")  # taken (names are unique without case)
    client.send("/track/2/name", "Master")  # the master's lane key
    client.send("/track/2/name", "Reverb")  # a return's name
    assert daw.ignored == before + 3
    assert daw.names[1] == "Lead"
    client.send("/track/1/volume/db", -1.0)  # the renamed track still answers to its number
    assert t.volume_db == -1.0


# ---- what reaches a render ----

LSB = 2.0**-23  # one step of a 24-bit take


def _noise_daw(tmp_path: Path) -> VirtualDaw:
    folder = tmp_path / "noise"
    folder.mkdir()
    rng = np.random.default_rng(18)
    sf.write(folder / "Noise.wav", 0.2 * rng.standard_normal(RATE // 4), RATE, subtype="PCM_24")
    return VirtualDaw(
        load_stems(folder, RATE), rate=RATE, render_dir=tmp_path / "out", port=0, feedback=None
    )


def _render(daw: VirtualDaw) -> np.ndarray:
    daw.start_render()
    assert daw.wait_renders(60.0)
    assert daw.render_errors == []
    data, rate = sf.read(daw.renders[-1].path, dtype="float64", always_2d=True)
    assert rate == RATE
    return np.asarray(data)


def _peaking_sos(f0: float, gain_db: float, bw_oct: float) -> np.ndarray:
    """RBJ Audio EQ Cookbook peaking EQ, alpha from the bandwidth in octaves, as one sos row."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f0 / RATE
    alpha = math.sin(w0) * math.sinh(math.log(2) / 2 * bw_oct * w0 / math.sin(w0))
    b = [1 + alpha * a, -2 * math.cos(w0), 1 - alpha * a]
    den = [1 + alpha / a, -2 * math.cos(w0), 1 - alpha / a]
    return np.array([[*(x / den[0] for x in b), 1.0, den[1] / den[0], den[2] / den[0]]])


def test_an_eq_band_set_over_osc_reaches_the_render(tmp_path: Path) -> None:
    from scipy.signal import sosfilt

    with _noise_daw(tmp_path) as daw:
        dry = _render(daw)  # the track as it reaches the take: fader, pan law, no band in
        c = Client(daw)
        try:
            c.send("/track/1/fxeq/band/2/freq/hz", 1000.0)
            c.send("/track/1/fxeq/band/2/gain/db", 6.0)
            c.send("/track/1/fxeq/band/2/q/oct", 1.0)
        finally:
            c.close()
        wet = _render(daw)
    # The chain after the EQ is linear and time-invariant (fader and pan gains), so the
    # take is the dry take through the cookbook peaking filter; both takes are rounded
    # to 24 bits, and the filter's gain (at most 2x) scales the dry take's rounding.
    want = sosfilt(_peaking_sos(1000.0, 6.0, 1.0), dry, axis=0)
    n = min(len(want), len(wet))
    assert np.max(np.abs(wet[:n] - want[:n])) <= 3 * LSB
    assert np.max(np.abs(wet[:n] - dry[:n])) > 100 * LSB  # the band did something


def test_a_send_set_over_osc_reaches_the_render(tmp_path: Path) -> None:
    with _noise_daw(tmp_path) as daw:
        dry = _render(daw)
        c = Client(daw)
        try:
            c.send("/track/3/fx/1/fxparam/2/value", 0.0)  # Delay Feedback 0 %
            c.send("/track/3/fx/1/fxparam/1/value", math.log(10.0) / math.log(2000.0))  # 10 ms
            c.send("/track/1/send/2/volume/db", -6.0)
        finally:
            c.close()
        assert daw.state.tracks["Delay"].plugins[0].values[0] == pytest.approx(10.0, rel=1e-6)
        wet = _render(daw)
    # The delay return adds the post-fader, post-pan track, 10 ms (480 frames) later,
    # at the send's gain; the return is an ordinary stereo track, centred, so the
    # default constant-power law's centre gain cos(pi/4) applies to it as to any
    # stereo track (bridge.virtual.engine, step 3). The reverb return is fed nothing.
    lag, g = 480, 10 ** (-6 / 20) * math.cos(math.pi / 4)
    n = len(wet)
    assert n >= len(dry)
    want = np.zeros((n, 2))
    want[: len(dry)] += dry
    want[lag:n] += g * dry[: n - lag]
    assert np.max(np.abs(wet - want)) <= 2 * LSB
