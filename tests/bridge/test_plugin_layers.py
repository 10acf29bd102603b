"""Pure layers of plugin control: the parameter path, Ardour's replies, units, and the REAPER path.

Ardour's messages are the ones seen on the wire from Ardour 7.3 (quoted in
``bridge/dialects/ardour_plugins.py``); fader-law values are those computed in
``../shared/reference/osc/ardour.md`` §6 from ``libs/pbd/pbd/control_math.h``.
The REAPER case feeds the stock ``Default.ReaperOSC`` feedback through the
dialect into a mixer that has no socket (nothing may be sent on a refusal).
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.dialects.ardour import ArdourDialect
from bridge.dialects.ardour_plugins import db_to_position, position_to_db
from bridge.dialects.base import Update
from bridge.dialects.path import ParamPath, PathError, parse
from bridge.dialects.plugins import ParamSpec, PluginList, PluginSpecs, unit_of_format
from bridge.dialects.reaper import ReaperDialect
from bridge.errors import UnknownPluginError, ValueRangeError
from bridge.mixer import Mixer

# ---- the parameter path ----


@pytest.mark.parametrize(
    "text",
    [
        "volume_db",
        "pan",
        "rec_arm",
        "send/2/level_db",
        "fx/1/name",
        "fx/3/active",
        "fx/1/param/4",
        "fx/1/param/4/name",
        "fx/ACE EQ/param/Gain 1",
        "fx/ACE EQ/param/4/name",
    ],
)
def test_paths_round_trip(text: str) -> None:
    assert str(parse(text)) == text
    assert parse(parse(text)) == parse(text)


def test_numbers_and_names_are_told_apart() -> None:
    p = parse("fx/ACE EQ/param/4")
    assert (p.kind, p.fx, p.param, p.by_name, p.is_plugin_value) == (
        "param",
        "ACE EQ",
        4,
        True,
        True,
    )
    assert parse("fx/2/param/7") == ParamPath("param", "value", fx=2, param=7)
    assert p.with_numbers(1) == ParamPath("param", "value", fx=1, param=4)
    with pytest.raises(PathError, match="resolved"):
        _ = p.fx_number


@pytest.mark.parametrize(
    "text",
    ["", "volume", "send/x/level_db", "send/0/level_db", "fx/0/param/1", "fx/1/param/", "fx/1/gain",
     "fx/1/param/2/value", "fx//param/3", "fx/1/param/2/name/x", "fx/9999999/param/1"],
)  # fmt: skip
def test_bad_paths_are_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(PathError, match=re.escape(repr(text)) if text else "parameter"):
        parse(text)


@given(st.text(max_size=40))
def test_parse_never_fails_other_than_with_a_path_error(text: str) -> None:
    try:
        p = parse(text)
    except PathError:
        return
    assert parse(str(p)) == p


# ---- units and ranges ----


@pytest.mark.parametrize(
    ("fmt", "unit"),
    [
        ("%4.1f dB", "dB"),
        ("%.0f Hz", "Hz"),
        ("%.3f  ", ""),
        ("", ""),
        ("%.0f%%", "%"),
        ("%d ms", "ms"),
    ],
)
def test_unit_of_a_display_format(fmt: str, unit: str) -> None:
    assert unit_of_format(fmt) == unit


def test_a_spec_says_why_a_value_cannot_be_set() -> None:
    gain = ParamSpec(4, "Gain 1", -20.0, 20.0, "dB")
    assert gain.check(-6.0) is None
    assert gain.check(20.5) == "20.5 is out of range [-20, 20] dB"
    assert gain.check(math.nan) is not None
    assert ParamSpec(7, "GR", 0, 45, settable=False).check(1.0) == "is an output (read only)"
    assert "on/off" in str(ParamSpec(11, "Enable", 0, 1, toggle=True).check(0.5))
    assert "whole" in str(ParamSpec(4, "Divisor", 1, 48, integer=True).check(2.5))


# ---- Ardour's fader law and replies ----


@pytest.mark.parametrize(
    ("db", "position"),
    [
        (0.0, 0.78179),
        (-6.0, 0.60697),
        (-10.0, 0.51039),
        (-20.0, 0.32530),
        (-40.0, 0.12149),
        (3.0, 0.88465),
    ],
)
def test_fader_law_matches_ardours(db: float, position: float) -> None:
    assert db_to_position(db) == pytest.approx(position, abs=1e-5)
    assert position_to_db(position) == pytest.approx(db, abs=2e-3)
    assert position_to_db(1.0) == pytest.approx(20 * math.log10(2.0))
    assert position_to_db(0.0) == -math.inf


@given(st.floats(-120.0, 6.0))
def test_fader_law_round_trips(db: float) -> None:
    assert position_to_db(db_to_position(db)) == pytest.approx(db, abs=1e-9)


def test_ardour_plugin_replies_decode() -> None:
    d = ArdourDialect()
    listing = d.decode("/strip/plugin/list", [1, 1, "ACE Compressor", 1, 2, "ACE Delay", 0])
    assert listing[0] == PluginList(1, ((1, "ACE Compressor", True), (2, "ACE Delay", False)))
    assert Update(1, "fx/2/active", False) in listing
    assert (
        d.decode(
            "/strip/plugin/descriptor", [1, 1, 1, "Attack", 128, "NOTHING", 0.1, 100.0, "", 0, 10.0]
        )
        == []
    )
    d.decode(
        "/strip/plugin/descriptor",
        [1, 1, 7, "Gain Reduction", 0, "NOTHING", 0.0, 45.0, "%4.1f", 0, 0.0],
    )
    d.decode("/strip/plugin/descriptor", [1, 1, 11, "Enable", 194, "NOTHING", 0.0, 1.0, "", 0, 1.0])
    out = d.decode("/strip/plugin/descriptor_end", [1, 1])
    specs = out[0]
    assert isinstance(specs, PluginSpecs)
    attack, gr, enable = specs.params
    assert (attack.name, attack.unit, attack.value, attack.settable) == ("Attack", "ms", 10.0, True)
    assert (gr.unit, gr.settable) == ("dB", False)  # the TTL's unit; an output
    assert (enable.toggle, enable.unit) == (True, "")
    divisor = [
        1,
        2,
        4,
        "Divisor",
        131,
        "NOTHING",
        1.0,
        48.0,
        "",
        2,
        1.0,
        "a - Whole note",
        2.0,
        "b - Half note",
        4.0,
    ]
    d.decode("/strip/plugin/descriptor", divisor)
    (div,) = d.decode("/strip/plugin/descriptor_end", [1, 2])[0].params  # type: ignore[union-attr]
    assert (div.choices, div.value, div.integer) == (
        ((1.0, "a - Whole note"), (2.0, "b - Half note")),
        4.0,
        True,
    )
    sends = d.decode("/strip/sends", [1, 3, "Reverb Bus", 1, db_to_position(-12.0), 1])
    assert sends[0] == Update(1, "send/1/level_db", pytest.approx(-12.0), 1e-4)


@given(
    st.lists(
        st.one_of(st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=3)), max_size=14
    )
)
def test_garbage_plugin_replies_decode_to_nothing_or_values(args: list[object]) -> None:
    d = ArdourDialect()
    for address in (
        "/strip/plugin/list",
        "/strip/plugin/descriptor",
        "/strip/plugin/descriptor_end",
        "/strip/sends",
    ):
        for item in d.decode(address, args):
            assert isinstance(item, Update | PluginList | PluginSpecs)


def test_ardour_sends_a_float_in_the_parameters_own_units() -> None:
    (msg,) = ArdourDialect().set(2, "fx/1/param/4", -6.0)
    assert (msg.address, msg.args, msg.types) == (
        "/strip/plugin/parameter",
        (2, 1, 4, -6.0),
        "iiif",
    )


# ---- the REAPER path: names pushed, values normalised, refusals send nothing ----


def _reaper_mixer() -> Mixer:
    mixer = Mixer(ReaperDialect(), timeout=0.2)
    stock = [
        ("/track/1/name", ["Vocals"]),
        ("/track/1/fx/1/name", ["ReaEQ (Cockos)"]),
        ("/track/1/fx/2/name", ["ReaComp (Cockos)"]),
        ("/track/number/str", ["1"]),
        ("/fx/1/fxparam/1/name", ["Freq-Band 1"]),
        ("/fx/1/fxparam/2/name", ["Gain-Band 1"]),
        ("/track/1/fx/1/fxparam/2/value", [0.5]),
    ]
    for address, args in stock:
        for item in mixer.dialect.decode(address, args):
            assert isinstance(item, Update)
            mixer.mirror.apply(item)
    return mixer


def test_reaper_plugins_by_part_of_their_name_normalised() -> None:
    mixer = _reaper_mixer()
    path, spec = mixer.plugins.resolve(1, "fx/reaeq/param/gain-band 1")
    assert str(path) == "fx/1/param/2"
    assert spec is not None
    assert (spec.unit, spec.min, spec.max, spec.value) == ("normalized", 0.0, 1.0, 0.5)
    with pytest.raises(UnknownPluginError, match="ambiguous"):
        mixer.plugins.resolve(1, "fx/Cockos/param/1")


def test_reaper_refuses_a_value_in_units_naming_the_fix_and_sends_nothing() -> None:
    mixer = _reaper_mixer()  # not connected: sending anything would raise another error
    with pytest.raises(ValueRangeError, match=r"-6 is out of range \[0, 1\].*normalized 0\.\.1"):
        mixer.plugins.set(1, "fx/ReaEQ/param/Gain-Band 1", -6.0)


# ---- plugin lanes and automation modes ----


def test_reaper_writes_plugin_lanes_with_the_tracks_mode_and_ardour_says_why_it_cannot() -> None:
    from bridge.automation.passmodes import ModePlan, ModeUnavailableError

    reaper = ModePlan.check(ReaperDialect(), [(2, "fx/1/param/3", "'Keys' fx/1/param/3")], "touch")
    assert (
        reaper.dialect.automation_mode(2, "fx/1/param/3", "touch")[0].address
        == "/track/2/autotouch"
    )
    with pytest.raises(
        ModeUnavailableError, match=r"plugin parameter fx/1/param/4.*arm the lane in Ardour"
    ):
        ModePlan.check(ArdourDialect(), [(1, "fx/1/param/4", "'Vocals' fx/1/param/4")], "write")
    assert ModePlan.check(ArdourDialect(), [(1, "fx/1/param/4", "x")], None).mode is None


def test_a_part_of_a_name_selects_a_plugin_by_whole_words_never_a_parameter() -> None:
    mixer = _reaper_mixer()
    with pytest.raises(UnknownPluginError, match="no plugin named 'Rea'"):
        mixer.plugins.resolve(1, "fx/Rea/param/1")  # not a word of either name
    with pytest.raises(UnknownPluginError, match="no parameter named 'Band'"):
        mixer.plugins.resolve(1, "fx/ReaEQ/param/Band")  # parameters: whole names only


def test_restore_modes_remembers_reapers_track_mode_for_plugin_lanes() -> None:
    from bridge.automation.passmodes import ModePlan
    from bridge.mixer.mirror import Mirror

    mirror = Mirror()
    for item in ReaperDialect().decode("/track/2/autolatch", [1.0]):
        assert isinstance(item, Update)
        mirror.apply(item)
    plan = ModePlan.check(ReaperDialect(), [(2, "fx/1/param/3", "x")], "write", restore=True)
    plan.remember(mirror)
    assert plan.previous == {(2, "fx/1/param/3"): "latch"}
    msgs, what = plan.end(written=True)
    assert (what, [m.address for m in msgs]) == ("restored", ["/track/2/autolatch"])


def test_ardour_asks_for_a_parameters_name_with_the_plugins_description() -> None:
    d = ArdourDialect()
    (name,) = d.query(2, "fx/1/param/4/name")
    (value,) = d.query(2, "fx/1/param/4")
    assert (
        (name.address, name.args)
        == ("/strip/plugin/descriptor", (2, 1))
        == (value.address, value.args)
    )
    assert d.query(2, "fx/1/name")[0].address == "/strip/plugin/list"
