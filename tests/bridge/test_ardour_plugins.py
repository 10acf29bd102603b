"""Plugins by name, in their own units, against a real Ardour 7; verified inside Ardour's engine.

The session carries Ardour's bundled ACE EQ, Compressor and Delay on a track and
an ACE Reverb on a bus fed by aux sends. Every value set through the bridge (API
and CLI) is read back with Lua inside Ardour (``HeadlessArdour.dump``), not from
the OSC replies the bridge itself parses.
"""

from __future__ import annotations

import math
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bridge
from bridge.errors import BridgeTimeoutError, UnknownPluginError, ValueRangeError
from bridge.hosts.ardour import HeadlessArdour
from bridge.mixer import Mixer
from tests.bridge import free_udp_port
from tests.bridge.cli import mixdesk as run_mixdesk
from tests.bridge.cli import one_line

TRACKS = ("Vocals", "Guitar")
BUS = "Reverb Bus"
PLUGINS = {
    "Vocals": ["ACE EQ", "ACE Compressor", "ACE Delay"],
    "Guitar": ["ACE EQ", "ACE EQ"],
    BUS: ["ACE Reverb"],
}
SENDS = {"Vocals": [BUS], "Guitar": [BUS]}


@pytest.fixture(scope="module")
def ardour(ardour_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessArdour]:
    host = HeadlessArdour(
        tmp_path_factory.mktemp("ardour-fx"),
        port=free_udp_port(),
        tracks=TRACKS,
        buses=(BUS,),
        plugins=PLUGINS,
        sends=SENDS,
        binary=ardour_bin,
    )
    with host:
        yield host


@pytest.fixture
def mixer(ardour: HeadlessArdour) -> Iterator[Mixer]:
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as m:
        yield m


def engine_params(ardour: HeadlessArdour, route: str, fx: int) -> dict[str, dict[str, Any]]:
    plugin = ardour.dump()["routes"][route]["plugins"][fx - 1]
    return {p["name"]: dict(p) for p in plugin["params"]}


def a_new_value(spec: Any) -> float:
    """A value inside the range, different from the current one, of the parameter's kind."""
    current = spec.value
    if spec.toggle:
        return 1.0 - round(current)
    if spec.choices:
        return next(v for v, _ in spec.choices if v != current)
    lo, hi = spec.min, spec.max
    candidates = [lo + 0.3 * (hi - lo), lo + 0.7 * (hi - lo)]
    if spec.logarithmic and lo > 0:
        candidates = [math.sqrt(lo * hi), lo * (hi / lo) ** 0.8]
    if spec.integer:
        candidates = [float(round(c)) for c in candidates]
    return next(c for c in candidates if abs(c - current) > 1e-3 * max(1.0, abs(c)))


def mixdesk(port: int, *words: str) -> subprocess.CompletedProcess[str]:
    return run_mixdesk("mix", "--daw", "ardour", "--port", port, *words)


def test_plugins_and_parameters_are_listed_as_the_engine_holds_them(
    mixer: Mixer, ardour: HeadlessArdour
) -> None:
    routes = ardour.dump()["routes"]
    for route, names in PLUGINS.items():
        track = mixer.tracks[route]
        engine_names = [p["name"] for p in routes[route]["plugins"]]
        assert [fx.name for fx in track.fx] == names == engine_names
        for number, plugin in enumerate(routes[route]["plugins"], start=1):
            specs = track.fx[number].params.specs()
            engine = [(p["number"], p["name"], p["lower"], p["upper"]) for p in plugin["params"]]
            ours = [(s.number, s.name, s.min, s.max) for s in specs]
            assert ours == [
                (n, name, pytest.approx(lo, rel=1e-6), pytest.approx(hi, rel=1e-6))
                for n, name, lo, hi in engine
            ]
            assert [s.settable for s in specs] == [p["input"] for p in plugin["params"]]


def test_every_ace_parameter_set_by_name_lands_in_the_engine(
    mixer: Mixer, ardour: HeadlessArdour
) -> None:
    wanted: dict[tuple[str, int, str], float] = {}
    for route in ("Vocals", BUS):
        track = mixer.tracks[route]
        for fx in track.fx:
            plugin = fx.name
            for spec in fx.params.specs():
                if not spec.settable:
                    continue
                value = a_new_value(spec)
                track.fx[plugin].params[spec.name].value = value  # confirmed, or it raises
                wanted[(route, fx.number, spec.name)] = value
    # Every input of the four: EQ 24, Compressor 8 (11 less 3 meters), Delay 10 (11 less
    # Delaytime), Reverb 3; each "Enable" included (switched off here, on again below).
    assert len(wanted) == 24 + 8 + 10 + 3
    drops = []
    for (route, number, name), value in wanted.items():
        got = engine_params(ardour, route, number)[name]["value"]
        if abs(got - value) > 1e-5 * max(1.0, abs(value)):
            drops.append((route, number, name, value, got))
    assert drops == []  # 0 silent drops
    for route in ("Vocals", BUS):
        for fx in mixer.tracks[route].fx:
            fx.params["Enable"].value = 1.0


def test_units_come_from_the_daw_or_the_plugins_ttl(mixer: Mixer) -> None:
    eq = mixer.tracks["Vocals"].fx["ACE EQ"]
    comp = mixer.tracks["Vocals"].fx["ace compressor"]  # any case
    assert (eq.params["Gain 1"].unit, eq.params["Frequency 1"].unit) == ("dB", "Hz")
    assert (comp.params["Attack"].unit, comp.params["Threshold"].unit) == ("ms", "dB")
    assert (eq.params["Gain 1"].min, eq.params["Gain 1"].max) == (-20.0, 20.0)


def test_by_number_is_in_units_not_normalised(mixer: Mixer, ardour: HeadlessArdour) -> None:
    vocals = mixer.tracks["Vocals"]
    vocals.fx[1].params[4].value = 0.5  # Gain 1: +0.5 dB, not the middle of -20..+20
    vocals.fx[2].params[5].value = -24.0  # Threshold in dB
    vocals.fx[1].params["Frequency 2"].value = 3150.0  # a logarithmic parameter, in Hz
    assert engine_params(ardour, "Vocals", 1)["Gain 1"]["value"] == pytest.approx(0.5, abs=1e-6)
    assert engine_params(ardour, "Vocals", 2)["Threshold"]["value"] == pytest.approx(-24.0)
    assert engine_params(ardour, "Vocals", 1)["Frequency 2"]["value"] == pytest.approx(3150.0)
    assert vocals.fx[1].params["Gain 1"].value == pytest.approx(0.5, abs=1e-6)


def test_bad_values_and_names_raise_and_send_nothing(mixer: Mixer, ardour: HeadlessArdour) -> None:
    vocals = mixer.tracks["Vocals"]
    before = engine_params(ardour, "Vocals", 1)
    with pytest.raises(ValueRangeError, match=r"'Gain 1': 30 is out of range \[-20, 20\] dB"):
        vocals.fx["ACE EQ"].params["Gain 1"].value = 30.0
    with pytest.raises(ValueRangeError, match="read only"):
        vocals.fx["ACE Compressor"].params["Gain Reduction"].value = 3.0
    with pytest.raises(ValueRangeError, match="on/off"):
        vocals.fx["ACE EQ"].params["Filter 1"].value = 0.5
    with pytest.raises(UnknownPluginError, match=r"no plugin named 'Pro-Q'.*'ACE EQ'"):
        vocals.fx["Pro-Q"].params["Gain 1"].value = 1.0
    with pytest.raises(UnknownPluginError, match=r"no parameter named 'Gain 9'.*'Gain 4'"):
        vocals.fx["ACE EQ"].params["Gain 9"].value = 1.0
    with pytest.raises(UnknownPluginError, match="ambiguous"):
        mixer.tracks["Guitar"].fx["ACE EQ"].params["Gain 1"].value = 1.0
    assert engine_params(ardour, "Vocals", 1) == before


def test_plugin_active_and_bypass(mixer: Mixer, ardour: HeadlessArdour) -> None:
    delay = mixer.tracks["Vocals"].fx["ACE Delay"]
    delay.bypass = True
    assert ardour.dump()["routes"]["Vocals"]["plugins"][2]["active"] is False
    assert delay.active is False
    delay.active = True
    assert ardour.dump()["routes"]["Vocals"]["plugins"][2]["active"] is True


def test_sends_set_and_read_back_in_db(mixer: Mixer, ardour: HeadlessArdour) -> None:
    vocals = mixer.tracks["Vocals"]
    vocals.sends[1].level_db = -12.0
    mixer.tracks["Guitar"].sends[1].level_db = -3.5
    routes = ardour.dump()["routes"]
    assert routes["Vocals"]["sends"][0]["gain_db"] == pytest.approx(-12.0, abs=1e-4)
    assert routes["Guitar"]["sends"][0]["gain_db"] == pytest.approx(-3.5, abs=1e-4)
    assert vocals.sends[1].level_db == pytest.approx(-12.0, abs=1e-4)


def test_cli_set_get_by_name_and_number(ardour: HeadlessArdour) -> None:
    port = ardour.port
    done = mixdesk(port, "set", "Vocals", "fx:ACE Compressor:Ratio", "6", "fx:1:4", "-3.5dB")
    assert done.returncode == 0, done.stderr
    assert "Ratio 6" in done.stdout
    assert "Gain 1 -3.5 dB" in done.stdout
    done = mixdesk(port, "set", "Vocals", "fx:ace eq:frequency 3", "4.2kHz", "send:1", "-9.5")
    assert done.returncode == 0, done.stderr
    assert engine_params(ardour, "Vocals", 2)["Ratio"]["value"] == pytest.approx(6.0)
    assert engine_params(ardour, "Vocals", 1)["Gain 1"]["value"] == pytest.approx(-3.5)
    assert engine_params(ardour, "Vocals", 1)["Frequency 3"]["value"] == pytest.approx(4200.0)
    assert ardour.dump()["routes"]["Vocals"]["sends"][0]["gain_db"] == pytest.approx(-9.5, abs=1e-4)
    got = mixdesk(port, "get", "Vocals", "fx:ACE EQ:Frequency 3")
    assert (got.returncode, got.stdout.strip()) == (0, "4200")
    got = mixdesk(port, "get", "Vocals", "send:1")
    assert (got.returncode, got.stdout.strip()) == (0, "-9.5")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["fx:ACE EQ:Gain 1", "30"], "30 is out of range [-20, 20] dB; nothing was sent"),
        (["fx:ACE EQ:Gain 9", "3"], "no parameter named 'Gain 9'"),
        (["fx:Reverb:Blend", "0.5"], "no plugin named 'Reverb'"),
        (["fx:1:Frequency 1", "20ms"], "Frequency 1 is in Hz, not ms"),
        (["fx:2:Gain Reduction", "3"], "read only"),
    ],
)
def test_cli_refuses_in_one_line_and_the_engine_is_unchanged(
    ardour: HeadlessArdour, words: list[str], message: str
) -> None:
    before = ardour.dump()["routes"]["Vocals"]["plugins"]
    done = mixdesk(ardour.port, "set", "Vocals", *words)
    assert done.returncode == 2
    assert message in one_line(done.stderr)
    assert ardour.dump()["routes"]["Vocals"]["plugins"] == before


def test_cli_lists_plugins_as_json(ardour: HeadlessArdour) -> None:
    import json

    done = mixdesk(ardour.port, "plugins", "Reverb Bus", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema"] == "mixdesk.plugins/1"
    engine = ardour.dump()["routes"][BUS]["plugins"][0]
    (plugin,) = doc["plugins"]
    assert plugin["name"] == "ACE Reverb" == engine["name"]
    assert [(p["name"], p["value"]) for p in plugin["params"]] == [
        (p["name"], pytest.approx(p["value"])) for p in engine["params"]
    ]


def test_reading_is_fresh_not_the_snapshot(mixer: Mixer, ardour: HeadlessArdour) -> None:
    """A change made behind the bridge's back (a second client) is what a read returns."""
    eq = mixer.tracks["Vocals"].fx["ACE EQ"]
    assert eq.params["Gain 3"].value is not None
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as other:
        other.tracks["Vocals"].fx["ACE EQ"].params["Gain 3"].value = 7.25
    assert eq.params["Gain 3"].value == pytest.approx(7.25)
    assert Path(ardour.session_file).exists()


def test_a_set_the_engine_ignores_is_an_error_not_a_success(
    mixer: Mixer, ardour: HeadlessArdour
) -> None:
    """A parameter whose lane plays ignores sets: the bridge must say so, never report success."""
    gain4 = mixer.tracks["Vocals"].fx["ACE EQ"].params["Gain 4"]
    ardour.set_plugin_automation("Vocals", 1, gain4.number, "Play")
    time.sleep(0.2)  # the lane (empty: the default) plays from the next process cycles
    before = engine_params(ardour, "Vocals", 1)["Gain 4"]["value"]
    try:
        with pytest.raises(BridgeTimeoutError, match=r"did not confirm .*'Gain 4' = 9"):
            gain4.value = 9.0
        assert engine_params(ardour, "Vocals", 1)["Gain 4"]["value"] == pytest.approx(before)
        done = mixdesk(ardour.port, "set", "Vocals", "fx:ACE EQ:Gain 4", "9")
        assert done.returncode == 2
        assert "did not confirm" in one_line(done.stderr)
    finally:
        ardour.set_plugin_automation("Vocals", 1, gain4.number, "Manual")
    gain4.value = 9.0
    assert engine_params(ardour, "Vocals", 1)["Gain 4"]["value"] == pytest.approx(9.0)


def test_a_range_end_given_as_typed_is_in_range(mixer: Mixer, ardour: HeadlessArdour) -> None:
    """Ardour reports Attack's lower bound as float32 0.1 (0.10000000149): 0.1 is accepted."""
    attack = mixer.tracks["Vocals"].fx["ACE Compressor"].params["Attack"]
    assert attack.min != 0.1
    attack.value = 0.1
    assert engine_params(ardour, "Vocals", 2)["Attack"]["value"] == pytest.approx(0.1, rel=1e-6)


def test_cli_set_sends_nothing_when_any_plugin_value_is_refused(ardour: HeadlessArdour) -> None:
    before = ardour.dump()["routes"]["Vocals"]
    done = mixdesk(ardour.port, "set", "Vocals", "volume", "-7", "fx:1:4", "2", "fx:1:2", "99")
    assert done.returncode == 2
    assert "99 is out of range" in one_line(done.stderr)
    after = ardour.dump()["routes"]["Vocals"]
    assert after["gain_db"] == pytest.approx(before["gain_db"])  # the volume was not sent
    assert after["plugins"] == before["plugins"]  # nor the first plugin value


def test_bypass_is_not_an_alias_that_switches_a_plugin_on(ardour: HeadlessArdour) -> None:
    done = mixdesk(ardour.port, "set", "Vocals", "fx:1:bypass", "on")
    assert done.returncode == 2
    assert "no parameter named 'bypass'" in one_line(done.stderr)


def test_a_parameter_name_is_read_by_path_on_a_fresh_connection(ardour: HeadlessArdour) -> None:
    with bridge.connect("ardour", port=ardour.port, timeout=5.0) as fresh:
        assert fresh.get(fresh.resolve("Vocals"), "fx/2/param/5/name") == "Threshold"
